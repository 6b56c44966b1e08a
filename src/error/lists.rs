//! The problems of lists and sharing: a list the caller does not see, a
//! role it lacks, an owner named that does not exist, a stale list ETag.

use poem::http::StatusCode;

use super::{ApiError, problem};

impl ApiError {
    /// No list the caller sees has this id.
    pub fn list_not_found(id: i64) -> Self {
        Self::NotFound(problem(
            StatusCode::NOT_FOUND,
            "list-not-found",
            "List not found",
            format!("there is no list with id {id}"),
        ))
    }

    /// No owner has this id or name.
    pub fn owner_named_not_found(name: &str) -> Self {
        Self::NotFound(problem(
            StatusCode::NOT_FOUND,
            "owner-not-found",
            "Owner not found",
            format!("there is no owner {name:?}"),
        ))
    }

    /// A list's `If-Match` names another version (or the list is gone).
    pub fn list_precondition_failed(id: i64) -> Self {
        Self::PreconditionFailed(problem(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "Precondition failed",
            format!(
                "list {id} does not have the ETag given in If-Match (or no longer exists); \
                 nothing was changed: GET the list for its current ETag"
            ),
        ))
    }

    /// The caller is a member of `list` without the role this needs.
    pub fn role_needed(needed: crate::domain::Role, list: i64) -> Self {
        Self::Forbidden(
            problem(
                StatusCode::FORBIDDEN,
                "role-needed",
                "Role needed",
                format!(
                    "this needs the role {} (or a higher one) on list {list}, which you do not hold",
                    needed.as_str()
                ),
            ),
            None,
        )
    }
}
