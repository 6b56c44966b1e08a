/** Accounts and access: who am I, a scoped key made and used, a 403. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { createTasksClient, problemKind } from "../src/index.js";
import { type Server, startServer } from "./server.js";

let server: Server;

before(async () => {
  server = await startServer();
});
after(() => server.stop());

describe("access", () => {
  it("makes a read-only key that can read and is refused a write with insufficient_scope", async () => {
    const admin = createTasksClient({ baseUrl: server.baseUrl, apiKey: server.apiKey });
    const me = await admin.GET("/api/me");
    assert.equal(me.data?.credential.kind, "api_key");
    assert.ok(me.data?.credential.scopes.includes("keys:manage"));

    const made = await admin.POST("/api/keys", {
      body: { name: "widget", scopes: ["tasks:read"], expires_at: "2099-01-01T00:00:00Z" },
    });
    assert.equal(made.response.status, 201, JSON.stringify(made.error));
    assert.ok(made.data?.key.startsWith("tsk_"));
    assert.deepEqual(made.data?.scopes, ["tasks:read"]);

    const widget = createTasksClient({ baseUrl: server.baseUrl, apiKey: made.data?.key ?? "" });
    assert.equal((await widget.GET("/api/tasks")).response.status, 200);
    const refused = await widget.POST("/api/tasks", { body: { title: "no" } });
    assert.equal(refused.response.status, 403);
    assert.equal(refused.error && problemKind(refused.error), "insufficient-scope");
    assert.match(refused.response.headers.get("WWW-Authenticate") ?? "", /scope="tasks:write"/);

    const listed = await admin.GET("/api/keys");
    assert.ok(listed.data?.keys.some((k) => k.name === "widget" && !("key" in k)));
    const revoked = await admin.DELETE("/api/keys/{id}", { params: { path: { id: made.data?.id ?? 0 } } });
    assert.equal(revoked.response.status, 204);
    assert.equal((await widget.GET("/api/tasks")).response.status, 401);
  });

  it("provisions an owner and its key with the admin scope", async () => {
    const admin = createTasksClient({ baseUrl: server.baseUrl, apiKey: server.apiKey });
    const owner = await admin.POST("/api/owners", { body: { name: "ali" } });
    assert.equal(owner.response.status, 201, JSON.stringify(owner.error));
    const id = owner.data?.id ?? 0;
    const key = await admin.POST("/api/owners/{id}/keys", {
      params: { path: { id } },
      body: { name: "ali's", scopes: ["tasks:read", "tasks:write"] },
    });
    const ali = createTasksClient({ baseUrl: server.baseUrl, apiKey: key.data?.key ?? "" });
    assert.equal((await ali.GET("/api/me")).data?.owner.name, "ali");
    await admin.POST("/api/owners/{id}/disable", { params: { path: { id } } });
    assert.equal((await ali.GET("/api/tasks")).response.status, 401);
  });
});
