/** The client against a real server: what a TypeScript app does with it. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  type BatchOperation,
  type Change,
  type Task,
  type TasksClient,
  createTasksClient,
  problemKind,
} from "../src/index.js";
import { type Server, startServer } from "./server.js";

let server: Server;
let tasks: TasksClient;

before(async () => {
  server = await startServer();
  tasks = createTasksClient({ baseUrl: server.baseUrl, apiKey: server.apiKey });
});
after(() => server.stop());

/** Creates a task and returns it with its ETag. */
async function create(title: string): Promise<{ task: Task; etag: string }> {
  const { data, error, response } = await tasks.POST("/api/tasks", { body: { title } });
  assert.equal(response.status, 201, JSON.stringify(error));
  assert.ok(data);
  return { task: data, etag: response.headers.get("ETag") ?? "" };
}

describe("tasks", () => {
  it("creates, reads, pages, patches, replaces and deletes", async () => {
    const { task } = await create("Write the TypeScript client");
    assert.equal(task.title, "Write the TypeScript client");
    assert.equal(task.done, false);
    assert.equal(task.description, null);

    const read = await tasks.GET("/api/tasks/{id}", { params: { path: { id: task.id } } });
    assert.deepEqual(read.data, task);

    for (let i = 2; i <= 7; i++) await create(`Task ${i}`);
    const page = await tasks.GET("/api/tasks", { params: { query: { page: 2, per_page: 3 } } });
    assert.ok(page.data);
    assert.deepEqual(
      page.data.items.map((t) => t.title),
      ["Task 4", "Task 5", "Task 6"],
    );
    assert.equal(page.data.total, 7);

    const first = await tasks.GET("/api/tasks", { params: { query: { per_page: 4 } } });
    const cursor = first.data?.next_cursor;
    assert.ok(cursor, "a first page of 4 of 7 has a next cursor");
    const rest = await tasks.GET("/api/tasks", { params: { query: { per_page: 4, cursor } } });
    assert.equal(rest.data?.items.length, 3);
    assert.equal(rest.data?.next_cursor, null);

    const patched = await tasks.PATCH("/api/tasks/{id}", {
      params: { path: { id: task.id } },
      body: { description: "notes", due_at: "2027-03-01T09:00:00+01:00", labels: ["Work"] },
    });
    assert.equal(patched.data?.description, "notes");
    assert.equal(patched.data?.due_at, "2027-03-01T08:00:00.000000Z");
    assert.deepEqual(patched.data?.labels, ["work"]);
    // `null` clears a member in a merge patch; a member left out stays.
    const cleared = await tasks.PATCH("/api/tasks/{id}", {
      params: { path: { id: task.id } },
      body: { description: null, due_at: null },
    });
    assert.equal(cleared.data?.description, null);
    assert.equal(cleared.data?.due_at, null);
    assert.deepEqual(cleared.data?.labels, ["work"]);

    const replaced = await tasks.PUT("/api/tasks/{id}", {
      params: { path: { id: task.id } },
      body: { title: "Replaced", done: true },
    });
    assert.equal(replaced.data?.title, "Replaced");
    assert.deepEqual(replaced.data?.labels, []);

    const deleted = await tasks.DELETE("/api/tasks/{id}", { params: { path: { id: task.id } } });
    assert.equal(deleted.response.status, 204);
    const gone = await tasks.GET("/api/tasks/{id}", { params: { path: { id: task.id } } });
    assert.equal(gone.response.status, 404);
    assert.equal(gone.error && problemKind(gone.error), "task-not-found");
  });

  it("writes conditionally: a stale If-Match is a 412 problem", async () => {
    const { task, etag } = await create("Conditional");
    const first = await tasks.PATCH("/api/tasks/{id}", {
      params: { path: { id: task.id }, header: { "If-Match": etag } },
      body: { done: true },
    });
    assert.equal(first.response.status, 200);
    const fresh = first.response.headers.get("ETag");
    assert.ok(fresh && fresh !== etag);

    const stale = await tasks.PATCH("/api/tasks/{id}", {
      params: { path: { id: task.id }, header: { "If-Match": etag } },
      body: { done: false },
    });
    assert.equal(stale.response.status, 412);
    assert.equal(stale.error?.status, 412);
    assert.equal(stale.error && problemKind(stale.error), "precondition-failed");
    assert.equal(stale.error?.errors, undefined, "only validation problems carry errors");

    const unchanged = await tasks.GET("/api/tasks/{id}", {
      params: { path: { id: task.id }, header: { "If-None-Match": fresh } },
    });
    assert.equal(unchanged.response.status, 304);
  });

  it("creates once per Idempotency-Key", async () => {
    const send = () =>
      tasks.POST("/api/tasks", {
        params: { header: { "Idempotency-Key": "ts-create-1" } },
        body: { title: "Exactly once" },
      });
    const first = await send();
    const retry = await send();
    assert.equal(first.response.status, 201);
    assert.equal(retry.response.status, 201);
    assert.equal(retry.data?.id, first.data?.id);
    assert.equal(first.response.headers.get("Idempotent-Replayed"), null);
    assert.equal(retry.response.headers.get("Idempotent-Replayed"), "true");
    const reused = await tasks.POST("/api/tasks", {
      params: { header: { "Idempotency-Key": "ts-create-1" } },
      body: { title: "Another body" },
    });
    assert.equal(reused.response.status, 422);
  });

  it("runs a batch built from the operation union, all or nothing", async () => {
    const { task: a, etag } = await create("Batch A");
    const { task: b } = await create("Batch B");
    const operations: BatchOperation[] = [
      { op: "create", task: { title: "Batch C", labels: ["batch"] } },
      { op: "update", id: a.id, if_match: etag, task: { done: true } },
      { op: "delete", id: b.id },
    ];
    const done = await tasks.POST("/api/tasks/batch", { body: { operations } });
    assert.ok(done.data, JSON.stringify(done.error));
    assert.deepEqual(
      done.data.results.map((r) => r.status),
      [201, 200, 204],
    );
    assert.equal(done.data.results[0]?.task?.title, "Batch C");

    // The same etag is stale now: the batch fails at operation 0 and
    // nothing in it is done.
    const failed = await tasks.POST("/api/tasks/batch", {
      body: {
        operations: [
          { op: "update", id: a.id, if_match: etag, task: { title: "never" } },
          { op: "create", task: { title: "never either" } },
        ],
      },
    });
    assert.equal(failed.response.status, 412);
    assert.deepEqual(
      failed.error?.errors?.map((e) => e.pointer),
      ["#/operations/0"],
    );
    const after = await tasks.GET("/api/tasks", { params: { query: { q: "never" } } });
    assert.equal(after.data?.items.length, 0);
  });

  it("keeps a replica through the change feed", async () => {
    const replica = new Map<number, Task>();
    const apply = (change: Change) => {
      if (change.deleted) {
        // A tombstone: narrowed by `deleted`, it has no task.
        replica.delete(change.id);
      } else {
        replica.set(change.id, change.task);
      }
    };
    const pull = async (since?: string): Promise<string> => {
      for (;;) {
        const query = since === undefined ? { per_page: 5 } : { per_page: 5, since };
        const { data } = await tasks.GET("/api/tasks/changes", { params: { query } });
        assert.ok(data);
        data.changes.forEach(apply);
        since = data.next_since;
        if (!data.has_more) return since;
      }
    };
    let token = await pull();
    const { task } = await create("Synced");
    await tasks.DELETE("/api/tasks/{id}", { params: { path: { id: task.id } } });
    await create("Synced too");
    token = await pull(token);

    const all: Task[] = [];
    let cursor: string | undefined;
    do {
      const query = cursor === undefined ? { per_page: 100 } : { per_page: 100, cursor };
      const { data } = await tasks.GET("/api/tasks", { params: { query } });
      assert.ok(data);
      all.push(...data.items);
      cursor = data.next_cursor ?? undefined;
    } while (cursor);
    assert.deepEqual(
      [...replica.values()].sort((x, y) => x.id - y.id),
      all.sort((x, y) => x.id - y.id),
    );

    const polled = await tasks.GET("/api/tasks/changes", { params: { query: { since: token } } });
    const again = await tasks.GET("/api/tasks/changes", {
      params: { query: { since: token }, header: { "If-None-Match": polled.response.headers.get("ETag") ?? "" } },
    });
    assert.equal(again.response.status, 304);
  });

  it("moves a subtask before its sibling", async () => {
    const { task: parent } = await create("Trip");
    const children: Task[] = [];
    for (const title of ["Flights", "Hotel"]) {
      const { data } = await tasks.POST("/api/tasks", { body: { title, parent_id: parent.id } });
      assert.ok(data);
      children.push(data);
    }
    const [flights, hotel] = children;
    assert.ok(flights && hotel);
    const moved = await tasks.POST("/api/tasks/{id}/move", {
      params: { path: { id: hotel.id } },
      body: { before_id: flights.id },
    });
    assert.equal(moved.response.status, 200);
    const ordered = await tasks.GET("/api/tasks", {
      params: { query: { parent_id: String(parent.id), sort: "position" } },
    });
    assert.deepEqual(
      ordered.data?.items.map((t) => t.title),
      ["Hotel", "Flights"],
    );
  });
});
