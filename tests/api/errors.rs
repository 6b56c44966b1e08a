//! Every layer answers with problem+json: routing, media types, body size,
//! syntax. None of it is a 500.

use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, spawn_app};

#[tokio::test]
async fn unknown_routes_are_404_problems() {
    let app = spawn_app().await;
    for path in ["/nope", "/api", "/api/tasks/1/extra", "/api/taskss"] {
        app.get(path).await.problem(404);
    }
}

#[tokio::test]
async fn wrong_methods_are_405_problems_with_allow() {
    let app = spawn_app().await;
    let cases = [
        (Method::DELETE, "/api/tasks", "GET, HEAD, POST"),
        (
            Method::POST,
            "/api/tasks/1",
            "DELETE, GET, HEAD, PATCH, PUT",
        ),
        (Method::PUT, "/healthz", "GET, HEAD"),
    ];
    for (method, path, allow) in cases {
        let reply = app.request(method.clone(), path, None, None).await;
        reply.problem(405);
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
    }
}

#[tokio::test]
async fn non_json_bodies_are_415_problems() {
    let app = spawn_app().await;
    let body = Some(r#"{"title":"x"}"#.to_owned());
    let cases = [
        (Method::POST, "/api/tasks", Some("text/plain")),
        (Method::POST, "/api/tasks", None),
        (
            Method::POST,
            "/api/tasks",
            Some("application/merge-patch+json"),
        ),
        (Method::PUT, "/api/tasks/1", Some("application/xml")),
        (Method::PATCH, "/api/tasks/1", Some("text/json")),
    ];
    for (method, path, content_type) in cases {
        let reply = app
            .request(method.clone(), path, content_type, body.clone())
            .await;
        reply.problem(415);
        assert!(
            reply.json()["detail"]
                .as_str()
                .is_some_and(|d| d.contains("application/json")),
            "{method} {content_type:?}: {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn json_is_accepted_with_any_charset_and_letter_case() {
    let app = spawn_app().await;
    for content_type in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "APPLICATION/JSON;CHARSET=UTF-8",
    ] {
        let reply = app
            .request(
                Method::POST,
                "/api/tasks",
                Some(content_type),
                Some(r#"{"title":"x"}"#.to_owned()),
            )
            .await;
        assert_eq!(reply.status, 201, "{content_type}: {}", reply.text);
    }
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let huge_number = format!(r#"{{"title":"x","done":1{}}}"#, "0".repeat(400));
    let bodies: [(&str, Vec<u8>); 8] = [
        ("empty", b"".to_vec()),
        ("truncated", br#"{"title":"#.to_vec()),
        ("not an object", br#"["title"]"#.to_vec()),
        ("a string", br#""title""#.to_vec()),
        ("invalid UTF-8", b"{\"title\":\"\xff\xfe\"}".to_vec()),
        ("nested 10,000 deep", deep.into_bytes()),
        ("number beyond float range", huge_number.into_bytes()),
        ("trailing garbage", br#"{"title":"x"} x"#.to_vec()),
    ];
    for (case, body) in bodies {
        let reply = Reply::send(&app, Method::POST, "/api/tasks", body).await;
        reply.problem(400);
        let _ = case;
    }
    assert_eq!(app.get("/api/tasks").await.json()["total"], 0);
}

use crate::helpers::Reply;

impl Reply {
    async fn send(app: &TestApp, method: Method, path: &str, body: Vec<u8>) -> Reply {
        let resp = app
            .client
            .request(method, app.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        Reply::from(resp).await
    }
}

#[tokio::test]
async fn control_characters_are_stored_as_sent_but_nul_is_refused_everywhere() {
    let app = spawn_app().await;
    let task = app
        .create_with(serde_json::json!({ "title": "a\u{0001}b", "description": "\u{001f}" }))
        .await;
    assert_eq!(task["title"], "a\u{0001}b");
    let fetched = app.get_task(crate::helpers::id_of(&task)).await.json();
    assert_eq!(fetched, task);
    // PostgreSQL cannot store U+0000 in text, so no backend accepts it.
    let reply = app
        .post_task(&serde_json::json!({ "title": "a\u{0000}b", "description": "\u{0000}" }))
        .await;
    let mut fields = reply.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["#/description", "#/title"]);
}

#[tokio::test]
async fn a_body_over_1_mib_is_a_413_problem() {
    let app = spawn_app().await;
    let big = format!(
        r#"{{"title":"x","description":"{}"}}"#,
        "a".repeat(1024 * 1024)
    );
    let reply = Reply::send(&app, Method::POST, "/api/tasks", big.into_bytes()).await;
    reply.problem(413);
}

/// Sends raw bytes and returns the raw response (the server closes after).
async fn raw(app: &TestApp, request: &[u8]) -> String {
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    // Read the head and any body until the server closes or stops sending.
    while let Ok(Ok(n)) =
        tokio::time::timeout(std::time::Duration::from_secs(2), stream.read(&mut buf)).await
    {
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn a_chunked_body_over_1_mib_is_a_413_problem() {
    let app = spawn_app().await;
    let mut request = format!(
        "POST /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.key
    )
    .into_bytes();
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..20 {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(&chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let response = raw(&app, &request).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("application/problem+json"), "{response}");
}

#[tokio::test]
async fn a_declared_length_over_1_mib_is_refused_before_the_body_is_sent() {
    let app = spawn_app().await;
    let request = format!(
        "POST /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {}\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n{{",
        app.key
    );
    let response = raw(&app, request.as_bytes()).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
}

#[tokio::test]
async fn the_server_keeps_answering_after_hostile_input() {
    let app = spawn_app().await;
    let garbage = raw(&app, b"GARBAGE\r\n\r\n").await;
    assert!(
        garbage.is_empty() || garbage.starts_with("HTTP/1.1 4"),
        "{garbage}"
    );
    // The HTTP layer refuses a 100,000-character URI before the application.
    let long_uri = format!(
        "GET /api/tasks?q={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "a".repeat(100_000)
    );
    let response = raw(&app, long_uri.as_bytes()).await;
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 4"),
        "{response}"
    );
    // A long q that reaches the application is a 400, not a database error.
    let long_q = app
        .get(&format!("/api/tasks?q={}", "%25".repeat(20_000)))
        .await;
    assert_eq!(long_q.invalid_fields(), ["q"]);
    assert_eq!(app.get("/healthz").await.status, 200);
}
