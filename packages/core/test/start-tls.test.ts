// loop.startTls() and StreamWriter.startTls(): a connection that starts in
// plain text and switches to TLS in mid-stream (SMTP's STARTTLS), with
// protocols and with streams in both coroutine shapes; a failed handshake
// (wrong name, a timeout), cancellation, and bad input. Ported in part from
// CPython's test_asyncio/test_sslproto.py (test_start_tls_client_*,
// test_start_tls_server_*) and test_streams.py's start_tls tests.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  EventLoop,
  Protocol,
  SelectorEventLoop,
  StreamWriter,
  ValueError,
  getRunningLoop,
  openConnection,
  sleep,
  startServer,
  type BaseTransport,
  type Coroutine,
  type CoroutineLike,
  type Future,
  type StreamReader,
  type Transport,
} from '@asyncio-ts/core';
import { OSError } from '@asyncio-ts/selectors';
import { useLoopGuard, shapes, runInRunner } from './fixtures/loop-guard.js';
import { errorOf, portOf } from './fixtures/protocols.js';

const guard = useLoopGuard();
const fixtures = new URL('./fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('cert.pem', fixtures));
const key = readFileSync(new URL('key.pem', fixtures));
const HOST = '127.0.0.1';

function runOn<T>(main: CoroutineLike<T>, make: () => EventLoop | SelectorEventLoop = () => new EventLoop()): Promise<T> {
  return runInRunner(guard, make, main);
}

/** A line-based STARTTLS server protocol: "STARTTLS" -> "GO", then TLS, then echoes with a prefix. */
class StartTlsServer extends Protocol {
  transport: Transport | null = null;
  connectionsMade = 0;
  upgraded: Future<Transport> | null = null;
  lost: Error | undefined | null = null;

  override connectionMade(transport: BaseTransport): void {
    this.transport = transport as Transport;
    this.connectionsMade++;
  }

  override dataReceived(data: Buffer): void {
    const text = data.toString();
    if (this.upgraded === null && text === 'STARTTLS\n') {
      this.transport!.write('GO\n');
      this.upgraded = getRunningLoop().startTls(this.transport!, this, { key, cert }, { serverSide: true });
      this.upgraded.addDoneCallback((future) => {
        if (future.cancelled() || future.exception() !== null) return;
        this.transport = future.result();
        // At once: the client may get it before its own side of startTls() has its transport.
        this.transport.write('welcome\n');
      });
      return;
    }
    this.transport!.write(`tls:${text}`);
  }

  override connectionLost(error: Error | undefined): void {
    this.lost = error;
  }
}

/** The client's side: records what arrives. */
class Collector extends Protocol {
  transport: Transport | null = null;
  connectionsMade = 0;
  received = '';
  #waiting: { text: string; resolve: () => void } | null = null;

  override connectionMade(transport: BaseTransport): void {
    this.transport = transport as Transport;
    this.connectionsMade++;
  }

  override dataReceived(data: Buffer): void {
    this.received += data.toString();
    if (this.#waiting !== null && this.received.includes(this.#waiting.text)) this.#waiting.resolve();
  }

  waitFor(text: string): Promise<void> {
    if (this.received.includes(text)) return Promise.resolve();
    return new Promise((resolve) => (this.#waiting = { text, resolve }));
  }
}

/** A server protocol that reads and never answers; it closes on EOF, and records how the connection ended. */
class Silent extends Collector {
  lost: Error | undefined | null = null;

  override eofReceived(): boolean {
    return false;
  }

  override connectionLost(error: Error | undefined): void {
    this.lost = error;
  }
}

describe('loop.startTls() with protocols', () => {
  it('upgrades a plain connection on both sides; the protocols go on over TLS without a second connectionMade()', () =>
    runOn(async () => {
      const loop = getRunningLoop();
      const serverProtocol = new StartTlsServer();
      const server = await loop.createServer(() => serverProtocol, HOST, 0);
      const [plain, client] = await loop.createConnection(() => new Collector(), HOST, portOf(server));
      plain.write('STARTTLS\n');
      await client.waitFor('GO\n');
      const secured = await loop.startTls(plain, client, { ca: cert }, { serverHostname: 'localhost' });
      expect(secured).not.toBe(plain);
      expect(plain.isClosing()).toBe(true);
      expect(() => plain.write('in the clear')).toThrow(/upgraded to TLS by startTls\(\); write to the transport startTls\(\) gave/);
      await client.waitFor('welcome\n');
      secured.write('hello');
      await client.waitFor('tls:hello');
      expect(client.connectionsMade).toBe(1);
      expect(serverProtocol.connectionsMade).toBe(1);
      expect(secured.getExtraInfo<{ name: string }>('cipher')?.name).toBeTruthy();
      expect(secured.getExtraInfo<{ subject: { CN: string } }>('peercert')?.subject.CN).toBe('localhost');
      expect(secured.getExtraInfo('peername')).toEqual(plain.getExtraInfo('peername'));
      expect(serverProtocol.transport!.getExtraInfo('sslcontext')).toEqual({ key, cert });
      secured.close();
      server.close();
      await server.waitClosed();
      expect(serverProtocol.lost).toBeUndefined();
    }));

  it('fails on a certificate that does not match serverHostname, and tells the protocol the connection is lost', () =>
    runOn(async () => {
      const loop = getRunningLoop();
      const server = await loop.createServer(() => new StartTlsServer(), HOST, 0);
      const lost: Array<Error | undefined> = [];
      class Watching extends Collector {
        override connectionLost(error: Error | undefined): void {
          lost.push(error);
        }
      }
      const [plain, client] = await loop.createConnection(() => new Watching(), HOST, portOf(server));
      plain.write('STARTTLS\n');
      await client.waitFor('GO\n');
      const error = await errorOf(loop.startTls(plain, client, { ca: cert }, { serverHostname: 'wrong.example' }));
      expect(String(error)).toMatch(/wrong\.example|altnames|certificate/i);
      await sleep(0.01);
      expect(lost).toHaveLength(1);
      server.close();
      await server.waitClosed();
    }));

  it('aborts a handshake that takes longer than sslHandshakeTimeout', () =>
    runOn(async () => {
      const loop = getRunningLoop();
      // This server never answers the client's hello.
      const server = await loop.createServer(() => new Silent(), HOST, 0);
      const [plain, client] = await loop.createConnection(() => new Collector(), HOST, portOf(server));
      const started = loop.time();
      const error = await errorOf(loop.startTls(plain, client, { ca: cert }, { serverHostname: 'localhost', sslHandshakeTimeout: 0.2 }));
      expect(OSError.isInstance(error)).toBe(true);
      expect(String((error as Error).message)).toMatch(/SSL handshake is taking longer than 0.2 seconds/);
      expect(loop.time() - started).toBeGreaterThanOrEqual(0.19);
      expect(loop.time() - started).toBeLessThan(5);
      server.close();
      await server.waitClosed();
    }));

  it('closes the connection when the upgrade is cancelled, and the server sees it go', () =>
    runOn(async () => {
      const loop = getRunningLoop();
      // This server never answers the client's hello.
      const serverSide = new Silent();
      const server = await loop.createServer(() => serverSide, HOST, 0);
      const [plain, client] = await loop.createConnection(() => new Collector(), HOST, portOf(server));
      const upgrade = loop.startTls(plain, client, { ca: cert }, { serverHostname: 'localhost' });
      await sleep(0.01);
      upgrade.cancel();
      expect(CancelledError.isInstance(await errorOf(upgrade))).toBe(true);
      for (let waited = 0; serverSide.lost === null && waited < 200; waited++) await sleep(0.01);
      expect(serverSide.lost).not.toBeNull();
      server.close();
      await server.waitClosed();
    }));

  it('refuses bad input with errors that say what to pass', () =>
    runOn(async () => {
      const loop = getRunningLoop();
      const server = await loop.createServer(() => new Collector(), HOST, 0);
      const [plain, client] = await loop.createConnection(() => new Collector(), HOST, portOf(server));
      const cases: Array<[Future<unknown>, RegExp]> = [
        [loop.startTls(plain, client, { ca: cert }), /serverHostname is required on the client side/],
        [loop.startTls(plain, client, 42 as never, { serverHostname: 'localhost' }), /expects sslcontext as true, TLS options or a SecureContext/],
        [loop.startTls({} as Transport, client, true, { serverHostname: 'localhost' }), /expects a transport made by this EventLoop/],
        [loop.startTls(plain, client, { key, cert }, { serverSide: true, serverHostname: 'x' }), /serverHostname is only meaningful on the client side/],
        [loop.startTls(plain, client, true, { serverHostname: 'localhost', sslHandshakeTimeout: -1 }), /sslHandshakeTimeout should be a positive number/],
      ];
      for (const [future, message] of cases) expect(String(await errorOf(future))).toMatch(message);
      // None of them touched the connection.
      expect(plain.isClosing()).toBe(false);
      // Nobody answers TLS there: it times out, and the connection closes.
      expect(OSError.isInstance(await errorOf(loop.startTls(plain, client, true, { serverHostname: '', sslHandshakeTimeout: 0.05 })))).toBe(true);
      expect(String(await errorOf(loop.startTls(plain, client, true, { serverHostname: 'localhost' })))).toMatch(/the transport is closing; upgrade an open connection/);
      plain.close();
      server.close();
      await server.waitClosed();
    }));

  it('refuses on a SelectorEventLoop, which has no TLS', () =>
    runOn(async () => {
      const loop = getRunningLoop();
      const server = await loop.createServer(() => new Collector(), HOST, 0);
      const [plain, client] = await loop.createConnection(() => new Collector(), HOST, portOf(server));
      const error = await errorOf(loop.startTls(plain, client, true, { serverHostname: 'localhost' }));
      expect(error).toBeInstanceOf(ValueError);
      expect(String(error)).toMatch(/ssl needs the EventLoop/);
      plain.close();
      server.close();
      await server.waitClosed();
    }, () => new SelectorEventLoop()));
});

/** The STARTTLS server of the streams tests: "STARTTLS" -> "GO", upgrade, then echo one line with a prefix. */
function streamsServer(shape: (typeof shapes)[number]) {
  if (shape === 'async function') {
    return async (reader: StreamReader, writer: StreamWriter) => {
      expect((await reader.readline()).toString()).toBe('STARTTLS\n');
      writer.write('GO\n');
      await writer.startTls({ key, cert });
      const line = await reader.readline();
      writer.write(`tls:${line.toString()}`);
      await writer.drain();
      writer.close();
    };
  }
  return function* (reader: StreamReader, writer: StreamWriter): Coroutine<void> {
    expect((yield* reader.readline()).toString()).toBe('STARTTLS\n');
    writer.write('GO\n');
    yield* writer.startTls({ key, cert });
    const line = yield* reader.readline();
    writer.write(`tls:${line.toString()}`);
    yield* writer.drain();
    writer.close();
  };
}

describe.each(shapes)('StreamWriter.startTls() in an %s', (shape) => {
  it('switches both ends to TLS after a plain exchange; reader and writer go on over TLS', () =>
    runOn(async () => {
      const server = await startServer(streamsServer(shape), HOST, 0);
      const [reader, writer] = await openConnection(HOST, portOf(server));
      const plain = writer.transport;
      const body =
        shape === 'async function'
          ? async () => {
              writer.write('STARTTLS\n');
              expect((await reader.readline()).toString()).toBe('GO\n');
              await writer.startTls({ ca: cert }, { serverHostname: 'localhost' });
              writer.write('hello\n');
              return (await reader.readline()).toString();
            }
          : function* (): Coroutine<string> {
              writer.write('STARTTLS\n');
              expect((yield* reader.readline()).toString()).toBe('GO\n');
              yield* writer.startTls({ ca: cert }, { serverHostname: 'localhost' });
              writer.write('hello\n');
              return (yield* reader.readline()).toString();
            };
      const echoed = await getRunningLoop().createTask(body);
      expect(echoed).toBe('tls:hello\n');
      expect(writer.transport).not.toBe(plain);
      expect(writer.getExtraInfo<{ subject: { CN: string } }>('peercert')?.subject.CN).toBe('localhost');
      // The server closed after its answer: over TLS, EOF reaches the reader.
      expect((await reader.read()).length).toBe(0);
      writer.close();
      await writer.waitClosed();
      server.close();
      await server.waitClosed();
    }));

  it('fails when the server does not speak TLS, and the reader sees the connection end', () =>
    runOn(async () => {
      // A server that answers the hello with plain text, then closes.
      const server = await startServer(
        async (reader: StreamReader, writer: StreamWriter) => {
          await reader.read(1);
          writer.write('not TLS\n');
          writer.close();
        },
        HOST,
        0,
      );
      const [reader, writer] = await openConnection(HOST, portOf(server));
      const upgrade =
        shape === 'async function'
          ? getRunningLoop().createTask(async () => {
              await writer.startTls({ ca: cert }, { serverHostname: 'localhost' });
            })
          : getRunningLoop().createTask(function* (): Coroutine<void> {
              yield* writer.startTls({ ca: cert }, { serverHostname: 'localhost' });
            });
      const error = await errorOf(upgrade);
      expect(error).toBeInstanceOf(Error);
      expect(CancelledError.isInstance(error)).toBe(false);
      expect(reader.atEof() || reader.exception() !== null).toBe(true);
      await errorOf(writer.waitClosed()).catch(() => undefined);
      server.close();
      await server.waitClosed();
    }));

  it('is cancelled with its task, closing the connection', () =>
    runOn(async () => {
      // This server reads and never upgrades; it closes on EOF.
      const server = await startServer(
        async (reader: StreamReader, writer: StreamWriter) => {
          await reader.read();
          writer.close();
        },
        HOST,
        0,
      );
      const [reader, writer] = await openConnection(HOST, portOf(server));
      const task =
        shape === 'async function'
          ? getRunningLoop().createTask(async () => {
              await writer.startTls({ ca: cert }, { serverHostname: 'localhost' });
            })
          : getRunningLoop().createTask(function* (): Coroutine<void> {
              yield* writer.startTls({ ca: cert }, { serverHostname: 'localhost' });
            });
      await sleep(0.02);
      task.cancel();
      expect(CancelledError.isInstance(await errorOf(task))).toBe(true);
      expect((await reader.read()).length).toBe(0);
      server.close();
      await server.waitClosed();
    }));
});
