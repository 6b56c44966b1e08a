//! Owners: made, listed, found by name or id, disabled.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::owner;
use super::keys::KeyError;
use super::stored_instant;
use crate::db::{Db, DbError};
use crate::domain::{OwnerId, Timestamp};

pub(super) fn new_owner(name: &str) -> owner::ActiveModel {
    owner::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        created_at: Set(Timestamp::now().as_micros()),
        disabled_at: Set(None),
    }
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

/// The owner named `name`, if there is one.
pub async fn find_owner_named(db: &Db, name: &str) -> Result<Option<OwnerInfo>, DbError> {
    owner::Entity::find()
        .filter(owner::Column::Name.eq(name))
        .one(db.reader())
        .await?
        .map(OwnerInfo::from_row)
        .transpose()
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
