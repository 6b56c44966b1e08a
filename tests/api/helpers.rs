//! `spawn_app()` and typed helpers for the common calls.

use std::sync::Arc;

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use tasks_api::config::Config;
use tasks_api::db::Db;
use tasks_api::startup::Application;
use tempfile::TempDir;

/// A server and a client that speaks to it as one owner (with its key).
#[derive(Clone)]
pub(crate) struct TestApp {
    pub base: String,
    /// Sends this owner's key on every request.
    pub client: Client,
    /// The owner's API key.
    pub key: String,
    /// The database this server uses (a fresh one per test).
    pub database_url: String,
    /// The SQLite file, when the backend is SQLite.
    pub db_path: Option<std::path::PathBuf>,
    pub config: Arc<Config>,
    /// `http://…` of `/metrics`'s own listener, with `--metrics-bind`.
    pub metrics_base: Option<String>,
    _dir: Arc<TempDir>,
}

/// A client that sends `key` as a bearer token on every request.
pub(crate) fn client_with_key(key: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = format!("Bearer {key}").parse().expect("header value");
    headers.insert(reqwest::header::AUTHORIZATION, value);
    Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

/// The PostgreSQL server to run the suite against (`postgres://user@host:port`),
/// or `None` for SQLite: `TEST_DATABASE_URL`.
pub(crate) fn postgres() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres"))
}

/// A fresh, empty database: a new SQLite file, or a new PostgreSQL database.
pub(crate) async fn fresh_database(dir: &TempDir) -> (String, Option<std::path::PathBuf>) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    match postgres() {
        None => {
            let path = dir.path().join("tasks.db");
            (format!("sqlite://{}", path.display()), Some(path))
        }
        Some(server) => {
            use sea_orm::sqlx::{Connection, Executor, PgConnection};
            let name = format!(
                "test_{}_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or_default()
            );
            let mut admin = PgConnection::connect(&format!("{server}/postgres"))
                .await
                .expect("connect to PostgreSQL");
            static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
            if !SWEPT.swap(true, Ordering::Relaxed) {
                drop_finished_runs(&mut admin).await;
            }
            // The name is made here from digits, so it is safe SQL.
            let create = sea_orm::sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"));
            admin
                .execute(sea_orm::sqlx::raw_sql(create))
                .await
                .expect("create a test database");
            (format!("{server}/{name}"), None)
        }
    }
}

/// Drops the test databases of runs that have ended (`test_<pid>_…` whose
/// process is gone), so a developer's own PostgreSQL server does not
/// collect one database per test. Only where `/proc` tells which
/// processes run.
async fn drop_finished_runs(admin: &mut sea_orm::sqlx::PgConnection) {
    use sea_orm::sqlx::Executor;
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let names: Vec<(String,)> =
        sea_orm::sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    for (name,) in names {
        let pid = name
            .split('_')
            .nth(1)
            .and_then(|pid| pid.parse::<u32>().ok());
        let finished = pid.is_some_and(|pid| {
            pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        });
        // Names are checked to be `test_<digits>_…` made by this helper:
        // letters, digits and `_` only, so safe SQL.
        if finished && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let drop = sea_orm::sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"));
            // Best effort: a database still in use stays for the next run.
            let _ = admin.execute(sea_orm::sqlx::raw_sql(drop)).await;
        }
    }
}

/// A server on a random port with a fresh database of its own.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with the configuration adjusted by `adjust`.
pub(crate) async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let (url, path) = fresh_database(&dir).await;
    start(dir, url, path, adjust).await
}

/// A second server on the database of another.
pub(crate) async fn spawn_app_on(other: &TestApp) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    start(
        dir,
        other.database_url.clone(),
        other.db_path.clone(),
        |_| {},
    )
    .await
}

/// A server on the database at `url` (in `dir`), as it is.
pub(crate) async fn spawn_app_at(
    dir: TempDir,
    url: String,
    db_path: Option<std::path::PathBuf>,
) -> TestApp {
    start(dir, url, db_path, |_| {}).await
}

async fn start(
    dir: TempDir,
    url: String,
    db_path: Option<std::path::PathBuf>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let mut config = Config::for_database(url.clone());
    config.bind = "127.0.0.1:0".to_owned();
    // Tests make requests as fast as they can; the rate-limit tests set
    // their own limits.
    config.rate_limit_per_sec = 1e9;
    config.rate_limit_burst = 1e9;
    adjust(&mut config);
    let app = Application::build(config.clone())
        .await
        .expect("app builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let first_key = app.first_key().map(str::to_owned);
    let metrics_base = app.metrics_addr().map(|addr| format!("http://{addr}"));
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let mut test_app = TestApp {
        base,
        client: Client::new(),
        key: String::new(),
        database_url: url,
        db_path,
        config: Arc::new(config),
        metrics_base,
        _dir: Arc::new(dir),
    };
    // A server on a fresh database made a first key; a second server on the
    // same database did not: it gets a key of its own for the same owner.
    let key = match first_key {
        Some(key) => key,
        None => test_app.make_key("default").await,
    };
    test_app.client = client_with_key(&key);
    test_app.key = key;
    test_app
}

impl TestApp {
    /// The database, as the server's configuration connects to it.
    pub(crate) async fn db(&self) -> Db {
        Db::connect(&self.config.db_settings(), None)
            .await
            .expect("connect")
    }

    /// A new key with every scope for the owner named `owner` (created if
    /// new).
    pub(crate) async fn make_key(&self, owner: &str) -> String {
        self.make_key_with(owner, tasks_api::auth::store::Grant::everything())
            .await
    }

    /// A new key for the owner named `owner` (created if new), holding
    /// `grant`.
    pub(crate) async fn make_key_with(
        &self,
        owner: &str,
        grant: tasks_api::auth::store::Grant,
    ) -> String {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("test key {}", NEXT.fetch_add(1, Ordering::Relaxed));
        tasks_api::auth::store::create_key(&self.db().await, owner, &name, true, grant)
            .await
            .expect("make a key")
    }

    /// The same server, spoken to as the owner named `owner` (a new one,
    /// unless it exists).
    pub(crate) async fn as_owner(&self, owner: &str) -> TestApp {
        let key = self.make_key(owner).await;
        self.with_key(&key)
    }

    /// The same server, spoken to with `key` (valid or not).
    pub(crate) fn with_key(&self, key: &str) -> TestApp {
        TestApp {
            client: client_with_key(key),
            key: key.to_owned(),
            ..self.clone()
        }
    }

    /// The same server, spoken to with no key at all.
    pub(crate) fn anonymous(&self) -> TestApp {
        TestApp {
            client: Client::new(),
            key: String::new(),
            ..self.clone()
        }
    }
}

/// A response with its body read: status, headers and JSON (if any).
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub(crate) async fn from(resp: Response) -> Self {
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        Self {
            status,
            headers,
            text,
        }
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts this is a problem+json response with `status`, and returns
    /// the problem.
    pub(crate) fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "status; body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "content type; body: {}",
            self.text
        );
        let body = self.json();
        assert_eq!(body["status"], status, "problem status: {body}");
        for member in ["type", "title", "detail"] {
            assert!(body[member].is_string(), "problem lacks {member}: {body}");
        }
        body
    }

    /// The `errors` of a 400 validation problem as (name, detail) pairs,
    /// where name is `#/field` for body members or the parameter name.
    pub(crate) fn field_errors(&self) -> Vec<(String, String)> {
        let body = self.problem(400);
        body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors list: {body}"))
            .iter()
            .map(|e| {
                let name = e["pointer"].as_str().or(e["parameter"].as_str());
                (
                    name.unwrap_or_else(|| panic!("error names nothing: {e}"))
                        .to_owned(),
                    e["detail"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Names of the invalid fields.
    pub(crate) fn invalid_fields(&self) -> Vec<String> {
        self.field_errors().into_iter().map(|(n, _)| n).collect()
    }
}

impl TestApp {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub(crate) async fn request(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(body) = body {
            req = req.body(body);
        }
        Reply::from(req.send().await.expect("request sent")).await
    }

    /// `method` on `path` with an optional JSON body and one optional
    /// extra header.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        header: Option<(&str, &str)>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        if let Some((name, value)) = header {
            req = req.header(name, value);
        }
        Reply::from(req.send().await.expect("request sent")).await
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, None).await
    }

    pub(crate) async fn send_json(&self, method: Method, path: &str, body: &Value) -> Reply {
        self.request(
            method,
            path,
            Some("application/json"),
            Some(body.to_string()),
        )
        .await
    }

    pub(crate) async fn post_task(&self, body: &Value) -> Reply {
        self.send_json(Method::POST, "/api/tasks", body).await
    }

    pub(crate) async fn put_task(&self, id: i64, body: &Value) -> Reply {
        self.send_json(Method::PUT, &format!("/api/tasks/{id}"), body)
            .await
    }

    pub(crate) async fn patch_task(&self, id: i64, body: &Value) -> Reply {
        self.request(
            Method::PATCH,
            &format!("/api/tasks/{id}"),
            Some("application/merge-patch+json"),
            Some(body.to_string()),
        )
        .await
    }

    pub(crate) async fn delete_task(&self, id: i64) -> Reply {
        self.request(Method::DELETE, &format!("/api/tasks/{id}"), None, None)
            .await
    }

    pub(crate) async fn get_task(&self, id: i64) -> Reply {
        self.get(&format!("/api/tasks/{id}")).await
    }

    /// Creates a task with this title and returns its body.
    pub(crate) async fn create(&self, title: &str) -> Value {
        self.create_with(json!({ "title": title })).await
    }

    pub(crate) async fn create_with(&self, body: Value) -> Value {
        let reply = self.post_task(&body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json()
    }

    /// Titles of the items of a list response.
    pub(crate) async fn titles(&self, query: &str) -> Vec<String> {
        let reply = self.get(&format!("/api/tasks?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text);
        titles_of(&reply.json())
    }
}

pub(crate) fn titles_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["title"].as_str().expect("title").to_owned())
        .collect()
}

/// Ids of the items of a list response, in order.
pub(crate) fn ids_of(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id_of)
        .collect()
}

pub(crate) fn id_of(task: &Value) -> i64 {
    task["id"].as_i64().expect("id")
}

impl TestApp {
    /// PUT a valid body to a raw path (for malformed ids).
    pub(crate) async fn put_task_raw(&self, path: &str) -> Reply {
        self.send_json(Method::PUT, path, &json!({ "title": "x" }))
            .await
    }
}

/// A draft of a top-level task titled `title`, for the tests that write
/// through the database layer directly.
pub(crate) fn draft(title: &str) -> tasks_api::domain::TaskDraft {
    tasks_api::domain::TaskDraft {
        title: tasks_api::domain::Title::parse(title).expect("title"),
        description: None,
        done: false,
        due_at: None,
        labels: Default::default(),
        parent_id: None,
        list_id: None,
    }
}
