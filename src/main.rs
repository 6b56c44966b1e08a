//! The `tasks-api` binary: parse the configuration, start logging, build the
//! application and run it until SIGTERM or Ctrl-C.

use std::process::ExitCode;

use clap::Parser;
use tasks_api::auth::admin::{self, KeysCommand};
use tasks_api::config::{Cli, Command, Config, LogFormat};
use tasks_api::db::Db;
use tasks_api::startup::Application;
use tasks_api::{api, telemetry};

/// jemalloc with two arenas (settings in `.cargo/config.toml`): faster than
/// glibc's malloc on every measured request, within the RSS budget.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Openapi) => {
            print!("{}", api::service().spec_yaml());
            return ExitCode::SUCCESS;
        }
        Some(Command::Keys { command }) => return keys(&cli.config, &command).await,
        Some(Command::Serve) | None => {}
    }
    let log_format = cli.config.log_format;
    let telemetry = match telemetry::init(log_format, cli.config.otlp_endpoint.as_deref()) {
        Ok(telemetry) => telemetry,
        Err(err) => {
            eprintln!("tasks-api: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Registered before the server says it listens, so a SIGTERM that follows
    // that line is always a graceful stop.
    let stop = shutdown_signal();
    let app = match Application::build(cli.config).await {
        Ok(app) => app,
        Err(err) => {
            tracing::error!(error = %tasks_api::telemetry::error_chain(&err), "failed to start");
            eprintln!("tasks-api: {}", tasks_api::telemetry::error_chain(&err));
            return ExitCode::FAILURE;
        }
    };
    let base = format!("http://{}", app.local_addr());
    if let Some(key) = app.first_key() {
        show_first_key(key, &base, log_format);
    }
    tracing::info!("listening on {base}; Swagger UI at {base}/docs");
    let code = match app.run_until_stopped(stop).await {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            tracing::error!(error = %err, "server failed");
            ExitCode::FAILURE
        }
    };
    // Flushing exported spans may block: off the runtime's threads.
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    code
}

/// Shows the first API key once, like Jupyter's token: only its hash is
/// stored. In JSON logs it is a log line of its own, so every line stays
/// one JSON object.
fn show_first_key(key: &str, base: &str, format: LogFormat) {
    match format {
        LogFormat::Json => tracing::warn!(
            first_api_key = key,
            "made the first API key (shown only now; `tasks-api keys create` makes more)"
        ),
        LogFormat::Pretty => eprintln!(
            "\n  The first API key (shown only now; `tasks-api keys create` makes more):\n\n    \
             {key}\n\n  Send it as `Authorization: Bearer {key}`, or paste it into \
             Swagger UI's Authorize at {base}/docs\n"
        ),
    }
}

/// `tasks-api keys …`: prints the result on stdout, the note on stderr.
async fn keys(config: &Config, command: &KeysCommand) -> ExitCode {
    let result = async {
        let db = Db::connect(&config.db_settings(), None).await?;
        Ok::<_, Box<dyn std::error::Error>>(admin::run(&db, command).await?)
    };
    match result.await {
        Ok((out, note)) => {
            print!("{out}");
            eprintln!("tasks-api: {note}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!(
                "tasks-api: {}",
                tasks_api::telemetry::error_chain(err.as_ref())
            );
            ExitCode::FAILURE
        }
    }
}

/// Installs the SIGTERM and Ctrl-C (SIGINT) handlers now; the returned
/// future completes when either arrives.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    #[cfg(unix)]
    let mut interrupt =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    async move {
        #[cfg(unix)]
        {
            let term = async {
                match terminate.as_mut() {
                    Some(signal) => signal.recv().await,
                    None => std::future::pending().await,
                }
            };
            let int = async {
                match interrupt.as_mut() {
                    Some(signal) => signal.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = term => tracing::info!("SIGTERM received; draining"),
                _ = int => tracing::info!("Ctrl-C received; draining"),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("Ctrl-C received; draining");
        }
    }
}
