//! Real commands through real IPC on Tauri's mock runtime (no display needed).

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;
use teduh_core::paths::DataDir;
use teduh_desktop::state::AppState;

fn app(dir: &std::path::Path) -> tauri::App<tauri::test::MockRuntime> {
    let state = AppState::open(DataDir::at(dir), None).expect("state opens");
    teduh_desktop::register(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .expect("app builds")
}

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
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

#[test]
fn app_info_reports_core_version_and_data_dir() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let info = invoke(&w, "app_info", serde_json::json!({})).expect("app_info answers");
    assert_eq!(info["core_version"], teduh_core::VERSION);
    assert_eq!(info["data_dir"], tmp.path().display().to_string());
    assert_eq!(info["language"], "id", "Bahasa Indonesia by default");
}

#[test]
fn language_choice_persists_across_restarts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    {
        let app = app(tmp.path());
        let w = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("window");
        let saved = invoke(&w, "set_language", serde_json::json!({"language": "en"}))
            .expect("set_language answers");
        assert_eq!(saved, "en");
    }
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let info = invoke(&w, "app_info", serde_json::json!({})).expect("app_info answers");
    assert_eq!(info["language"], "en", "the switch must survive a restart");
}

#[test]
fn unknown_language_is_a_coded_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let err = invoke(&w, "set_language", serde_json::json!({"language": "xx"}))
        .expect_err("must be refused");
    assert_eq!(err["code"], "InvalidInput", "the UI branches on the code");
}

#[test]
fn the_directory_answers_before_any_unlock_and_finds_child_services() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let hits = invoke(
        &w,
        "directory_search",
        serde_json::json!({"query": {"text": "anak"}}),
    )
    .expect("directory_search answers");
    let ids: Vec<&str> = hits
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert!(ids.contains(&"sapa-129"), "{ids:?}");
    let sapa = hits
        .as_array()
        .expect("array")
        .iter()
        .find(|h| h["id"] == "sapa-129")
        .expect("sapa");
    assert_eq!(sapa["whatsapp_url"], "https://wa.me/628111129129");
    assert_eq!(sapa["phones"][0]["tel_url"], "tel:129");
}

#[test]
fn open_contact_refuses_anything_but_phone_and_web_links() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    for url in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "tel:112 ; rm -rf /",
    ] {
        let err = invoke(&w, "open_contact", serde_json::json!({"url": url}))
            .expect_err("must be refused");
        assert_eq!(err["code"], "InvalidInput", "{url}");
    }
}

#[test]
fn auto_lock_must_stay_between_one_and_120_minutes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    for bad in [0, 121] {
        let err = invoke(&w, "set_auto_lock", serde_json::json!({"minutes": bad}))
            .expect_err("out of range");
        assert_eq!(err["code"], "InvalidInput", "{bad} minutes");
    }
    let ok = invoke(&w, "set_auto_lock", serde_json::json!({"minutes": 10})).expect("10 is fine");
    assert_eq!(ok, 10);
}

#[test]
fn vault_commands_say_locked_or_not_initialised_instead_of_failing_oddly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let state = invoke(&w, "vault_state", serde_json::json!({})).expect("answers");
    assert_eq!(state["initialised"], false);
    let err =
        invoke(&w, "clients_search", serde_json::json!({"text": ""})).expect_err("no vault yet");
    assert_eq!(err["code"], "NotInitialised");
}
