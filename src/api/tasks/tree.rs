//! `/api/tasks/{id}/move` (subtasks and manual order) and `/api/labels`.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::types::Example;
use poem_openapi::{ApiResponse, Object, OpenApi, Union};
use serde_json::{Map, Value};

use super::item::answered;
use super::{ApiTags, Task, examples, task_id};
use crate::api::access::{allowed, no_such_list, on_task, read_lists, task_scope};
use crate::api::body::{Field, JsonBody, JsonInput, member};
use crate::api::conditional;
use crate::api::params::{Lenient, RawHeader};
use crate::api::types::NoId;
use crate::auth::scope::Scope;
use crate::auth::{Owner, RateLimited};
use crate::db::{self, Db};
use crate::domain::{Anchor, Label, ListId, Placement, Role, Timestamp};
use crate::error::{ApiError, Errors, FieldError, LabelErrors, MoveErrors};
use crate::payload::{JSON, Json, JsonText};

/// Where to move a task: right after a sibling (`after_id`), right
/// before one (`before_id`), or, with neither, last among its siblings.
/// `after_id` and `before_id` together are refused: exactly one of the
/// three shapes matches a body. `parent_id` is the new parent, a task id
/// or `null` for the top level; left out, the task keeps its parent. It
/// must be the owner's task, not in the trash, not the task itself or one
/// of its subtasks, with fewer than 1,000 subtasks, and the moved subtree
/// must stay within 5 levels. `list_id` moves the task with its whole
/// subtree to another list (the caller must be an editor of both): at
/// the top level there unless `parent_id` names a task of that list.
#[derive(Union)]
#[oai(one_of)]
pub(super) enum TaskMove {
    After(MoveAfter),
    Before(MoveBefore),
    Last(MoveLast),
}

/// Right after a sibling.
#[derive(Object)]
#[oai(example)]
pub(super) struct MoveAfter {
    /// The new parent: a task id, or `null` for the top level; left out:
    /// the task's parent.
    #[oai(nullable)]
    parent_id: Option<i64>,
    /// Another list to move the task (and its subtasks) to.
    #[oai(skip_serializing_if_is_none)]
    list_id: Option<i64>,
    /// Place the task right after this sibling (a task under the new
    /// parent).
    after_id: i64,
    /// Not with `after_id`: left out or `null`.
    #[oai(nullable)]
    before_id: Option<NoId>,
}

/// Right before a sibling.
#[derive(Object)]
#[oai(example)]
pub(super) struct MoveBefore {
    /// The new parent: a task id, or `null` for the top level; left out:
    /// the task's parent.
    #[oai(nullable)]
    parent_id: Option<i64>,
    /// Another list to move the task (and its subtasks) to.
    #[oai(skip_serializing_if_is_none)]
    list_id: Option<i64>,
    /// Not with `before_id`: left out or `null`.
    #[oai(nullable)]
    after_id: Option<NoId>,
    /// Place the task right before this sibling (a task under the new
    /// parent).
    before_id: i64,
}

/// Last among the siblings.
#[derive(Object)]
#[oai(example)]
pub(super) struct MoveLast {
    /// The new parent: a task id, or `null` for the top level; left out:
    /// the task's parent.
    #[oai(nullable)]
    parent_id: Option<i64>,
    /// Another list to move the task (and its subtasks) to.
    #[oai(skip_serializing_if_is_none)]
    list_id: Option<i64>,
    /// Left out or `null`.
    #[oai(nullable)]
    after_id: Option<NoId>,
    /// Left out or `null`.
    #[oai(nullable)]
    before_id: Option<NoId>,
}

impl Example for MoveAfter {
    fn example() -> Self {
        Self {
            parent_id: Some(examples::PARENT),
            list_id: None,
            after_id: examples::ID + 1,
            before_id: None,
        }
    }
}

impl Example for MoveBefore {
    fn example() -> Self {
        Self {
            parent_id: Some(examples::PARENT),
            list_id: None,
            after_id: None,
            before_id: examples::ID + 1,
        }
    }
}

/// To the top level, last.
impl Example for MoveLast {
    fn example() -> Self {
        Self {
            parent_id: None,
            list_id: None,
            after_id: None,
            before_id: None,
        }
    }
}

impl Example for LabelList {
    fn example() -> Self {
        let count = |name, tasks| LabelCount {
            name: Label::from_stored(name),
            tasks,
        };
        Self {
            labels: vec![count("errand", 3), count("travel", 12)],
        }
    }
}

fn id_member(object: &Map<String, Value>, name: &str, errors: &mut Vec<FieldError>) -> Field<i64> {
    member(object, name, errors, |v| {
        v.as_i64()
            .ok_or("must be an integer (int64) or null".into())
    })
}

impl JsonInput for TaskMove {
    type Output = Placement;
    const MEDIA_TYPES: &'static [&'static str] = &[JSON];

    fn from_json(object: &Map<String, Value>) -> Result<Placement, Vec<FieldError>> {
        let mut errors = Vec::new();
        let parent = match id_member(object, "parent_id", &mut errors) {
            Field::Absent | Field::Invalid => None,
            Field::Null => Some(None),
            Field::Value(id) => Some(Some(id)),
        };
        let list = match member(object, "list_id", &mut errors, |v| {
            v.as_i64().ok_or("must be an integer (int64)".into())
        }) {
            Field::Value(id) => Some(ListId(id)),
            Field::Null => {
                errors.push(FieldError::body("list_id", "must not be null"));
                None
            }
            Field::Absent | Field::Invalid => None,
        };
        let after = id_member(object, "after_id", &mut errors);
        let before = id_member(object, "before_id", &mut errors);
        let anchor = match (after, before) {
            (Field::Value(_), Field::Value(_)) => {
                for name in ["after_id", "before_id"] {
                    errors.push(FieldError::body(
                        name,
                        "give only one of after_id and before_id",
                    ));
                }
                Anchor::Last
            }
            (Field::Value(id), _) => Anchor::After(id),
            (_, Field::Value(id)) => Anchor::Before(id),
            _ => Anchor::Last,
        };
        if errors.is_empty() {
            Ok(Placement {
                parent,
                anchor,
                list,
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(ApiResponse)]
enum MoveTaskResponse {
    /// The task in its new place (a new ETag; unchanged if it was there
    /// already).
    #[oai(status = 200)]
    Ok(
        JsonText<Task>,
        /// The task's strong entity tag.
        #[oai(header = "ETag")]
        String,
    ),
}

/// One of the owner's labels.
#[derive(Object, Debug, Clone, PartialEq)]
pub(super) struct LabelCount {
    /// The label, in lower case.
    pub name: Label,
    /// How many of the owner's tasks (not in the trash) carry it.
    pub tasks: u64,
}

/// The owner's labels.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub(super) struct LabelList {
    /// Every label a task of the owner (not in the trash) carries, by name.
    pub labels: Vec<LabelCount>,
}

#[derive(ApiResponse)]
enum ListLabelsResponse {
    /// The labels with their counts.
    #[oai(status = 200)]
    Ok(Json<LabelList>),
}

/// `POST` on `/api/tasks/{id}/move` and `GET` on `/api/labels`.
#[derive(Default)]
pub struct TreeApi;

#[OpenApi(tag = "ApiTags::Tasks")]
impl TreeApi {
    /// Move a task
    ///
    /// Puts the task under another parent and/or in another place among its
    /// siblings: right after `after_id`, right before `before_id`, or last.
    /// One write whatever the number of siblings; concurrent moves are
    /// applied one after the other, so every client ends with one order.
    /// Its subtasks move with it. With `If-Match`, only if the task still
    /// has that ETag.
    #[oai(
        path = "/api/tasks/:id/move",
        method = "post",
        operation_id = "move_task"
    )]
    async fn move_task(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// The task's id.
        #[oai(example = "super::examples::task_id")]
        id: Path<Lenient<i64>>,
        /// Move only if the task's current ETag is one of these (or `*`).
        #[oai(name = "If-Match")]
        if_match: RawHeader,
        body: JsonBody<TaskMove>,
    ) -> Result<RateLimited<MoveTaskResponse>, Errors<MoveErrors>> {
        let id = task_id(id.0)?;
        let expect = conditional::expect(&if_match, id);
        let now = Timestamp::now();
        let placement = body.value;
        let outcome = match placement.list {
            // To another list: the task's own list first, then the target
            // (checked again in the move's transaction).
            Some(target) => {
                let scope = task_scope(&db, owner.0, id, Role::Editor, expect.as_ref()).await?;
                if target != scope.list {
                    match db::lists::of_list(db.reader(), owner.0, target, false).await? {
                        Some(access) => {
                            allowed(access, Role::Editor)?;
                        }
                        None => return Err(no_such_list("list_id", target.0, true).into()),
                    }
                }
                db::tree::move_task(&db, scope, id, placement, expect.clone(), now).await?
            }
            None => {
                on_task(&db, owner.0, id, expect.as_ref(), |scope| {
                    db::tree::move_task(&db, scope, id, placement, expect.clone(), now)
                })
                .await?
            }
        };
        let (body, tag) = answered(id, expect.as_ref(), outcome)?;
        Ok(RateLimited(MoveTaskResponse::Ok(body, tag)))
    }

    /// List labels
    ///
    /// Every label on the tasks (not in the trash) of the lists the caller
    /// sees, or of one list, by name, with how many tasks carry it.
    #[oai(path = "/api/labels", method = "get", operation_id = "list_labels")]
    async fn list_labels(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksRead")] owner: Owner,
        /// Only the labels of this list's tasks.
        list_id: Query<Option<Lenient<i64>>>,
    ) -> Result<RateLimited<ListLabelsResponse>, Errors<LabelErrors>> {
        let mut errors = Vec::new();
        let list_id = list_id.0.and_then(|l| {
            l.check("list_id", "must be a list id", &mut errors, |id| {
                (id > 0).then_some(id).ok_or("must be a list id")
            })
        });
        if !errors.is_empty() {
            return Err(ApiError::validation(errors).into());
        }
        let lists = read_lists(&db, owner.0, list_id).await?;
        let counts = db::labels::counts(&db, &lists).await?;
        let labels = counts
            .into_iter()
            .map(|count| LabelCount {
                name: count.label,
                tasks: count.tasks,
            })
            .collect();
        Ok(RateLimited(ListLabelsResponse::Ok(Json(LabelList {
            labels,
        }))))
    }
}
