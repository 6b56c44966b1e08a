//! Reading lists as the API shows them to a member: one, or a page of
//! every list it sees, with its role.

use sea_orm::{ConnectionTrait, FromQueryResult};

use super::super::{Db, DbError};
use super::{TaskList, statement, stored_role};
use crate::domain::{ListId, OwnerId, Timestamp, Title};

/// A list row with the caller's role, as read for the API.
#[derive(Debug, FromQueryResult)]
struct Row {
    id: i64,
    title: String,
    created_at: i64,
    updated_at: i64,
    version: i64,
    deleted_at: Option<i64>,
    inbox_of: Option<i64>,
    role: String,
}

const COLUMNS: &str = "l.id, l.title, l.created_at, l.updated_at, l.version, l.deleted_at, \
                       l.inbox_of, m.role";

pub(super) fn instant(micros: i64, list: i64) -> Result<Timestamp, DbError> {
    Timestamp::from_micros(micros).ok_or_else(|| DbError::Corrupt {
        row: format!("list {list}"),
        reason: "an instant out of range",
    })
}

impl Row {
    fn into_list(self, owner: OwnerId) -> Result<TaskList, DbError> {
        Ok(TaskList {
            id: ListId(self.id),
            title: Title::from_stored(self.title),
            role: stored_role(&self.role, self.id)?,
            inbox: self.inbox_of == Some(owner.0),
            created_at: instant(self.created_at, self.id)?,
            updated_at: instant(self.updated_at, self.id)?,
            version: self.version,
            deleted_at: self.deleted_at.map(|m| instant(m, self.id)).transpose()?,
        })
    }
}

/// `list` as `owner` sees it (in the trash only when `trashed`).
pub(super) async fn read(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    list: ListId,
    trashed: bool,
) -> Result<Option<TaskList>, DbError> {
    let deleted = if trashed { "IS NOT NULL" } else { "IS NULL" };
    let sql = format!(
        "SELECT {COLUMNS} FROM task_lists l \
         JOIN list_members m ON m.list_id = l.id AND m.owner_id = ? \
         WHERE l.id = ? AND l.deleted_at {deleted}"
    );
    let stmt = statement(conn, &sql, vec![owner.0.into(), list.0.into()]);
    match Row::find_by_statement(stmt).one(conn).await? {
        Some(row) => Ok(Some(row.into_list(owner)?)),
        None => Ok(None),
    }
}

/// `list` as `owner` sees it on `conn`, if it does (not in the trash).
pub(crate) async fn find_on(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    list: ListId,
) -> Result<Option<TaskList>, DbError> {
    read(conn, owner, list, false).await
}

/// Every list `owner` sees, read on `conn`, in id order.
pub(crate) async fn all_on(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
) -> Result<Vec<TaskList>, DbError> {
    lists_after(conn, owner, 0, i64::MAX).await
}

async fn lists_after(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    after: i64,
    limit: i64,
) -> Result<Vec<TaskList>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM list_members m \
         JOIN task_lists l ON l.id = m.list_id AND l.deleted_at IS NULL \
         WHERE m.owner_id = ? AND l.id > ? ORDER BY l.id LIMIT ?"
    );
    let stmt = statement(conn, &sql, vec![owner.0.into(), after.into(), limit.into()]);
    Row::find_by_statement(stmt)
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.into_list(owner))
        .collect()
}

/// `list` as `owner` sees it, if it does (not in the trash).
pub async fn find(db: &Db, owner: OwnerId, list: ListId) -> Result<Option<TaskList>, DbError> {
    db.timed("find_list", read(db.reader(), owner, list, false))
        .await
}

/// The lists `owner` sees after the list `after` (in id order), up to
/// `limit` of them.
pub async fn page(
    db: &Db,
    owner: OwnerId,
    after: i64,
    limit: u64,
) -> Result<Vec<TaskList>, DbError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db.timed("list_lists", lists_after(db.reader(), owner, after, limit))
        .await
}
