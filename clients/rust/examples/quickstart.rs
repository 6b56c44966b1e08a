//! The Rust client in a few lines, as docs/clients.md shows it: compiled
//! with the workspace's tests (`--all-targets`), so the page stays true.
//!
//! ```sh
//! TASKS_API_URL=http://127.0.0.1:8080 TASKS_API_KEY=tsk_… cargo run -p tasks-api-client --example quickstart
//! ```

use tasks_api_client::types::{Change, TaskInput, TaskPatch};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let base = std::env::var("TASKS_API_URL")?;
    let key = std::env::var("TASKS_API_KEY")?;
    let client = tasks_api_client::with_api_key(&base, &key)?;

    let task = client
        .create_task()
        .idempotency_key("quickstart-1")
        .body(TaskInput::builder().title("Book flights"))
        .send()
        .await?;
    // `None` leaves a member out; `Some(None)` sends null and clears it.
    client
        .update_task()
        .id(task.id)
        .body(TaskPatch {
            done: Some(true),
            due_at: Some(None),
            ..TaskPatch::default()
        })
        .send()
        .await?;

    let mut cursor: Option<String> = None;
    loop {
        let mut request = client.list_tasks().per_page(100u64).sort("position");
        if let Some(cursor) = &cursor {
            request = request.cursor(cursor.as_str());
        }
        let page = request.send().await?.into_inner();
        for task in &page.items {
            println!("{} {}", task.id, task.title.as_str());
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }

    let feed = client.list_changes().send().await?;
    for change in &feed.changes {
        match change {
            Change::ChangedTask(changed) => {
                println!("{} is now {:?}", changed.id, changed.task.title)
            }
            Change::Tombstone(gone) => println!("{} was deleted at {}", gone.id, gone.deleted_at),
        }
    }
    Ok(())
}
