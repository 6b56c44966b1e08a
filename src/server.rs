//! The HTTP server loop: hyper with the limits poem's `Server` lacks — a
//! header read timeout, an idle timeout, a cap on open connections — and a
//! drain with a deadline on shutdown.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use poem::endpoint::BoxEndpoint;
use poem::http::{self, uri::Scheme};
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Limits on connections, from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A client must send a request's whole header section within this,
    /// and a connection with no request in flight that stays silent this
    /// long (a fresh one included) is closed.
    pub header_read_timeout: Duration,
    /// Connections served at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// After the stop signal, requests in flight have this long to finish.
    pub drain_timeout: Duration,
}

/// How long to wait before accepting again after `accept` failed (out of
/// file descriptors and the like).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How often, at most, a connection checks whether it has been silent too
/// long (a quarter of the header read timeout, but no more often than this).
const MIN_IDLE_CHECK: Duration = Duration::from_millis(50);

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
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stopping, stop_rx) = watch::channel(false);
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
        let (stream, _) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: back off, go on.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        // Reap finished connections so the set does not grow.
        while connections.try_join_next().is_some() {}
        let connection = Connection {
            app: Arc::clone(&app),
            builder: builder.clone(),
            limits,
            stopping: stop_rx.clone(),
        };
        connections.spawn(async move {
            connection.run(stream).await;
            drop(permit);
        });
    }

    // Refuse new connections from now on.
    drop(listener);
    drain(connections, &stopping, limits.drain_timeout).await;
}

/// Asks every connection to finish, and waits for them up to `deadline`;
/// then cuts off whatever is left.
async fn drain(mut connections: JoinSet<()>, stopping: &watch::Sender<bool>, deadline: Duration) {
    let _ = stopping.send(true);
    tracing::info!(open = connections.len(), "draining connections");
    let drained = tokio::time::timeout(deadline, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            remaining = connections.len(),
            "drain deadline passed; closing the remaining connections"
        );
        connections.shutdown().await;
    } else {
        tracing::info!("all connections drained");
    }
}

/// One accepted connection and what it needs.
struct Connection {
    app: Arc<BoxEndpoint<'static, Response>>,
    builder: auto::Builder<TokioExecutor>,
    limits: Limits,
    stopping: watch::Receiver<bool>,
}

impl Connection {
    async fn run(mut self, stream: TcpStream) {
        // Responses are written whole: Nagle's algorithm would only hold the
        // last segment back for the peer's delayed ACK (40 ms stalls behind
        // a proxy such as nginx, measured).
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
        let local = stream.local_addr().ok();
        let remote = stream.peer_addr().ok();
        let activity = Arc::new(Activity::new());
        let service = {
            let app = Arc::clone(&self.app);
            let activity = Arc::clone(&activity);
            let local = LocalAddr(local.map_or(Addr::Custom("tcp", "".into()), Addr::SocketAddr));
            let remote =
                RemoteAddr(remote.map_or(Addr::Custom("tcp", "".into()), Addr::SocketAddr));
            hyper::service::service_fn(move |req: http::Request<Incoming>| {
                let app = Arc::clone(&app);
                let busy = activity.request_started();
                let request = (req, local.clone(), remote.clone(), Scheme::HTTP).into();
                async move {
                    let response: http::Response<_> = app.get_response(request).await.into();
                    drop(busy);
                    Ok::<_, std::convert::Infallible>(response)
                }
            })
        };
        let io = TokioIo::new(Tracked {
            inner: stream,
            activity: Arc::clone(&activity),
        });
        let conn = self.builder.serve_connection_with_upgrades(io, service);
        tokio::pin!(conn);
        let idle_limit = self.limits.header_read_timeout;
        let mut tick = tokio::time::interval((idle_limit / 4).max(MIN_IDLE_CHECK));
        loop {
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(err) = result {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                    return;
                }
                _ = self.stopping.changed() => break,
                _ = tick.tick() => {
                    if activity.idle_for() >= idle_limit {
                        tracing::debug!("closing a silent connection");
                        break;
                    }
                }
            }
        }
        // Finish the request in flight, if any, then close.
        conn.as_mut().graceful_shutdown();
        let _ = conn.await;
    }
}

/// When a connection last moved bytes, and whether a request is running.
struct Activity {
    started: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let now = self.started.elapsed().as_millis() as u64;
        self.last_ms.store(now, Ordering::Relaxed);
    }

    /// How long the connection has been silent with nothing in flight.
    fn idle_for(&self) -> Duration {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    fn request_started(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
    }
}

/// Marks a request as running until dropped.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A stream that records when bytes move.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.activity.touch();
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.activity.touch();
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
