//! OpenTelemetry: with the `otlp` feature, spans reach an OTLP/HTTP
//! collector; without it, asking for one is a clear start-up error.

#[cfg(feature = "otlp")]
#[tokio::test]
async fn request_spans_are_exported_to_an_otlp_collector() {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::process;

    // A collector that records what it is sent and answers 200.
    let collector = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let endpoint = format!("http://{}", collector.local_addr().expect("addr"));
    /// (request head, body) of each export received.
    type Exports = Arc<Mutex<Vec<(String, Vec<u8>)>>>;
    let received: Exports = Arc::default();
    let sink = Arc::clone(&received);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = collector.accept().await {
            let sink = Arc::clone(&sink);
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 65536];
                loop {
                    let Ok(n) = stream.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&data).to_string();
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let head = text[..end].to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if data.len() >= end + 4 + length {
                        let body = data[end + 4..end + 4 + length].to_vec();
                        sink.lock().expect("sink").push((head, body));
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n")
                            .await;
                        data.clear();
                    }
                }
            });
        }
    });

    let (_dir, db) = process::temp_db();
    let server = process::start(&db, &["--otlp-endpoint", &endpoint]);
    let status = reqwest::Client::new()
        .get(format!("{}/api/tasks/424242", server.base()))
        .header("x-request-id", "otlp-trace-me")
        .send()
        .await
        .expect("get")
        .status();
    assert_eq!(status, 404);
    server.signal("TERM");
    // Waiting blocks: off this runtime's one thread, which serves the
    // collector.
    let (exit, log) = tokio::task::spawn_blocking(move || server.wait())
        .await
        .expect("wait");
    assert_eq!(exit.code(), Some(0), "{log:?}");

    let received = received.lock().expect("received").clone();
    let (head, body) = received
        .iter()
        .find(|(_, body)| body.windows(13).any(|w| w == b"otlp-trace-me"))
        .unwrap_or_else(|| {
            panic!(
                "no span with the request id among {} exports",
                received.len()
            )
        });
    assert!(head.starts_with("post /v1/traces"), "{head}");
    assert!(head.contains("application/x-protobuf"), "{head}");
    let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(
        has(b"/api/tasks/{id}"),
        "the route template is an attribute"
    );
    assert!(has(b"tasks-api"), "the service name");
}

#[cfg(not(feature = "otlp"))]
#[test]
fn asking_for_otlp_without_the_feature_is_a_clear_start_up_error() {
    let out = std::process::Command::new(crate::process::BIN)
        .args([
            "--bind",
            "127.0.0.1:0",
            "--otlp-endpoint",
            "http://127.0.0.1:4318",
        ])
        .env_remove("DATABASE_URL")
        .current_dir(tempfile::tempdir().expect("dir").path())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("without the `otlp` feature"), "{stderr}");
}
