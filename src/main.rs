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
    match app.run_until_stopped(shutdown_signal()).await {
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

/// Completes on SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received; draining"),
        () = terminate => tracing::info!("SIGTERM received; draining"),
    }
}
