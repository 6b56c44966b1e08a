//! Builds the application: database, routes, error handling, listener.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use poem::http::{StatusCode, header};
use poem::middleware::CatchPanic;
use poem::{Endpoint, EndpointExt, Response, Route};

use crate::api::{self, body::BodyLimit};
use crate::auth::{self, Auth, store::KeyError};
use crate::config::Config;
use crate::db::{Db, DbError};
use crate::error::framework::{self, RouteTable};
use crate::{edge, idempotency, server};

/// A connected, migrated, listening server that has not started serving.
pub struct Application {
    listener: tokio::net::TcpListener,
    addr: std::net::SocketAddr,
    app: poem::endpoint::BoxEndpoint<'static, Response>,
    db: Db,
    config: Config,
    first_key: Option<String>,
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
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(
        "refusing --auth none on {0}, which is not a loopback address: anyone who can reach it \
         could read and change every task (--allow-unauthenticated to do it anyway)"
    )]
    Unauthenticated(std::net::SocketAddr),
}

impl Application {
    /// Connects to and migrates the database, and binds the listener.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = Db::connect(&config.db_settings()).await?;
        let bind_error = |source| StartError::Bind {
            addr: config.bind.clone(),
            source,
        };
        let listener = tokio::net::TcpListener::bind(&config.bind)
            .await
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let settings = config.auth_settings();
        let first_key = match settings.mode {
            auth::Mode::None if !addr.ip().is_loopback() && !config.allow_unauthenticated => {
                return Err(StartError::Unauthenticated(addr));
            }
            auth::Mode::None => None,
            auth::Mode::Key => auth::store::first_key(&db).await?,
        };
        let auth = Arc::new(Auth::new(&db, settings).await?);
        let app = routes(
            db.clone(),
            BodyLimit(config.max_body_bytes),
            config.request_timeout(),
            auth,
            &config.cors_origins,
        );
        Ok(Self {
            listener,
            addr,
            app,
            db,
            config,
            first_key,
        })
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
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// Serves until `stop` completes, then stops accepting, lets requests in
    /// flight finish (up to the shutdown timeout), and returns.
    pub async fn run_until_stopped(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let purge = tokio::spawn(idempotency::purge_periodically(self.db));
        let limits = self.config.limits();
        server::serve(self.listener, self.app, limits, stop).await;
        purge.abort();
        Ok(())
    }
}

/// The whole route tree: the API, its documentation, and the layers around
/// them, from the outside in: security headers; CORS (when origins are
/// named); authentication and rate limits (the API only); panics, the
/// request timeout and the mapping of every failure to a problem response.
pub fn routes(
    db: Db,
    body_limit: BodyLimit,
    request_timeout: Duration,
    auth: Arc<Auth>,
    cors_origins: &[String],
) -> poem::endpoint::BoxEndpoint<'static, Response> {
    let service = api::service();
    let table = Arc::new(RouteTable::from_meta(&api::meta()));
    let route = Route::new()
        .nest(
            "/docs",
            edge::Docs::new(service.swagger_ui().map_to_response()),
        )
        .at("/openapi.json", service.spec_endpoint())
        .at("/openapi.yaml", service.spec_endpoint_yaml())
        // Browsers ask for it on every page; an empty answer beats a 404.
        .at("/favicon.ico", poem::get(no_favicon))
        .nest("/", service);
    let errors = Arc::clone(&table);
    let app = route
        .data(db)
        .data(body_limit)
        .with(CatchPanic::new().with_handler(framework::panic_response))
        .around(move |ep, req| {
            let table = Arc::clone(&errors);
            async move {
                let method = req.method().clone();
                let path = req.uri().path().to_owned();
                match tokio::time::timeout(request_timeout, ep.call(req)).await {
                    Ok(Ok(resp)) => Ok(resp),
                    Ok(Err(err)) => Ok(framework::response(err, &method, &path, &table)),
                    Err(_) => Ok(framework::timeout_response(request_timeout)),
                }
            }
        })
        .around(move |ep, req| {
            let auth = Arc::clone(&auth);
            async move { auth.call(ep.as_ref(), req).await }
        });
    let app = match edge::cors(cors_origins) {
        Some(cors) => app.with(cors).boxed(),
        None => app.boxed(),
    };
    // CORS refusals are errors of the layer outside the error mapping.
    app.around(move |ep, req| {
        let table = Arc::clone(&table);
        async move {
            let method = req.method().clone();
            let path = req.uri().path().to_owned();
            let resp = match ep.call(req).await {
                Ok(resp) => resp,
                Err(err) => framework::response(err, &method, &path, &table),
            };
            Ok(edge::secure(resp))
        }
    })
    .boxed()
}

#[poem::handler]
fn no_favicon() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(header::CACHE_CONTROL, "public, max-age=86400")
        .finish()
}
