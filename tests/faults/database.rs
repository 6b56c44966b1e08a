//! A locked, broken or unopenable database.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{BIN, client, start, temp_db};

/// Holds SQLite's write lock on `db` from another process for `seconds`.
fn lock_from_another_process(db: &std::path::Path, seconds: f64) -> std::process::Child {
    let script = format!(
        "import sqlite3, sys, time\n\
         c = sqlite3.connect({:?}, isolation_level=None)\n\
         c.execute('BEGIN IMMEDIATE')\n\
         print('locked', flush=True)\n\
         time.sleep({seconds})\n\
         c.execute('ROLLBACK')\n",
        db.display().to_string()
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    let stdout = child.stdout.as_mut().expect("stdout");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("read");
    assert_eq!(line.trim(), "locked");
    child
}

#[tokio::test]
async fn a_write_lock_held_elsewhere_gives_503_with_retry_after_then_recovers() {
    let (_dir, db) = temp_db();
    let server = start(&db, &["--sqlite-busy-timeout-ms", "300"]);
    let http = client();
    let mut holder = lock_from_another_process(&db, 3.0);

    let started = Instant::now();
    let write = http
        .post(format!("{}/api/tasks", server.base()))
        .header("x-request-id", "blocked-write")
        .json(&json!({ "title": "blocked" }))
        .send()
        .await
        .expect("post");
    let waited = started.elapsed();
    assert_eq!(write.status(), 503);
    assert!(write.headers().contains_key("retry-after"));
    assert_eq!(write.headers()["content-type"], "application/problem+json");
    let ready = http
        .get(format!("{}/readyz", server.base()))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    let read = http
        .get(format!("{}/api/tasks", server.base()))
        .send()
        .await
        .expect("list");
    assert_eq!(read.status(), 200, "reads go on under WAL");
    println!("write under a foreign lock: 503 after {waited:?}");

    holder.wait().expect("holder exits");
    let ready = http
        .get(format!("{}/readyz", server.base()))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200, "recovered without a restart");
    let write = http
        .post(format!("{}/api/tasks", server.base()))
        .json(&json!({ "title": "after" }))
        .send()
        .await
        .expect("post");
    assert_eq!(write.status(), 201);
    let log = server.stop_for_log();
    assert!(!log.contains("panicked"), "{log}");
    // The warning with the cause, and the access line, both name the request.
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .filter(|line: &serde_json::Value| {
            line["request_id"] == "blocked-write" || line["span"]["request_id"] == "blocked-write"
        })
        .collect();
    let messages: Vec<_> = lines.iter().map(|l| l["message"].clone()).collect();
    assert_eq!(messages, ["database unavailable", "request"], "{log}");
    assert_eq!(lines[0]["level"], "WARN");
    assert_eq!(lines[0]["span"]["route"], "/api/tasks");
    assert_eq!(lines[1]["status"], 503);
}

#[tokio::test]
async fn a_database_file_overwritten_with_garbage_gives_problems_not_panics() {
    let (_dir, db) = temp_db();
    let server = start(&db, &[]);
    let http = client();
    for i in 0..5 {
        http.post(format!("{}/api/tasks", server.base()))
            .json(&json!({ "title": format!("t{i}") }))
            .send()
            .await
            .expect("post");
    }
    // Overwrite the database, its WAL and its shared-memory index in place
    // (same inodes, so the open connections read the garbage).
    for file in [
        db.clone(),
        db.with_extension("db-wal"),
        db.with_extension("db-shm"),
    ] {
        let size = std::fs::metadata(&file).map_or(0, |m| m.len()).max(32_768) as usize;
        let garbage: Vec<u8> = (0..size).map(|i| (i * 7 + 13) as u8).collect();
        std::fs::write(&file, &garbage).expect("overwrite");
    }

    let mut statuses = Vec::new();
    for (method, path) in [
        ("GET", "/api/tasks"),
        ("GET", "/api/tasks/1"),
        ("POST", "/api/tasks"),
        ("GET", "/readyz"),
    ] {
        let req = match method {
            "POST" => http
                .post(format!("{}{path}", server.base()))
                .json(&json!({ "title": "x" })),
            _ => http.get(format!("{}{path}", server.base())),
        };
        let resp = tokio::time::timeout(Duration::from_secs(15), req.send())
            .await
            .expect("answered in time")
            .expect("answered");
        let status = resp.status().as_u16();
        let content_type = resp.headers().get("content-type").cloned();
        let body = resp.text().await.unwrap_or_default();
        statuses.push(status);
        if status >= 400 {
            assert!(status == 500 || status == 503, "{method} {path}: {status}");
            assert_eq!(
                content_type.as_ref().map(|v| v.as_bytes()),
                Some(&b"application/problem+json"[..])
            );
            assert!(
                !body.to_lowercase().contains("sqlite"),
                "internals leaked: {body}"
            );
        }
    }
    println!("after the file was overwritten: {statuses:?}");
    assert!(statuses.iter().any(|s| *s >= 500), "the fault did not bite");
    assert_eq!(statuses.last(), Some(&503), "/readyz says not ready");
    let health = http
        .get(format!("{}/healthz", server.base()))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200, "the process lives on");
    let log = server.log_text();
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn starting_on_a_database_that_is_not_one_exits_non_zero_with_one_line() {
    let (_dir, db) = temp_db();
    std::fs::write(&db, vec![0x5a_u8; 4096]).expect("write");
    let out = Command::new(BIN)
        .args([
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &format!("sqlite://{}", db.display()),
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    println!("start on a non-database: {last}");
    assert!(
        last.starts_with("tasks-api: cannot open or migrate the database"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
}
