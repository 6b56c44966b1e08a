//! Lists and who may do what on them: each owner's inbox, the caller's role
//! on a list or a task's list, the lists a caller sees, and the check every
//! write on a list not the writer's own inbox makes after it has locked the
//! list's row (so a role changed or removed is in force for the very next
//! write, on every process). Making, renaming, trashing lists and their
//! members: `manage.rs`.

pub mod entity;
mod listing;
pub mod manage;
mod members;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::{Db, DbError};
use crate::domain::{ListId, OwnerId, Role, Timestamp};

/// The caller's access to a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub list: ListId,
    pub role: Role,
    /// Whether the list is the caller's inbox, which only it can see: its
    /// writes need no check of the role in the transaction.
    pub inbox: bool,
}

/// Who writes and where: a write on `list` by `owner`, checked for the
/// editor role once the list's row is locked unless it is `owner`'s inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub list: ListId,
    pub owner: OwnerId,
    pub checked: bool,
}

impl Access {
    /// The scope of a write by `owner` through this access.
    pub fn scope(&self, owner: OwnerId) -> Scope {
        Scope {
            list: self.list,
            owner,
            checked: !self.inbox,
        }
    }
}

impl Scope {
    /// `owner`'s own inbox: the one list nobody else can see, so its
    /// writes need no check.
    pub fn inbox(owner: OwnerId, list: ListId) -> Self {
        Self {
            list,
            owner,
            checked: false,
        }
    }
}

/// `owner`'s inbox, made if it has none yet (an owner made before lists
/// has one from the upgrade; a new owner gets it on first use). An inbox is
/// never deleted or moved, so a process remembers it.
pub async fn inbox(db: &Db, owner: OwnerId) -> Result<ListId, DbError> {
    if let Some(list) = db.known_inbox(owner) {
        return Ok(list);
    }
    let list = match find_inbox(db.reader(), owner).await? {
        Some(list) => list,
        None => manage::make_inbox(db, owner).await?,
    };
    db.remember_inbox(owner, list);
    Ok(list)
}

async fn find_inbox(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
) -> Result<Option<ListId>, DbError> {
    let select = Query::select()
        .column(entity::Lists::Id)
        .from(entity::Lists::Table)
        .and_where(Expr::col(entity::Lists::InboxOf).eq(owner.0))
        .to_owned();
    Ok(match conn.query_one(&select).await? {
        Some(row) => Some(ListId(row.try_get_by_index(0)?)),
        None => None,
    })
}

/// The columns every access read returns: list id, role, inbox_of.
fn access_of(row: &sea_orm::QueryResult, owner: OwnerId) -> Result<Access, DbError> {
    let list: i64 = row.try_get_by_index(0)?;
    let role: String = row.try_get_by_index(1)?;
    let inbox_of: Option<i64> = row.try_get_by_index(2)?;
    Ok(Access {
        list: ListId(list),
        role: stored_role(&role, list)?,
        inbox: inbox_of == Some(owner.0),
    })
}

pub(crate) fn stored_role(role: &str, list: i64) -> Result<Role, DbError> {
    Role::parse(role).map_err(|_| DbError::Corrupt {
        row: format!("a member of list {list}"),
        reason: "role is not owner, editor or viewer",
    })
}

fn statement(conn: &impl ConnectionTrait, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let backend = conn.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        numbered(sql)
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `?` placeholders as PostgreSQL's `$1`, `$2`, … (no statement here has a
/// `?` anywhere else).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// The caller's access to the list of task `id` (live or in the trash),
/// if it is a member of that list and the list is not in the trash.
pub async fn of_task(db: &Db, owner: OwnerId, id: i64) -> Result<Option<Access>, DbError> {
    db.timed("access", async {
        let reader = db.reader();
        let sql = "SELECT t.list_id, m.role, l.inbox_of FROM tasks t \
                   JOIN list_members m ON m.list_id = t.list_id AND m.owner_id = ? \
                   JOIN task_lists l ON l.id = t.list_id AND l.deleted_at IS NULL \
                   WHERE t.id = ?";
        let row = reader
            .query_one_raw(statement(reader, sql, vec![owner.0.into(), id.into()]))
            .await?;
        row.map(|row| access_of(&row, owner)).transpose()
    })
    .await
}

/// The caller's access to `list`, if it is a member and the list is not in
/// the trash (`trashed`: only if it is).
pub async fn of_list(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    list: ListId,
    trashed: bool,
) -> Result<Option<Access>, DbError> {
    let sql = if trashed {
        "SELECT l.id, m.role, l.inbox_of FROM task_lists l \
         JOIN list_members m ON m.list_id = l.id AND m.owner_id = ? \
         WHERE l.id = ? AND l.deleted_at IS NOT NULL"
    } else {
        "SELECT l.id, m.role, l.inbox_of FROM task_lists l \
         JOIN list_members m ON m.list_id = l.id AND m.owner_id = ? \
         WHERE l.id = ? AND l.deleted_at IS NULL"
    };
    let row = conn
        .query_one_raw(statement(conn, sql, vec![owner.0.into(), list.0.into()]))
        .await?;
    row.map(|row| access_of(&row, owner)).transpose()
}

/// Every list `owner` sees (a member of, not in the trash), in id order.
pub async fn visible(conn: &impl ConnectionTrait, owner: OwnerId) -> Result<Vec<Access>, DbError> {
    let sql = "SELECT l.id, m.role, l.inbox_of FROM list_members m \
               JOIN task_lists l ON l.id = m.list_id AND l.deleted_at IS NULL \
               WHERE m.owner_id = ? ORDER BY l.id";
    let rows = conn
        .query_all_raw(statement(conn, sql, vec![owner.0.into()]))
        .await?;
    rows.iter().map(|row| access_of(row, owner)).collect()
}

/// The ids of the lists `owner` sees, narrowed to `only` if given (a list
/// it does not see narrows to none).
pub async fn visible_ids(
    db: &Db,
    owner: OwnerId,
    only: Option<ListId>,
) -> Result<Vec<ListId>, DbError> {
    db.timed("access", async {
        let reader = db.reader();
        if let Some(list) = only {
            return Ok(of_list(reader, owner, list, false)
                .await?
                .map(|a| a.list)
                .into_iter()
                .collect());
        }
        Ok(visible(reader, owner)
            .await?
            .into_iter()
            .map(|a| a.list)
            .collect())
    })
    .await
}

/// A scalar subquery: how many lists `owner` sees (not in the trash), of
/// those in `within` when given.
pub(crate) fn visible_count(owner: OwnerId, within: Option<&[ListId]>) -> Expr {
    let (m, l) = (Alias::new("m"), Alias::new("l"));
    let mut count = Query::select();
    count
        .expr(Expr::cust("COUNT(*)"))
        .from_as(Alias::new("list_members"), m.clone())
        .join_as(
            JoinType::InnerJoin,
            Alias::new("task_lists"),
            l.clone(),
            Expr::col((l.clone(), Alias::new("id"))).equals((m.clone(), Alias::new("list_id"))),
        )
        .and_where(Expr::col((m.clone(), Alias::new("owner_id"))).eq(owner.0))
        .and_where(Expr::col((l, Alias::new("deleted_at"))).is_null());
    if let Some(lists) = within {
        count.and_where(super::rows::among(
            Expr::col((m, Alias::new("list_id"))),
            lists,
        ));
    }
    Expr::SubQuery(None, Box::new(count.to_owned().into()))
}

/// Checks, inside a write transaction, that `owner` still holds `needed`
/// on `list` (not in the trash). On PostgreSQL the list's row is locked
/// first: a change of the members locks it too, so either the change
/// committed before this check reads (and is seen), or it waits for this
/// write to commit. On SQLite writes take turns anyway.
pub(crate) async fn check(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    list: ListId,
    needed: Role,
) -> Result<(), DbError> {
    if conn.get_database_backend() == DbBackend::Postgres {
        let lock = Query::update()
            .table(entity::Lists::Table)
            .value(entity::Lists::EventSeq, Expr::col(entity::Lists::EventSeq))
            .and_where(Expr::col(entity::Lists::Id).eq(list.0))
            .to_owned();
        conn.execute(&lock).await?;
    }
    match of_list(conn, owner, list, false).await? {
        Some(access) if access.role.allows(needed) => Ok(()),
        found => Err(DbError::Denied {
            list,
            role: found.map(|a| a.role),
            needed,
        }),
    }
}

/// A list's row as the API shows it to one member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskList {
    pub id: ListId,
    pub title: crate::domain::Title,
    pub role: Role,
    pub inbox: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
    pub deleted_at: Option<Timestamp>,
}
