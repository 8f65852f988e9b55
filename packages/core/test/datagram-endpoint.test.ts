// loop.createDatagramEndpoint(): UDP endpoints with a DatagramProtocol, on
// both loops (the EventLoop over Node's dgram, a SelectorEventLoop over its
// own sockets): an echo between a bound server and a connected client, in
// both coroutine shapes; unconnected sends; errors of the peer
// (errorReceived) and of the protocol; close and abort; cancellation; bad
// input. Ported in part from CPython's test_asyncio/test_events.py
// (test_create_datagram_endpoint*) and test_selector_events.py's datagram tests.
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  DatagramProtocol,
  ValueError,
  createTask,
  getRunningLoop,
  sleep,
  type BaseTransport,
  type Coroutine,
  type CoroutineLike,
  type DatagramAddress,
  type DatagramTransport,
  type ExceptionContext,
} from '@asyncio-ts/core';
import { OSError } from '@asyncio-ts/selectors';
import { useLoopGuard, shapes, runInRunner } from './fixtures/loop-guard.js';
import { errorOf, loopKinds } from './fixtures/protocols.js';

const guard = useLoopGuard();
const HOST = '127.0.0.1';

/** Sends every datagram back to its sender. */
class EchoServer extends DatagramProtocol {
  transport: DatagramTransport | null = null;
  override connectionMade(transport: BaseTransport): void {
    this.transport = transport as DatagramTransport;
  }
  override datagramReceived(data: Buffer, address: DatagramAddress): void {
    this.transport!.sendto(data, address);
  }
}

/** Records what happens to it, and lets a test wait for the next datagram. */
class Recorder extends DatagramProtocol {
  transport: DatagramTransport | null = null;
  made = 0;
  received: Array<[string, DatagramAddress]> = [];
  errors: Error[] = [];
  lost: Array<Error | undefined> = [];
  #wake: (() => void) | null = null;

  override connectionMade(transport: BaseTransport): void {
    this.transport = transport as DatagramTransport;
    this.made++;
  }
  override datagramReceived(data: Buffer, address: DatagramAddress): void {
    this.received.push([data.toString(), address]);
    this.#wake?.();
  }
  override errorReceived(error: Error): void {
    this.errors.push(error);
    this.#wake?.();
  }
  override connectionLost(error: Error | undefined): void {
    this.lost.push(error);
    this.#wake?.();
  }

  /** Resolves once `done()` holds (checked at each event), within two seconds. */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a datagram event')), 2000);
      this.#wake = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }
}

describe.each(loopKinds)('datagram endpoints on the $name', ({ make }) => {
  const runOn = <T>(main: CoroutineLike<T>): Promise<T> => runInRunner(guard, make, main);

  describe.each(shapes)('a datagram echo awaited in an %s', (shape) => {
    it('carries datagrams both ways between a bound server and a connected client', () =>
      runOn(async () => {
        const loop = getRunningLoop();
        const body =
          shape === 'async function'
            ? async () => {
                const [serverTransport] = await loop.createDatagramEndpoint(() => new EchoServer(), { localAddr: [HOST, 0] });
                const serverAddress = serverTransport.getExtraInfo<DatagramAddress>('sockname')!;
                const [transport, client] = await loop.createDatagramEndpoint(() => new Recorder(), { remoteAddr: serverAddress });
                return { serverTransport, serverAddress, transport, client };
              }
            : function* (): Coroutine<{ serverTransport: DatagramTransport; serverAddress: DatagramAddress; transport: DatagramTransport; client: Recorder }> {
                const [serverTransport] = yield* loop.createDatagramEndpoint(() => new EchoServer(), { localAddr: [HOST, 0] });
                const serverAddress = serverTransport.getExtraInfo<DatagramAddress>('sockname')!;
                const [transport, client] = yield* loop.createDatagramEndpoint(() => new Recorder(), { remoteAddr: serverAddress });
                return { serverTransport, serverAddress, transport, client };
              };
        const { serverTransport, serverAddress, transport, client } = await createTask(body);
        expect(serverAddress[0]).toBe(HOST);
        expect(serverAddress[1]).toBeGreaterThan(0);
        expect(client.made).toBe(1);
        expect(transport.getExtraInfo('peername')).toEqual(serverAddress);
        transport.sendto('one');
        transport.sendto(Buffer.from('two'), serverAddress);
        await client.until(() => client.received.length === 2);
        expect(client.received.map(([data]) => data).sort()).toEqual(['one', 'two']);
        expect(client.received[0]![1]).toEqual(serverAddress);
        transport.close();
        expect(transport.isClosing()).toBe(true);
        await client.until(() => client.lost.length === 1);
        expect(client.lost).toEqual([undefined]);
        serverTransport.close();
      }));
  });

  describe('loop.createDatagramEndpoint()', () => {
    it('sends from an unconnected endpoint to the address given, and refuses to send without one', () =>
      runOn(async () => {
        const loop = getRunningLoop();
        const [serverTransport] = await loop.createDatagramEndpoint(() => new EchoServer(), { localAddr: [HOST, 0] });
        const serverAddress = serverTransport.getExtraInfo<DatagramAddress>('sockname')!;
        const [transport, client] = await loop.createDatagramEndpoint(() => new Recorder(), { localAddr: [HOST, 0] });
        expect(() => transport.sendto('nowhere')).toThrow(ValueError);
        expect(() => transport.sendto('nowhere')).toThrow(/has no remoteAddr; pass the address/);
        expect(() => transport.sendto(42 as never, serverAddress)).toThrow(/sendto\(\) expects data as a Buffer, Uint8Array or string/);
        expect(() => transport.sendto('x', 'localhost' as never)).toThrow(/sendto\(\) expects address as \[host, port\]/);
        transport.sendto('', serverAddress); // an empty datagram is not sent, as in asyncio
        transport.sendto('hello', serverAddress);
        await client.until(() => client.received.length === 1);
        expect(client.received).toEqual([['hello', serverAddress]]);
        transport.close();
        serverTransport.close();
      }));

    it('refuses a destination other than the remote address of a connected endpoint', () =>
      runOn(async () => {
        const loop = getRunningLoop();
        const [serverTransport] = await loop.createDatagramEndpoint(() => new EchoServer(), { localAddr: [HOST, 0] });
        const serverAddress = serverTransport.getExtraInfo<DatagramAddress>('sockname')!;
        const [transport] = await loop.createDatagramEndpoint(() => new Recorder(), { remoteAddr: serverAddress });
        expect(() => transport.sendto('x', [HOST, serverAddress[1] + 1])).toThrow(/Invalid address: must be None or/);
        transport.close();
        serverTransport.close();
      }));

    it('reports a peer that refuses the datagrams to errorReceived(), and stays open', () =>
      runOn(async () => {
        const loop = getRunningLoop();
        // A port nobody listens on: bound, then closed.
        const [probe] = await loop.createDatagramEndpoint(() => new Recorder(), { localAddr: [HOST, 0] });
        const closedPort = probe.getExtraInfo<DatagramAddress>('sockname')![1];
        probe.close();
        await sleep(0.01);
        const [transport, client] = await loop.createDatagramEndpoint(() => new Recorder(), { remoteAddr: [HOST, closedPort] });
        for (let attempt = 0; attempt < 20 && client.errors.length === 0; attempt++) {
          transport.sendto('anyone?');
          await sleep(0.02);
        }
        expect(client.errors.length).toBeGreaterThan(0);
        expect(OSError.isInstance(client.errors[0])).toBe(true);
        expect((client.errors[0] as Error & { code?: string }).code).toBe('ECONNREFUSED');
        expect(transport.isClosing()).toBe(false);
        transport.close();
      }));

    it("reports a protocol that throws to the loop's exception handler and closes the transport", () =>
      runOn(async () => {
        const loop = getRunningLoop();
        const contexts: ExceptionContext[] = [];
        loop.setExceptionHandler((_loop, context) => contexts.push(context));
        class Throwing extends Recorder {
          override datagramReceived(): void {
            throw new Error('bad datagram');
          }
        }
        const [serverTransport, server] = await loop.createDatagramEndpoint(() => new Throwing(), { localAddr: [HOST, 0] });
        const [transport] = await loop.createDatagramEndpoint(() => new Recorder(), { remoteAddr: serverTransport.getExtraInfo<DatagramAddress>('sockname')! });
        transport.sendto('boom');
        await server.until(() => server.lost.length === 1);
        expect(contexts.map((context) => context.message)).toEqual(['Fatal error: protocol.datagramReceived() call failed.']);
        expect((contexts[0]!.exception as Error).message).toBe('bad datagram');
        expect(serverTransport.isClosing()).toBe(true);
        transport.close();
      }));

    it('sends what was given before close(), then closes; abort() closes at once', () =>
      runOn(async () => {
        const loop = getRunningLoop();
        const [serverTransport, server] = await loop.createDatagramEndpoint(() => new Recorder(), { localAddr: [HOST, 0] });
        const serverAddress = serverTransport.getExtraInfo<DatagramAddress>('sockname')!;
        const [transport, client] = await loop.createDatagramEndpoint(() => new Recorder(), { remoteAddr: serverAddress });
        for (let index = 0; index < 10; index++) transport.sendto(`datagram ${index}`);
        transport.close();
        transport.sendto('after close'); // dropped, as asyncio drops it
        await client.until(() => client.lost.length === 1);
        await server.until(() => server.received.length === 10);
        expect(server.received.map(([data]) => data)).toEqual(Array.from({ length: 10 }, (_, index) => `datagram ${index}`));
        serverTransport.abort();
        await server.until(() => server.lost.length === 1);
        expect(server.lost).toEqual([undefined]);
      }));

    it("has asyncio's write-buffer limits, 64 KiB and a quarter of it, and checks new ones", () =>
      runOn(async () => {
        const [transport] = await getRunningLoop().createDatagramEndpoint(() => new Recorder(), { localAddr: [HOST, 0] });
        expect(transport.getWriteBufferLimits()).toEqual([16 * 1024, 64 * 1024]);
        expect(transport.getWriteBufferSize()).toBe(0);
        transport.setWriteBufferLimits(1000);
        expect(transport.getWriteBufferLimits()).toEqual([250, 1000]);
        expect(() => transport.setWriteBufferLimits(10, 20)).toThrow(/high \(10\) must be >= low \(20\)/);
        expect(() => transport.setWriteBufferLimits('big' as never)).toThrow(TypeError);
        transport.close();
      }));

    it('closes the socket when cancelled before the endpoint is ready; the factory is not called', () =>
      runOn(async () => {
        const loop = getRunningLoop();
        let made = 0;
        const endpoint = loop.createDatagramEndpoint(
          () => {
            made++;
            return new Recorder();
          },
          { localAddr: [HOST, 0] },
        );
        endpoint.cancel();
        expect(CancelledError.isInstance(await errorOf(endpoint))).toBe(true);
        await sleep(0.02);
        expect(made).toBe(0);
      }));

    it('fails with EADDRINUSE on an address in use, unless reuseAddress is set on both', () =>
      runOn(async () => {
        const loop = getRunningLoop();
        const [first] = await loop.createDatagramEndpoint(() => new Recorder(), { localAddr: [HOST, 0] });
        const address = first.getExtraInfo<DatagramAddress>('sockname')!;
        const error = await errorOf(loop.createDatagramEndpoint(() => new Recorder(), { localAddr: address }));
        expect(OSError.isInstance(error)).toBe(true);
        expect((error as Error & { code?: string }).code).toBe('EADDRINUSE');
        first.close();
        const [shared] = await loop.createDatagramEndpoint(() => new Recorder(), { localAddr: [HOST, 0], reuseAddress: true });
        const [again] = await loop.createDatagramEndpoint(() => new Recorder(), { localAddr: shared.getExtraInfo<DatagramAddress>('sockname')!, reuseAddress: true });
        shared.close();
        again.close();
      }));

    it('refuses bad input with errors that say what to pass', () =>
      runOn(async () => {
        const loop = getRunningLoop();
        const factory = () => new Recorder();
        const cases: Array<[() => PromiseLike<unknown>, RegExp]> = [
          [() => loop.createDatagramEndpoint(factory, { localAddr: '/tmp/socket' as never }), /as a path \(a Unix datagram socket\) is not supported/],
          [() => loop.createDatagramEndpoint(factory, { localAddr: [HOST, 70000] }), /localAddr as \[host, port\] with a port from 0 to 65535/],
          [() => loop.createDatagramEndpoint(factory, { remoteAddr: 'x' as never }), /remoteAddr as a path/],
          [() => loop.createDatagramEndpoint(factory, { family: 99 }), /family as AF_INET, AF_INET6 or 0/],
          [() => loop.createDatagramEndpoint(factory, { sock: {} } as never), /sock is not supported/],
          [() => loop.createDatagramEndpoint(42 as never), /protocolFactory as a function/],
        ];
        for (const [start, message] of cases) expect(String(await errorOf(start()))).toMatch(message);
      }));
  });
});
