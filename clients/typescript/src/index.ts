/**
 * A TypeScript client for tasks-api: the types in `schema.ts` are generated
 * from `openapi.yaml` by openapi-typescript (`npm run generate`), and every
 * call goes through openapi-fetch, typed by path, method, parameters, body
 * and response, errors included (each is an RFC 9457 `Problem`).
 *
 * ```ts
 * const tasks = createTasksClient({ baseUrl: "http://127.0.0.1:8080", apiKey });
 * const { data, error } = await tasks.POST("/api/tasks", { body: { title: "Buy milk" } });
 * ```
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { components, paths } from "./schema.js";

export type { components, operations, paths } from "./schema.js";

type Schemas = components["schemas"];
export type Task = Schemas["Task"];
export type TaskInput = Schemas["TaskInput"];
/** A JSON Merge Patch: a member left out stays, `null` clears it. */
export type TaskPatch = Schemas["TaskPatch"];
export type TaskPage = Schemas["TaskPage"];
/** `MoveAfter | MoveBefore | MoveLast`: never both anchors. */
export type TaskMove = Schemas["TaskMove"];
/** One operation of a batch, told apart by `op`. */
export type BatchOperation = Schemas["BatchOperation"];
export type BatchRequest = Schemas["BatchRequest"];
export type BatchResponse = Schemas["BatchResponseBody"];
/** `ChangedTask | Tombstone`, told apart by `deleted`. */
export type Change = Schemas["Change"];
export type ChangePage = Schemas["ChangePage"];
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];

/** What `createTasksClient` needs; the rest is openapi-fetch's. */
export interface TasksClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** Where the server is, for example `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An API key (`tsk_…`), sent as `Authorization: Bearer` on every call. */
  apiKey: string;
}

export type TasksClient = Client<paths, `${string}/${string}`>;

/** An openapi-fetch client for tasks-api that authenticates with `apiKey`. */
export function createTasksClient({ baseUrl, apiKey, headers, ...rest }: TasksClientOptions): TasksClient {
  return createClient<paths>({
    ...rest,
    baseUrl,
    headers: { ...headers, Authorization: `Bearer ${apiKey}` },
  });
}

/** The problem kinds the server sends (`Problem.type`), by their last part. */
export function problemKind(problem: Problem): string {
  return problem.type.replace(/^urn:tasks-api:problem:/, "");
}
