//! Queries on the `tasks` table, one file per use case: `create`, `update`,
//! `trash` (trash, undelete, purge), `batch`, and `list`; `find` here.

mod batch;
mod create;
mod list;
mod trash;
mod update;

use sea_orm::{ConnectionTrait, EntityTrait};

use super::entity::Entity;
use super::rows::one_visible_statement;
use super::{Db, DbError};
use crate::domain::{OwnerId, Task};

pub use super::write::{Expect, Outcome, Refusal};
pub use batch::{Batch, BatchFailure, BatchOp, BatchResult, batch};
pub use create::{Create, append_all, insert};
pub use list::{Page, list, list_visible};
pub use trash::{delete, purge_trash_of_every_owner, undelete};
pub use update::update;

/// The task with this id, if there is one (not in the trash) in a list
/// `owner` sees.
pub async fn find(db: &Db, owner: OwnerId, id: i64) -> Result<Option<Task>, DbError> {
    let inbox = super::lists::inbox(db, owner).await?;
    db.timed("find", async {
        let reader = db.reader();
        let statement = one_visible_statement(reader.get_database_backend(), owner, inbox, id);
        Entity::find()
            .from_raw_sql(statement)
            .one(reader)
            .await?
            .map(Task::try_from)
            .transpose()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::list::escape_like;

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
