//! The `tasks-api` binary: parse the configuration, start logging, build the
//! application and run it until SIGTERM or Ctrl-C.

use std::process::ExitCode;

use clap::Parser;
use tasks_api::config::{Cli, Command};
use tasks_api::startup::Application;
use tasks_api::{api, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.command == Some(Command::Openapi) {
        print!("{}", api::service().spec_yaml());
        return ExitCode::SUCCESS;
    }
    telemetry::init(cli.config.log_format);
    // Registered before the server says it listens, so a SIGTERM that follows
    // that line is always a graceful stop.
    let stop = shutdown_signal();
    let app = match Application::build(cli.config).await {
        Ok(app) => app,
        Err(err) => {
            tracing::error!(error = %tasks_api::error::error_chain(&err), "failed to start");
            eprintln!("tasks-api: {}", tasks_api::error::error_chain(&err));
            return ExitCode::FAILURE;
        }
    };
    let base = format!("http://{}", app.local_addr());
    tracing::info!("listening on {base}; Swagger UI at {base}/docs");
    match app.run_until_stopped(stop).await {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            tracing::error!(error = %err, "server failed");
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
