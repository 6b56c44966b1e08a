//! The store: each performed request's key, body fingerprint and response,
//! written in the same transaction as the task it created.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait};

use super::IdempotencyKey;
use crate::db::lists::Scope;
use crate::db::write::{self, UseCase};
use crate::db::{self, Db, DbError};
use crate::domain::{OwnerId, Timestamp};

/// The `idempotency_keys` table.
pub(super) mod entity {
    use sea_orm::entity::prelude::*;

    /// A performed `POST` and its response, kept for replays of its key.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    /// Keys are per owner: two owners may use the same key.
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub owner_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        /// SHA-256 of the canonical JSON of the request body.
        pub request_hash: String,
        pub status: i32,
        pub body: String,
        pub location: Option<String>,
        pub etag: Option<String>,
        /// Microseconds since the Unix epoch.
        pub created_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The response of a performed request, as it is replayed: a create's 201
/// has a `Location` and an `ETag`, a batch's 200 neither.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// The JSON body, byte for byte.
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
}

impl TryFrom<entity::Model> for StoredResponse {
    type Error = DbError;

    fn try_from(row: entity::Model) -> Result<Self, DbError> {
        let corrupt = |reason| DbError::Corrupt {
            row: format!("idempotency key {:?}", row.key),
            reason,
        };
        Ok(Self {
            status: u16::try_from(row.status).map_err(|_| corrupt("status out of range"))?,
            location: row.location,
            etag: row.etag,
            body: row.body,
        })
    }
}

/// What became of a create that carried an idempotency key.
#[derive(Debug)]
pub enum Keyed {
    /// Performed now; its response is stored under the key.
    Created(StoredResponse),
    /// Performed before with the same request: its response.
    Replayed(StoredResponse),
    /// The key was used before with a different request.
    KeyReused,
}

/// Performs the write use case `case` in `scope` once per `key` of its
/// owner, as `db::write::run` would but under the key's savepoint: its
/// response (made by `render` from its result, or the refusal `render`
/// makes of it) is stored with the key.
pub(crate) async fn run_once<U, E, R>(
    db: &Db,
    scope: Scope,
    now: Timestamp,
    key: &IdempotencyKey,
    fingerprint: &str,
    case: U,
    render: R,
) -> Result<Keyed, E>
where
    U: UseCase,
    E: From<DbError> + Send + 'static,
    R: Fn(U::Output) -> Result<StoredResponse, E> + Send + Sync + 'static,
{
    let render = Arc::new(render);
    let work = work(move |txn| {
        let case = case.clone();
        let render = Arc::clone(&render);
        Box::pin(async move {
            let done = write::on_transaction(txn, scope, now, &case).await?;
            Ok(render(done))
        })
    });
    perform_once(db, scope.owner, key, fingerprint, work).await
}

/// What `perform_once` runs on the transaction: the database's error
/// outside, the work's own refusal inside.
pub type Work<'t, E> = BoxFuture<'t, Result<Result<StoredResponse, E>, DbError>>;

/// Gives a closure the signature `perform_once` takes (closures cannot
/// spell "the future borrows the transaction" themselves).
pub fn work<E, F>(f: F) -> F
where
    F: for<'t> Fn(&'t DatabaseTransaction) -> Work<'t, E>,
{
    f
}

/// Performs `work` once per `key` of `owner`, in one write transaction with
/// the key (on SQLite, in a group of writes): a stored response for the key
/// is replayed (same `fingerprint`) or refused (different); otherwise `work`
/// runs and its response is stored with the key. When `work` refuses (its
/// inner `Err`), nothing is stored or kept, and the refusal is returned.
/// Retries that arrive together queue on the write lock (or in one group,
/// where the second sees the first's key), so exactly one performs the work.
pub async fn perform_once<E, F>(
    db: &Db,
    owner: OwnerId,
    key: &IdempotencyKey,
    fingerprint: &str,
    work: F,
) -> Result<Keyed, E>
where
    E: From<DbError> + Send + 'static,
    F: for<'t> Fn(&'t DatabaseTransaction) -> Work<'t, E> + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let request = Arc::new((key.as_str().to_owned(), fingerprint.to_owned()));
    // On PostgreSQL two first attempts can both find no key; the second to
    // insert it waits for the first to commit and then violates the primary
    // key. Its transaction (work included) rolls back, and the retry finds
    // the stored response.
    let mut retried = false;
    loop {
        let (work, request) = (work.clone(), request.clone());
        let job = db::group::work(move |txn| {
            let (work, request) = (work.clone(), request.clone());
            Box::pin(async move {
                // A savepoint of its own: the work may refuse after it
                // wrote (a batch's failing operation), and in a group that
                // must undo its writes only.
                let own = txn.begin().await?;
                let (key, fingerprint) = (&request.0, &request.1);
                let result = attempt(&own, owner, key, fingerprint, &*work).await?;
                if matches!(result, Ok(Keyed::Created(_))) {
                    own.commit().await?;
                } else {
                    own.rollback().await?;
                }
                Ok(result)
            })
        });
        match db.timed("perform_once", db.write(job)).await {
            Err(DbError::Other(err))
                if !retried
                    && matches!(
                        err.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) =>
            {
                retried = true;
            }
            Err(err) => return Err(err.into()),
            Ok(result) => {
                if let (Ok(Keyed::Replayed(_)), Some(metrics)) = (&result, db.metrics()) {
                    metrics.replay();
                }
                return result;
            }
        }
    }
}

/// One try on `txn`: the outer error is the database's, the inner one
/// `work`'s. The caller commits or rolls back.
async fn attempt<E>(
    txn: &DatabaseTransaction,
    owner: OwnerId,
    key: &str,
    fingerprint: &str,
    work: &(impl for<'t> Fn(&'t DatabaseTransaction) -> Work<'t, E> + Sync),
) -> Result<Result<Keyed, E>, DbError> {
    let stored = entity::Entity::find_by_id((owner.0, key.to_owned()))
        .one(txn)
        .await?;
    if let Some(stored) = stored {
        return Ok(Ok(if stored.request_hash == fingerprint {
            Keyed::Replayed(StoredResponse::try_from(stored)?)
        } else {
            Keyed::KeyReused
        }));
    }
    let response = match work(txn).await? {
        Ok(response) => response,
        Err(err) => return Ok(Err(err)),
    };
    entity::Entity::insert(entity::ActiveModel {
        owner_id: Set(owner.0),
        key: Set(key.to_owned()),
        request_hash: Set(fingerprint.to_owned()),
        status: Set(i32::from(response.status)),
        body: Set(response.body.clone()),
        location: Set(response.location.clone()),
        etag: Set(response.etag.clone()),
        created_at: Set(Timestamp::now().as_micros()),
    })
    .exec(txn)
    .await?;
    Ok(Ok(Keyed::Created(response)))
}

/// Forgets keys stored before `cutoff`; returns how many.
pub(crate) async fn purge(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    let result = entity::Entity::delete_many()
        .filter(entity::Column::CreatedAt.lt(cutoff.as_micros()))
        .exec(db.writer())
        .await?;
    Ok(result.rows_affected)
}
