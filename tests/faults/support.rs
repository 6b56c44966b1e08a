//! The fault suite's helpers: the process (shared with `tests/api`) and
//! raw HTTP.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "../support/process.rs"]
mod process;
pub(crate) use process::*;

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Writes `request` on a new connection and reads until the server closes
/// it or `wait` passes; returns what came back.
pub(crate) async fn raw(addr: &str, request: &[u8], wait: Duration) -> String {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return String::new();
    };
    let _ = stream.write_all(request).await;
    let mut response = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&response).into_owned()
}

/// The status code of a raw HTTP/1.1 response, if any.
pub(crate) fn status_of(response: &str) -> Option<u16> {
    response.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

/// GET `url` and its JSON body.
pub(crate) async fn get_json(http: &reqwest::Client, url: &str) -> serde_json::Value {
    http.get(url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

/// POST `body` as JSON to `url` and the JSON answer.
pub(crate) async fn post_json(
    http: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
) -> serde_json::Value {
    http.post(url)
        .json(body)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json")
}
