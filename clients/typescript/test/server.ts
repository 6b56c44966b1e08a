/**
 * A real tasks-api server for the tests: the debug binary (or
 * `TASKS_API_BIN`) on a fresh SQLite file and a free port, with a key
 * holding every scope made by `tasks-api keys create`. Stopped by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = process.env["TASKS_API_BIN"] ?? resolve(import.meta.dirname, "../../../../target/debug/tasks-api");

export interface Server {
  baseUrl: string;
  apiKey: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

/** Starts a server; `args` are extra options (`--rate-limit-burst 2`). */
export async function startServer(args: string[] = []): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "tasks-api-ts-"));
  const databaseUrl = `sqlite://${join(dir, "tasks.db")}`;
  const scopes = "tasks:read,tasks:write,keys:manage,admin";
  const apiKey = execFileSync(BIN, ["keys", "create", "--owner", "typescript", "--scope", scopes, "--database-url", databaseUrl], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
  const port = await freePort();
  const child: ChildProcess = spawn(BIN, ["--bind", `127.0.0.1:${port}`, "--database-url", databaseUrl, ...args], {
    stdio: "ignore",
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) {
        return { baseUrl, apiKey, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  await stop();
  throw new Error(`${BIN} did not start on ${baseUrl}`);
}
