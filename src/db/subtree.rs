//! Subtrees: a task's descendants found with one recursive query (and how
//! many levels they span), and what trashing, undeleting and purging do to
//! them (each descendant a new version and change, or a tombstone).

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, QueryFilter, Statement, Value};

use super::DbError;
use super::changes;
use super::entity::{self, Column};
use super::numbers::{Counts, Numbers};
use super::rows::{listed_delete, listed_update, task_rows};
use crate::domain::{ListId, Timestamp};

/// Which descendants a subtree query follows.
#[derive(Clone, Copy, Debug)]
pub(super) enum Reach {
    /// Live tasks only (a trashed task's subtree is all in the trash).
    Live,
    /// Tasks trashed at this instant (micros): trashed with their parent.
    TrashedAt(i64),
    /// Every task, in the trash or not.
    All,
}

/// A statement with its parameters, written for one backend.
struct Sql {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Sql {
    /// The placeholder of a new parameter.
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }
}

/// The descendants of `list`'s task `root` that `reach` follows, each with
/// its depth below `root` (1 for a child), shallowest first: one recursive
/// query over the `(list_id, parent_id, …)` index.
pub(super) async fn descendants(
    conn: &impl ConnectionTrait,
    list: ListId,
    root: i64,
    reach: Reach,
) -> Result<Vec<(entity::Model, i64)>, DbError> {
    let statement = subtree_statement(conn.get_database_backend(), list, root, reach);
    let rows = conn.query_all_raw(statement).await?;
    let models = task_rows(&rows)?;
    let depths = rows
        .iter()
        .map(|row| row.try_get::<i64>("", "depth"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(models.into_iter().zip(depths).collect())
}

/// The statement of `descendants`.
fn subtree_statement(backend: DbBackend, list: ListId, root: i64, reach: Reach) -> Statement {
    let mut sql = Sql {
        backend,
        values: Vec::new(),
    };
    let condition = |sql: &mut Sql, table: &str| match reach {
        Reach::Live => format!(" AND {table}deleted_at IS NULL"),
        Reach::TrashedAt(at) => format!(" AND {table}deleted_at = {}", sql.bind(at)),
        Reach::All => String::new(),
    };
    let (o1, r) = (sql.bind(list.0), sql.bind(root));
    let c1 = condition(&mut sql, "");
    let o2 = sql.bind(list.0);
    let c2 = condition(&mut sql, "t.");
    // The depth bound only guards against a cycle a bug could have stored.
    // `CROSS JOIN` is SQLite's way of fixing the order of a join (the left
    // side is the outer loop; PostgreSQL plans it as any inner join): the
    // subtree found so far drives each step, which reads a node's children
    // from the `(list_id, parent_id, …)` index, and the rows are read by
    // id. Left to itself, SQLite 3.51 planning without the values (QPSG)
    // walked the list's live tasks at each step and every task in the
    // database (the `deleted_at` index) for the final join: 42 ms to trash
    // a task in a database of 1,000,000 (`scripts/bench/scale.py`).
    let text = format!(
        "WITH RECURSIVE subtree(id, depth) AS (\
         SELECT id, CAST(1 AS BIGINT) FROM tasks WHERE list_id = {o1} AND parent_id = {r}{c1} \
         UNION ALL \
         SELECT t.id, s.depth + 1 FROM subtree s CROSS JOIN tasks t \
         WHERE t.list_id = {o2} AND t.parent_id = s.id{c2} AND s.depth < 64) \
         SELECT tasks.*, subtree.depth AS depth FROM subtree CROSS JOIN tasks \
         WHERE tasks.id = subtree.id \
         ORDER BY subtree.depth, tasks.id"
    );
    Statement::from_sql_and_values(sql.backend, text, sql.values)
}

/// How many levels `list`'s task `id` spans with its subtasks (1 alone),
/// counting those in the trash (which an undelete may bring back).
pub(super) async fn height(
    conn: &impl ConnectionTrait,
    list: ListId,
    id: i64,
) -> Result<usize, DbError> {
    let below = descendants(conn, list, id, Reach::All).await?;
    let deepest = below.iter().map(|&(_, depth)| depth).max().unwrap_or(0);
    Ok(usize::try_from(deepest)
        .unwrap_or(usize::MAX)
        .saturating_add(1))
}

/// Trashes the live subtasks of `list`'s task `root` (just trashed) with
/// it: each a new version and change, the same `deleted_at`.
pub(super) async fn trash_below(
    conn: &impl ConnectionTrait,
    list: ListId,
    root: i64,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    let below = descendants(conn, list, root, Reach::Live).await?;
    set_trashed(conn, list, below, Some(now.as_micros()), now, numbers).await
}

/// Restores the subtasks trashed with `list`'s task `root` (at
/// `trashed_at`, micros): each a new version and change.
pub(super) async fn restore_below(
    conn: &impl ConnectionTrait,
    list: ListId,
    root: i64,
    trashed_at: i64,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    let below = descendants(conn, list, root, Reach::TrashedAt(trashed_at)).await?;
    set_trashed(conn, list, below, None, now, numbers).await
}

/// Moves each task of `rows` into the trash (`deleted_at` set) or out of
/// it (`None`), each a new version and change, counted.
async fn set_trashed(
    conn: &impl ConnectionTrait,
    list: ListId,
    rows: Vec<(entity::Model, i64)>,
    deleted_at: Option<i64>,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    numbers.more(conn, rows.len()).await?;
    for (row, _) in rows {
        numbers.count(match deleted_at {
            Some(_) => Counts::removed(row.done),
            None => Counts::added(row.done),
        });
        let seq = numbers.take(conn).await?;
        listed_update(list)
            .col_expr(Column::ChangeSeq, Expr::value(seq))
            .col_expr(Column::DeletedAt, Expr::value(deleted_at))
            .col_expr(
                Column::UpdatedAt,
                Expr::value(std::cmp::max(now.as_micros(), row.updated_at)),
            )
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .filter(Column::Id.eq(row.id))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Removes for good every subtask of `list`'s task `root` (just removed),
/// in the trash or not, each leaving a tombstone: a trashed one keeps the
/// number of its trashing, a live one takes a new number.
pub(super) async fn purge_below(
    conn: &impl ConnectionTrait,
    list: ListId,
    root: i64,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    let below = descendants(conn, list, root, Reach::All).await?;
    if below.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = below.iter().map(|(row, _)| row.id).collect();
    let delete = sea_orm::QueryTrait::into_query(listed_delete(list).filter(Column::Id.is_in(ids)))
        .returning_all()
        .to_owned();
    let removed = task_rows(&conn.query_all(&delete).await?)?;
    let live = removed
        .iter()
        .filter(|row| row.deleted_at.is_none())
        .count();
    numbers.more(conn, live).await?;
    for row in &removed {
        entomb(conn, list, row, now, numbers).await?;
    }
    Ok(())
}

/// The tombstone of `row`, just removed for good: a trashed task's keeps
/// the number (and time) of its trashing, which the feed already showed as
/// its deletion; a live one's takes a new number (and is counted).
pub(super) async fn entomb(
    conn: &impl ConnectionTrait,
    list: ListId,
    row: &entity::Model,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    let (seq, deleted_at) = match row.deleted_at {
        Some(trashed_at) => (row.change_seq, trashed_at),
        None => {
            numbers.count(Counts::removed(row.done));
            (numbers.take(conn).await?, now.as_micros())
        }
    };
    changes::tombstone_in(conn, list, row.id, seq, deleted_at).await
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::db::Db;

    /// SQLite's plan of the subtree statement, as the server's own SQLite
    /// makes it (the bundled build, planning without the values).
    #[tokio::test]
    async fn the_subtree_statement_reads_only_the_subtree() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Db::connect_test_file(&dir).await;
        for reach in [Reach::Live, Reach::TrashedAt(5), Reach::All] {
            let statement = subtree_statement(DbBackend::Sqlite, ListId(1), 7, reach);
            let plan: Vec<String> = db
                .sqlite_plan(statement)
                .await
                .into_iter()
                .map(|line| line.replace("COVERING INDEX", "INDEX"))
                .collect();
            let reads_of_tasks: Vec<&String> = plan
                .iter()
                .filter(|line| line.starts_with("SCAN") || line.starts_with("SEARCH"))
                .filter(|line| !line.starts_with("SCAN s") && !line.contains(" subtree"))
                .collect();
            // The first level and each step by the subtree index (or, for
            // a subtree trashed at one instant, by the tasks trashed then:
            // the subtree itself, each request having its own instant); the
            // rows by id. Nothing walks the list's tasks or the whole table.
            let by = match reach {
                Reach::TrashedAt(_) => "idx_tasks_trashed_at (deleted_at=?)",
                _ => "idx_tasks_owner_parent_position (list_id=? AND parent_id=?)",
            };
            assert_eq!(
                reads_of_tasks,
                [
                    &format!("SEARCH tasks USING INDEX {by}"),
                    &format!("SEARCH t USING INDEX {by}"),
                    "SEARCH tasks USING INTEGER PRIMARY KEY (rowid=?)",
                ],
                "{reach:?}: {plan:#?}"
            );
        }
    }
}
