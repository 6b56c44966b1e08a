//! Making, renaming, trashing lists (reading them: `listing.rs`; their
//! members: `members.rs`). Every change of a list or its members locks the
//! list's row (it takes the next number of the list's history, its event
//! in the feed), after which it checks the caller's role: so changes of one
//! list take turns with each other and with the writes of its tasks, on
//! every process.

use sea_orm::{ConnectionTrait, DatabaseTransaction};

use super::super::group::work;
use super::super::{Db, DbError};
use super::listing::read;
use super::{TaskList, of_list, statement};
use crate::domain::sharing::MAX_LISTS_PER_OWNER;
use crate::domain::{ListId, OwnerId, Role, Timestamp, Title};

/// Why a change of a list or its members was not made (nothing was).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// No such list that the caller sees (or, for `undelete`, has in the
    /// trash); or no such owner to add.
    Missing,
    NoSuchOwner,
    /// The caller's role does not allow it.
    Denied(Role),
    /// `If-Match` named another version.
    Stale,
    /// The list would be left without an owner.
    LastOwner,
    /// An inbox is the owner's own: it is not shared, renamed away or
    /// deleted.
    Inbox(&'static str),
    /// A limit would be passed (which one, said to the client).
    Limit(String),
}

pub type Managed<T> = Result<T, Refused>;

/// Runs `f` in a write transaction (on SQLite in the next group).
pub(super) async fn in_write<T, F>(db: &Db, name: &'static str, f: F) -> Result<T, DbError>
where
    T: Send + 'static,
    F: for<'t> Fn(
            &'t DatabaseTransaction,
        ) -> futures_util::future::BoxFuture<'t, Result<T, DbError>>
        + Send
        + Sync
        + Clone
        + 'static,
{
    db.timed(name, db.write(work(move |txn| f(txn)))).await
}

pub(super) async fn exec(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Result<u64, DbError> {
    Ok(conn
        .execute_raw(statement(conn, sql, values))
        .await?
        .rows_affected())
}

pub(super) async fn count(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Result<i64, DbError> {
    match conn.query_one_raw(statement(conn, sql, values)).await? {
        Some(row) => Ok(row.try_get_by_index(0)?),
        None => Ok(0),
    }
}

/// Locks `list`'s row and takes the next number of its history as the
/// number of its own latest change (an event of the feed).
pub(super) async fn event(
    conn: &impl ConnectionTrait,
    list: ListId,
    now: Timestamp,
) -> Result<(), DbError> {
    exec(
        conn,
        "UPDATE task_lists SET change_seq = change_seq + 1, event_seq = change_seq + 1, \
         updated_at = ? WHERE id = ?",
        vec![now.as_micros().into(), list.0.into()],
    )
    .await?;
    Ok(())
}

/// The lists `owner` is a member of (in the trash or not).
pub(super) async fn memberships(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
) -> Result<i64, DbError> {
    count(
        conn,
        "SELECT COUNT(*) FROM list_members WHERE owner_id = ?",
        vec![owner.0.into()],
    )
    .await
}

pub(super) fn too_many_lists(owner: OwnerId) -> Refused {
    Refused::Limit(format!(
        "owner {} is already a member of {MAX_LISTS_PER_OWNER} lists, the most one may see",
        owner.0
    ))
}

/// Makes `owner`'s inbox, unless another request just did; returns it.
pub(super) async fn make_inbox(db: &Db, owner: OwnerId) -> Result<ListId, DbError> {
    let now = Timestamp::now().as_micros();
    in_write(db, "make_inbox", move |txn| {
        Box::pin(async move {
            // Two first requests at once: the second waits for the first's
            // row (PostgreSQL), inserts nothing, and reads it.
            let stmt = statement(
                txn,
                "INSERT INTO task_lists (title, created_at, updated_at, version, inbox_of, \
                 change_seq, history_floor, live_tasks, live_done, event_seq, members) \
                 VALUES ('Inbox', ?, ?, 1, ?, 1, 0, 0, 0, 1, 0) \
                 ON CONFLICT (inbox_of) DO NOTHING RETURNING id",
                vec![now.into(), now.into(), owner.0.into()],
            );
            match txn.query_one_raw(stmt).await? {
                Some(row) => {
                    let list = ListId(row.try_get_by_index(0)?);
                    add_member(txn, list, owner, Role::Owner, now).await?;
                    Ok(list)
                }
                None => super::find_inbox(txn, owner)
                    .await?
                    .ok_or(DbError::Contended),
            }
        })
    })
    .await
}

async fn insert_list(
    conn: &impl ConnectionTrait,
    title: &str,
    now: i64,
) -> Result<ListId, DbError> {
    // Made as change 1 of its own history (its first event).
    let stmt = statement(
        conn,
        "INSERT INTO task_lists (title, created_at, updated_at, version, \
         change_seq, history_floor, live_tasks, live_done, event_seq, members) \
         VALUES (?, ?, ?, 1, 1, 0, 0, 0, 1, 0) RETURNING id",
        vec![title.into(), now.into(), now.into()],
    );
    let row = conn
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| DbError::Other(sea_orm::DbErr::RecordNotInserted))?;
    Ok(ListId(row.try_get_by_index(0)?))
}

pub(super) async fn add_member(
    conn: &impl ConnectionTrait,
    list: ListId,
    member: OwnerId,
    role: Role,
    now: i64,
) -> Result<(), DbError> {
    exec(
        conn,
        "INSERT INTO list_members (list_id, owner_id, role, added_at) VALUES (?, ?, ?, ?)",
        vec![
            list.0.into(),
            member.0.into(),
            role.as_str().into(),
            now.into(),
        ],
    )
    .await?;
    exec(
        conn,
        "UPDATE task_lists SET members = members + 1 WHERE id = ?",
        vec![list.0.into()],
    )
    .await?;
    Ok(())
}

/// Makes a list titled `title` with `owner` as its owner.
pub async fn create(
    db: &Db,
    owner: OwnerId,
    title: Title,
    now: Timestamp,
) -> Result<Managed<TaskList>, DbError> {
    in_write(db, "create_list", move |txn| {
        let title = title.clone();
        Box::pin(async move {
            if memberships(txn, owner).await? >= MAX_LISTS_PER_OWNER as i64 {
                return Ok(Err(too_many_lists(owner)));
            }
            let micros = now.as_micros();
            let list = insert_list(txn, title.as_str(), micros).await?;
            add_member(txn, list, owner, Role::Owner, micros).await?;
            let made = read(txn, owner, list, false).await?;
            made.map(Ok).ok_or_else(|| DbError::Corrupt {
                row: format!("list {}", list.0),
                reason: "made and not found",
            })
        })
    })
    .await
}

/// Locks `list`'s row and checks that `owner` holds `needed` on it (in the
/// trash only when `trashed`); the list's version must be one of `expect`.
pub(super) async fn checked(
    conn: &DatabaseTransaction,
    owner: OwnerId,
    list: ListId,
    needed: Role,
    trashed: bool,
    expect: Option<&[i64]>,
) -> Result<Managed<super::Access>, DbError> {
    // A no-op write: the lock every change of the list takes first.
    exec(
        conn,
        "UPDATE task_lists SET event_seq = event_seq WHERE id = ?",
        vec![list.0.into()],
    )
    .await?;
    let Some(access) = of_list(conn, owner, list, trashed).await? else {
        return Ok(Err(Refused::Missing));
    };
    if !access.role.allows(needed) {
        return Ok(Err(Refused::Denied(needed)));
    }
    if let Some(versions) = expect {
        let version = count(
            conn,
            "SELECT version FROM task_lists WHERE id = ?",
            vec![list.0.into()],
        )
        .await?;
        if !versions.contains(&version) {
            return Ok(Err(Refused::Stale));
        }
    }
    Ok(Ok(access))
}

/// Renames `list` (its owners only).
pub async fn rename(
    db: &Db,
    owner: OwnerId,
    list: ListId,
    title: Title,
    expect: Option<Vec<i64>>,
    now: Timestamp,
) -> Result<Managed<TaskList>, DbError> {
    in_write(db, "rename_list", move |txn| {
        let (title, expect) = (title.clone(), expect.clone());
        Box::pin(async move {
            if let Err(refused) =
                checked(txn, owner, list, Role::Owner, false, expect.as_deref()).await?
            {
                return Ok(Err(refused));
            }
            let unchanged = read(txn, owner, list, false).await?;
            if unchanged.as_ref().is_some_and(|l| l.title == title) {
                return unchanged.map(Ok).ok_or(DbError::Contended);
            }
            exec(
                txn,
                "UPDATE task_lists SET title = ?, version = version + 1 WHERE id = ?",
                vec![title.as_str().into(), list.0.into()],
            )
            .await?;
            event(txn, list, now).await?;
            read(txn, owner, list, false)
                .await?
                .map(Ok)
                .ok_or(DbError::Contended)
        })
    })
    .await
}

/// Moves `list` to the trash with its tasks (its owners only; not an
/// inbox), or with `purge` removes it and its tasks for good (also from
/// the trash).
pub async fn trash(
    db: &Db,
    owner: OwnerId,
    list: ListId,
    expect: Option<Vec<i64>>,
    purge: bool,
    now: Timestamp,
) -> Result<Managed<()>, DbError> {
    in_write(db, "trash_list", move |txn| {
        let expect = expect.clone();
        Box::pin(async move {
            let mut found =
                checked(txn, owner, list, Role::Owner, false, expect.as_deref()).await?;
            if purge && found == Err(Refused::Missing) {
                found = checked(txn, owner, list, Role::Owner, true, expect.as_deref()).await?;
            }
            let access = match found {
                Ok(access) => access,
                Err(refused) => return Ok(Err(refused)),
            };
            if access.inbox || is_inbox(txn, list).await? {
                return Ok(Err(Refused::Inbox("an inbox cannot be deleted")));
            }
            if purge {
                remove_for_good(txn, list).await?;
                return Ok(Ok(()));
            }
            exec(
                txn,
                "UPDATE task_lists SET deleted_at = ?, version = version + 1 WHERE id = ?",
                vec![now.as_micros().into(), list.0.into()],
            )
            .await?;
            event(txn, list, now).await?;
            Ok(Ok(()))
        })
    })
    .await
}

pub(super) async fn is_inbox(conn: &impl ConnectionTrait, list: ListId) -> Result<bool, DbError> {
    Ok(count(
        conn,
        "SELECT COUNT(*) FROM task_lists WHERE id = ? AND inbox_of IS NOT NULL",
        vec![list.0.into()],
    )
    .await?
        > 0)
}

/// Removes `list`, its tasks, members and history (labels before their
/// tasks; `parent_id` has no foreign key, so the order of tasks is free).
async fn remove_for_good(conn: &impl ConnectionTrait, list: ListId) -> Result<(), DbError> {
    for sql in [
        "DELETE FROM task_labels WHERE list_id = ?",
        "DELETE FROM tasks WHERE list_id = ?",
        "DELETE FROM tombstones WHERE list_id = ?",
        "DELETE FROM list_members WHERE list_id = ?",
        "DELETE FROM task_lists WHERE id = ?",
    ] {
        exec(conn, sql, vec![list.0.into()]).await?;
    }
    Ok(())
}

/// Takes `list` out of the trash (its owners only).
pub async fn undelete(
    db: &Db,
    owner: OwnerId,
    list: ListId,
    expect: Option<Vec<i64>>,
    now: Timestamp,
) -> Result<Managed<TaskList>, DbError> {
    in_write(db, "undelete_list", move |txn| {
        let expect = expect.clone();
        Box::pin(async move {
            if let Err(refused) =
                checked(txn, owner, list, Role::Owner, true, expect.as_deref()).await?
            {
                return Ok(Err(refused));
            }
            exec(
                txn,
                "UPDATE task_lists SET deleted_at = NULL, version = version + 1 WHERE id = ?",
                vec![list.0.into()],
            )
            .await?;
            event(txn, list, now).await?;
            read(txn, owner, list, false)
                .await?
                .map(Ok)
                .ok_or(DbError::Contended)
        })
    })
    .await
}

/// Removes for good the lists trashed before `cutoff`, with their tasks;
/// returns how many.
pub async fn purge_trashed_lists(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    in_write(db, "purge_lists", move |txn| {
        Box::pin(async move {
            let stmt = statement(
                txn,
                "SELECT id FROM task_lists WHERE deleted_at IS NOT NULL AND deleted_at < ?",
                vec![cutoff.as_micros().into()],
            );
            let rows = txn.query_all_raw(stmt).await?;
            let mut purged = 0;
            for row in rows {
                let list = ListId(row.try_get_by_index(0)?);
                remove_for_good(txn, list).await?;
                purged += 1;
            }
            Ok(purged)
        })
    })
    .await
}

pub(crate) use super::listing::{all_on, find_on};
pub use super::listing::{find, page};
pub use super::members::{Member, MemberSet, members, remove_member, set_member};
