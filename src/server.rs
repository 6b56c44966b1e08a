//! The HTTP server loop: hyper with the limits poem's `Server` lacks — a
//! header read timeout, a cap on open connections — and a drain with a
//! deadline on shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use poem::endpoint::BoxEndpoint;
use poem::http::{self, uri::Scheme};
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, Response};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Limits on connections, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A client must send a request's whole header section within this.
    pub header_read_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// After the stop signal, requests in flight have this long to finish.
    pub drain_timeout: Duration,
}

/// Serves `app` on `listener` until `stop` completes, then stops accepting
/// (new connections are refused), lets requests in flight finish and closes
/// idle connections, and returns once all are done or the drain deadline
/// has passed (cutting off whatever is left, such as a client still
/// trickling its body).
pub async fn serve(
    listener: TcpListener,
    app: BoxEndpoint<'static, Response>,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let app = Arc::new(app);
    let local = listener.local_addr().ok();
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(stop);

    loop {
        let permit = tokio::select! {
            () = &mut stop => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, remote) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: back off, go on.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
        // Each request goes to the poem endpoint, as poem's own server does.
        let service = {
            let app = Arc::clone(&app);
            let local = LocalAddr(local.map_or(Addr::Custom("tcp", "".into()), Addr::SocketAddr));
            let remote = RemoteAddr(Addr::SocketAddr(remote));
            hyper::service::service_fn(move |req: http::Request<Incoming>| {
                let app = Arc::clone(&app);
                let request = (req, local.clone(), remote.clone(), Scheme::HTTP).into();
                async move {
                    let response: http::Response<_> = app.get_response(request).await.into();
                    Ok::<_, std::convert::Infallible>(response)
                }
            })
        };
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        connections.spawn(async move {
            if let Err(err) = conn.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
            drop(permit);
        });
    }

    // Refuse new connections from now on.
    drop(listener);
    let open = connections.len();
    tracing::info!(open, "draining connections");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections drained"),
        () = tokio::time::sleep(limits.drain_timeout) => {
            tracing::warn!(
                remaining = connections.len(),
                "drain deadline passed; closing the remaining connections"
            );
        }
    }
    connections.shutdown().await;
}
