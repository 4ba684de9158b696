//! What the tests share: reading a PDF back as text.

use std::path::PathBuf;
use std::process::Command;

/// Writes `pdf` to a temporary file and returns `pdftotext -layout` of it, one string per page.
/// Fails (never skips) when pdftotext is missing: the project's test command installs it.
pub fn pdf_pages(pdf: &[u8], name: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("teduh-report-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path: PathBuf = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).expect("the PDF written to a temporary file");
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "pdftotext is needed to read the PDF back (Debian package poppler-utils: \
                 apt-get install -y poppler-utils), but it could not run: {e}"
            )
        });
    assert!(
        out.status.success(),
        "pdftotext failed on the rendered PDF (is it valid?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8(out.stdout).expect("pdftotext writes UTF-8 as asked");
    let mut pages: Vec<String> = text.split('\x0c').map(str::to_owned).collect();
    // pdftotext ends every page, the last one too, with a form feed.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// With `TEDUH_UPDATE_SCREENSHOTS=1` (scripts/screenshots.sh), renders the PDF's first page to
/// `docs/screenshots/<name>.png` with pdftoppm, as the e2e does for the app's PDFs.
#[allow(dead_code)] // not every test binary saves a page
pub fn maybe_save_first_page(pdf: &[u8], name: &str) {
    if std::env::var("TEDUH_UPDATE_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("teduh-report-shot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).expect("the PDF written");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/screenshots")
        .join(name);
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(&out)
        .status()
        .expect("pdftoppm runs (poppler-utils)");
    assert!(status.success(), "pdftoppm rendered {name}");
    println!("screenshot written: docs/screenshots/{name}.png");
}
