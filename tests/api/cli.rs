//! The binary itself: its commands, options, start-up failures and SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tasks-api");

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("TASKS_BIND")
        .output()
        .expect("runs")
}

#[test]
fn openapi_command_prints_the_committed_spec() {
    let out = run(&["openapi"]);
    assert!(out.status.success());
    let committed =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).expect("openapi.yaml");
    assert!(
        out.stdout == committed,
        "tasks-api openapi differs from openapi.yaml"
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
fn sigterm_lets_the_server_exit_0() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/tasks.db", dir.path().display());
    let mut child = Command::new(BIN)
        .args([
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &url,
            "--log-format",
            "json",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    // Wait for the "listening" line.
    let stderr = child.stderr.take().expect("stderr");
    let (ready, listening) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(stderr).lines();
        let mut seen = Vec::new();
        for line in lines.by_ref().map_while(Result::ok) {
            let listening = line.contains("listening on http://");
            seen.push(line);
            if listening {
                break;
            }
        }
        let _ = ready.send(());
        // Every line in json format is one JSON object.
        for line in &seen {
            assert!(
                serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| v.is_object()),
                "not a JSON object: {line}"
            );
        }
        lines.count()
    });
    let started = Instant::now();
    assert!(
        listening.recv_timeout(Duration::from_secs(10)).is_ok(),
        "the server did not start"
    );
    let pid = child.id().to_string();
    let kill = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = child.wait().expect("waits");
    assert_eq!(status.code(), Some(0), "exit status {status:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "slow to stop");
    assert!(reader.join().is_ok(), "log lines were not JSON");
}
