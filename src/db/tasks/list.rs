//! Listing the tasks of a caller's lists: filters, orders, page and keyset windows.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, NullOrdering};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Select,
};

use super::super::entity::{self, Column, Entity};
use super::super::labels::{self, LabelPlan};
use super::super::lists;
use super::super::numbers;
use super::super::rows::{listed_in, live_in, readable, task_rows};
use super::super::sorted;
use super::super::{Db, DbError};
use crate::domain::OwnerId;
use crate::domain::{
    ListId, ListQuery, Parent, Position, SortField, SortKey, SortOrder, Task, Timestamp, Window,
};

/// One page of tasks.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Task>,
    /// How many tasks match the filters (page mode only: keyset pages run
    /// no COUNT).
    pub total: Option<u64>,
    /// Whether tasks follow the last one on this page.
    pub has_more: bool,
}

/// The tasks of `lists` that match `query`, in its window and order.
pub async fn list(db: &Db, lists: &[ListId], query: &ListQuery) -> Result<Page, DbError> {
    db.timed("list", listed_page(db, lists, query, None))
        .await
        .map(|(page, _)| page)
}

/// The tasks of every list `owner` sees that match `query`. A page of page
/// mode reads the lists this process last saw `owner` see (at first its
/// inbox) and checks in the same statement that they are still exactly
/// the lists it sees: a caller with one list pays no read of its lists;
/// when they changed, its lists are read and the page read again.
pub async fn list_visible(db: &Db, owner: OwnerId, query: &ListQuery) -> Result<Page, DbError> {
    db.timed("list", async move {
        if let Window::Page(_) = query.window {
            let guess = match db.known_visible(owner) {
                Some(lists) => lists,
                None => vec![lists::inbox(db, owner).await?],
            };
            if let (page, true) = listed_page(db, &guess, query, Some(owner)).await? {
                return Ok(page);
            }
        }
        let seen: Vec<ListId> = lists::visible(db.reader(), owner)
            .await?
            .into_iter()
            .map(|a| a.list)
            .collect();
        db.remember_visible(owner, seen.clone());
        Ok(listed_page(db, &seen, query, None).await?.0)
    })
    .await
}

/// The page, and whether `lists` are exactly the lists `verify` sees (true
/// when there is nothing to verify).
async fn listed_page(
    db: &Db,
    lists: &[ListId],
    query: &ListQuery,
    verify: Option<OwnerId>,
) -> Result<(Page, bool), DbError> {
    let plan = labels::plan(db, lists, &query.filters.labels).await?;
    let within = Within {
        lists,
        sorted: sorted::all_sorted(db, lists).await?,
    };
    let (rows, total, has_more, verified) = match &query.window {
        Window::Page(page) => {
            let (rows, total, verified) =
                counted_page(db, within, query, *page, &plan, verify).await?;
            let seen = ListQuery::offset(*page, query.per_page)
                .map_or(total, |offset| offset.saturating_add(rows.len() as u64));
            (rows, Some(total), seen < total, verified)
        }
        Window::After(position) => {
            let mut rows = after(db, within, query, position, &plan).await?;
            let has_more = rows.len() as u64 > query.per_page;
            rows.truncate(query.per_page as usize);
            (rows, None, has_more, verify.is_none())
        }
    };
    let items = readable(rows, Task::try_from);
    Ok((
        Page {
            items,
            total,
            has_more,
        },
        verified,
    ))
}

/// Page `page` of the tasks that match `query`, and how many match: one
/// statement (a deferred join for the page), each row carrying the total as an uncorrelated scalar
/// subquery (evaluated once), so the page and the total come from one
/// snapshot without a transaction. The total of all, done or not-done live
/// tasks is the list's count (one row); with any other filter it is a
/// COUNT over the covering index. Only a page with no rows (past the end)
/// needs the total on its own.
async fn counted_page(
    db: &Db,
    within: Within<'_>,
    query: &ListQuery,
    page: u64,
    plan: &LabelPlan,
    verify: Option<OwnerId>,
) -> Result<(Vec<entity::Model>, u64, bool), DbError> {
    let lists = within.lists;
    let filtered = filter(within, query, plan);
    let total = match query.filters.counted() {
        Some(done) => numbers::live_count(lists, done),
        None => {
            let count = filter(within, query, &LabelPlan::counting())
                .select_only()
                .expr(Expr::cust("COUNT(*)"))
                .into_query();
            Expr::SubQuery(None, Box::new(count.into()))
        }
    };
    let read_total = |row: &sea_orm::QueryResult| -> Result<u64, DbError> {
        let total: i64 = row.try_get("", "total")?;
        Ok(u64::try_from(total).unwrap_or(0))
    };
    // (lists seen, of them in `lists`): both `lists.len()` when `lists` are
    // exactly the lists `verify` sees.
    let checks = verify.map(|owner| {
        (
            lists::visible_count(owner, None),
            lists::visible_count(owner, Some(lists)),
        )
    });
    let verified = |row: &sea_orm::QueryResult| -> Result<bool, DbError> {
        if checks.is_none() {
            return Ok(true);
        }
        let seen: i64 = row.try_get("", "seen_lists")?;
        let kept: i64 = row.try_get("", "kept_lists")?;
        let n = lists.len() as i64;
        Ok(seen == n && kept == n)
    };
    if let Some(offset) = ListQuery::offset(page, query.per_page) {
        // A deferred join: the rows skipped are walked in an index, ids
        // only; just the page's rows are read whole, by rowid. (The ids
        // come from the list's tasks; an list filter out here would make
        // SQLite walk all of the list's rows instead.)
        let ids = order(filtered, query.sort, query.order)
            .select_only()
            .column(Column::Id)
            .offset(offset)
            .limit(query.per_page)
            .into_query();
        let page_rows = Entity::find().filter(Column::Id.in_subquery(ids));
        let mut statement = order(page_rows, query.sort, query.order)
            .expr_as(total.clone(), "total")
            .into_query();
        if let Some((seen, kept)) = &checks {
            statement
                .expr_as(seen.clone(), "seen_lists")
                .expr_as(kept.clone(), "kept_lists");
        }
        let rows = db.reader().query_all(&statement).await?;
        if let Some(first) = rows.first() {
            return Ok((task_rows(&rows)?, read_total(first)?, verified(first)?));
        }
    }
    // Past the end: only the total.
    let mut alone = sea_orm::sea_query::Query::select()
        .expr_as(total, "total")
        .to_owned();
    if let Some((seen, kept)) = &checks {
        alone
            .expr_as(seen.clone(), "seen_lists")
            .expr_as(kept.clone(), "kept_lists");
    }
    match db.reader().query_one(&alone).await? {
        Some(row) => Ok((Vec::new(), read_total(&row)?, verified(&row)?)),
        None => Ok((Vec::new(), 0, checks.is_none())),
    }
}

/// Keyset paging: up to `per_page + 1` tasks strictly after `position`,
/// each read an index walk from the position, whatever its depth.
async fn after(
    db: &Db,
    within: Within<'_>,
    query: &ListQuery,
    position: &Position,
    plan: &LabelPlan,
) -> Result<Vec<entity::Model>, DbError> {
    let lists = within.lists;
    let limit = query.per_page + 1;
    let base = filter(within, query, plan);
    let direction = direction(query.order);
    let beyond = |left: Expr, right: Expr| match query.order {
        SortOrder::Ascending => left.gt(right),
        SortOrder::Descending => left.lt(right),
    };
    let by_id = |select: Select<Entity>| select.order_by(Column::Id, direction.clone());
    let after_id = beyond(Expr::col(Column::Id), Expr::val(position.id));
    let key = match &position.key {
        SortKey::Int(v) => Expr::val(*v),
        SortKey::Text(v) => Expr::val(v.clone()),
        // Past the last non-null due date: only null ones remain, by id.
        SortKey::Null => {
            let nulls = base.filter(Column::DueAt.is_null()).filter(after_id);
            return Ok(by_id(nulls).limit(limit).all(db.reader()).await?);
        }
    };
    // Manual order: a re-spacing rewrites siblings' keys but never their
    // order, so the page starts right after the anchor task where it
    // stands now; the key it had when the cursor was issued serves only
    // when the anchor is gone or no longer among the listed siblings.
    let key = match query.sort {
        SortField::Position => anchored(lists, query, position.id, key),
        _ => key,
    };
    let Some(column) = sort_column(query.sort) else {
        return Ok(by_id(base.filter(after_id))
            .limit(limit)
            .all(db.reader())
            .await?);
    };
    let tuple = |a: Expr, b: Expr| Expr::tuple([a, b]);
    let keyed = base
        .clone()
        .filter(Expr::col(column).is_not_null())
        .filter(beyond(
            tuple(Expr::col(column), Expr::col(Column::Id)),
            tuple(key, Expr::val(position.id)),
        ))
        .order_by(column, direction.clone());
    let mut rows = by_id(keyed).limit(limit).all(db.reader()).await?;
    // Null due dates come after every value, in either direction.
    if query.sort == SortField::DueAt && (rows.len() as u64) < limit {
        let nulls = base.filter(Column::DueAt.is_null());
        let rest = limit - rows.len() as u64;
        rows.extend(by_id(nulls).limit(rest).all(db.reader()).await?);
    }
    Ok(rows)
}

/// The anchor task's position now (one indexed row, in the page's own
/// statement and snapshot), or `issued` when it has none among the siblings
/// the query lists.
fn anchored(lists: &[ListId], query: &ListQuery, anchor: i64, issued: Expr) -> Expr {
    let mut now = listed_in(lists)
        .select_only()
        .column(Column::Position)
        .filter(Column::Id.eq(anchor));
    match query.filters.parent.map(Parent::id) {
        None => {}
        Some(Some(parent)) => now = now.filter(Column::ParentId.eq(parent)),
        Some(None) => now = now.filter(Column::ParentId.is_null()),
    }
    let now = Expr::SubQuery(None, Box::new(now.into_query().into()));
    Func::coalesce([now, issued]).into()
}

/// The lists a listing reads, and whether they are all sorted (so that
/// its statements may walk the sort indexes: `db::sorted`).
#[derive(Clone, Copy)]
struct Within<'a> {
    lists: &'a [ListId],
    sorted: bool,
}

fn filter(within: Within<'_>, query: &ListQuery, plan: &LabelPlan) -> Select<Entity> {
    let (lists, filters) = (within.lists, &query.filters);
    let select = if filters.show_deleted {
        listed_in(lists)
    } else {
        live_in(lists)
    };
    let mut select = sorted::indexed(select, within.sorted);
    if let Some(done) = filters.done {
        select = select.filter(Column::Done.eq(done));
    }
    match filters.parent.map(Parent::id) {
        None => {}
        Some(Some(parent)) => select = select.filter(Column::ParentId.eq(parent)),
        Some(None) => select = select.filter(Column::ParentId.is_null()),
    }
    for (index, label) in filters.labels.iter().enumerate() {
        select = select.filter(if plan.listed(index) {
            labels::labelled(lists, label)
        } else {
            labels::carried(label)
        });
    }
    let micros = |t: Option<Timestamp>| t.map(Timestamp::as_micros);
    if let Some(since) = micros(filters.updated_since) {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    if let Some(before) = micros(filters.updated_before) {
        select = select.filter(Column::UpdatedAt.lt(before));
    }
    if let Some(after) = micros(filters.due_after) {
        select = select.filter(Column::DueAt.gte(after));
    }
    if let Some(before) = micros(filters.due_before) {
        select = select.filter(Column::DueAt.lt(before));
    }
    if let Some(q) = &filters.q {
        let pattern = format!("%{}%", escape_like(&q.to_ascii_lowercase()));
        select = select.filter(
            Expr::expr(Func::lower(Expr::col(Column::Title)))
                .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    select
}

/// Makes `%`, `_` and `\` match only themselves in a LIKE pattern.
pub(super) fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

fn direction(order: SortOrder) -> sea_orm::Order {
    match order {
        SortOrder::Ascending => sea_orm::Order::Asc,
        SortOrder::Descending => sea_orm::Order::Desc,
    }
}

/// The column a sort orders by before the id (`None` for the id itself).
fn sort_column(field: SortField) -> Option<Column> {
    match field {
        SortField::Id => None,
        SortField::CreatedAt => Some(Column::CreatedAt),
        SortField::UpdatedAt => Some(Column::UpdatedAt),
        SortField::DueAt => Some(Column::DueAt),
        SortField::Title => Some(Column::Title),
        SortField::Position => Some(Column::Position),
    }
}

fn order(select: Select<Entity>, field: SortField, order: SortOrder) -> Select<Entity> {
    let direction = direction(order);
    let select = match sort_column(field) {
        None => select,
        // Tasks with no due date come last in both directions.
        Some(Column::DueAt) => {
            select.order_by_with_nulls(Column::DueAt, direction.clone(), NullOrdering::Last)
        }
        Some(column) => select.order_by(column, direction.clone()),
    };
    select.order_by(Column::Id, direction)
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, QueryTrait};

    use super::*;
    use crate::domain::Filters;

    /// SQLite's plan of a page's ids, as the server's own SQLite makes it:
    /// a sorted list's walks its sort index, a small list's reads the
    /// list's tasks and sorts them, never the whole table (db::sorted).
    #[tokio::test]
    async fn a_sorted_lists_pages_walk_its_sort_indexes() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Db::connect_test_file(&dir).await;
        let lists = [ListId(1)];
        let cases = [
            (SortField::CreatedAt, None, "idx_tasks_sorted_created_at_id"),
            (SortField::UpdatedAt, None, "idx_tasks_sorted_updated_at_id"),
            (SortField::DueAt, None, "idx_tasks_sorted_due_at_id"),
            (SortField::Title, None, "idx_tasks_sorted_title_id"),
            (SortField::Id, Some(true), "idx_tasks_sorted_live_done "),
            (SortField::Id, None, "idx_tasks_sorted_live "),
        ];
        for (sort, done, index) in cases {
            let query = ListQuery {
                window: Window::Page(3),
                per_page: 20,
                filters: Filters {
                    done,
                    ..Filters::default()
                },
                sort,
                order: SortOrder::Descending,
            };
            for sorted in [true, false] {
                let within = Within {
                    lists: &lists,
                    sorted,
                };
                let plan = LabelPlan::counting();
                let ids = order(filter(within, &query, &plan), sort, query.order)
                    .select_only()
                    .column(Column::Id)
                    .limit(20)
                    .build(DbBackend::Sqlite);
                let plan = db.sqlite_plan(ids).await;
                let walks = plan.iter().any(|line| line.contains(index));
                let sorts = plan.iter().any(|line| line.contains("TEMP B-TREE"));
                // A small list's: its tasks by the feed's index, sorted.
                let by_list = plan.iter().any(|line| {
                    line.starts_with("SEARCH tasks USING") && line.contains("(list_id=?")
                });
                assert!(by_list, "{sort:?} {sorted}: {plan:#?}");
                assert_eq!(
                    (walks, sorts),
                    (sorted, !sorted),
                    "{sort:?} {sorted}: {plan:#?}"
                );
            }
        }
    }
}
