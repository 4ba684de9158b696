//! Entry point of the Teduh desktop app.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// mimalloc, not the system's malloc: receiving a page frees on the vault's thread what the
/// helper thread allocated ahead of it, and glibc's malloc spent a sixth of a fresh device's
/// pull on that (issue 27, item 4; docs/benchmarks.md). The CLI and the sync bench use it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match teduh_desktop::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("teduh-desktop: error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
