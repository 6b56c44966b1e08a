//! Hostile input never hurts the server: each gets a 4xx (a problem when
//! the application answers) or a closed connection, never a 5xx, and the
//! server keeps answering normal requests meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

use crate::support::{client, raw, start, status_of, temp_db};

fn post(body: &[u8], extra_headers: &str) -> Vec<u8> {
    let mut request = format!(
        "POST /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

fn chunked(total: usize) -> Vec<u8> {
    let mut request = b"POST /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        .to_vec();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..total.div_ceil(chunk.len()) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(&chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    request
}

fn get(target: &str, extra_headers: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{extra_headers}\r\n")
        .into_bytes()
}

#[tokio::test]
async fn hostile_requests_get_4xx_or_a_closed_connection_and_service_goes_on() {
    let (_dir, db) = temp_db();
    let server = start(&db, &["--header-read-timeout-secs", "2"]);
    let addr = server.addr();
    let http = client();
    http.post(format!("{}/api/tasks", server.base()))
        .json(&serde_json::json!({ "title": "probe" }))
        .send()
        .await
        .expect("seed");

    // A probe that reads one task every 20 ms for the whole run.
    let running = Arc::new(AtomicBool::new(true));
    let probe = {
        let (running, url, http) = (
            Arc::clone(&running),
            format!("{}/api/tasks/1", server.base()),
            http.clone(),
        );
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while running.load(Ordering::Relaxed) {
                let t = Instant::now();
                let status = http
                    .get(&url)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                samples.push((status, t.elapsed()));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            samples
        })
    };

    let big = format!(
        r#"{{"title":"x","description":"{}"}}"#,
        "a".repeat(1_100_000)
    );
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let many_headers: String = (0..1000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("body over 1 MiB with Content-Length", post(big.as_bytes(), "")),
        ("body over 1 MiB chunked", chunked(1_200_000)),
        ("Content-Length of 10 GB", b"POST /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\nConnection: close\r\n\r\n{".to_vec()),
        ("JSON nested 10,000 deep", post(deep.as_bytes(), "")),
        ("invalid UTF-8", post(b"{\"title\":\"\xc3\x28\xff\"}", "")),
        ("NUL bytes in the body", post(b"{\"title\":\"a\0b\"}", "")),
        ("NUL escaped in a string", post(br#"{"title":"a\u0000b"}"#, "")),
        ("integer beyond int64", post(br#"{"title":"x","done":99999999999999999999999}"#, "")),
        ("float beyond f64", post(br#"{"title":"x","due_at":1e999}"#, "")),
        ("100,000-character query string", get(&format!("/api/tasks?q={}", "a".repeat(100_000)), "")),
        ("1,000 headers", get("/api/tasks", &many_headers)),
        ("a header of 64 KiB", get("/api/tasks", &format!("X-Big: {}\r\n", "b".repeat(65_536)))),
        ("a malformed request line", b"GET /api/tasks HTTP/9.9 extra\r\n\r\n".to_vec()),
        ("not HTTP at all", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec()),
        ("an absurd page", get("/api/tasks?page=9223372036854775807&per_page=100", "")),
        ("a path id beyond int64", get("/api/tasks/99999999999999999999999", "")),
        ("a percent-encoded NUL in the path", get("/api/tasks/%00", "")),
        ("an If-Match of garbage", b"DELETE /api/tasks/1 HTTP/1.1\r\nHost: x\r\nIf-Match: \xff\xfe\r\nConnection: close\r\n\r\n".to_vec()),
    ];
    for (case, request) in &cases {
        let response = raw(&addr, request, Duration::from_secs(5)).await;
        let status = status_of(&response);
        println!(
            "{case}: {}",
            status.map_or("connection closed".to_owned(), |s| s.to_string())
        );
        if let Some(status) = status {
            // Some are valid after all (an escaped NUL is a character).
            assert!(status < 500, "{case}: {status}\n{response}");
            let has_body = !response.ends_with("\r\n\r\n");
            if status >= 400 && has_body {
                assert!(
                    response.contains("application/problem+json"),
                    "{case}: {response}"
                );
            }
        }
    }

    // A slowloris: one header byte a second is cut off by the header timeout.
    let started = Instant::now();
    let mut slow = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let mut cut_off = None;
    for byte in b"GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaa\r\n\r\n" {
        if slow.write_all(&[*byte]).await.is_err() {
            cut_off = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
        if started.elapsed() > Duration::from_secs(8) {
            break;
        }
    }
    println!("slowloris (1 byte/s) cut off after {cut_off:?} (header timeout 2 s)");
    assert!(
        cut_off.is_some(),
        "a client sending one byte a second was never cut off"
    );

    // Thousands of connections opened and dropped at once.
    let mut sockets = Vec::new();
    for _ in 0..2000 {
        if let Ok(s) = tokio::net::TcpStream::connect(&addr).await {
            sockets.push(s);
        }
    }
    let opened = sockets.len();
    drop(sockets);
    println!("opened and dropped {opened} connections");

    tokio::time::sleep(Duration::from_millis(300)).await;
    running.store(false, Ordering::Relaxed);
    let samples = probe.await.expect("probe");
    let mut latencies: Vec<Duration> = samples.iter().map(|(_, t)| *t).collect();
    latencies.sort();
    let failures: Vec<_> = samples.iter().filter(|(s, _)| *s != 200).collect();
    let p50 = latencies[latencies.len() / 2];
    let p99 = latencies[latencies.len() * 99 / 100];
    let max = latencies[latencies.len() - 1];
    println!(
        "probe GET /api/tasks/1 during the run: {} requests, {} not 200, p50 {p50:?}, p99 {p99:?}, max {max:?}",
        samples.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "the probe failed: {failures:?}");
    // A liveness bound, not a performance target: the server never stalled.
    assert!(
        max < Duration::from_secs(2),
        "the server stalled for {max:?}"
    );
    let log = server.log_text();
    assert!(!log.contains("panicked"), "{log}");
}
