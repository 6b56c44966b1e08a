//! The binary itself: its commands, options, start-up failures and SIGTERM.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::process::{self, BIN};

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("TASKS_BIND")
        .output()
        .expect("runs")
}

#[test]
fn openapi_command_prints_the_generated_spec() {
    let out = run(&["openapi"]);
    assert!(out.status.success());
    assert!(
        out.stdout == tasks_api::api::service().spec_yaml().as_bytes(),
        "tasks-api openapi differs from the generated document"
    );
}

#[test]
fn help_documents_every_option() {
    let out = run(&["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--bind",
        "TASKS_BIND",
        "--database-url",
        "DATABASE_URL",
        "--log-format",
        "pretty",
        "json",
        "--sqlite-synchronous",
        "TASKS_SQLITE_SYNCHRONOUS",
        "--max-body-bytes",
        "--shutdown-timeout-secs",
    ] {
        assert!(help.contains(option), "--help lacks {option}:\n{help}");
    }
}

#[test]
fn an_unknown_log_format_is_an_error() {
    let out = run(&["--log-format", "xml"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("xml"));
}

#[test]
fn a_database_that_cannot_be_opened_exits_non_zero_with_one_line() {
    let out = run(&[
        "--bind",
        "127.0.0.1:0",
        "--database-url",
        "sqlite:///nonexistent-dir/for/sure/tasks.db",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("tasks-api: cannot open"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn sigterm_lets_the_server_exit_0_and_every_json_log_line_is_json() {
    let (_dir, db) = process::temp_db();
    // `start` asks for `--log-format json` and waits for the listening line.
    let server = process::start(&db, &[]);
    let started = Instant::now();
    server.signal("TERM");
    let (status, log) = server.wait();
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "slow to stop");
    assert!(
        log.iter().any(|line| line.contains("listening on http://")),
        "{log:?}"
    );
    for line in &log {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| v.is_object()),
            "not a JSON object: {line}"
        );
    }
}
