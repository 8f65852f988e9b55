// taskGroup() and TaskGroup: asyncio.TaskGroup. The body, its children and
// the calling task in both shapes, on virtual time. Ported from CPython's
// Lib/test/test_asyncio/test_taskgroups.py (test_taskgroup_01 … _25 and the
// named cases); `async with TaskGroup() as tg:` becomes `taskGroup((tg) => …)`.
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  ExceptionGroup,
  KeyboardInterrupt,
  RuntimeError,
  TaskGroup,
  createTask,
  currentTask,
  getRunningLoop,
  sleep,
  taskGroup,
  type Body,
  type Coroutine,
  type ScopedFuture,
  type Task,
} from '@asyncio-ts/core';
import { runVirtual } from './fixtures/virtual.js';


/** A coroutine function of either shape: what createTask() and tg.createTask() take. */
type CoroutineFunction<T> = () => Coroutine<T> | PromiseLike<T>;

/** How the group ended, as the calling task saw it, and when. */
type Outcome<T> = { ok: true; value: T; at: number } | { ok: false; error: unknown; at: number };

/**
 * What a body does, in order: start `spawn` as tasks of the group, await
 * the `inner` block, sleep,
 * then throw or return. `onCancel` says what it does when that sleep is
 * cancelled: log 'body cancelled', sleep more, then throw `throws` (or
 * rethrow). What the body saw goes to `seen`.
 */
interface Plan<T> {
  spawn?: CoroutineFunction<unknown>[];
  /** A nested block (another taskGroup()) to await after spawning. */
  inner?: () => ScopedFuture<TaskGroup, unknown>;
  sleep?: number;
  onCancel?: { sleep?: number; throws?: unknown };
  throws?: unknown;
  returns?: T;
}

interface Seen {
  group?: TaskGroup;
  tasks: Task<unknown>[];
  log: string[];
}

const newSeen = (): Seen => ({ tasks: [], log: [] });

interface Shape {
  name: string;
  /** Sleeps `delay`, logs `done:<value>`, returns value; logs `cancelled:<value>` when cancelled. */
  worker: <T>(delay: number, value: T, log?: string[]) => CoroutineFunction<T>;
  /** Sleeps `delay`, then throws `error`. */
  failing: (delay: number, error: unknown) => CoroutineFunction<never>;
  /** Sleeps `delay`, then throws `error` from a finally block: when cancelled too. */
  crashInFinally: (delay: number, error: unknown) => CoroutineFunction<never>;
  /** A body following `plan`. */
  body: <T>(plan: Plan<T>, seen: Seen) => Body<TaskGroup, T | undefined>;
  /** Awaits `make()` in the calling task and reports how it ended. */
  call: <T>(make: () => ScopedFuture<TaskGroup, T>) => CoroutineFunction<Outcome<T>>;
  /** Awaits `make()` and returns its result (lets errors through). */
  relay: <T>(make: () => ScopedFuture<TaskGroup, T>) => CoroutineFunction<T>;
}

const shapes: Shape[] = [
  {
    name: 'async function',
    worker: (delay, value, log = []) => async () => {
      try {
        await sleep(delay);
      } catch (error) {
        log.push(`cancelled:${String(value)}`);
        throw error;
      }
      log.push(`done:${String(value)}`);
      return value;
    },
    failing: (delay, error) => async () => {
      await sleep(delay);
      throw error;
    },
    crashInFinally: (delay, error) => async () => {
      try {
        await sleep(delay);
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        throw error;
      }
    },
    body: (plan, seen) => async (group) => {
      seen.group = group;
      for (const child of plan.spawn ?? []) seen.tasks.push(group.createTask(child));
      if (plan.inner !== undefined) await plan.inner();
      if (plan.sleep !== undefined) {
        try {
          await sleep(plan.sleep);
        } catch (error) {
          if (!CancelledError.isInstance(error) || plan.onCancel === undefined) throw error;
          seen.log.push('body cancelled');
          if (plan.onCancel.sleep !== undefined) await sleep(plan.onCancel.sleep);
          throw plan.onCancel.throws ?? error;
        }
      }
      if (plan.throws !== undefined) throw plan.throws;
      return plan.returns;
    },
    call: (make) => async () => {
      try {
        const value = await make();
        return { ok: true, value, at: getRunningLoop().time() };
      } catch (error) {
        return { ok: false, error, at: getRunningLoop().time() };
      }
    },
    relay: (make) => async () => await make(),
  },
  {
    name: 'function*',
    worker: (delay, value, log = []) =>
      function* () {
        try {
          yield* sleep(delay);
        } catch (error) {
          log.push(`cancelled:${String(value)}`);
          throw error;
        }
        log.push(`done:${String(value)}`);
        return value;
      },
    failing: (delay, error) =>
      function* () {
        yield* sleep(delay);
        throw error;
      },
    crashInFinally: (delay, error) =>
      function* () {
        try {
          yield* sleep(delay);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw error;
        }
      },
    body: (plan, seen) =>
      function* (group) {
        seen.group = group;
        for (const child of plan.spawn ?? []) seen.tasks.push(group.createTask(child));
        if (plan.inner !== undefined) yield* plan.inner();
        if (plan.sleep !== undefined) {
          try {
            yield* sleep(plan.sleep);
          } catch (error) {
            if (!CancelledError.isInstance(error) || plan.onCancel === undefined) throw error;
            seen.log.push('body cancelled');
            if (plan.onCancel.sleep !== undefined) yield* sleep(plan.onCancel.sleep);
            throw plan.onCancel.throws ?? error;
          }
        }
        if (plan.throws !== undefined) throw plan.throws;
        return plan.returns;
      },
    call: (make) =>
      function* () {
        try {
          const value = yield* make();
          return { ok: true, value, at: getRunningLoop().time() };
        } catch (error) {
          return { ok: false, error, at: getRunningLoop().time() };
        }
      },
    relay: (make) =>
      function* () {
        return yield* make();
      },
  },
];

/** The error of a failed outcome (fails the test for a successful one). */
function errorOf(outcome: Outcome<unknown>): unknown {
  expect(outcome.ok, 'the group should have failed').toBe(false);
  return (outcome as { error: unknown }).error;
}

/** The ExceptionGroup of a failed outcome, checked to be one. */
function groupErrorOf(outcome: Outcome<unknown>): ExceptionGroup {
  const error = errorOf(outcome);
  expect(error).toBeInstanceOf(ExceptionGroup);
  return error as ExceptionGroup;
}

/** The messages of an ExceptionGroup's errors, sorted. */
function messages(group: ExceptionGroup): string[] {
  return group.exceptions.map((error) => (error as Error).message).sort();
}

describe.each(shapes)('taskGroup() with $name body, children and caller', (shape) => {
  it('waits for every task it started and returns the body’s result', async () => {
    // test_taskgroup_01: foo1 -> 42 at 0.1, foo2 -> 11 at 0.2
    const seen = newSeen();
    const outcome = await runVirtual(async () =>
      createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.worker(0.1, 42), shape.worker(0.2, 11)], returns: 'body result' }, seen)))),
    );
    expect(outcome).toEqual({ ok: true, value: 'body result', at: 0.2 });
    expect(seen.tasks.map((task) => task.result())).toEqual([42, 11]);
  });

  it('takes tasks started while the body runs, and by its tasks', async () => {
    // test_taskgroup_02 (a task created after a sleep) and test_taskgroup_24 (tasks create tasks)
    const seen = newSeen();
    const log: string[] = [];
    const outcome = await runVirtual(async () => {
      const root = (group: () => TaskGroup) => async () => {
        await sleep(0.1);
        group().createTask(shape.worker(0.1, 'grandchild-1', log));
        group().createTask(shape.worker(0.2, 'grandchild-2', log));
      };
      return createTask(shape.call(() => taskGroup(shape.body({ spawn: [root(() => seen.group!), shape.worker(0.05, 'child', log)], sleep: 0.15 }, seen))));
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.at).toBeCloseTo(0.3, 9);
    expect(log).toEqual(['done:child', 'done:grandchild-1', 'done:grandchild-2']);
  });

  it('keeps going when one of its tasks is cancelled on its own', async () => {
    // test_taskgroup_03: t1.cancel() explicitly; t2 still -> 11; no error
    const seen = newSeen();
    const outcome = await runVirtual(async () => {
      const group = createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.worker(1, 42), shape.worker(0.2, 11)], sleep: 0.5 }, seen))));
      await sleep(0.15);
      seen.tasks[0]!.cancel();
      return group;
    });
    expect(outcome).toMatchObject({ ok: true, at: 0.5 });
    expect(seen.tasks[0]!.cancelled()).toBe(true);
    expect(seen.tasks[1]!.result()).toBe(11);
  });

  it('cancels the other tasks and the body at the first failure, and throws an ExceptionGroup', async () => {
    // test_taskgroup_04, test_cancel_children_on_child_error: EG {ZeroDivisionError};
    // t2 cancelled; the body saw CancelledError; the code after the block never ran.
    const seen = newSeen();
    const log: string[] = [];
    const error = new Error('division by zero');
    const outcome = await runVirtual(async () =>
      createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.failing(0.1, error), shape.worker(5, 't2', log)], sleep: 10, onCancel: {} }, seen)))),
    );
    const group = groupErrorOf(outcome);
    expect(group.exceptions).toEqual([error]);
    expect(outcome.at).toBeCloseTo(0.1, 9);
    expect(log).toEqual(['cancelled:t2']);
    expect(seen.log).toEqual(['body cancelled']);
    expect(seen.tasks[1]!.cancelled()).toBe(true);
  });

  it('throws every failure together, in completion order, CancelledErrors left out', async () => {
    // Three tasks fail in the same iteration -> 3 sub-exceptions; t2 cancelled, not listed.
    const seen = newSeen();
    const errors = [new Error('a'), new Error('b'), new Error('c')];
    const outcome = await runVirtual(async () =>
      createTask(
        shape.call(() =>
          taskGroup(shape.body({ spawn: [...errors.map((error) => shape.failing(0.1, error)), shape.worker(5, 't2')], sleep: 10 }, seen)),
        ),
      ),
    );
    const group = groupErrorOf(outcome);
    expect(group.exceptions).toEqual(errors);
    expect(group.errors).toEqual(errors);
    expect(group.exceptions.some((error) => CancelledError.isInstance(error))).toBe(false);
    expect(group).toBeInstanceOf(AggregateError);
    expect(group.name).toBe('ExceptionGroup');
    expect(group.message).toBe('unhandled errors in a TaskGroup (3 sub-exceptions)');
    expect(ExceptionGroup.isInstance(group)).toBe(true);
  });

  it('adds the body’s own error to the group’s errors', async () => {
    // test_taskgroup_19: the body raises in finally while a task failed -> EG {KeyError, TypeError}
    const seen = newSeen();
    const taskError = new RangeError('task');
    const bodyError = new TypeError('body');
    const outcome = await runVirtual(async () =>
      createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.failing(0.1, taskError)], sleep: 10, onCancel: { throws: bodyError } }, seen)))),
    );
    const group = groupErrorOf(outcome);
    expect(group.exceptions).toEqual([taskError, bodyError]);
    expect(group.message).toBe('unhandled errors in a TaskGroup (2 sub-exceptions)');
  });

  it('cancels its tasks when the body fails, and throws the body’s error in an ExceptionGroup', async () => {
    // test_taskgroup_09 (after a sleep) and test_taskgroup_10 (at once): EG {ZeroDivisionError}; t1, t2 cancelled
    for (const sleepFirst of [0.1, undefined]) {
      const seen = newSeen();
      const error = new Error('division by zero');
      const outcome = await runVirtual(async () =>
        createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.worker(1, 42), shape.worker(2, 11)], sleep: sleepFirst, throws: error }, seen)))),
      );
      expect(groupErrorOf(outcome).exceptions).toEqual([error]);
      expect(seen.tasks.every((task) => task.cancelled())).toBe(true);
    }
  });

  it('propagates the calling task’s cancellation as CancelledError, cancelling its tasks and body', async () => {
    // test_cancellation (NUM == 5), test_taskgroup_07 (NUM == 15), _17, _22
    const seen = newSeen();
    const log: string[] = [];
    await runVirtual(async () => {
      const runner = createTask(shape.relay(() => taskGroup(shape.body({ spawn: [1, 2, 3, 4, 5].map((n) => shape.worker(5, n, log)), sleep: 10, onCancel: {} }, seen))));
      await sleep(0.1);
      expect(runner.done()).toBe(false);
      runner.cancel();
      await expect(runner).rejects.toBeInstanceOf(CancelledError);
      expect(runner.cancelled()).toBe(true);
    });
    expect(log.sort()).toEqual(['cancelled:1', 'cancelled:2', 'cancelled:3', 'cancelled:4', 'cancelled:5']);
    expect(seen.log).toEqual(['body cancelled']);
  });

  it('throws the errors of tasks that fail while cancelled by the calling task’s cancellation', async () => {
    // test_taskgroup_08: 5 tasks raise 1/0 in finally; r.cancel() -> EG {ZeroDivisionError}
    const seen = newSeen();
    await runVirtual(async () => {
      const errors = [1, 2, 3].map((n) => new Error(`crash ${n}`));
      const runner = createTask(shape.relay(() => taskGroup(shape.body({ spawn: errors.map((error) => shape.crashInFinally(10, error)), sleep: 10 }, seen))));
      await sleep(0.1);
      runner.cancel();
      const error = await runner.then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ExceptionGroup);
      expect(messages(error as ExceptionGroup)).toEqual(['crash 1', 'crash 2', 'crash 3']);
    });
  });

  it('throws an ExceptionGroup when the body turns the cancellation into another error', async () => {
    // test_taskgroup_18: the body catches CancelledError and raises MyExc -> EG {MyExc}
    const seen = newSeen();
    const error = new Error('MyExc');
    await runVirtual(async () => {
      const runner = createTask(shape.relay(() => taskGroup(shape.body({ sleep: 10, onCancel: { throws: error } }, seen))));
      await sleep(0.1);
      runner.cancel();
      await expect(runner).rejects.toBeInstanceOf(ExceptionGroup);
      await expect(runner).rejects.toMatchObject({ exceptions: [error] });
    });
    expect(seen.log).toEqual(['body cancelled']);
  });

  it('throws the ExceptionGroup when a task fails while the cancelled body cleans up', async () => {
    // test_taskgroup_15: r.cancel() at 0.1; the body sleeps 0.5 more; crash_soon() fails at 0.3 -> EG {ZeroDivisionError}
    const seen = newSeen();
    const error = new Error('division by zero');
    await runVirtual(async () => {
      const runner = createTask(shape.relay(() => taskGroup(shape.body({ spawn: [shape.failing(0.3, error)], sleep: 10, onCancel: { sleep: 0.5 } }, seen))));
      await sleep(0.1);
      runner.cancel();
      await expect(runner).rejects.toMatchObject({ exceptions: [error] });
    });
  });

  it('lets KeyboardInterrupt through as it is, not in an ExceptionGroup', async () => {
    // test_taskgroup_20: nested() raises KeyboardInterrupt in finally -> KeyboardInterrupt
    const seen = newSeen();
    const interrupt = new KeyboardInterrupt();
    const outcome = await runVirtual(async () =>
      createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.failing(0.1, new Error('division by zero'))], sleep: 10, onCancel: { throws: interrupt } }, seen)))),
    );
    expect(errorOf(outcome)).toBe(interrupt);
  });

  it('nests an inner group’s ExceptionGroup in the outer one', async () => {
    // test_taskgroup_14: g1 crash_after(10), g2 crash_after(0.1) -> EG {EG {ValueError}}
    const inner = newSeen();
    const outer = newSeen();
    const error = new Error('0.1');
    const outcome = await runVirtual(async () =>
      createTask(
        shape.call(() =>
          taskGroup(shape.body({ spawn: [shape.failing(10, new Error('10'))], inner: () => taskGroup(shape.body({ spawn: [shape.failing(0.1, error)] }, inner)) }, outer)),
        ),
      ),
    );
    const group = groupErrorOf(outcome);
    expect(group.exceptions.length).toBe(1);
    expect(group.exceptions[0]).toBeInstanceOf(ExceptionGroup);
    expect((group.exceptions[0] as ExceptionGroup).exceptions).toEqual([error]);
  });

  it('refuses createTask() while shutting down and once finished, with RuntimeError', async () => {
    // test_taskgroup_no_create_task_after_failure ('is shutting down'), test_taskgroup_finished ('is finished')
    const seen = newSeen();
    const refusals: string[] = [];
    const error = new Error('division by zero');
    const outcome = await runVirtual(async () => {
      const spawnWhenCancelled = async () => {
        try {
          await sleep(1);
        } catch (cancelled) {
          try {
            seen.group!.createTask(shape.worker(0, 'late'));
          } catch (refusal) {
            expect(refusal).toBeInstanceOf(RuntimeError);
            refusals.push((refusal as Error).message);
          }
          throw cancelled;
        }
      };
      return createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.failing(0.001, error), spawnWhenCancelled] }, seen))));
    });
    expect(groupErrorOf(outcome).exceptions).toEqual([error]);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/is shutting down/);
    expect(() => seen.group!.createTask(shape.worker(0, 'after'))).toThrow(RuntimeError);
    expect(() => seen.group!.createTask(shape.worker(0, 'after'))).toThrow(/is finished/);
  });

  it('lists its unfinished tasks in tasks', async () => {
    // test_taskgroup_23: tasks of 0.3 s started every 0.1 s -> fewer than 5 pending; 0 at the end
    const seen = newSeen();
    const counts: number[] = [];
    await runVirtual(async () => {
      const group = createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.worker(0.3, 'a'), shape.worker(0.6, 'b')], sleep: 1 }, seen))));
      await sleep(0.1);
      counts.push(seen.group!.tasks.size);
      const pending = [...seen.group!.tasks];
      expect(pending.length).toBe(2);
      expect(pending[0]).toBe(seen.tasks[0]);
      expect(pending[1]).toBe(seen.tasks[1]);
      await sleep(0.3);
      counts.push(seen.group!.tasks.size);
      await group;
      counts.push(seen.group!.tasks.size);
    });
    expect(counts).toEqual([2, 1, 0]);
  });

  it('names its tasks as asked', async () => {
    // test_taskgroup_task_name
    const outcome = await runVirtual(async () =>
      createTask(shape.call(() => taskGroup(async (group) => group.createTask(shape.worker(0, 'x'), { name: 'yolo' }).getName()))),
    );
    expect(outcome).toMatchObject({ ok: true, value: 'yolo' });
  });

  it('runs the body inside the calling task', async () => {
    await runVirtual(async () => {
      let inside: Task<unknown> | null = null;
      const caller = createTask(
        shape.call(() =>
          taskGroup(async () => {
            inside = currentTask();
          }),
        ),
      );
      await caller;
      expect(inside).toBe(caller);
    });
  });

  it('leaves the calling task with no cancellation pending after the group failed', async () => {
    // test_taskgroup_context_manager_exit_raises: task.cancelling() == 0 afterwards
    await runVirtual(async () => {
      const caller = createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.failing(0, new Error('custom'))], sleep: 1 }, newSeen()))));
      expect(groupErrorOf(await caller).exceptions).toHaveLength(1);
      expect(caller.cancelling()).toBe(0);
      expect(caller.cancelled()).toBe(false);
    });
  });

  it('stops its tasks and the body quietly on TaskGroup.cancel()', async () => {
    const seen = newSeen();
    const log: string[] = [];
    await runVirtual(async () => {
      const caller = createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.worker(5, 'a', log), shape.worker(6, 'b', log)], sleep: 10, onCancel: {}, returns: 'unreached' }, seen))));
      await sleep(1);
      seen.group!.cancel();
      const outcome = await caller;
      expect(outcome).toEqual({ ok: true, value: undefined, at: 1 });
      expect(caller.cancelling()).toBe(0);
    });
    expect(log.sort()).toEqual(['cancelled:a', 'cancelled:b']);
    expect(seen.log).toEqual(['body cancelled']);
  });

  it('still throws the errors of tasks that failed before TaskGroup.cancel()', async () => {
    const seen = newSeen();
    const error = new Error('early');
    await runVirtual(async () => {
      const caller = createTask(shape.call(() => taskGroup(shape.body({ spawn: [shape.crashInFinally(10, error)], sleep: 10 }, seen))));
      await sleep(1);
      seen.group!.cancel();
      expect(groupErrorOf(await caller).exceptions).toEqual([error]);
    });
  });
});

describe('taskGroup() with mixed shapes', () => {
  it('runs a generator body from an async caller, with async children', async () => {
    const log: string[] = [];
    const outcome = await runVirtual(async () => {
      return await taskGroup(function* (group) {
        group.createTask(async () => {
          await sleep(0.2);
          log.push('async child');
        });
        yield* sleep(0.1);
        log.push('generator body');
        return 'mixed';
      });
    });
    expect(outcome).toBe('mixed');
    expect(log).toEqual(['generator body', 'async child']);
  });

  it('runs an async body from a generator caller, with generator children', async () => {
    const log: string[] = [];
    const outcome = await runVirtual(function* () {
      return yield* taskGroup(async (group) => {
        group.createTask(function* () {
          yield* sleep(0.2);
          log.push('generator child');
        });
        await sleep(0.1);
        log.push('async body');
        return 'mixed';
      });
    });
    expect(outcome).toBe('mixed');
    expect(log).toEqual(['async body', 'generator child']);
  });

  it('interrupts an async body run from a generator caller when a task fails', async () => {
    const error = new Error('child failed');
    const log: string[] = [];
    const outcome = await runVirtual(function* () {
      try {
        yield* taskGroup(async (group) => {
          group.createTask(async () => {
            await sleep(0.1);
            throw error;
          });
          try {
            await sleep(10);
            log.push('body slept on');
          } catch (cancelled) {
            log.push('body cancelled');
            throw cancelled;
          }
        });
        return 'no error';
      } catch (thrown) {
        return [(thrown as ExceptionGroup).exceptions, getRunningLoop().time(), [...log]];
      }
    });
    expect(outcome).toEqual([[error], 0.1, ['body cancelled']]);
  });
});

describe('TaskGroup', () => {
  it('refuses createTask() before it is entered, with RuntimeError', async () => {
    // test_taskgroup_not_entered
    const group = new TaskGroup();
    expect(() => group.createTask(async () => undefined)).toThrow(RuntimeError);
    expect(() => group.createTask(async () => undefined)).toThrow(/has not been entered/);
    expect(group.tasks.size).toBe(0);
    expect(String(group)).toBe('<TaskGroup>');
  });

  it('throws RuntimeError when awaited outside a task', async () => {
    // test_taskgroup_without_parent_task
    await runVirtual(async () => {
      const loop = getRunningLoop();
      const outcome = loop.createFuture<unknown>();
      let ran = false;
      loop.callSoon(() => {
        taskGroup(async () => {
          ran = true;
        }).then(
          () => outcome.setResult('no error'),
          (error: unknown) => outcome.setResult(error),
        );
      });
      const error = await outcome;
      expect(error).toBeInstanceOf(RuntimeError);
      expect((error as Error).message).toMatch(/inside a task/);
      expect(ran).toBe(false);
    });
  });

  it('throws TypeError for a body that is not a function', async () => {
    await runVirtual(async () => {
      expect(() => taskGroup(42 as never)).toThrow(TypeError);
      expect(() => taskGroup(42 as never)).toThrow(/taskGroup\(\) expects a body function/);
    });
  });

  it('creates 10 tasks from tasks until one fails, then throws its error alone', async () => {
    // test_taskgroup_25 (hydras and hercules): EG {ZeroDivisionError}, nhydras >= 10
    let hydras = 0;
    const error = new Error('division by zero');
    const outcome = await runVirtual(async () => {
      try {
        await taskGroup(async (group) => {
          const hydra = async (): Promise<void> => {
            hydras++;
            await sleep(0.01);
            group.createTask(hydra);
            group.createTask(hydra);
          };
          group.createTask(hydra);
          group.createTask(async () => {
            while (hydras < 10) await sleep(0.015);
            throw error;
          });
        });
        return null;
      } catch (thrown) {
        return thrown;
      }
    });
    expect(outcome).toBeInstanceOf(ExceptionGroup);
    expect((outcome as ExceptionGroup).exceptions).toEqual([error]);
    expect(hydras).toBeGreaterThanOrEqual(10);
  });
});
