//! Compression of record fields before encryption: raw DEFLATE primed with a frozen dictionary
//! of the words session notes and record fields are made of.
//!
//! Short texts (a 1 KB note) compress poorly on their own because DEFLATE starts with an empty
//! window. A preset dictionary fixes that: the compressor first reads the dictionary and
//! flushes (an empty stored block, so the stream is byte-aligned), then compresses the data,
//! which may refer back into the dictionary; only the bytes after the flush are kept. The
//! receiver prepends its own compression of the dictionary (any valid DEFLATE of it that ends
//! byte-aligned works) and drops the dictionary from the output. The dictionary is part of the
//! record format: `compression_dict_v1.txt` never changes; a better one is a new version.

use std::sync::OnceLock;

use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};

/// The frozen dictionary of format version 1.
pub const DICTIONARY_V1: &[u8] = include_bytes!("compression_dict_v1.txt");

// One stored block holds at most 65,535 bytes: a larger dictionary needs a prefix of several.
const _: () = assert!(DICTIONARY_V1.len() <= u16::MAX as usize);

fn compressor() -> Box<CompressorOxide> {
    // Level 6 (level 9 gained a few bytes at twice the time), raw DEFLATE (negative window
    // bits), default strategy.
    Box::new(CompressorOxide::new(create_comp_flags_from_zip_params(
        6, -15, 0,
    )))
}

/// Feeds `input` with `flush` and returns the output produced.
fn run(d: &mut CompressorOxide, input: &[u8], flush: TDEFLFlush) -> Vec<u8> {
    let mut out = vec![0u8; input.len() + input.len() / 2 + 1024];
    let mut consumed = 0;
    let mut produced = 0;
    loop {
        let (status, read, written) = compress(d, &input[consumed..], &mut out[produced..], flush);
        consumed += read;
        produced += written;
        let done = match status {
            TDEFLStatus::Done => true,
            TDEFLStatus::Okay => consumed == input.len() && produced < out.len(),
            _ => true,
        };
        if done {
            break;
        }
        if produced == out.len() {
            out.resize(out.len() * 2, 0);
        }
    }
    out.truncate(produced);
    out
}

/// The dictionary as the start of a DEFLATE stream the receiver prepends: one stored block
/// (not final), so inflating it is a copy. Any byte-aligned DEFLATE of the dictionary works;
/// inflating the compressed one took a tenth of opening a 2 KB note (issue 27, item 4).
fn dictionary_prefix() -> &'static [u8] {
    static PREFIX: OnceLock<Vec<u8>> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let len = u16::try_from(DICTIONARY_V1.len()).unwrap_or(u16::MAX);
        // BFINAL = 0, BTYPE = 00 (stored), padded to the byte; then LEN and its complement.
        let mut prefix = vec![0u8];
        prefix.extend_from_slice(&len.to_le_bytes());
        prefix.extend_from_slice(&(!len).to_le_bytes());
        prefix.extend_from_slice(&DICTIONARY_V1[..usize::from(len)]);
        prefix
    })
}

/// Compresses `data` against [`DICTIONARY_V1`].
pub fn deflate_v1(data: &[u8]) -> Vec<u8> {
    let mut d = compressor();
    let _ = run(&mut d, DICTIONARY_V1, TDEFLFlush::Sync);
    run(&mut d, data, TDEFLFlush::Finish)
}

/// Reverses [`deflate_v1`]; `None` when the data is not such a stream or inflates beyond
/// `limit` bytes.
pub fn inflate_v1(compressed: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut stream = dictionary_prefix().to_vec();
    stream.extend_from_slice(compressed);
    let out = miniz_oxide::inflate::decompress_to_vec_with_limit(
        &stream,
        limit.saturating_add(DICTIONARY_V1.len()),
    )
    .ok()?;
    out.strip_prefix(DICTIONARY_V1).map(<[u8]>::to_vec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_beats_plain_deflate_on_a_short_note() {
        let note = "Klien mengatakan ia masih sulit tidur dan merasa cemas di tempat kerja. \
                    Konselor mengajarkan teknik pernapasan; rencana sesi berikutnya minggu depan.";
        let packed = deflate_v1(note.as_bytes());
        assert_eq!(
            inflate_v1(&packed, 1 << 20).as_deref(),
            Some(note.as_bytes())
        );
        let plain = miniz_oxide::deflate::compress_to_vec(note.as_bytes(), 9);
        assert!(
            packed.len() * 10 < plain.len() * 8,
            "the dictionary saves at least 20% ({} vs {} bytes)",
            packed.len(),
            plain.len()
        );
        assert_eq!(
            inflate_v1(&[1, 2, 3], 1 << 20),
            None,
            "garbage does not inflate"
        );
        // The prefix the receiver prepends is a stored block; streams made by priming the
        // compressor with the dictionary (as senders do) inflate the same after either.
        let compressed_prefix = run(&mut compressor(), DICTIONARY_V1, TDEFLFlush::Sync);
        let mut stream = compressed_prefix;
        stream.extend_from_slice(&packed);
        let out = miniz_oxide::inflate::decompress_to_vec(&stream).expect("inflates");
        assert_eq!(out.strip_prefix(DICTIONARY_V1), Some(note.as_bytes()));
        let big = vec![b'a'; 100_000];
        assert_eq!(
            inflate_v1(&deflate_v1(&big), 1000),
            None,
            "bombs are refused"
        );
    }
}
