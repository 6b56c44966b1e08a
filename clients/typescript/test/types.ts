/**
 * Type tests, checked by `tsc` and never run: each `@ts-expect-error`
 * marks something the server refuses, so the types must refuse it too. A
 * looser schema makes the directive unused, which fails the build.
 */
import type { BatchOperation, Change, Problem, TaskInput, TaskMove, TaskPatch } from "../src/index.js";

export const operations: BatchOperation[] = [
  { op: "create", task: { title: "a" } },
  { op: "update", id: 1, if_match: '"1-2"', task: { description: null } },
  { op: "delete", id: 2 },
];

// @ts-expect-error a create needs its task
export const createWithoutTask: BatchOperation = { op: "create" };
// @ts-expect-error a create's task is a full task: it needs a title
export const createWithoutTitle: BatchOperation = { op: "create", task: { done: true } };
// @ts-expect-error an update needs the task's id
export const updateWithoutId: BatchOperation = { op: "update", task: {} };
// @ts-expect-error an update needs its patch
export const updateWithoutTask: BatchOperation = { op: "update", id: 1 };
// @ts-expect-error a delete needs the task's id
export const deleteWithoutId: BatchOperation = { op: "delete" };
// @ts-expect-error there is no such op
export const unknownOp: BatchOperation = { op: "archive", id: 1 };

export const moves: TaskMove[] = [{}, { after_id: 1 }, { before_id: 2, parent_id: null }, { after_id: null }];
// @ts-expect-error a move takes one anchor, not both
export const bothAnchors: TaskMove = { after_id: 1, before_id: 2 };

// @ts-expect-error a task needs a title
export const untitled: TaskInput = { done: false };
// @ts-expect-error a title cannot be cleared with null
export const nullTitle: TaskPatch = { title: null };
// @ts-expect-error `done` cannot be cleared with null
export const nullDone: TaskPatch = { done: null };

/** A change is narrowed by `deleted`: a tombstone has no task. */
export function titleOf(change: Change): string | undefined {
  if (change.deleted) {
    // @ts-expect-error a tombstone carries no task
    return change.task.title;
  }
  return change.task.title;
}

/** `errors` is there only on validation problems. */
export function firstPointer(problem: Problem): string | undefined {
  // @ts-expect-error errors may be absent
  problem.errors.length;
  return problem.errors?.[0]?.pointer;
}
