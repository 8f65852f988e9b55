// dumpTasks() and taskTree(): the live task tree (Python 3.14's
// `python -m asyncio pstree`), with tasks of both shapes, on virtual time.
import { describe, expect, it } from 'vitest';
import {
  RuntimeError,
  createTask,
  currentTask,
  dumpTasks,
  gather,
  getRunningLoop,
  shield,
  sleep,
  taskGroup,
  taskTree,
  wait,
  waitFor,
  type Coroutine,
  type Future,
  type TaskGroup,
  type TaskNode,
} from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';
import { runVirtual } from './fixtures/virtual.js';


/** A coroutine function of either shape. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

interface Shape {
  name: string;
  /** `worker(delay)`: a coroutine function named worker that sleeps `delay`. */
  worker: (delay: number) => CoroutineFunction<void>;
  /** `main()`: a coroutine function named main that awaits `make()`. */
  main: (make: () => Future<unknown>) => CoroutineFunction<unknown>;
  /** `parent()`: runs a task group that starts `children`, then sleeps `bodySleep`. */
  parent: (children: Record<string, CoroutineFunction<void>>, bodySleep: number) => CoroutineFunction<void>;
}

const shapes: Shape[] = [
  {
    name: 'async function',
    worker: (delay) =>
      async function worker() {
        await sleep(delay);
      },
    main: (make) =>
      async function main() {
        return await make();
      },
    parent: (children, bodySleep) =>
      async function parent() {
        await taskGroup(async (group: TaskGroup) => {
          for (const [name, child] of Object.entries(children)) group.createTask(child, { name });
          await sleep(bodySleep);
        });
      },
  },
  {
    name: 'function*',
    worker: (delay) =>
      function* worker() {
        yield* sleep(delay);
      },
    main: (make) =>
      function* main() {
        return yield* make();
      },
    parent: (children, bodySleep) =>
      function* parent() {
        yield* taskGroup(function* (group: TaskGroup) {
          for (const [name, child] of Object.entries(children)) group.createTask(child, { name });
          yield* sleep(bodySleep);
        });
      },
  },
];

/** A tree as nested names, for comparisons: `[name, [children…]]`. */
type Shaped = [string, Shaped[]];
function names(nodes: TaskNode[]): Shaped[] {
  return nodes.map((node) => [node.name, names(node.children)]);
}

/** The tree without the node of the task that asks (the test's own main task). */
function others(nodes: TaskNode[]): TaskNode[] {
  return nodes.filter((node) => !node.running);
}

describe.each(shapes)('dumpTasks() with $name tasks', (shape) => {
  it('shows a main task gathering workers, with what each awaits', async () => {
    const dump = await runVirtual(async () => {
      const w1 = createTask(shape.worker(1), { name: 'w1' });
      const w2 = createTask(shape.worker(2), { name: 'w2' });
      const main = createTask(
        shape.main(() => gather(w1, w2)),
        { name: 'main' },
      );
      await sleep(0.5);
      const text = dumpTasks();
      await main;
      return text;
    });
    const lines = dump.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^├── Task-\d+ \S+ \(running\)$/);
    expect(lines[1]).toMatch(/^└── main main\(\) awaiting <GatheringFuture pending/);
    expect(lines[2]).toMatch(/^ {4}├── w1 worker\(\) awaiting <sleep 1\.000s pending/);
    expect(lines[3]).toMatch(/^ {4}└── w2 worker\(\) awaiting <sleep 2\.000s pending/);
  });

  it('gives the same tree as data from taskTree()', async () => {
    await runVirtual(async () => {
      const self = currentTask()!;
      const w1 = createTask(shape.worker(1), { name: 'w1' });
      const w2 = createTask(shape.worker(2), { name: 'w2' });
      const main = createTask(
        shape.main(() => gather(w1, w2)),
        { name: 'main' },
      );
      await sleep(0.5);
      const tree = taskTree();
      expect(names(tree)).toEqual([
        [self.getName(), []],
        ['main', [['w1', []], ['w2', []]]],
      ]);
      const [me, mainNode] = tree;
      expect(me!.running).toBe(true);
      expect(me!.task).toBe(self);
      expect(me!.awaiting).toBeNull();
      expect(mainNode!.task).toBe(main);
      expect(mainNode!.coro).toBe('main()');
      expect(mainNode!.running).toBe(false);
      expect(mainNode!.awaiting).toMatch(/^<GatheringFuture pending/);
      expect(mainNode!.children[0]!.task).toBe(w1);
      expect(mainNode!.children[0]!.awaiting).toMatch(/^<sleep 1\.000s pending/);
      await main;
    });
  });

  it('shows a TaskGroup’s tasks under the parent while it waits in the group’s exit', async () => {
    await runVirtual(async () => {
      const parent = createTask(shape.parent({ c1: shape.worker(1), c2: shape.worker(2) }, 0.1), { name: 'parent' });
      await sleep(0.5);
      const tree = others(taskTree());
      expect(names(tree)).toEqual([['parent', [['c1', []], ['c2', []]]]]);
      expect(tree[0]!.coro).toBe('parent()');
      const lines = dumpTasks().split('\n');
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(/^└── parent parent\(\) awaiting </),
        expect.stringMatching(/^ {4}├── c1 worker\(\) awaiting <sleep 1\.000s/),
        expect.stringMatching(/^ {4}└── c2 worker\(\) awaiting <sleep 2\.000s/),
      ]);
      await parent;
    });
  });

  it('shows a TaskGroup’s tasks beside the parent while its body still runs', async () => {
    await runVirtual(async () => {
      const parent = createTask(shape.parent({ c1: shape.worker(1) }, 5), { name: 'parent' });
      await sleep(0.5);
      const tree = others(taskTree());
      expect(names(tree)).toEqual([
        ['parent', []],
        ['c1', []],
      ]);
      expect(tree[0]!.awaiting).toMatch(/^<sleep 5\.000s pending/);
      await parent;
    });
  });

  it('shows the tasks behind wait(), waitFor() and shield() as children', async () => {
    await runVirtual(async () => {
      const a = createTask(shape.worker(1), { name: 'a' });
      const b = createTask(shape.worker(2), { name: 'b' });
      const c = createTask(shape.worker(3), { name: 'c' });
      const d = createTask(shape.worker(4), { name: 'd' });
      const waiting = createTask(
        shape.main(() => wait([a, b])),
        { name: 'waiting' },
      );
      const timed = createTask(
        shape.main(() => waitFor(c, 10)),
        { name: 'timed' },
      );
      const shielded = createTask(
        shape.main(() => shield(d)),
        { name: 'shielded' },
      );
      await sleep(0.5);
      expect(names(others(taskTree()))).toEqual([
        ['waiting', [['a', []], ['b', []]]],
        ['timed', [['c', []]]],
        ['shielded', [['d', []]]],
      ]);
      await gather(waiting, timed, shielded);
    });
  });

  it('drops tasks once they are done, and marks a task not started yet as ready', async () => {
    await runVirtual(async () => {
      const quick = createTask(shape.worker(0.1), { name: 'quick' });
      await sleep(0.5);
      expect(quick.done()).toBe(true);
      const fresh = createTask(shape.worker(1), { name: 'fresh' });
      const tree = others(taskTree());
      expect(names(tree)).toEqual([['fresh', []]]);
      expect(tree[0]!.awaiting).toBeNull();
      expect(dumpTasks().split('\n')[1]).toBe('└── fresh worker() (ready)');
      await fresh;
    });
  });
});

describe('dumpTasks()', () => {
  it('shows just the asking task when nothing else runs', async () => {
    const dump = await runVirtual(async () => dumpTasks());
    expect(dump).toMatch(/^└── Task-\d+ \S+ \(running\)$/);
  });

  it('shows the tasks of a given loop', async () => {
    const loop = new TestLoop();
    try {
      const task = loop.createTask(
        async function idle() {
          await sleep(1);
        },
        { name: 'idle' },
      );
      expect(dumpTasks(loop)).toBe('└── idle idle() (ready)');
      const tree = taskTree(loop);
      expect(tree.length).toBe(1);
      expect(tree[0]!.task).toBe(task);
      await loop.runUntilComplete(task);
      expect(dumpTasks(loop)).toBe('');
    } finally {
      loop.close();
    }
  });

  it('throws RuntimeError when no loop is running and none is given', () => {
    expect(() => dumpTasks()).toThrow(RuntimeError);
    expect(() => taskTree()).toThrow(RuntimeError);
  });

  it('is called from a loop callback with no task running', async () => {
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const dumped = loop.createFuture<string>();
      loop.callSoon(() => dumped.setResult(dumpTasks()));
      const text = await dumped;
      // The main task awaits `dumped`; no task is running in a plain callback.
      expect(text).toMatch(/^└── Task-\d+ \S+ awaiting <Future pending/);
    });
  });
});
