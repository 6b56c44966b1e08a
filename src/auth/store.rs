//! Owners and API keys in the database, and the in-process cache that spares
//! a lookup per request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::key::{KeyHash, NewKey, PresentedKey, RandomError};
use crate::db::{Db, DbError};
use crate::domain::{OwnerId, Timestamp};
use crate::telemetry::error_chain;

/// The `owners` and `api_keys` tables.
pub mod entity {
    /// A user or a service account: what tasks belong to.
    pub mod owner {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "owners")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            #[sea_orm(unique)]
            pub name: String,
            /// Microseconds since the Unix epoch.
            pub created_at: i64,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    /// An API key of an owner: its hash, never the key.
    pub mod api_key {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "api_keys")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub owner_id: i64,
            pub name: String,
            /// The first characters of the key, in the clear.
            pub prefix: String,
            /// SHA-256 of the key (hex).
            pub hash: String,
            /// Microseconds since the Unix epoch, as are the others.
            pub created_at: i64,
            pub last_used_at: Option<i64>,
            pub revoked_at: Option<i64>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{api_key, owner};

/// Who a valid key speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    pub owner: OwnerId,
    pub key_id: i64,
}

/// Why a key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Random(#[from] RandomError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("there is no owner named {0:?}")]
    NoSuchOwner(String),
    #[error("owner {owner:?} already has a key named {name:?}")]
    NameTaken { owner: String, name: String },
    #[error("there is no active key with id or prefix {0:?}")]
    NoSuchKey(String),
}

impl From<sea_orm::DbErr> for KeyError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Db(err.into())
    }
}

/// How often, at most, a key's `last_used_at` is written.
const LAST_USED_EVERY: Duration = Duration::from_secs(60);

/// Keys verified recently, so a request costs no lookup: a revoked key is
/// refused within `ttl` by every process.
pub struct KeyStore {
    db: Db,
    ttl: Duration,
    verified: Mutex<HashMap<KeyHash, Verified>>,
}

#[derive(Clone, Copy)]
struct Verified {
    principal: Principal,
    checked: Instant,
    used_noted: Instant,
}

impl KeyStore {
    pub fn new(db: Db, ttl: Duration) -> Self {
        Self {
            db,
            ttl,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// Who `presented` speaks for, or `None` if it is no valid key.
    pub async fn verify(&self, presented: &PresentedKey<'_>) -> Result<Option<Principal>, DbError> {
        let hash = presented.hash();
        let now = Instant::now();
        if let Some(hit) = self.cached(&hash, now) {
            return Ok(Some(hit));
        }
        let lookup = async {
            Ok(api_key::Entity::find()
                .filter(api_key::Column::Prefix.eq(presented.prefix()))
                .filter(api_key::Column::RevokedAt.is_null())
                .all(self.db.reader())
                .await?)
        };
        let candidates = self.db.timed("verify_key", lookup).await?;
        let Some(row) = candidates.into_iter().find(|row| hash.matches(&row.hash)) else {
            self.forget(&hash);
            return Ok(None);
        };
        let principal = Principal {
            owner: OwnerId(row.owner_id),
            key_id: row.id,
        };
        let verified = Verified {
            principal,
            checked: now,
            used_noted: now,
        };
        if let Ok(mut map) = self.verified.lock() {
            // A key seen for the first time (or again after its entry
            // expired) notes its use; cached hits note it once a minute.
            map.insert(hash, verified);
        }
        self.note_use(row.id);
        Ok(Some(principal))
    }

    /// A fresh cache entry for `hash`; notes the key's use now and then.
    fn cached(&self, hash: &KeyHash, now: Instant) -> Option<Principal> {
        let mut map = self.verified.lock().ok()?;
        let entry = map.get_mut(hash)?;
        if now.duration_since(entry.checked) >= self.ttl {
            return None;
        }
        if now.duration_since(entry.used_noted) >= LAST_USED_EVERY {
            entry.used_noted = now;
            self.note_use(entry.principal.key_id);
        }
        Some(entry.principal)
    }

    fn forget(&self, hash: &KeyHash) {
        if let Ok(mut map) = self.verified.lock() {
            map.remove(hash);
        }
    }

    /// Writes `last_used_at` in the background: best effort, never in the
    /// way of the request.
    fn note_use(&self, key_id: i64) {
        let db = self.db.clone();
        tokio::spawn(async move {
            let result = api_key::Entity::update_many()
                .col_expr(
                    api_key::Column::LastUsedAt,
                    sea_orm::sea_query::Expr::value(Timestamp::now().as_micros()),
                )
                .filter(api_key::Column::Id.eq(key_id))
                .exec(db.writer())
                .await;
            if let Err(err) = result {
                tracing::debug!(error = %error_chain(&err), key_id, "could not note a key's use");
            }
        });
    }
}

/// The first owner: the one existing data and `--auth none` belong to.
pub async fn first_owner(db: &Db) -> Result<OwnerId, DbError> {
    let first = owner::Entity::find()
        .order_by_asc(owner::Column::Id)
        .one(db.reader())
        .await?;
    first
        .map(|row| OwnerId(row.id))
        .ok_or_else(|| DbError::Corrupt {
            row: "owners".to_owned(),
            reason: "the table is empty (the migration creates the first owner)",
        })
}

/// On a database that has never had a key, makes one for the first owner
/// and returns it (to be shown once); otherwise `None`.
pub async fn first_key(db: &Db) -> Result<Option<String>, KeyError> {
    if api_key::Entity::find().count(db.reader()).await? > 0 {
        return Ok(None);
    }
    let owner = first_owner(db).await?;
    match insert_key(db, owner, "first key").await {
        Ok(key) => Ok(Some(key)),
        // Another process made it at the same moment: that one shows it.
        Err(KeyError::NameTaken { .. }) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Makes a key named `name` for the owner named `owner_name`, creating the
/// owner when `create_owner`; returns the key.
pub async fn create_key(
    db: &Db,
    owner_name: &str,
    name: &str,
    create_owner: bool,
) -> Result<String, KeyError> {
    let txn = db.begin_write().await.map_err(DbError::from)?;
    let existing = owner::Entity::find()
        .filter(owner::Column::Name.eq(owner_name))
        .one(&txn)
        .await?;
    let owner = match existing {
        Some(row) => OwnerId(row.id),
        None if create_owner => {
            let row = owner::ActiveModel {
                id: NotSet,
                name: Set(owner_name.to_owned()),
                created_at: Set(Timestamp::now().as_micros()),
            };
            OwnerId(owner::Entity::insert(row).exec(&txn).await?.last_insert_id)
        }
        None => return Err(KeyError::NoSuchOwner(owner_name.to_owned())),
    };
    txn.commit().await?;
    insert_key(db, owner, name).await.map_err(|err| match err {
        KeyError::NameTaken { name, .. } => KeyError::NameTaken {
            owner: owner_name.to_owned(),
            name,
        },
        other => other,
    })
}

async fn insert_key(db: &Db, owner: OwnerId, name: &str) -> Result<String, KeyError> {
    let key = NewKey::generate()?;
    let row = api_key::ActiveModel {
        id: NotSet,
        owner_id: Set(owner.0),
        name: Set(name.to_owned()),
        prefix: Set(key.prefix.clone()),
        hash: Set(key.hash.as_str().to_owned()),
        created_at: Set(Timestamp::now().as_micros()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    };
    match api_key::Entity::insert(row).exec(db.writer()).await {
        Ok(_) => Ok(key.secret),
        Err(err)
            if matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(KeyError::NameTaken {
                owner: owner.0.to_string(),
                name: name.to_owned(),
            })
        }
        Err(err) => Err(err.into()),
    }
}

/// A key as listed: never the key itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: i64,
    pub owner: String,
    pub name: String,
    pub prefix: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// Every key (of the owner named `owner`, if given), oldest first.
pub async fn list_keys(db: &Db, owner: Option<&str>) -> Result<Vec<KeyInfo>, DbError> {
    let owners: HashMap<i64, String> = owner::Entity::find()
        .all(db.reader())
        .await?
        .into_iter()
        .map(|row| (row.id, row.name))
        .collect();
    let keys = api_key::Entity::find()
        .order_by_asc(api_key::Column::Id)
        .all(db.reader())
        .await?;
    let mut listed = Vec::new();
    for row in keys {
        // Keys reference their owner (a foreign key): it is always there.
        let Some(owner_name) = owners.get(&row.owner_id) else {
            continue;
        };
        if owner.is_some_and(|o| o != owner_name) {
            continue;
        }
        let instant = |micros: i64, what| {
            Timestamp::from_micros(micros).ok_or_else(|| DbError::Corrupt {
                row: format!("API key {}", row.id),
                reason: what,
            })
        };
        let when = |micros: Option<i64>, what| micros.map(|m| instant(m, what)).transpose();
        listed.push(KeyInfo {
            id: row.id,
            owner: owner_name.clone(),
            created_at: instant(row.created_at, "created_at out of range")?,
            last_used_at: when(row.last_used_at, "last_used_at out of range")?,
            revoked_at: when(row.revoked_at, "revoked_at out of range")?,
            name: row.name,
            prefix: row.prefix,
        });
    }
    Ok(listed)
}

/// Revokes the key with this id or prefix (every active key with that
/// prefix); `false` if there is no such active key. Every server refuses it
/// within its key cache time.
pub async fn revoke(db: &Db, id_or_prefix: &str) -> Result<bool, DbError> {
    let by = match id_or_prefix.parse::<i64>() {
        Ok(id) => api_key::Column::Id.eq(id),
        Err(_) => api_key::Column::Prefix.eq(id_or_prefix),
    };
    let result = api_key::Entity::update_many()
        .col_expr(
            api_key::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(Timestamp::now().as_micros()),
        )
        .filter(by)
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db.writer())
        .await?;
    Ok(result.rows_affected > 0)
}
