//! The decided stack used plainly, as a yardstick for tasks-api: poem-openapi
//! typed operations, sea-orm's ordinary queries on sqlx-sqlite pools (WAL,
//! synchronous=NORMAL, one writer, four readers), jemalloc and the same
//! SQLite build flags (the repository's .cargo/config.toml), and nothing
//! else: no middleware, no owners, no ETags, no problem+json (poem-openapi's
//! plain-text 400), no RFC 3339 times. What a request costs here is what
//! the stack costs before any of tasks-api's features; scripts/bench.sh runs
//! it beside the ceiling and tasks-api. Not part of the product, not built
//! by CI.
//!
//! Serves what the side-by-side harness asks for: `GET /api/tasks?page&per_page`,
//! `GET /api/tasks/{id}`, `POST /api/tasks` (201, or 400 for an empty title).
use poem::{Route, Server, listener::TcpListener};
use poem_openapi::{
    ApiResponse, Object, OpenApi, OpenApiService,
    param::{Path, Query},
    payload::Json,
};
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryOrder, QuerySelect, Set,
};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod task {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tasks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub title: String,
        pub description: Option<String>,
        pub done: bool,
        pub created_at: i64,
        pub updated_at: i64,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Object)]
struct NewTask {
    #[oai(validator(min_length = 1, max_length = 200))]
    title: String,
    description: Option<String>,
    done: Option<bool>,
}

#[derive(Object)]
struct Task {
    id: i64,
    title: String,
    description: Option<String>,
    done: bool,
    created_at: i64,
    updated_at: i64,
}

impl From<task::Model> for Task {
    fn from(m: task::Model) -> Self {
        Task {
            id: m.id,
            title: m.title,
            description: m.description,
            done: m.done,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(ApiResponse)]
enum GetResp {
    #[oai(status = 200)]
    Ok(Json<Task>),
    #[oai(status = 404)]
    NotFound,
    #[oai(status = 500)]
    Fail,
}

#[derive(Object)]
struct Page {
    items: Vec<Task>,
    total: u64,
}

#[derive(ApiResponse)]
enum ListResp {
    #[oai(status = 200)]
    Ok(Json<Page>),
    #[oai(status = 500)]
    Fail,
}

#[derive(ApiResponse)]
enum CreateResp {
    #[oai(status = 201)]
    Created(Json<Task>),
    #[oai(status = 500)]
    Fail,
}

struct Api {
    read: DatabaseConnection,
    write: DatabaseConnection,
}

#[OpenApi]
impl Api {
    #[oai(path = "/tasks/:id", method = "get")]
    async fn get(&self, id: Path<i64>) -> GetResp {
        match task::Entity::find_by_id(id.0).one(&self.read).await {
            Ok(Some(m)) => GetResp::Ok(Json(m.into())),
            Ok(None) => GetResp::NotFound,
            Err(_) => GetResp::Fail,
        }
    }

    #[oai(path = "/tasks", method = "get")]
    async fn list(&self, page: Query<Option<u64>>, per_page: Query<Option<u64>>) -> ListResp {
        let per = per_page.0.unwrap_or(20).clamp(1, 100);
        let page = page.0.unwrap_or(1).max(1);
        let items = task::Entity::find()
            .order_by_asc(task::Column::Id)
            .offset((page - 1) * per)
            .limit(per)
            .all(&self.read);
        let total = task::Entity::find().count(&self.read);
        match (items.await, total.await) {
            (Ok(items), Ok(total)) => ListResp::Ok(Json(Page {
                items: items.into_iter().map(Into::into).collect(),
                total,
            })),
            _ => ListResp::Fail,
        }
    }

    #[oai(path = "/tasks", method = "post")]
    async fn create(&self, body: Json<NewTask>) -> CreateResp {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0);
        let m = task::ActiveModel {
            title: Set(body.0.title),
            description: Set(body.0.description),
            done: Set(body.0.done.unwrap_or(false)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        match m.insert(&self.write).await {
            Ok(m) => CreateResp::Created(Json(m.into())),
            Err(_) => CreateResp::Fail,
        }
    }
}

fn opts(url: &str, n: u32) -> ConnectOptions {
    let mut o = ConnectOptions::new(url.to_owned());
    o.max_connections(n)
        .min_connections(n)
        .sqlx_logging(false)
        .test_before_acquire(false);
    o.map_sqlx_sqlite_opts(|s| {
        s.create_if_missing(true)
            .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(5))
    });
    o
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    let url = std::env::var("DATABASE_URL")?;
    let write = Database::connect(opts(&url, 1)).await?;
    write.execute_unprepared("CREATE TABLE IF NOT EXISTS tasks (id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT, done BOOLEAN NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)").await?;
    let read = Database::connect(opts(&url, 4)).await?;
    let api = OpenApiService::new(Api { read, write }, "bare", "0").server("/api");
    Server::new(TcpListener::bind(format!("127.0.0.1:{port}")))
        .run(Route::new().nest("/api", api))
        .await?;
    Ok(())
}
