//! Crash durability: SIGKILL under a write load loses nothing acknowledged.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::support::{Server, client, start, temp_db};

/// Every acknowledged task is present and byte-for-byte intact.
async fn check_all(server: &Server, acknowledged: &BTreeMap<i64, Value>) {
    let http = client();
    for (id, body) in acknowledged {
        let resp = http
            .get(format!("{}/api/tasks/{id}", server.base()))
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status(), 200, "acknowledged task {id} is missing");
        let found: Value = resp.json().await.expect("json");
        assert_eq!(&found, body, "task {id} changed");
    }
}

#[tokio::test]
async fn every_acknowledged_create_survives_sigkill_under_load() {
    let (_dir, db) = temp_db();
    let mut acknowledged = BTreeMap::new();
    for round in 0..4u64 {
        let server = start(&db, &[]);
        check_all(&server, &acknowledged).await;
        let acked = Arc::new(Mutex::new(Vec::new()));
        let mut writers = Vec::new();
        for w in 0..8 {
            let (http, base, acked) = (client(), server.base(), Arc::clone(&acked));
            writers.push(tokio::spawn(async move {
                for i in 0.. {
                    let sent = http
                        .post(format!("{base}/api/tasks"))
                        .json(
                            &json!({ "title": format!("r{round} w{w} #{i}"), "done": i % 2 == 0 }),
                        )
                        .send()
                        .await;
                    let Ok(resp) = sent else { break };
                    if resp.status() != 201 {
                        continue;
                    }
                    let Ok(body) = resp.json::<Value>().await else {
                        break;
                    };
                    acked.lock().await.push(body);
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(300 + 150 * round)).await;
        server.signal("KILL");
        for writer in writers {
            let _ = writer.await;
        }
        server.kill();
        let acked = acked.lock().await;
        for body in acked.iter() {
            acknowledged.insert(body["id"].as_i64().expect("id"), body.clone());
        }
        println!(
            "round {round}: {} creates acknowledged before SIGKILL",
            acked.len()
        );
    }
    let server = start(&db, &[]);
    check_all(&server, &acknowledged).await;
    println!(
        "after 4 SIGKILLs: {} acknowledged, {} found intact",
        acknowledged.len(),
        acknowledged.len()
    );
    assert!(
        acknowledged.len() > 50,
        "the load was too light to prove anything"
    );
}
