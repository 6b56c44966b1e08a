//! Owners and API keys in the database, and the in-process cache that spares
//! a lookup per request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::key::{KeyHash, NewKey, PresentedKey, RandomError};
use super::scope::Scopes;
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
            /// When it was disabled: every credential refused, data kept.
            pub disabled_at: Option<i64>,
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
            /// Space-separated scope names; `None` on keys made before
            /// scopes existed, which hold every scope.
            pub scopes: Option<String>,
            pub expires_at: Option<i64>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{api_key, owner};

/// How a request was authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// The API key with this id.
    Key(i64),
    /// An identity provider's token (`--oidc-issuer`).
    Token,
    /// None: `--auth none`.
    Anonymous,
}

/// Whose quota a request spends: a key's own, or, for identity-provider
/// tokens, the owner's (so minting more tokens buys no more).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateKey {
    Key(i64),
    Owner(i64),
}

/// Who a valid credential speaks for, and what it may do until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    pub owner: OwnerId,
    pub credential: Credential,
    pub scopes: Scopes,
    pub expires_at: Option<Timestamp>,
}

impl Principal {
    pub fn rate_key(&self) -> RateKey {
        match self.credential {
            Credential::Key(id) => RateKey::Key(id),
            Credential::Token | Credential::Anonymous => RateKey::Owner(self.owner.0),
        }
    }

    /// The API key's id, for a key.
    pub fn key_id(&self) -> Option<i64> {
        match self.credential {
            Credential::Key(id) => Some(id),
            _ => None,
        }
    }
}

/// What a presented key turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid(Principal),
    /// A key that was valid until then.
    Expired(Timestamp),
    /// Its owner is disabled.
    Disabled,
    /// Unknown or revoked.
    Unknown,
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

    /// What `presented` is: a valid key and whom it speaks for, an expired
    /// one, one of a disabled owner, or none.
    pub async fn verify(&self, presented: &PresentedKey<'_>) -> Result<Verdict, DbError> {
        let hash = presented.hash();
        let now = Instant::now();
        if let Some(hit) = self.cached(&hash, now) {
            return Ok(expiry(hit, Timestamp::now()));
        }
        let lookup = async {
            let keys = api_key::Entity::find()
                .filter(api_key::Column::Prefix.eq(presented.prefix()))
                .filter(api_key::Column::RevokedAt.is_null())
                .all(self.db.reader())
                .await?;
            let Some(key) = keys.into_iter().find(|row| hash.matches(&row.hash)) else {
                return Ok(None);
            };
            let owner = owner::Entity::find_by_id(key.owner_id)
                .one(self.db.reader())
                .await?;
            Ok(Some((key, owner)))
        };
        let found: Option<(api_key::Model, Option<owner::Model>)> =
            self.db.timed("verify_key", lookup).await?;
        let Some((row, owner)) = found else {
            self.forget(&hash);
            return Ok(Verdict::Unknown);
        };
        if owner.is_none_or(|o| o.disabled_at.is_some()) {
            self.forget(&hash);
            return Ok(Verdict::Disabled);
        }
        let principal = principal_of(&row)?;
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
        Ok(expiry(principal, Timestamp::now()))
    }

    /// A fresh cache entry for `hash`; notes the key's use now and then.
    fn cached(&self, hash: &KeyHash, now: Instant) -> Option<Principal> {
        let mut map = self.verified.lock().ok()?;
        let entry = map.get_mut(hash)?;
        if now.duration_since(entry.checked) >= self.ttl {
            return None;
        }
        if now.duration_since(entry.used_noted) >= LAST_USED_EVERY
            && let Some(key_id) = entry.principal.key_id()
        {
            entry.used_noted = now;
            self.note_use(key_id);
        }
        Some(entry.principal)
    }

    /// Forgets every cached key of `owner` (disabled, or a key revoked):
    /// this process refuses them at once, others within the cache time.
    pub fn forget_owner(&self, owner: OwnerId) {
        if let Ok(mut map) = self.verified.lock() {
            map.retain(|_, entry| entry.principal.owner != owner);
        }
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

/// `principal`, unless it has expired by `now`.
fn expiry(principal: Principal, now: Timestamp) -> Verdict {
    match principal.expires_at {
        Some(at) if at <= now => Verdict::Expired(at),
        _ => Verdict::Valid(principal),
    }
}

/// An instant stored in `row`'s column `what`.
fn stored_instant(micros: i64, row: &str, what: &'static str) -> Result<Timestamp, DbError> {
    Timestamp::from_micros(micros).ok_or_else(|| DbError::Corrupt {
        row: row.to_owned(),
        reason: what,
    })
}

/// The scopes stored for a key: `NULL` (a key from before scopes) is all.
fn stored_scopes(row: &api_key::Model) -> Result<Scopes, DbError> {
    match &row.scopes {
        None => Ok(Scopes::all()),
        Some(text) => Scopes::parse_text(text).map_err(|_| DbError::Corrupt {
            row: format!("API key {}", row.id),
            reason: "an unknown scope",
        }),
    }
}

fn principal_of(row: &api_key::Model) -> Result<Principal, DbError> {
    let name = format!("API key {}", row.id);
    Ok(Principal {
        owner: OwnerId(row.owner_id),
        credential: Credential::Key(row.id),
        scopes: stored_scopes(row)?,
        expires_at: row
            .expires_at
            .map(|m| stored_instant(m, &name, "expires_at out of range"))
            .transpose()?,
    })
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

fn new_owner(name: &str) -> owner::ActiveModel {
    owner::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        created_at: Set(Timestamp::now().as_micros()),
        disabled_at: Set(None),
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

/// An owner as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerInfo {
    pub id: OwnerId,
    pub name: String,
    pub created_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
}

impl OwnerInfo {
    fn from_row(row: owner::Model) -> Result<Self, DbError> {
        let name = format!("owner {}", row.id);
        Ok(Self {
            id: OwnerId(row.id),
            created_at: stored_instant(row.created_at, &name, "created_at out of range")?,
            disabled_at: row
                .disabled_at
                .map(|m| stored_instant(m, &name, "disabled_at out of range"))
                .transpose()?,
            name: row.name,
        })
    }
}

/// Makes an owner named `name`.
pub async fn create_owner(db: &Db, name: &str) -> Result<OwnerInfo, KeyError> {
    match owner::Entity::insert(new_owner(name))
        .exec(db.writer())
        .await
    {
        Ok(done) => find_owner(db, OwnerId(done.last_insert_id))
            .await?
            .ok_or_else(|| KeyError::NoSuchOwner(name.to_owned())),
        Err(err)
            if matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(KeyError::OwnerExists(name.to_owned()))
        }
        Err(err) => Err(err.into()),
    }
}

/// The owner named `name`, made if there is none (an identity provider's
/// user, on first sight).
pub async fn owner_named(db: &Db, name: &str) -> Result<OwnerInfo, DbError> {
    let find = || async {
        owner::Entity::find()
            .filter(owner::Column::Name.eq(name))
            .one(db.reader())
            .await
    };
    if let Some(row) = find().await? {
        return OwnerInfo::from_row(row);
    }
    match owner::Entity::insert(new_owner(name))
        .exec(db.writer())
        .await
    {
        Ok(_) => {}
        // Made at the same moment by another request: take that one.
        Err(err)
            if matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) => {}
        Err(err) => return Err(err.into()),
    }
    match find().await? {
        Some(row) => OwnerInfo::from_row(row),
        None => Err(DbError::Corrupt {
            row: format!("owner {name:?}"),
            reason: "made, then not found",
        }),
    }
}

/// Every owner, oldest first.
pub async fn list_owners(db: &Db) -> Result<Vec<OwnerInfo>, DbError> {
    owner::Entity::find()
        .order_by_asc(owner::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(OwnerInfo::from_row)
        .collect()
}

pub async fn find_owner(db: &Db, id: OwnerId) -> Result<Option<OwnerInfo>, DbError> {
    owner::Entity::find_by_id(id.0)
        .one(db.reader())
        .await?
        .map(OwnerInfo::from_row)
        .transpose()
}

/// Disables (or enables again) owner `id`; `None` if there is none. A
/// disabled owner's credentials are refused; its data is kept.
pub async fn set_disabled(
    db: &Db,
    id: OwnerId,
    disabled: bool,
) -> Result<Option<OwnerInfo>, DbError> {
    let value = disabled.then(|| Timestamp::now().as_micros());
    let mut update = owner::Entity::update_many()
        .col_expr(
            owner::Column::DisabledAt,
            sea_orm::sea_query::Expr::value(value),
        )
        .filter(owner::Column::Id.eq(id.0));
    if disabled {
        // Disabling again keeps the first time.
        update = update.filter(owner::Column::DisabledAt.is_null());
    }
    update.exec(db.writer()).await?;
    find_owner(db, id).await
}
