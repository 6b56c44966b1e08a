//! Graceful drain on SIGTERM.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{start, status_of, temp_db};

/// A POST whose body is sent in `chunks` pieces, one every `pace`.
async fn slow_post(addr: String, body: Vec<u8>, chunks: usize, pace: Duration) -> String {
    let mut stream = TcpStream::connect(&addr).await.expect("connect");
    let head = format!(
        "POST /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let size = body.len().div_ceil(chunks);
    for chunk in body.chunks(size) {
        tokio::time::sleep(pace).await;
        if stream.write_all(chunk).await.is_err() {
            break;
        }
    }
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn sigterm_finishes_requests_in_flight_refuses_new_ones_and_exits_0() {
    let (_dir, db) = temp_db();
    let mut server = start(&db, &["--shutdown-timeout-secs", "3"]);
    let addr = server.addr();

    // Uploading at a normal pace: 1.2 s for the whole body.
    let body = format!(
        r#"{{"title":"uploaded slowly","description":"{}"}}"#,
        "x".repeat(2000)
    );
    let steady = tokio::spawn(slow_post(
        addr.clone(),
        body.into_bytes(),
        12,
        Duration::from_millis(100),
    ));
    // Trickling one byte a second: cannot finish before the deadline.
    let trickle_body = format!(r#"{{"title":"{}"}}"#, "t".repeat(60)).into_bytes();
    let trickler = tokio::spawn(slow_post(
        addr.clone(),
        trickle_body,
        72,
        Duration::from_secs(1),
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    server.signal("TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late = TcpStream::connect(&addr).await;
    assert!(late.is_err(), "a new connection was accepted after SIGTERM");

    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(signalled.elapsed() < Duration::from_secs(8), "did not exit");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let drain = signalled.elapsed();
    let steady = steady.await.expect("join");
    assert_eq!(status_of(&steady), Some(201), "in-flight upload: {steady}");
    let trickled = trickler.await.expect("join");
    assert_eq!(
        status_of(&trickled),
        None,
        "the trickler got an answer: {trickled}"
    );

    println!("SIGTERM to exit: {drain:?} (deadline 3 s); steady upload 201; trickler cut off");
    assert_eq!(status.code(), Some(0));
    assert!(
        drain >= Duration::from_secs(3),
        "exited before the trickler's deadline"
    );
}

#[tokio::test]
async fn sigterm_with_nothing_in_flight_exits_at_once() {
    let (_dir, db) = temp_db();
    let mut server = start(&db, &[]);
    // An idle keep-alive connection must not hold the drain up.
    let mut idle = TcpStream::connect(server.addr()).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 1024];
    let _ = idle.read(&mut buf).await;
    let signalled = Instant::now();
    server.signal("TERM");
    let status = server.child.wait().expect("wait");
    println!("idle SIGTERM to exit: {:?}", signalled.elapsed());
    assert_eq!(status.code(), Some(0));
    assert!(signalled.elapsed() < Duration::from_secs(2));
}
