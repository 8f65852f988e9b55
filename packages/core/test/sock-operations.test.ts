// sockRecv, sockRecvInto, sockSendall, sockConnect and sockAccept on both
// loops and in both coroutine shapes (asyncio's sock_* methods of
// selector_events.BaseSelectorEventLoop): an echo over loopback TCP, end of
// file, waiting for room, names looked up, refused connections, cancellation
// removing the reader or writer, and the checks (a blocking socket, not a
// socket, a closed one, a closed loop).
import { describe, expect, it } from 'vitest';
import { RuntimeError, ValueError, createTask, sleep, type BaseEventLoop } from '@asyncio-ts/core';
import { AF_UNIX, ConnectionRefusedError, OSError, Socket, socketpair } from '@asyncio-ts/selectors';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shapes, useLoopGuard, type Shape } from './fixtures/loop-guard.js';
import { client, listener, loopKinds, onLoop, track, useFdCleanup } from './fixtures/io-loops.js';

const guard = useLoopGuard();
useFdCleanup();

/** A connected pair of non-blocking AF_UNIX sockets, closed after the test. */
function pair(): [Socket, Socket] {
  const [left, right] = socketpair();
  track(left).setBlocking(false);
  track(right).setBlocking(false);
  return [left, right];
}

/** An echo server on `sock` for one connection: accept, then send back what comes until end of file. */
async function echoOnce(loop: BaseEventLoop, sock: Socket): Promise<number> {
  const [connection] = await loop.sockAccept(sock);
  track(connection);
  let total = 0;
  for (;;) {
    const data = await loop.sockRecv(connection, 4096);
    if (data.length === 0) break;
    total += data.length;
    await loop.sockSendall(connection, data);
  }
  connection.close();
  return total;
}

describe.each(loopKinds)('socket operations on $name', (kind) => {
  describe.each(shapes)('in an %s', (shape: Shape) => {
    it('echoes over loopback TCP: sockAccept, sockConnect, sockSendall, sockRecv', async () => {
      const [server, port] = listener();
      const replies = await onLoop(guard, kind, async (loop) => {
        const serving = createTask(() => echoOnce(loop, server));
        const sock = client();
        const exchange =
          shape === 'async function'
            ? async () => {
                await loop.sockConnect(sock, ['127.0.0.1', port]);
                const got: string[] = [];
                for (const word of ['ping', 'pong']) {
                  await loop.sockSendall(sock, Buffer.from(word));
                  got.push((await loop.sockRecv(sock, 100)).toString());
                }
                return got;
              }
            : function* () {
                yield* loop.sockConnect(sock, ['127.0.0.1', port]);
                const got: string[] = [];
                for (const word of ['ping', 'pong']) {
                  yield* loop.sockSendall(sock, Buffer.from(word));
                  got.push((yield* loop.sockRecv(sock, 100)).toString());
                }
                return got;
              };
        const got = await createTask(exchange);
        sock.close();
        expect(await serving).toBe(8);
        return got;
      });
      expect(replies).toEqual(['ping', 'pong']);
    });

    it('receives into a buffer with sockRecvInto, and 0 at end of file', async () => {
      const [left, right] = pair();
      const counts = await onLoop(guard, kind, (loop) => {
        const buffer = Buffer.alloc(16);
        loop.callLater(0.01, () => {
          left.sendall('into');
          left.shutdown(1);
        });
        if (shape === 'async function') {
          return (async () => {
            const first = await loop.sockRecvInto(right, buffer);
            return [first, buffer.subarray(0, first).toString(), await loop.sockRecvInto(right, buffer)];
          })();
        }
        return (function* () {
          const first = yield* loop.sockRecvInto(right, buffer);
          return [first, buffer.subarray(0, first).toString(), yield* loop.sockRecvInto(right, buffer)];
        })();
      });
      expect(counts).toEqual([4, 'into', 0]);
    });

    it('cancels a sockRecv: the reader goes, and the data waits for the next one', async () => {
      const [left, right] = pair();
      const text = await onLoop(guard, kind, async (loop) => {
        const receiving = createTask(
          shape === 'async function'
            ? async () => await loop.sockRecv(right, 100)
            : function* () {
                return yield* loop.sockRecv(right, 100);
              },
        );
        await sleep(0.01);
        receiving.cancel();
        await sleep(0.01);
        expect(receiving.cancelled()).toBe(true);
        // The reader was removed with the cancelled Future.
        expect(loop.removeReader(right)).toBe(false);
        left.sendall('kept');
        return (await loop.sockRecv(right, 100)).toString();
      });
      expect(text).toBe('kept');
    });
  });

  it('sends more than the socket buffer holds, waiting for room', async () => {
    const [left, right] = pair();
    const data = Buffer.alloc(4 * 1024 * 1024, 7);
    const received = await onLoop(guard, kind, async (loop) => {
      const sending = loop.sockSendall(left, data);
      let total = 0;
      while (total < data.length) {
        await sleep(0.001);
        total += (await loop.sockRecv(right, 256 * 1024)).length;
      }
      await sending;
      return total;
    });
    expect(received).toBe(data.length);
  });

  it('cancels a sockSendall: the writer goes and nothing more is sent', async () => {
    const [left, right] = pair();
    await onLoop(guard, kind, async (loop) => {
      const sending = loop.sockSendall(left, Buffer.alloc(8 * 1024 * 1024));
      await sleep(0.01);
      expect(sending.done()).toBe(false);
      sending.cancel();
      await sleep(0.01);
      expect(loop.removeWriter(left)).toBe(false);
      let drained = 0;
      for (;;) {
        const count = right.tryRecvInto(Buffer.alloc(65536));
        if (count <= 0) break;
        drained += count;
      }
      await sleep(0.01);
      expect(right.tryRecvInto(Buffer.alloc(16))).toBe(-1);
      expect(drained).toBeLessThan(8 * 1024 * 1024);
    });
  });

  it('cancels a sockAccept waiting for a connection', async () => {
    const [server] = listener();
    await onLoop(guard, kind, async (loop) => {
      const accepting = loop.sockAccept(server);
      await sleep(0.01);
      accepting.cancel();
      await sleep(0);
      expect(accepting.cancelled()).toBe(true);
      expect(loop.removeReader(server)).toBe(false);
    });
  });

  it('gives the accepted socket non-blocking, with the peer\'s address', async () => {
    const [server, port] = listener();
    const [peer, clientPort] = await onLoop(guard, kind, async (loop) => {
      const sock = client();
      const accepting = loop.sockAccept(server);
      await loop.sockConnect(sock, ['127.0.0.1', port]);
      const [connection, address] = await accepting;
      track(connection);
      expect(connection.getBlocking()).toBe(false);
      return [address, (sock.getsockname() as [string, number])[1]] as const;
    });
    expect(peer).toEqual(['127.0.0.1', clientPort]);
  });

  it('looks a host name up before connecting', async () => {
    const [server, port] = listener();
    await onLoop(guard, kind, async (loop) => {
      const accepting = loop.sockAccept(server);
      const sock = client();
      await loop.sockConnect(sock, ['localhost', port]);
      const [connection] = await accepting;
      track(connection);
      expect((sock.getpeername() as [string, number])[1]).toBe(port);
    });
  });

  it('connects to a Unix socket path', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'asyncio-ts-sock-'));
    try {
      const path = join(directory, 'echo.sock');
      const server = track(new Socket(AF_UNIX));
      server.bind(path);
      server.listen();
      server.setBlocking(false);
      const text = await onLoop(guard, kind, async (loop) => {
        const serving = echoOnce(loop, server);
        const sock = track(new Socket(AF_UNIX));
        sock.setBlocking(false);
        await loop.sockConnect(sock, path);
        await loop.sockSendall(sock, 'unix');
        const reply = await loop.sockRecv(sock, 100);
        sock.close();
        await serving;
        return reply.toString();
      });
      expect(text).toBe('unix');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('fails with ConnectionRefusedError when nothing listens', async () => {
    const [server, port] = listener();
    server.close();
    const error = await onLoop(guard, kind, async (loop) => {
      try {
        await loop.sockConnect(client(), ['127.0.0.1', port]);
      } catch (caught) {
        return caught;
      }
      return null;
    });
    expect(ConnectionRefusedError.isInstance(error)).toBe(true);
    expect(String(error)).toContain('127.0.0.1');
  });

  it('fails with the lookup error for a name that does not resolve', async () => {
    const error = await onLoop(guard, kind, async (loop) => {
      try {
        await loop.sockConnect(client(), ['no-such-host.invalid', 80]);
      } catch (caught) {
        return caught as NodeJS.ErrnoException;
      }
      return null;
    });
    expect(error?.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  it('cancels a sockConnect while its name is looked up', async () => {
    await onLoop(guard, kind, async (loop) => {
      const connecting = loop.sockConnect(client(), ['localhost', 9]);
      connecting.cancel();
      await sleep(0.05);
      expect(connecting.cancelled()).toBe(true);
    });
  });

  it('returns an empty Buffer at end of file', async () => {
    const [left, right] = pair();
    const data = await onLoop(guard, kind, async (loop) => {
      loop.callLater(0.01, () => left.close());
      return loop.sockRecv(right, 100);
    });
    expect(data.length).toBe(0);
  });

  describe('bad input', () => {
    it('refuses a blocking socket at once, saying how to fix it', () => {
      const loop = guard.track(kind.make());
      const [left] = socketpair();
      track(left);
      expect(() => loop.sockRecv(left, 10)).toThrow(ValueError);
      expect(() => loop.sockRecvInto(left, Buffer.alloc(4))).toThrow(/must be non-blocking; call sock.setBlocking\(false\)/);
      expect(() => loop.sockSendall(left, 'x')).toThrow(ValueError);
      expect(() => loop.sockConnect(left, '/tmp/x')).toThrow(ValueError);
      expect(() => loop.sockAccept(left)).toThrow(ValueError);
      loop.close();
    });

    it('refuses what is not a Socket, and bad sizes and data', () => {
      const loop = guard.track(kind.make());
      const [left] = pair();
      expect(() => loop.sockRecv(3 as never, 10)).toThrow(/sockRecv\(\) expects a Socket/);
      expect(() => loop.sockRecv(left, -1)).toThrow(ValueError);
      expect(() => loop.sockSendall(left, 42 as never)).toThrow(TypeError);
      expect(() => loop.sockRecvInto(left, 'text' as never)).toThrow(TypeError);
      loop.close();
    });

    it('fails the Future with EBADF for a closed socket', async () => {
      const error = await onLoop(guard, kind, async (loop) => {
        const [left] = pair();
        left.close();
        try {
          await loop.sockRecv(left, 10);
        } catch (caught) {
          return caught;
        }
        return null;
      });
      expect(OSError.isInstance(error)).toBe(true);
      expect((error as OSError).code).toBe('EBADF');
    });

    it('fails on a closed loop once the operation would wait', () => {
      const loop = guard.track(kind.make());
      const [, right] = pair();
      loop.close();
      expect(() => loop.sockRecv(right, 10)).toThrow(RuntimeError);
    });
  });
});
