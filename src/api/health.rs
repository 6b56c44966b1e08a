//! Liveness and readiness probes.

use std::time::Duration;

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use crate::db::Db;
use crate::error::{ApiError, Errors, ReadyErrors};
use crate::observe::Traced;
use crate::payload::Json;

/// How long readiness may wait for the database's write lock.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Tags)]
enum ApiTags {
    /// Probes for orchestrators and load balancers.
    Health,
}

/// The state of the service.
#[derive(Object, Debug, Clone, PartialEq, Eq)]
#[oai(example)]
pub struct Health {
    /// Always `ok` in a 200 response.
    pub status: String,
}

impl poem_openapi::types::Example for Health {
    fn example() -> Self {
        Self {
            status: "ok".to_owned(),
        }
    }
}

#[derive(ApiResponse)]
enum HealthResponse {
    /// The probe passed.
    #[oai(status = 200)]
    Ok(Json<Health>),
}

impl Health {
    fn ok() -> HealthResponse {
        HealthResponse::Ok(Json(Self {
            status: "ok".to_owned(),
        }))
    }
}

#[derive(Default)]
pub struct HealthApi;

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness
    ///
    /// 200 while the process runs; it does not touch the database.
    #[oai(path = "/healthz", method = "get", operation_id = "get_health")]
    async fn health(&self) -> Traced<HealthResponse> {
        Traced(Health::ok())
    }

    /// Readiness
    ///
    /// 200 when the database can take a write now; 503 otherwise (busy,
    /// unreachable or broken).
    #[oai(path = "/readyz", method = "get", operation_id = "get_readiness")]
    async fn ready(&self, db: Data<&Db>) -> Result<Traced<HealthResponse>, Errors<ReadyErrors>> {
        match db.check_writable(READY_TIMEOUT).await {
            Ok(()) => Ok(Traced(Health::ok())),
            // Whatever the cause, the answer to "can I send you traffic?" is
            // "not now": 503, never 500.
            Err(err) => Err(ApiError::unavailable(&err).into()),
        }
    }
}
