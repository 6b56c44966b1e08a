/** Lists and sharing: a list shared as an editor, a viewer refused a write, list events in the feed. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { createTasksClient, problemKind } from "../src/index.js";
import { type Server, startServer } from "./server.js";

let server: Server;

before(async () => {
  server = await startServer();
});
after(() => server.stop());

describe("sharing", () => {
  it("shares a list, applies its events, and refuses a viewer's write with role-needed", async () => {
    const owner = createTasksClient({ baseUrl: server.baseUrl, apiKey: server.apiKey });
    const made = await owner.POST("/api/lists", { body: { title: "Groceries" } });
    assert.equal(made.response.status, 201, JSON.stringify(made.error));
    const listId = made.data?.id ?? 0;
    const milk = await owner.POST("/api/tasks", { body: { title: "milk", list_id: listId } });
    assert.equal(milk.data?.list_id, listId);

    const guest = await owner.POST("/api/owners", { body: { name: "gus" } });
    const key = await owner.POST("/api/owners/{id}/keys", {
      params: { path: { id: guest.data?.id ?? 0 } },
      body: { name: "gus's", scopes: ["tasks:read", "tasks:write"] },
    });
    const gus = createTasksClient({ baseUrl: server.baseUrl, apiKey: key.data?.key ?? "" });
    const first = await gus.GET("/api/tasks/changes");
    const since = first.data?.next_since ?? "";

    const shared = await owner.PUT("/api/lists/{list_id}/members/{owner}", {
      params: { path: { list_id: listId, owner: "gus" } },
      body: { role: "viewer" },
    });
    assert.equal(shared.response.status, 201, JSON.stringify(shared.error));
    const page = await gus.GET("/api/tasks/changes", { params: { query: { since } } });
    const event = page.data?.lists.find((l) => l.id === listId);
    assert.ok(event && !event.deleted && event.list.role === "viewer", JSON.stringify(page.data));
    assert.deepEqual(
      page.data?.changes.map((c) => c.id),
      [milk.data?.id],
    );

    const refused = await gus.PATCH("/api/tasks/{id}", {
      params: { path: { id: milk.data?.id ?? 0 } },
      body: { done: true },
    });
    assert.equal(refused.response.status, 403);
    assert.equal(refused.error && problemKind(refused.error), "role-needed");

    await owner.DELETE("/api/lists/{list_id}/members/{owner}", {
      params: { path: { list_id: listId, owner: "gus" } },
    });
    const gone = await gus.GET("/api/tasks/changes", {
      params: { query: { since: page.data?.next_since ?? "" } },
    });
    const tombstone = gone.data?.lists.find((l) => l.id === listId);
    assert.ok(tombstone?.deleted, JSON.stringify(gone.data));
  });
});
