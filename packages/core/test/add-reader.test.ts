// addReader, removeReader, addWriter and removeWriter on both loops (asyncio's
// semantics from selector_events.BaseSelectorEventLoop: a reader runs as a loop
// handle in the iteration after its fd is found ready; replacing one cancels
// the old handle), on pipes; and the TestLoop, whose virtual clock never jumps
// past ready I/O.
import { describe, expect, it } from 'vitest';
import { CancelledError, RuntimeError, ValueError, createTask, sleep, type BaseEventLoop, type Future } from '@asyncio-ts/core';
import { TestLoop } from '@asyncio-ts/core/testing';
import { OSError, os } from '@asyncio-ts/selectors';
import { countIterations, shapes, useLoopGuard } from './fixtures/loop-guard.js';
import { loopKinds, onLoop, pipe, useFdCleanup, writeLater } from './fixtures/io-loops.js';

const guard = useLoopGuard();
useFdCleanup();

/** Reads what `fd` has (up to 64 bytes). */
function readText(fd: number): string {
  const buffer = Buffer.alloc(64);
  const count = os.read(fd, buffer);
  return count === null ? '' : buffer.subarray(0, count).toString();
}

/** A Future of the first text read from `fd`, by a reader that removes itself. */
function readOnce(loop: BaseEventLoop, fd: number): Future<string> {
  const future = loop.createFuture<string>();
  loop.addReader(fd, () => {
    loop.removeReader(fd);
    future.setResult(readText(fd));
  });
  return future;
}

describe.each(loopKinds)('addReader() on $name', (kind) => {
  it('calls the reader with its arguments when the fd becomes readable', async () => {
    const [readFd, writeFd] = pipe();
    const calls: unknown[][] = [];
    await onLoop(guard, kind, async (loop) => {
      const done = loop.createFuture<void>();
      loop.addReader(readFd, (first: string, second: number) => {
        calls.push([first, second, readText(readFd)]);
        loop.removeReader(readFd);
        done.setResult();
      }, 'ready', 2);
      loop.callLater(0.01, () => os.write(writeFd, Buffer.from('ping')));
      await done;
    });
    expect(calls).toEqual([['ready', 2, 'ping']]);
  });

  it('wakes a loop that waits for nothing else when another thread writes to the fd', async () => {
    const [readFd, writeFd] = pipe();
    const started = performance.now();
    const text = await onLoop(guard, kind, async (loop) => {
      const written = writeLater(writeFd, 'from a worker', 100);
      const result = await readOnce(loop, readFd);
      await written;
      return result;
    });
    expect(text).toBe('from a worker');
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('runs the reader in the iteration after the fd became readable, as a loop handle', async () => {
    const [readFd, writeFd] = pipe();
    let writtenIn = -1;
    let readIn = -1;
    await onLoop(guard, kind, async (loop) => {
      const counter = countIterations(loop, 20);
      const done = loop.createFuture<void>();
      loop.addReader(readFd, () => {
        readIn = counter.count;
        readText(readFd);
        loop.removeReader(readFd);
        done.setResult();
      });
      loop.callSoon(() => {
        writtenIn = counter.count;
        os.write(writeFd, Buffer.from('x'));
      });
      await done;
    });
    expect(readIn).toBe(writtenIn + 1);
  });

  it('replaces the fd\'s reader: the old one never runs again', async () => {
    const [readFd, writeFd] = pipe();
    const calls: string[] = [];
    await onLoop(guard, kind, async (loop) => {
      const done = loop.createFuture<void>();
      loop.addReader(readFd, () => calls.push('old'));
      loop.addReader(readFd, () => {
        calls.push(`new ${readText(readFd)}`);
        loop.removeReader(readFd);
        done.setResult();
      });
      os.write(writeFd, Buffer.from('x'));
      await done;
    });
    expect(calls).toEqual(['new x']);
  });

  it('says whether there was a reader or a writer to remove', async () => {
    const [readFd, writeFd] = pipe();
    const loop = guard.track(kind.make());
    expect(loop.removeReader(readFd)).toBe(false);
    loop.addReader(readFd, () => {});
    expect(loop.removeWriter(readFd)).toBe(false);
    expect(loop.removeReader(readFd)).toBe(true);
    expect(loop.removeReader(readFd)).toBe(false);
    loop.addWriter(writeFd, () => {});
    expect(loop.removeWriter(writeFd)).toBe(true);
    expect(loop.removeWriter(writeFd)).toBe(false);
    loop.close();
  });

  it('calls the writer while the fd is writable, and keeps it apart from the fd\'s reader', async () => {
    const [left, right] = os.socketpair();
    try {
      const events: string[] = [];
      await onLoop(guard, kind, async (loop) => {
        const done = loop.createFuture<void>();
        loop.addReader(left, () => {
          events.push(`read ${readText(left)}`);
          loop.removeReader(left);
          done.setResult();
        });
        loop.addWriter(left, () => {
          events.push('writable');
          // Removing the writer leaves the reader in place.
          expect(loop.removeWriter(left)).toBe(true);
          os.write(right, Buffer.from('reply'));
        });
        await done;
      });
      expect(events).toEqual(['writable', 'read reply']);
    } finally {
      os.close(left);
      os.close(right);
    }
  });

  it('takes an object with fileno() in place of an fd', async () => {
    const [readFd, writeFd] = pipe();
    const file = { fileno: () => readFd };
    const text = await onLoop(guard, kind, async (loop) => {
      const future = loop.createFuture<string>();
      loop.addReader(file, () => {
        loop.removeReader(readFd);
        future.setResult(readText(readFd));
      });
      os.write(writeFd, Buffer.from('via fileno'));
      return future;
    });
    expect(text).toBe('via fileno');
  });

  it('does not run a reader removed earlier in the same iteration', async () => {
    const [readFd, writeFd] = pipe();
    const calls: string[] = [];
    await onLoop(guard, kind, async (loop) => {
      os.write(writeFd, Buffer.from('x'));
      await sleep(0.01);
      // Ready at the start of the next iteration; the callback below runs first in it.
      loop.callSoon(() => calls.push(`removed: ${loop.removeReader(readFd)}`));
      loop.addReader(readFd, () => calls.push('reader ran'));
      await sleep(0.02);
    });
    expect(calls).toEqual(['removed: true']);
  });

  it('keeps a reader that throws; the error goes to the exception handler', async () => {
    const [readFd, writeFd] = pipe();
    let calls = 0;
    await onLoop(guard, kind, async (loop) => {
      const done = loop.createFuture<void>();
      loop.addReader(readFd, () => {
        calls++;
        readText(readFd);
        if (calls === 1) {
          os.write(writeFd, Buffer.from('again'));
          throw new Error('reader failed');
        }
        loop.removeReader(readFd);
        done.setResult();
      });
      os.write(writeFd, Buffer.from('x'));
      await done;
    });
    expect(calls).toBe(2);
    const errors = guard.takeErrors();
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.exception)).toContain('reader failed');
  });

  it('serves an fd registered while the loop was stopped once it runs again', async () => {
    const [readFd, writeFd] = pipe();
    const loop = guard.track(kind.make());
    await loop.runUntilComplete(() => sleep(0));
    const text = readOnce(loop, readFd);
    os.write(writeFd, Buffer.from('later'));
    expect(await loop.runUntilComplete(text)).toBe('later');
    loop.close();
  });

  describe.each(shapes)('in an %s', (shape) => {
    it('lets a task wait for a Future that a reader completes', async () => {
      const [readFd, writeFd] = pipe();
      const text = await onLoop(guard, kind, (loop) => {
        loop.callLater(0.01, () => os.write(writeFd, Buffer.from(shape)));
        if (shape === 'async function') return (async () => `got ${await readOnce(loop, readFd)}`)();
        return (function* () {
          return `got ${yield* readOnce(loop, readFd)}`;
        })();
      });
      expect(text).toBe(`got ${shape}`);
    });

    it('cancels a task waiting on a reader\'s Future; the reader stays until removed', async () => {
      const [readFd] = pipe();
      await onLoop(guard, kind, async (loop) => {
        const future = readOnce(loop, readFd);
        const waiter = createTask(
          shape === 'async function'
            ? async () => await future
            : function* () {
                return yield* future;
              },
        );
        await sleep(0.01);
        waiter.cancel();
        let error: unknown;
        try {
          await waiter;
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(CancelledError);
        expect(waiter.cancelled()).toBe(true);
        expect(future.cancelled()).toBe(true);
        expect(loop.removeReader(readFd)).toBe(true);
      });
    });
  });

  describe('bad input', () => {
    it('refuses something that is not an fd, naming the method', () => {
      const loop = guard.track(kind.make());
      expect(() => loop.addReader(-1, () => {})).toThrow(ValueError);
      expect(() => loop.addReader(1.5, () => {})).toThrow(/addReader\(\): invalid file descriptor/);
      expect(() => loop.addWriter('3' as never, () => {})).toThrow(/addWriter\(\): invalid file object/);
      expect(() => loop.addReader({ fileno: () => 'x' } as never, () => {})).toThrow(ValueError);
      expect(() => loop.addReader(0, 'not a function' as never)).toThrow(TypeError);
      loop.close();
    });

    it('refuses an fd that is not open with an OSError (EBADF)', () => {
      const loop = guard.track(kind.make());
      // Far above any fd this process has open (a freshly closed number
      // could come back as the loop's own selector fd).
      const notOpen = 60_000;
      let error: unknown;
      try {
        loop.addReader(notOpen, () => {});
      } catch (caught) {
        error = caught;
      }
      expect(OSError.isInstance(error)).toBe(true);
      expect((error as OSError).code).toBe('EBADF');
      loop.close();
    });

    it('refuses registering on a closed loop; removing there says false', () => {
      const [readFd] = pipe();
      const loop = guard.track(kind.make());
      loop.addReader(readFd, () => {});
      loop.close();
      expect(() => loop.addReader(readFd, () => {})).toThrow(RuntimeError);
      expect(() => loop.addWriter(readFd, () => {})).toThrow(/Event loop is closed/);
      expect(loop.removeReader(readFd)).toBe(false);
      expect(loop.removeWriter(readFd)).toBe(false);
    });
  });
});

describe('TestLoop with fds', () => {
  it('does not jump its clock past ready I/O', async () => {
    const [readFd, writeFd] = pipe();
    const loop = guard.track(new TestLoop());
    const seen: Array<[string, number]> = [];
    const text = await loop.runUntilComplete(async () => {
      loop.callLater(60, () => seen.push(['timer', loop.time()]));
      loop.callSoon(() => os.write(writeFd, Buffer.from('now')));
      const result = await readOnce(loop, readFd);
      seen.push(['read', loop.time()]);
      await sleep(120);
      return result;
    });
    expect(text).toBe('now');
    expect(seen).toEqual([
      ['read', 0],
      ['timer', 60],
    ]);
    loop.close();
  });

  it('still jumps to the next timer while an fd is registered but not ready', async () => {
    const [readFd] = pipe();
    const loop = guard.track(new TestLoop());
    const started = performance.now();
    await loop.runUntilComplete(async () => {
      loop.addReader(readFd, () => {});
      await sleep(3600);
      loop.removeReader(readFd);
    });
    expect(loop.time()).toBeGreaterThanOrEqual(3600);
    expect(performance.now() - started).toBeLessThan(2000);
    loop.close();
  });
});
