//! `teduh-server`: start-up, configuration and shutdown of the Teduh sync server.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use teduh_server::ServerConfig;

/// Teduh sync server. With no flags it stores its data in an embedded SQLite file in the
/// platform data directory and listens on 127.0.0.1:8470.
#[derive(Debug, Parser)]
#[command(name = "teduh-server", version, about)]
struct Cli {
    /// Address to listen on, e.g. 127.0.0.1:8470 (port 0 picks a free port).
    #[arg(long, env = "TEDUH_SERVER_LISTEN")]
    listen: Option<std::net::SocketAddr>,
    /// Directory for the embedded SQLite database.
    #[arg(long, env = "TEDUH_SERVER_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://user:pass@host:port/db) instead of the embedded SQLite.
    #[arg(long, env = "TEDUH_SERVER_DATABASE")]
    database: Option<String>,
    /// Authentication requests (register, login) one client IP may make in a burst.
    #[arg(long, env = "TEDUH_SERVER_AUTH_BURST", default_value_t = 30)]
    auth_burst: u32,
    /// Authentication requests per second refilled per client IP.
    #[arg(long, env = "TEDUH_SERVER_AUTH_PER_SECOND", default_value_t = 1.0)]
    auth_per_second: f64,
    /// PEM certificate chain: serve HTTPS (needs --tls-key too).
    #[arg(long, env = "TEDUH_SERVER_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, env = "TEDUH_SERVER_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// TOML file with `listen`, `data_dir`, `database`, `tls_cert` and `tls_key` (flags and
    /// environment win over it).
    #[arg(long, env = "TEDUH_SERVER_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Administer the organisation, teams, invitations, members and devices.
    Admin {
        #[command(subcommand)]
        command: teduh_server::admin::AdminCommand,
    },
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TEDUH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // TEDUH_LOG_FORMAT=json: one JSON object per line for log collectors. Either way, logs hold
    // route templates and numeric ids only: never tokens, names, usernames or payloads.
    if std::env::var("TEDUH_LOG_FORMAT").is_ok_and(|f| f == "json") {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("teduh-server: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            // `teduh-server admin invite | head -1`: the reader left; not an error.
            ExitCode::SUCCESS
        }
        Err(e) => {
            // One line, the whole cause chain, no backtrace: operators read this.
            eprintln!("teduh-server: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let from_flags = ServerConfig {
        listen: cli.listen,
        data_dir: cli.data_dir,
        database: cli.database,
        tls_cert: cli.tls_cert,
        tls_key: cli.tls_key,
        alerts: None,
    };
    let config = match &cli.config {
        Some(path) => from_flags.or(ServerConfig::from_file(path)?),
        None => from_flags,
    };
    let storage = teduh_server::open_storage(&config).await?;
    if let Some(Command::Admin { command }) = cli.command {
        let mut out = std::io::stdout().lock();
        let data_dir = config.data_dir()?;
        return teduh_server::admin::run(storage.as_ref(), &data_dir, command, &mut out).await;
    }
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
        (None, None) => None,
        _ => anyhow::bail!("give both --tls-cert and --tls-key, or neither"),
    };
    let settings = teduh_server::router::Settings {
        auth_burst: cli.auth_burst,
        auth_per_second: cli.auth_per_second,
        ..teduh_server::router::Settings::default()
    };
    let state = teduh_server::router::AppState::with_settings(storage, settings)
        .with_data_dir(config.data_dir().ok())
        .with_alerts(config.alerts.clone().unwrap_or_default());
    let backend = state.storage.backend();
    match tls {
        None => {
            let listener = tokio::net::TcpListener::bind(config.listen())
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen()))?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, storage = backend, "teduh-server started");
            // A stable line on stdout that scripts and tests wait for.
            println!("teduh-server listening on http://{addr}");
            teduh_server::serve_with(listener, state, shutdown_signal()).await?;
        }
        Some((cert, key)) => serve_https(&config, state, &cert, &key).await?,
    }
    tracing::info!("teduh-server stopped");
    Ok(())
}

#[cfg(feature = "tls")]
async fn serve_https(
    config: &ServerConfig,
    state: teduh_server::router::AppState,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind(config.listen())
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen()))?;
    let addr = listener.local_addr()?;
    let backend = state.storage.backend();
    let serving = teduh_server::serve_tls(listener, state, cert, key, shutdown_signal());
    tracing::info!(%addr, storage = backend, "teduh-server started with TLS");
    println!("teduh-server listening on https://{addr}");
    serving.await
}

#[cfg(not(feature = "tls"))]
async fn serve_https(
    _config: &ServerConfig,
    _state: teduh_server::router::AppState,
    _cert: &std::path::Path,
    _key: &std::path::Path,
) -> anyhow::Result<()> {
    anyhow::bail!("this teduh-server was built without TLS; rebuild with the `tls` feature or put a TLS reverse proxy in front")
}

/// Resolves on Ctrl-C or SIGTERM; axum then stops accepting and finishes in-flight requests.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
