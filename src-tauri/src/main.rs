//! Entry point of the Teduh desktop app.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    match teduh_desktop::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("teduh-desktop: error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
