//! Builds the application: database, routes, error handling, listener.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use poem::endpoint::BoxEndpoint;
use poem::http::{StatusCode, header};
use poem::middleware::CatchPanic;
use poem::{Endpoint, EndpointExt, Response, Route};

use crate::api::routes::RouteTable;
use crate::api::{self, body::BodyLimit};
use crate::auth::{self, Auth, store::KeyError};
use crate::config::Config;
use crate::db::{Db, DbError};
use crate::error::framework;
use crate::observe::{self, Observe, metrics::Metrics};
use crate::{edge, jobs, server};

/// A connected, migrated, listening server that has not started serving.
pub struct Application {
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    app: BoxEndpoint<'static, Response>,
    db: Db,
    config: Config,
    first_key: Option<String>,
    /// `--metrics-bind`: a listener of its own serving `/metrics` only.
    metrics_server: Option<(tokio::net::TcpListener, BoxEndpoint<'static, Response>)>,
    metrics_addr: Option<SocketAddr>,
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open or migrate the database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot read owners and keys: {0}")]
    Owners(#[from] DbError),
    #[error("cannot make the first API key: {0}")]
    FirstKey(#[from] KeyError),
    #[error("cannot set up authentication: {0}")]
    Auth(#[from] auth::AuthError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(
        "refusing --auth none on {0}, which is not a loopback address: anyone who can reach it \
         could read and change every task (--allow-unauthenticated to do it anyway)"
    )]
    Unauthenticated(SocketAddr),
}

impl Application {
    /// Connects to and migrates the database, and binds the listener.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        // Bound first: a refused `--auth none` must not create or migrate
        // the database.
        let (listener, addr) = bind(&config.bind).await?;
        let settings = config.auth_settings();
        if settings.mode == auth::Mode::None
            && !addr.ip().is_loopback()
            && !config.allow_unauthenticated
        {
            return Err(StartError::Unauthenticated(addr));
        }
        let metrics = config.metrics.then(|| Arc::new(Metrics::new()));
        let db = Db::connect(&config.db_settings(), metrics).await?;
        let first_key = match settings.mode {
            auth::Mode::None => None,
            auth::Mode::Key => auth::store::first_key(&db).await?,
        };
        let auth = Arc::new(Auth::new(&db, settings).await?);
        let (metrics_server, metrics_addr) = match (&config.metrics_bind, db.metrics()) {
            (Some(bind_to), Some(_)) => {
                let (listener, addr) = bind(bind_to).await?;
                tracing::info!("metrics at http://{addr}/metrics");
                let app = Route::new()
                    .at("/metrics", metrics_endpoint(db.clone()))
                    .boxed();
                (Some((listener, app)), Some(addr))
            }
            _ => (None, None),
        };
        let app = routes(db.clone(), &config, auth);
        Ok(Self {
            listener,
            addr,
            app,
            db,
            config,
            first_key,
            metrics_server,
            metrics_addr,
        })
    }

    /// The address of `/metrics` when it has one of its own.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The API key made on the first start of a database that had none, to
    /// be shown once.
    pub fn first_key(&self) -> Option<&str> {
        self.first_key.as_deref()
    }

    /// The port it listens on (useful when bound to port 0).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `stop` completes, then stops accepting, lets requests in
    /// flight finish (up to the shutdown timeout), and returns.
    pub async fn run_until_stopped(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let jobs = tokio::spawn(jobs::run_periodically(
            self.db,
            self.config.trash_retention(),
            self.config.feed_retention(),
        ));
        let limits = self.config.limits();
        let stop = stop.shared();
        let metrics = async {
            if let Some((listener, app)) = self.metrics_server {
                server::serve(listener, app, limits, stop.clone()).await;
            }
        };
        tokio::join!(
            server::serve(self.listener, self.app, limits, stop.clone()),
            metrics
        );
        jobs.abort();
        Ok(())
    }
}

/// A listener on `addr`, and the address it got (port 0 picks one).
async fn bind(addr: &str) -> Result<(tokio::net::TcpListener, SocketAddr), StartError> {
    let bind_error = |source| StartError::Bind {
        addr: addr.to_owned(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(bind_error)?;
    let local = listener.local_addr().map_err(bind_error)?;
    Ok((listener, local))
}

/// `GET /metrics`: the exposition, with the gauges read at the scrape.
fn metrics_endpoint(db: Db) -> impl Endpoint<Output = Response> {
    poem::get(poem::endpoint::make_sync(move |_| match db.metrics() {
        Some(metrics) => Response::builder()
            .content_type(observe::metrics::CONTENT_TYPE)
            .body(metrics.render(&db.pool_sizes())),
        None => Response::builder().status(StatusCode::NOT_FOUND).finish(),
    }))
}

/// The whole route tree: the API, its documentation, `/metrics` (unless it
/// has an address of its own), and the layers around them, from the outside
/// in: request ids, access log and metrics; security headers; which
/// origins may call (CORS for named ones); authentication and rate limits (the API only);
/// panics, the request timeout and the mapping of every failure to a
/// problem response.
pub fn routes(db: Db, config: &Config, auth: Arc<Auth>) -> BoxEndpoint<'static, Response> {
    let service = api::service();
    let table = Arc::new(RouteTable::from_meta(&api::meta()));
    let mut route = Route::new()
        .nest(
            "/docs",
            edge::Docs::new(service.swagger_ui().map_to_response()),
        )
        .at("/openapi.json", service.spec_endpoint())
        .at("/openapi.yaml", service.spec_endpoint_yaml())
        // Browsers ask for it on every page; an empty answer beats a 404.
        .at("/favicon.ico", poem::get(no_favicon));
    if config.metrics_bind.is_none() && db.metrics().is_some() {
        route = route.at("/metrics", metrics_endpoint(db.clone()));
    }
    let observe = Arc::new(Observe::new(Arc::clone(&table), db.metrics().cloned()));
    let app = errors_and_timeout(
        route
            .nest("/", service)
            .data(db)
            .data(Arc::clone(&auth))
            .data(BodyLimit(config.max_body_bytes)),
        Arc::clone(&table),
        config.request_timeout(),
    )
    .around(move |ep, req| {
        let auth = Arc::clone(&auth);
        async move { auth.call(ep.as_ref(), req).await }
    });
    let app = match edge::cors(&config.cors_origins) {
        None => edge::Origins::new(app, None::<BoxEndpoint<'static, Response>>).boxed(),
        Some(cors) => {
            let app = Arc::new(app);
            let cross = Arc::clone(&app).with(cors).boxed();
            edge::Origins::new(app, Some(cross)).boxed()
        }
    };
    // CORS refusals are errors of the layer outside the error mapping.
    let app = app
        .around(move |ep, req| {
            let table = Arc::clone(&table);
            async move {
                Ok(edge::secure(
                    framework::call(ep.as_ref(), req, &table).await,
                ))
            }
        })
        .boxed();
    app.around(move |ep, req| {
        let observe = Arc::clone(&observe);
        async move { observe.call(ep.as_ref(), req).await }
    })
    .boxed()
}

/// Panics, the request timeout, and every error as a problem response.
fn errors_and_timeout(
    app: impl Endpoint + 'static,
    table: Arc<RouteTable>,
    request_timeout: Duration,
) -> impl Endpoint<Output = Response> {
    app.with(CatchPanic::new().with_handler(framework::panic_response))
        .around(move |ep, req| {
            let table = Arc::clone(&table);
            async move {
                let served = framework::call(ep.as_ref(), req, &table);
                Ok(tokio::time::timeout(request_timeout, served)
                    .await
                    .unwrap_or_else(|_| framework::timeout_response(request_timeout)))
            }
        })
}

#[poem::handler]
fn no_favicon() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(header::CACHE_CONTROL, "public, max-age=86400")
        .finish()
}
