import { describe, expect, it } from 'vitest';
import { CancelledError, RuntimeError } from '@asyncio-ts/executors';
import { runSync, sharedLoopThread, shutdownRunSync } from '../src/index.js';

const coroutines = new URL('./fixtures/coroutines.ts', import.meta.url);
const bridge = new URL('./fixtures/bridge.ts', import.meta.url);

describe.each([
  { shape: 'async functions', add: 'addLater', fail: 'failLater' },
  { shape: 'function* generators', add: 'addLaterGen', fail: 'failLaterGen' },
])('runSync with $shape', ({ add, fail }) => {
  it('blocks for the result of async code', () => {
    expect(runSync({ module: coroutines, export: add }, 2, 3)).toBe(5);
  });

  it('throws the remote error', () => {
    expect(() => runSync({ module: coroutines, export: fail }, 'nope')).toThrow(expect.objectContaining({ name: 'Error', message: 'nope' }));
  });
});

describe('runSync', () => {
  it('runs everything on one lazily started shared thread', () => {
    const first = sharedLoopThread();
    runSync(async () => 1);
    expect(sharedLoopThread()).toBe(first);
    expect(first.isRunning()).toBe(true);
  });

  it('throws CancelledError when the remote task is cancelled', () => {
    expect(() => runSync({ module: bridge, export: 'cancelSelf' })).toThrow(CancelledError);
  });

  it('starts a new shared thread after shutdownRunSync()', async () => {
    const before = sharedLoopThread();
    await shutdownRunSync();
    expect(before.isAlive()).toBe(false);
    expect(runSync(async (x: number) => x + 1, 1)).toBe(2);
    expect(sharedLoopThread()).not.toBe(before);
  });

  it('refuses at once to block a loop thread on its own loop', () => {
    const message = runSync({ module: bridge, export: 'blockOnOwnLoop' });
    expect(message).toMatch(/^RuntimeError: result\(\) would deadlock/);
    expect(message).toContain('waited briefly');
    expect(message).toContain('then 3');
    expect(RuntimeError).toBeDefined();
  });
});
