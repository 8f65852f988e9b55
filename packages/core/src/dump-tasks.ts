/**
 * The live task tree, as Python 3.14's `python -m asyncio pstree`: every
 * pending task with what it awaits, nested under the task that awaits it.
 */
import type { BaseEventLoop } from './base-event-loop.js';
import { getRunningLoop } from './events.js';
import type { Future } from './future.js';
import { isFuture } from './future.js';
import { Task } from './task.js';
import { currentTask } from './current-task.js';

/** One pending task in the tree. */
export interface TaskNode {
  task: Task<unknown>;
  name: string;
  coro: string;
  /** What the task awaits now (a Future's description), or null when it is running or ready to run. */
  awaiting: string | null;
  /** True for the task that is running now (the one that asked for the tree, say). */
  running: boolean;
  /** Tasks this task awaits, directly or through gather(), wait(), shield() and the like. */
  children: TaskNode[];
}

/** The tasks a Future stands for: itself, or what a gathering Future gathers. */
function awaitedTasks(future: Future<unknown>, seen = new Set<Future<unknown>>()): Task<unknown>[] {
  if (seen.has(future)) return [];
  seen.add(future);
  if (future instanceof Task) return [future];
  const components = (future as { components?: () => Future<unknown>[] }).components?.();
  if (components === undefined) return [];
  return components.filter(isFuture).flatMap((each) => awaitedTasks(each, seen));
}

/** The pending tasks of the loop as a forest: roots are tasks no other task awaits. */
export function taskTree(loop: BaseEventLoop = getRunningLoop()): TaskNode[] {
  const pending = loop.pendingTasks().filter((task) => !task.done());
  const running = currentTask(loop);
  // A waiter that is done no longer holds the task: its outcome is on its way.
  const waiterOf = (task: Task<unknown>) => (task === running || task.waiter === null || task.waiter.done() ? null : task.waiter);
  const nodes = new Map<Task<unknown>, TaskNode>();
  for (const task of pending) {
    const waiter = waiterOf(task);
    nodes.set(task, {
      task,
      name: task.getName(),
      coro: task.toString().match(/coro=<([^>]*)>/)?.[1] ?? '?',
      awaiting: waiter === null ? null : waiter.toString(),
      running: task === running,
      children: [],
    });
  }
  const awaited = new Set<Task<unknown>>();
  for (const task of pending) {
    const waiter = waiterOf(task);
    if (waiter === null) continue;
    for (const child of awaitedTasks(waiter)) {
      const node = nodes.get(child);
      if (node === undefined || child === task) continue;
      nodes.get(task)!.children.push(node);
      awaited.add(child);
    }
  }
  return pending.filter((task) => !awaited.has(task)).map((task) => nodes.get(task)!);
}

/**
 * The task tree as text, one task a line.
 * @example
 * console.log(dumpTasks());
 * // └── Task-1 main() awaiting <GatheringFuture pending callbacks=1>
 * //     ├── Task-2 worker() awaiting <sleep 1.000s pending callbacks=1>
 * //     └── Task-3 worker() awaiting <sleep 2.000s pending callbacks=1>
 */
export function dumpTasks(loop: BaseEventLoop = getRunningLoop()): string {
  const lines: string[] = [];
  const visit = (node: TaskNode, prefix: string, last: boolean, path: Set<TaskNode>) => {
    const awaiting = node.running ? ' (running)' : node.awaiting === null ? ' (ready)' : ` awaiting ${node.awaiting}`;
    lines.push(`${prefix}${last ? '└── ' : '├── '}${node.name} ${node.coro}${awaiting}`);
    if (path.has(node)) return; // a cycle of awaits: print it once
    path.add(node);
    node.children.forEach((child, index) => visit(child, prefix + (last ? '    ' : '│   '), index === node.children.length - 1, path));
    path.delete(node);
  };
  const roots = taskTree(loop);
  roots.forEach((root, index) => visit(root, '', index === roots.length - 1, new Set()));
  return lines.join('\n');
}
