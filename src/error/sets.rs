//! Each operation's error set: the statuses it can answer with, so its part
//! of the contract lists exactly those (`Errors<S>`).

use std::marker::PhantomData;

use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{MetaResponses, Registry};

use super::ApiError;
use crate::db::DbError;

/// The statuses an operation can answer with, for its part of the contract.
pub trait ErrorSet: Send + Sync + 'static {
    const STATUSES: &'static [u16];
}

/// An `ApiError` documented, for one operation, with only the statuses of
/// `S`: each operation's contract lists exactly the errors it can return.
#[derive(Debug)]
pub struct Errors<S: ErrorSet>(pub ApiError, PhantomData<S>);

impl<S: ErrorSet> From<ApiError> for Errors<S> {
    fn from(err: ApiError) -> Self {
        Self(err, PhantomData)
    }
}

impl<S: ErrorSet> From<DbError> for Errors<S> {
    fn from(err: DbError) -> Self {
        ApiError::from(err).into()
    }
}

impl<S: ErrorSet> From<Errors<S>> for poem::Error {
    fn from(err: Errors<S>) -> Self {
        err.0.into()
    }
}

impl<S: ErrorSet> IntoResponse for Errors<S> {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

impl<S: ErrorSet> ApiResponse for Errors<S> {
    fn meta() -> MetaResponses {
        let mut meta = ApiError::meta();
        meta.responses
            .retain(|r| r.status.is_some_and(|status| S::STATUSES.contains(&status)));
        crate::api::headers::document(&mut meta, S::STATUSES.contains(&401));
        meta
    }

    fn register(registry: &mut Registry) {
        ApiError::register(registry);
    }
}

/// Declares an `ErrorSet`.
macro_rules! error_set {
    ($(#[$doc:meta])* $name:ident = [$($status:literal),*]) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;
        impl ErrorSet for $name {
            const STATUSES: &'static [u16] = &[$($status),*];
        }
    };
}

error_set!(
    /// Reading a list.
    ListErrors = [400, 401, 403, 429, 500, 503]
);
error_set!(
    /// Reading one task.
    ReadErrors = [400, 401, 403, 404, 429, 500, 503]
);
error_set!(
    /// Creating a task.
    CreateErrors = [400, 401, 403, 404, 413, 415, 422, 429, 500, 503]
);
error_set!(
    /// Replacing or patching a task.
    WriteErrors = [400, 401, 403, 404, 412, 413, 415, 429, 500, 503]
);
error_set!(
    /// Deleting a task.
    DeleteErrors = [400, 401, 403, 404, 412, 429, 500, 503]
);
error_set!(
    /// Taking a task out of the trash.
    UndeleteErrors = [400, 401, 403, 404, 409, 412, 429, 500, 503]
);
error_set!(
    /// Moving a task.
    MoveErrors = [400, 401, 403, 404, 412, 413, 415, 429, 500, 503]
);
error_set!(
    /// Listing labels.
    LabelErrors = [400, 401, 403, 429, 500, 503]
);
error_set!(
    /// A batch.
    BatchErrors = [400, 401, 403, 404, 412, 413, 415, 422, 429, 500, 503]
);
error_set!(
    /// Reading the change feed.
    FeedErrors = [400, 401, 403, 410, 429, 500, 503]
);
error_set!(
    /// Reading one list's change feed.
    ListFeedErrors = [400, 401, 403, 404, 410, 429, 500, 503]
);
error_set!(
    /// Readiness.
    ReadyErrors = [503]
);
error_set!(
    /// `GET /api/me`, `GET /api/keys`, `GET /api/owners`.
    AccountErrors = [401, 403, 429, 500, 503]
);
error_set!(
    /// `POST /api/keys`, `POST /api/owners`.
    CreateKeyErrors = [400, 401, 403, 409, 413, 415, 429, 500, 503]
);
error_set!(
    /// `DELETE /api/keys/{id}`.
    RevokeKeyErrors = [400, 401, 403, 404, 429, 500, 503]
);
error_set!(
    /// `POST /api/owners/{id}/keys`, `…/disable`, `…/enable`.
    OwnerErrors = [400, 401, 403, 404, 409, 413, 415, 429, 500, 503]
);
error_set!(
    /// Making a list.
    CreateListErrors = [400, 401, 403, 409, 413, 415, 429, 500, 503]
);
error_set!(
    /// Reading a list or its members.
    ReadListErrors = [400, 401, 403, 404, 429, 500, 503]
);
error_set!(
    /// Renaming, trashing, undeleting a list; adding, changing, removing
    /// a member.
    ListWriteErrors = [400, 401, 403, 404, 409, 412, 413, 415, 429, 500, 503]
);
