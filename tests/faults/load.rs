//! Concurrent writers, and two processes on one database.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::{client, get_json, post_json, start, temp_db};

#[tokio::test]
async fn thirty_two_writers_create_eight_hundred_tasks_without_a_5xx() {
    let (_dir, db) = temp_db();
    let server = start(&db, &[]);
    let started = std::time::Instant::now();
    let mut writers = Vec::new();
    for w in 0..32 {
        let (client, base) = (client(), server.base());
        writers.push(tokio::spawn(async move {
            let mut results = Vec::new();
            for i in 0..25 {
                let resp = client
                    .post(format!("{base}/api/tasks"))
                    .json(&json!({ "title": format!("w{w} #{i}") }))
                    .send()
                    .await
                    .expect("sent");
                let status = resp.status().as_u16();
                let body: Value = resp.json().await.unwrap_or(Value::Null);
                results.push((status, body["id"].as_i64()));
            }
            results
        }));
    }
    let mut ids = BTreeSet::new();
    let mut statuses = std::collections::BTreeMap::new();
    for writer in writers {
        for (status, id) in writer.await.expect("join") {
            *statuses.entry(status).or_insert(0) += 1;
            if let Some(id) = id {
                ids.insert(id);
            }
        }
    }
    let elapsed = started.elapsed();
    println!(
        "32 x 25 creates: statuses {statuses:?}, {} distinct ids, {elapsed:?}",
        ids.len()
    );
    assert_eq!(statuses.get(&201), Some(&800), "{statuses:?}");
    assert_eq!(ids.len(), 800);
    let page = get_json(&client(), &format!("{}/api/tasks", server.base())).await;
    assert_eq!(page["total"], 800);
    let log = server.log_text();
    assert!(!log.contains("database is locked"), "{log}");
}

#[tokio::test]
async fn two_processes_on_one_file_serve_one_data_set_without_lost_updates() {
    let (_dir, db) = temp_db();
    let a = start(&db, &[]);
    let b = start(&db, &[]);
    let http = client();

    let created = post_json(
        &http,
        &format!("{}/api/tasks", a.base()),
        &json!({ "title": "counter", "description": "0" }),
    )
    .await;
    let id = created["id"].as_i64().expect("id");
    let seen = get_json(&http, &format!("{}/api/tasks/{id}", b.base())).await;
    assert_eq!(seen, created, "B reads what A wrote");

    // 2 processes x 4 clients x 10 increments of one counter, each a
    // read-modify-write guarded by If-Match and retried on 412.
    let mut workers = Vec::new();
    for w in 0..8 {
        let base = if w % 2 == 0 { a.base() } else { b.base() };
        let http = http.clone();
        workers.push(tokio::spawn(async move {
            let mut retries = 0;
            for _ in 0..10 {
                loop {
                    let resp = http
                        .get(format!("{base}/api/tasks/{id}"))
                        .send()
                        .await
                        .expect("get");
                    let etag = resp.headers()["etag"].to_str().expect("etag").to_owned();
                    let task: Value = resp.json().await.expect("json");
                    let n: i64 = task["description"]
                        .as_str()
                        .expect("n")
                        .parse()
                        .expect("int");
                    let put = http
                        .patch(format!("{base}/api/tasks/{id}"))
                        .header("If-Match", etag)
                        .json(&json!({ "description": (n + 1).to_string() }))
                        .send()
                        .await
                        .expect("patch");
                    match put.status().as_u16() {
                        200 => break,
                        412 => retries += 1,
                        other => panic!("PATCH answered {other}"),
                    }
                }
            }
            retries
        }));
    }
    let mut retries = 0;
    for worker in workers {
        retries += worker.await.expect("join");
    }
    let last = get_json(&http, &format!("{}/api/tasks/{id}", a.base())).await;
    println!("80 guarded increments through 2 processes: {retries} retried after 412");
    assert_eq!(last["description"], "80", "no update was lost");

    let deleted = http
        .delete(format!("{}/api/tasks/{id}", b.base()))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    let gone = http
        .get(format!("{}/api/tasks/{id}", a.base()))
        .send()
        .await
        .expect("get");
    assert_eq!(gone.status(), 404);
}
