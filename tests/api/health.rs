//! Liveness and readiness.

use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_is_200() {
    let app = spawn_app().await;
    let reply = app.get("/healthz").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ok");
}

#[tokio::test]
async fn readyz_is_200_when_the_database_takes_writes() {
    let app = spawn_app().await;
    let reply = app.get("/readyz").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn a_database_locked_past_the_busy_timeout_gives_503_with_retry_after_then_recovers() {
    use sea_orm::sqlx::{Connection, Executor, SqliteConnection};
    let app = crate::helpers::spawn_app_with(|c| c.sqlite_busy_timeout_ms = 200).await;
    // SQLite's write lock; PostgreSQL has row locks instead (see the fault
    // suite and scripts for its outage behaviour).
    let Some(path) = &app.db_path else { return };

    // Another process-like connection takes the write lock and keeps it.
    let url = format!("sqlite://{}", path.display());
    let mut other = SqliteConnection::connect(&url).await.expect("connect");
    other.execute("BEGIN IMMEDIATE").await.expect("lock");

    let ready = app.get("/readyz").await;
    ready.problem(503);
    assert!(ready.header("retry-after").is_some(), "no Retry-After");
    let write = app
        .post_task(&serde_json::json!({ "title": "blocked" }))
        .await;
    write.problem(503);
    assert!(write.header("retry-after").is_some(), "no Retry-After");
    // Reads still work under WAL.
    assert_eq!(app.get("/api/tasks").await.status, 200);

    other.execute("ROLLBACK").await.expect("unlock");
    assert_eq!(app.get("/readyz").await.status, 200);
    let reply = app
        .post_task(&serde_json::json!({ "title": "after" }))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[tokio::test]
async fn a_postgres_database_refusing_connections_gives_503_with_retry_after_then_recovers() {
    use sea_orm::sqlx::{Connection, Executor, PgConnection};
    let app = crate::helpers::spawn_app_with(|c| c.db_connect_timeout_secs = 2).await;
    // PostgreSQL only: SQLite has no server that can refuse a connection
    // (the test above covers its locked database).
    let Some(server) = crate::helpers::postgres() else {
        return;
    };
    app.create("before").await;
    let name = app.database_url.rsplit('/').next().expect("database name");
    let mut admin = PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("connect as admin");
    let sql = |text: String| sea_orm::sqlx::raw_sql(sea_orm::sqlx::AssertSqlSafe(text));
    // The name is made by the helpers from digits, so it is safe SQL.
    admin
        .execute(sql(format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        )))
        .await
        .expect("refuse connections");
    // A connection the pool was opening as the database closed may have
    // missed the first round (a backend starting up has no datname yet):
    // terminate until none is left.
    for _ in 0..50 {
        let left: i64 = sea_orm::sqlx::query_scalar(sea_orm::sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'"
        )))
        .fetch_one(&mut admin)
        .await
        .expect("count backends");
        if left == 0 {
            break;
        }
        admin
            .execute(sql(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            )))
            .await
            .expect("terminate");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    for reply in [
        app.get("/api/tasks").await,
        app.get("/api/tasks/1").await,
        app.post_task(&serde_json::json!({ "title": "refused" }))
            .await,
        app.get("/readyz").await,
    ] {
        reply.problem(503);
        assert!(reply.header("retry-after").is_some(), "no Retry-After");
    }

    admin
        .execute(sql(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")))
        .await
        .expect("allow connections");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut status = app.get("/api/tasks").await.status;
    while status != 200 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        status = app.get("/api/tasks").await.status;
    }
    assert_eq!(status, 200, "did not recover by itself");
    let reply = app
        .post_task(&serde_json::json!({ "title": "after" }))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}
