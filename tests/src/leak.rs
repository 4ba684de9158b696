//! Looking for plaintext where only ciphertext may be: a marker in every encoding a careless
//! implementation might write (raw, hex, base64 at each alignment).

use std::path::Path;

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// The marker raw, as lower and upper hex, and as base64 at the three alignments (the middle
/// part, which does not depend on the surrounding bytes).
pub fn marker_forms(marker: &str) -> Vec<Vec<u8>> {
    byte_forms(marker.as_bytes())
}

/// [`marker_forms`] of any bytes (e.g. a 16-byte entity id).
pub fn byte_forms(m: &[u8]) -> Vec<Vec<u8>> {
    let hex_lower: String = m.iter().map(|b| format!("{b:02x}")).collect();
    let mut forms = vec![
        m.to_vec(),
        hex_lower.clone().into_bytes(),
        hex_lower.to_uppercase().into_bytes(),
    ];
    for pad in 0..3 {
        let mut d = vec![b'_'; pad];
        d.extend_from_slice(m);
        let enc = base64(&d);
        let start = (pad * 4).div_ceil(3) + 1;
        let end = enc.len().saturating_sub(2);
        forms.push(enc.as_bytes()[start..end].to_vec());
    }
    forms
}

/// Where in `bytes` any of `forms` occurs, described with `what`.
pub fn scan_bytes(what: &str, bytes: &[u8], forms: &[Vec<u8>]) -> Vec<String> {
    forms
        .iter()
        .filter(|f| bytes.windows(f.len()).any(|w| w == f.as_slice()))
        .map(|f| format!("{what} contains {:?}", String::from_utf8_lossy(f)))
        .collect()
}

/// Every file under `dir` (recursively) that contains one of `forms`.
#[allow(clippy::expect_used)]
pub fn scan_dir(dir: &Path, forms: &[Vec<u8>]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            hits.extend(scan_dir(&path, forms));
        } else if let Ok(bytes) = std::fs::read(&path) {
            hits.extend(scan_bytes(&path.display().to_string(), &bytes, forms));
        }
    }
    hits
}
