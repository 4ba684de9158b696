//! What the desktop's IPC tests share: an app on Tauri's mock runtime over a fresh data
//! directory, a window, calling a command as the UI does, and joining a team.
#![allow(dead_code)] // each test binary uses its own part

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;
use teduh_core::paths::DataDir;
use teduh_desktop::state::AppState;

/// The passphrase of every synthetic member.
pub const PASSPHRASE: &str = "kopi pagi di teras rumah";

/// The app as the tests run it.
pub type App = tauri::App<tauri::test::MockRuntime>;
/// Its main window.
pub type Window = tauri::WebviewWindow<tauri::test::MockRuntime>;

/// The app over the data directory `dir`, with every command registered.
pub fn app(dir: &std::path::Path) -> App {
    let state = AppState::open(DataDir::at(dir), None).expect("state opens");
    teduh_desktop::register(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .expect("app builds")
}

/// The main window of `app`.
pub fn window(app: &App) -> Window {
    WebviewWindowBuilder::new(app, "main", Default::default())
        .build()
        .expect("window")
}

/// Calls `cmd` with `body` through real IPC: the command's JSON answer or its `IpcError`.
pub fn invoke(
    webview: &Window,
    cmd: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<serde_json::Value>().expect("json"))
}

/// The join form's arguments.
pub fn join_form(url: &str, username: &str, invitation: Option<&str>) -> serde_json::Value {
    serde_json::json!({"form": {
        "server_url": url,
        "username": username,
        "passphrase": PASSPHRASE,
        "invitation": invitation,
    }})
}

/// `client_create`'s arguments for a synthetic client.
pub fn synthetic_client(code: &str) -> serde_json::Value {
    serde_json::json!({"profile": {
        "code": code,
        "name": "Klien Sintetis",
        "language": "id",
    }})
}

/// A computer of one member: its data directory, the app and its window.
pub struct Desktop {
    /// The app (kept alive for the window).
    pub app: App,
    /// Its main window.
    pub w: Window,
    /// Its data directory, removed at the end.
    pub dir: tempfile::TempDir,
}

impl Desktop {
    /// A fresh computer: no vault yet.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let app = app(dir.path());
        let w = window(&app);
        Self { app, w, dir }
    }

    /// A fresh computer whose member `sup.ani` joined a new team "Tim Kupang" on `server` as
    /// its supervisor (her own device makes the team key, so her records can be sent at once).
    pub fn supervisor_joined(server: &teduh_tests::TestServer) -> Self {
        let team = server.create_team("Tim Kupang");
        let code = server.invite(&team, teduh_protocol::sync::Role::Supervisor);
        let d = Self::new();
        d.ok("team_join", join_form(server.url(), "sup.ani", Some(&code)));
        d
    }

    /// A single-use code from this (joined) computer for a further computer of its member.
    pub fn device_code(&self) -> String {
        self.ok("team_device_code", serde_json::json!({}))
            .as_str()
            .expect("a code")
            .to_owned()
    }

    /// As a key manager's computer, admits the waiting `newcomer` of member `username` the way
    /// people do: both sync, the newcomer's screen shows its number for this computer, this
    /// computer types it, and both sync again (the roster and the team key go out and arrive).
    pub fn admit(&self, newcomer: &Desktop, username: &str) {
        let round = serde_json::json!({});
        self.ok("sync_now", round.clone());
        newcomer.ok("sync_now", round.clone());
        self.ok("sync_now", round.clone());
        let view = newcomer.ok("team_view", serde_json::json!({}));
        let number = view["safety_numbers"][0]["number"]
            .as_str()
            .unwrap_or_else(|| panic!("the newcomer's screen shows a number: {view}"))
            .to_owned();
        self.ok(
            "team_confirm",
            serde_json::json!({"username": username, "safetyNumber": number}),
        );
        self.ok("sync_now", round.clone());
        newcomer.ok("sync_now", round);
    }

    /// Calls `cmd`: its answer or its `IpcError`.
    pub fn call(
        &self,
        cmd: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        invoke(&self.w, cmd, body)
    }

    /// Calls `cmd`, which must succeed.
    pub fn ok(&self, cmd: &str, body: serde_json::Value) -> serde_json::Value {
        self.call(cmd, body)
            .unwrap_or_else(|e| panic!("{cmd} should succeed: {e}"))
    }
}
