//! Making, listing and revoking API keys.

use std::collections::HashMap;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::entity::{api_key, owner};
use super::owners::new_owner;
use super::{first_owner, stored_instant, stored_scopes};
use crate::auth::key::{NewKey, RandomError};
use crate::auth::scope::Scopes;
use crate::db::{Db, DbError};
use crate::domain::{OwnerId, Timestamp};

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
    #[error("an owner named {0:?} exists already")]
    OwnerExists(String),
    #[error("there is no scope {0:?}: the scopes are tasks:read, tasks:write, keys:manage, admin")]
    UnknownScope(String),
    #[error("{0:?} is not a lifetime: a whole number and s, m, h or d, e.g. 90d")]
    BadLifetime(String),
}

impl From<sea_orm::DbErr> for KeyError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Db(err.into())
    }
}

/// What a new key may do, and until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub scopes: Scopes,
    pub expires_at: Option<Timestamp>,
}

impl Grant {
    /// Every scope, no expiry: the first key, and what older keys hold.
    pub fn everything() -> Self {
        Self {
            scopes: Scopes::all(),
            expires_at: None,
        }
    }
}

/// On a database that has never had a key, makes one for the first owner
/// (with every scope, `admin` included) and returns it (to be shown once);
/// otherwise `None`.
pub async fn first_key(db: &Db) -> Result<Option<String>, KeyError> {
    if api_key::Entity::find().count(db.reader()).await? > 0 {
        return Ok(None);
    }
    let owner = first_owner(db).await?;
    match insert_key(db, owner, "first key", Grant::everything()).await {
        Ok(made) => Ok(Some(made.secret)),
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
    grant: Grant,
) -> Result<String, KeyError> {
    let txn = db.begin_write().await.map_err(DbError::from)?;
    let existing = owner::Entity::find()
        .filter(owner::Column::Name.eq(owner_name))
        .one(&txn)
        .await?;
    let owner = match existing {
        Some(row) => OwnerId(row.id),
        None if create_owner => OwnerId(
            owner::Entity::insert(new_owner(owner_name))
                .exec(&txn)
                .await?
                .last_insert_id,
        ),
        None => return Err(KeyError::NoSuchOwner(owner_name.to_owned())),
    };
    txn.commit().await?;
    match insert_key(db, owner, name, grant).await {
        Ok(made) => Ok(made.secret),
        Err(KeyError::NameTaken { name, .. }) => Err(KeyError::NameTaken {
            owner: owner_name.to_owned(),
            name,
        }),
        Err(other) => Err(other),
    }
}

/// A key just made: what is listed of it, and the key itself (shown once).
pub struct MadeKey {
    pub info: KeyInfo,
    pub secret: String,
}

/// Makes a key named `name` for `owner`, with `grant`.
pub async fn insert_key(
    db: &Db,
    owner: OwnerId,
    name: &str,
    grant: Grant,
) -> Result<MadeKey, KeyError> {
    let key = NewKey::generate()?;
    let created_at = Timestamp::now();
    let row = api_key::ActiveModel {
        id: NotSet,
        owner_id: Set(owner.0),
        name: Set(name.to_owned()),
        prefix: Set(key.prefix.clone()),
        hash: Set(key.hash.as_str().to_owned()),
        created_at: Set(created_at.as_micros()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        scopes: Set(Some(grant.scopes.to_text())),
        expires_at: Set(grant.expires_at.map(Timestamp::as_micros)),
    };
    match api_key::Entity::insert(row).exec(db.writer()).await {
        Ok(done) => Ok(MadeKey {
            info: KeyInfo {
                id: done.last_insert_id,
                owner_id: owner,
                owner: String::new(),
                name: name.to_owned(),
                prefix: key.prefix,
                scopes: grant.scopes,
                created_at,
                last_used_at: None,
                expires_at: grant.expires_at,
                revoked_at: None,
            },
            secret: key.secret,
        }),
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
    pub owner_id: OwnerId,
    /// The owner's name (empty where the caller knows the owner).
    pub owner: String,
    pub name: String,
    pub prefix: String,
    pub scopes: Scopes,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

impl KeyInfo {
    fn from_row(row: api_key::Model, owner: String) -> Result<Self, DbError> {
        let name = format!("API key {}", row.id);
        let when =
            |micros: Option<i64>, what| micros.map(|m| stored_instant(m, &name, what)).transpose();
        Ok(Self {
            id: row.id,
            owner_id: OwnerId(row.owner_id),
            owner,
            scopes: stored_scopes(&row)?,
            created_at: stored_instant(row.created_at, &name, "created_at out of range")?,
            last_used_at: when(row.last_used_at, "last_used_at out of range")?,
            expires_at: when(row.expires_at, "expires_at out of range")?,
            revoked_at: when(row.revoked_at, "revoked_at out of range")?,
            name: row.name,
            prefix: row.prefix,
        })
    }
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
        listed.push(KeyInfo::from_row(row, owner_name.clone())?);
    }
    Ok(listed)
}

/// The keys of `owner` that are not revoked, oldest first.
pub async fn keys_of(db: &Db, owner: OwnerId) -> Result<Vec<KeyInfo>, DbError> {
    api_key::Entity::find()
        .filter(api_key::Column::OwnerId.eq(owner.0))
        .filter(api_key::Column::RevokedAt.is_null())
        .order_by_asc(api_key::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|row| KeyInfo::from_row(row, String::new()))
        .collect()
}

/// Revokes the key with this id or prefix (every active key with that
/// prefix); `false` if there is no such active key. Every server refuses it
/// within its key cache time.
pub async fn revoke(db: &Db, id_or_prefix: &str) -> Result<bool, DbError> {
    let by = match id_or_prefix.parse::<i64>() {
        Ok(id) => api_key::Column::Id.eq(id),
        Err(_) => api_key::Column::Prefix.eq(id_or_prefix),
    };
    revoke_where(db, Condition::all().add(by)).await
}

/// Revokes `owner`'s active key `id`; `false` if it has no such key.
pub async fn revoke_owned(db: &Db, owner: OwnerId, id: i64) -> Result<bool, DbError> {
    let by = Condition::all()
        .add(api_key::Column::Id.eq(id))
        .add(api_key::Column::OwnerId.eq(owner.0));
    revoke_where(db, by).await
}

async fn revoke_where(db: &Db, by: Condition) -> Result<bool, DbError> {
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
