//! `/api/tasks/{id}/undelete`: out of the trash (Google AIP-164).

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, OpenApi};

use super::item::answered;
use super::{ApiTags, Task, task_id};
use crate::api::access::on_task;
use crate::api::conditional;
use crate::api::params::{Lenient, RawHeader};
use crate::auth::scope::Scope;
use crate::auth::{Owner, RateLimited};
use crate::db::{self, Db};
use crate::domain::Timestamp;
use crate::error::{Errors, UndeleteErrors};
use crate::payload::JsonText;

#[derive(ApiResponse)]
enum UndeleteTaskResponse {
    /// The task, back out of the trash (a new version).
    #[oai(status = 200)]
    Ok(
        JsonText<Task>,
        /// The task's strong entity tag.
        #[oai(header = "ETag")]
        String,
    ),
}

/// `POST` on `/api/tasks/{id}/undelete`.
#[derive(Default)]
pub struct TrashApi;

#[OpenApi(tag = "ApiTags::Tasks")]
impl TrashApi {
    /// Undelete a task
    ///
    /// Takes a task out of the trash, with the same id and a new ETag. A task
    /// that is not in the trash is a 409; one purged (or never created) is a
    /// 404. With `If-Match`, only if the task still has that ETag.
    #[oai(
        path = "/api/tasks/:id/undelete",
        method = "post",
        operation_id = "undelete_task"
    )]
    async fn undelete_task(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// The task's id.
        #[oai(example = "super::examples::task_id")]
        id: Path<Lenient<i64>>,
        /// Undelete only if the task's current ETag (in the trash) is one of
        /// these (or `*`).
        #[oai(name = "If-Match")]
        if_match: RawHeader,
    ) -> Result<RateLimited<UndeleteTaskResponse>, Errors<UndeleteErrors>> {
        let id = task_id(id.0)?;
        let expect = conditional::expect(&if_match, id);
        let now = Timestamp::now();
        let outcome = on_task(&db, owner.0, id, expect.as_ref(), |scope| {
            db::tasks::undelete(&db, scope, id, expect.clone(), now)
        })
        .await?;
        let (body, tag) = answered(id, expect.as_ref(), outcome)?;
        Ok(RateLimited(UndeleteTaskResponse::Ok(body, tag)))
    }
}
