/**
 * The TypeScript client in a few lines, as docs/clients.md shows it:
 * compiled by `tsc --strict` with the tests, so the page stays true.
 *
 *   TASKS_API_URL=http://127.0.0.1:8080 TASKS_API_KEY=tsk_… node dist/examples/quickstart.js
 */
import { type BatchOperation, type Change, type Task, createTasksClient } from "../src/index.js";

const tasks = createTasksClient({
  baseUrl: process.env["TASKS_API_URL"] ?? "http://127.0.0.1:8080",
  apiKey: process.env["TASKS_API_KEY"] ?? "",
});

const { data: task, error, response } = await tasks.POST("/api/tasks", {
  params: { header: { "Idempotency-Key": crypto.randomUUID() } }, // safe to retry
  body: { title: "Book flights", labels: ["travel"] },
});
if (error) throw new Error(`${error.status} ${error.type}: ${error.detail}`); // a typed Problem
const etag = response.headers.get("ETag") ?? "";

// A conditional merge patch: `null` clears, a member left out stays; a 412
// if the task changed meanwhile.
await tasks.PATCH("/api/tasks/{id}", {
  params: { path: { id: task.id }, header: { "If-Match": etag } },
  body: { done: true, due_at: null },
});

// Pages: follow `next_cursor` until it is null.
let cursor: string | undefined;
do {
  const query = cursor === undefined ? { per_page: 100 } : { per_page: 100, cursor };
  const { data } = await tasks.GET("/api/tasks", { params: { query } });
  data?.items.forEach((t) => console.log(t.id, t.title));
  cursor = data?.next_cursor ?? undefined;
} while (cursor);

// A batch: operations told apart by `op` (a create without `task` does not compile).
const operations: BatchOperation[] = [
  { op: "create", task: { title: "Pack" } },
  { op: "delete", id: task.id },
];
await tasks.POST("/api/tasks/batch", { body: { operations } });

// Sync: `deleted` narrows a change to a changed task or a tombstone.
const replica = new Map<number, Task>();
const apply = (change: Change) =>
  change.deleted ? replica.delete(change.id) : replica.set(change.id, change.task);
let since: string | undefined;
for (;;) {
  const query = since === undefined ? {} : { since };
  const { data, error: failed } = await tasks.GET("/api/tasks/changes", { params: { query } });
  if (failed) throw new Error(failed.detail);
  data.changes.forEach(apply);
  since = data.next_since; // keep it: ask again later for what changed since
  if (!data.has_more) break;
}
console.log(`${replica.size} tasks in the replica`);
