/** Errors read as typed RFC 9457 problems: 400, 401 and 429. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { createTasksClient, problemKind } from "../src/index.js";
import { type Server, startServer } from "./server.js";

let server: Server;

// A burst of 3 requests, refilled at 1 a second: the 4th at once is a 429.
before(async () => {
  server = await startServer(["--rate-limit-burst", "3", "--rate-limit-per-sec", "1"]);
});
after(() => server.stop());

describe("problems", () => {
  it("a missing or wrong key is a 401 problem", async () => {
    const anonymous = createTasksClient({ baseUrl: server.baseUrl, apiKey: "tsk_not-a-key" });
    const { error, response } = await anonymous.GET("/api/tasks");
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("Content-Type"), "application/problem+json");
    assert.ok(error);
    assert.equal(problemKind(error), "unauthorized");
    assert.equal(error.status, 401);
    assert.equal(typeof error.detail, "string");
  });

  it("invalid input is a 400 naming every field, then too many requests a 429", async () => {
    const tasks = createTasksClient({ baseUrl: server.baseUrl, apiKey: server.apiKey });
    const invalid = await tasks.POST("/api/tasks", {
      body: { title: " ", labels: ["a,b"], due_at: "tomorrow" },
    });
    assert.equal(invalid.response.status, 400);
    assert.equal(invalid.error && problemKind(invalid.error), "validation-error");
    assert.deepEqual(
      invalid.error?.errors?.map((e) => e.pointer).sort(),
      ["#/due_at", "#/labels/0", "#/title"],
    );

    let limited;
    for (let i = 0; i < 10 && !limited; i++) {
      const { error, response } = await tasks.GET("/api/tasks");
      if (response.status === 429) limited = { error, response };
    }
    assert.ok(limited, "no 429 within 10 requests at a burst of 3");
    assert.equal(limited.error && problemKind(limited.error), "too-many-requests");
    assert.ok(Number(limited.response.headers.get("Retry-After")) >= 1);
  });
});
