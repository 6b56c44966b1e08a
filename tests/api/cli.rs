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
        "[default: text] [possible values: text, json]",
        "answered 408 and its connection closed",
        "--sqlite-synchronous",
        "TASKS_SQLITE_SYNCHRONOUS",
        "--max-body-bytes",
        "--shutdown-timeout-secs",
    ] {
        assert!(help.contains(option), "--help lacks {option}:\n{help}");
    }
}

#[test]
fn both_names_of_the_text_log_format_are_accepted() {
    for name in ["text", "pretty"] {
        let out = run(&["--log-format", name, "openapi"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
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

/// `tasks-api keys …` on the SQLite file `db`: (success, stdout, stderr).
fn keys(db: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let url = format!("sqlite://{}", db.display());
    let out = Command::new(BIN)
        .args(["keys"])
        .args(args)
        .args(["--database-url", &url])
        .output()
        .expect("runs");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

#[tokio::test]
async fn keys_made_listed_and_revoked_by_the_cli_are_honoured_by_a_running_server() {
    let (_dir, db) = process::temp_db();
    let (ok, key, note) = keys(&db, &["create", "--owner", "alice", "--name", "laptop"]);
    assert!(ok, "{note}");
    let key = key.trim().to_owned();
    assert!(key.starts_with("tsk_") && key.len() == 36, "{key:?}");
    let (ok, _, note) = keys(&db, &["create", "--owner", "alice", "--name", "laptop"]);
    assert!(!ok && note.contains("already has a key named"), "{note}");
    let (ok, listed, _) = keys(&db, &["list", "--owner", "alice"]);
    assert!(ok);
    assert!(
        listed.contains(&key[..12]) && !listed.contains(&key),
        "{listed}"
    );

    let server = process::start(&db, &["--auth", "key", "--key-cache-secs", "0"]);
    // Keys existed before the first start: the server makes none.
    assert!(!server.log_text().contains("first_api_key"));
    let http = reqwest::Client::new();
    let get = |key: String| {
        let request = http
            .get(format!("{}/api/tasks", server.base()))
            .bearer_auth(key);
        async move { request.send().await.expect("get").status().as_u16() }
    };
    assert_eq!(get(key.clone()).await, 200);
    let (ok, _, note) = keys(&db, &["revoke", &key[..12]]);
    assert!(ok, "{note}");
    assert_eq!(get(key.clone()).await, 401, "revoked in another process");
    let (ok, _, _) = keys(&db, &["revoke", &key[..12]]);
    assert!(!ok, "revoking twice is an error");
    let (_, listed, _) = keys(&db, &["list"]);
    let line = listed
        .lines()
        .find(|l| l.contains("laptop"))
        .unwrap_or_default();
    assert!(!line.ends_with(" -"), "not shown as revoked: {line}");
    // An aligned table, as docs/security.md shows it: every column starts at the
    // same place on every line.
    let starts = |line: &str| -> Vec<usize> {
        let mut at = Vec::new();
        let mut blank = true;
        for (i, c) in line.char_indices() {
            if c != ' ' && blank {
                at.push(i);
            }
            blank = c == ' ';
        }
        at
    };
    let header = listed.lines().next().unwrap_or_default();
    assert!(!listed.contains('\t'), "{listed}");
    assert!(starts(line).starts_with(&starts(header)[..6]), "{listed}");
}

#[tokio::test]
async fn the_cli_makes_scoped_and_expiring_keys() {
    let (_dir, db) = process::temp_db();
    let (ok, reader, note) = keys(
        &db,
        &[
            "create",
            "--owner",
            "ali",
            "--name",
            "widget",
            "--scope",
            "tasks:read",
            "--expires-in",
            "2d",
        ],
    );
    assert!(ok, "{note}");
    let (ok, _, note) = keys(
        &db,
        &["create", "--owner", "ali", "--scope", "tasks:delete"],
    );
    assert!(
        !ok && note.contains("there is no scope \"tasks:delete\""),
        "{note}"
    );
    let (ok, _, note) = keys(&db, &["create", "--owner", "ali", "--expires-in", "soon"]);
    assert!(!ok && note.contains("is not a lifetime"), "{note}");
    let (_, listed, _) = keys(&db, &["list", "--owner", "ali"]);
    let line = listed
        .lines()
        .find(|l| l.contains("widget"))
        .unwrap_or_default();
    assert!(line.contains(" tasks:read "), "{listed}");
    let header = listed.lines().next().unwrap_or_default();
    assert!(
        header.contains(" scopes ") && header.contains(" expires "),
        "{header}"
    );

    let server = process::start(&db, &["--auth", "key"]);
    let http = reqwest::Client::new();
    let me: serde_json::Value = http
        .get(format!("{}/api/me", server.base()))
        .bearer_auth(reader.trim())
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        me["credential"]["scopes"],
        serde_json::json!(["tasks:read"])
    );
    let expires = me["credential"]["expires_at"].as_str().unwrap_or_default();
    let expected = chrono::Utc::now() + chrono::Duration::days(2);
    let parsed = chrono::DateTime::parse_from_rfc3339(expires).expect("an instant");
    assert!(
        (parsed.to_utc() - expected).num_seconds().abs() < 60,
        "{expires}"
    );
    let write = http
        .post(format!("{}/api/tasks", server.base()))
        .bearer_auth(reader.trim())
        .json(&serde_json::json!({ "title": "no" }))
        .send()
        .await
        .expect("post");
    assert_eq!(write.status().as_u16(), 403);
}

#[test]
fn the_first_start_of_a_new_database_shows_a_first_key_once() {
    let (_dir, db) = process::temp_db();
    let server = process::start(&db, &["--auth", "key"]);
    let log = server.log_text();
    assert!(log.contains("\"first_api_key\":\"tsk_"), "{log}");
    server.kill();
    let again = process::start(&db, &["--auth", "key"]);
    assert!(!again.log_text().contains("first_api_key"));
}

#[tokio::test]
async fn the_first_start_on_a_database_logs_no_notices() {
    let dir = tempfile::tempdir().expect("dir");
    let (url, _) = crate::helpers::fresh_database(&dir).await;
    let server = process::start_on(&url, &[]);
    let log = server.log_text();
    server.kill();
    assert!(
        !log.contains("already exists") && !log.contains("notice"),
        "{log}"
    );
}

#[tokio::test]
async fn making_and_revoking_a_key_is_logged_as_an_audit_event_without_the_secret() {
    let (_dir, db) = process::temp_db();
    let (ok, admin, note) = keys(&db, &["create", "--scope", "keys:manage,admin"]);
    assert!(ok, "{note}");
    let server = process::start(&db, &["--auth", "key"]);
    let http = reqwest::Client::new();
    let made: serde_json::Value = http
        .post(format!("{}/api/keys", server.base()))
        .bearer_auth(admin.trim())
        .header("x-request-id", "audit-me")
        .json(&serde_json::json!({ "name": "audited", "scopes": ["keys:manage"] }))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let secret = made["key"].as_str().expect("the key").to_owned();
    let revoked = http
        .delete(format!("{}/api/keys/{}", server.base(), made["id"]))
        .bearer_auth(admin.trim())
        .send()
        .await
        .expect("delete");
    assert_eq!(revoked.status().as_u16(), 204);
    let log = server.stop_for_log();
    let events: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["target"] == "audit")
        .collect();
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(names, ["key_created", "key_revoked"], "{log}");
    let created = &events[0];
    assert_eq!(created["request_id"], "audit-me", "{created}");
    assert_eq!(created["actor_owner"], 1);
    assert_eq!(created["acted_on"], "key 2 of owner 1");
    assert!(
        !log.contains(&secret),
        "the new key's secret is never logged"
    );
    assert!(!log.contains(admin.trim()), "nor the caller's");
}
