// The echo servers of the io suite that run in Node: raw Node net, and
// asyncio-ts's protocols and streams on the hosted EventLoop and on the
// SelectorEventLoop. Each runs alone in a child process
// (`node dist/main.js io-server <name>`): it prints {"port"} once it serves,
// or {"skip": reason} and exits with status 3 when the API it needs is not
// there, then echoes until it is killed. The echo code is the same as
// bench/python/echo_server.py's, line for line.
//
// The I/O API of @asyncio-ts/core (issue 6) is looked up at run time, by the
// names of notes/io-plan.md, so that the suite builds and reports a skipped
// row while a piece of it has not landed.
import * as core from '@asyncio-ts/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import { once } from 'node:events';
import { writeSync } from 'node:fs';
import net from 'node:net';

const HOST = '127.0.0.1';
const READ_SIZE = 65536;

interface EchoTransport {
  write(data: Uint8Array): void;
}
interface EchoServer {
  sockets: readonly { getsockname(): unknown }[];
  serveForever(): PromiseLike<unknown>;
}
interface EchoReader {
  read(n: number): core.Future<Uint8Array>;
}
interface EchoWriter {
  write(data: Uint8Array): void;
  drain(): core.Future<void>;
  close(): void;
}
type ClientConnected = (reader: EchoReader, writer: EchoWriter) => Promise<void> | core.Coroutine<void>;
type ProtocolFactory = () => object;
interface PlannedIo {
  SelectorEventLoop?: new () => core.BaseEventLoop;
  Protocol?: new () => object;
  createServer?: (loop: core.BaseEventLoop, factory: ProtocolFactory, host: string, port: number) => PromiseLike<EchoServer>;
  startServer?: (clientConnected: ClientConnected, host: string, port: number) => PromiseLike<EchoServer>;
}
type LoopWithServer = core.BaseEventLoop & {
  createServer?: (factory: ProtocolFactory, host: string, port: number) => PromiseLike<EchoServer>;
};

/** What core exports of the planned I/O API (undefined for what has not landed). */
const planned = (): PlannedIo => core as unknown as PlannedIo;

class SkipServer extends Error {}

function announce(message: object): void {
  writeSync(1, `${JSON.stringify(message)}\n`);
}

function portOf(server: EchoServer): number {
  const address = server.sockets[0]?.getsockname();
  if (!Array.isArray(address) || typeof address[1] !== 'number') {
    throw new Error(`server.sockets[0].getsockname() gave ${String(address)}, expected [host, port]`);
  }
  return address[1];
}

/** The classic protocol echo: every chunk written back as it comes. */
function echoProtocolFactory(): ProtocolFactory {
  // Extends core's Protocol once it is exported; its callbacks are do-nothing defaults anyway.
  const Base = planned().Protocol ?? class {};
  class EchoProtocol extends Base {
    transport: EchoTransport | undefined;
    connectionMade(transport: EchoTransport): void {
      this.transport = transport;
    }
    dataReceived(data: Uint8Array): void {
      this.transport!.write(data);
    }
    eofReceived(): boolean {
      return false;
    }
    connectionLost(): void {
      this.transport = undefined;
    }
    pauseWriting(): void {}
    resumeWriting(): void {}
  }
  return () => new EchoProtocol();
}

/** The streams echo as users write it: read, write, drain. */
async function echoStreams(reader: EchoReader, writer: EchoWriter): Promise<void> {
  try {
    for (;;) {
      const data = await reader.read(READ_SIZE);
      if (data.length === 0) break;
      writer.write(data);
      await writer.drain();
    }
  } catch {
    // The client closes with an echo still unread, which resets the
    // connection: as the Python server's `except ConnectionError`. A real
    // failure shows on the client's side, which checks every echo.
  } finally {
    writer.close();
  }
}

/** The same, as a generator coroutine (the exact model of DESIGN.md). */
function* echoStreamsGenerator(reader: EchoReader, writer: EchoWriter): core.Coroutine<void> {
  try {
    for (;;) {
      const data = yield* reader.read(READ_SIZE);
      if (data.length === 0) break;
      writer.write(data);
      yield* writer.drain();
    }
  } catch {
    // As echoStreams.
  } finally {
    writer.close();
  }
}

function loopFactory(kind: 'hosted' | 'selector'): () => core.BaseEventLoop {
  if (kind === 'hosted') return () => core.newEventLoop();
  const SelectorEventLoop = planned().SelectorEventLoop;
  if (SelectorEventLoop === undefined) throw new SkipServer('@asyncio-ts/core does not export SelectorEventLoop yet');
  return () => new SelectorEventLoop();
}

type Api = 'protocols' | 'streams' | 'streams-generator';

async function startOurs(loop: LoopWithServer, api: Api): Promise<EchoServer> {
  if (api !== 'protocols') {
    const startServer = planned().startServer;
    if (startServer === undefined) throw new SkipServer('@asyncio-ts/core does not export startServer yet');
    return startServer(api === 'streams' ? echoStreams : echoStreamsGenerator, HOST, 0);
  }
  const factory = echoProtocolFactory();
  if (typeof loop.createServer === 'function') return loop.createServer(factory, HOST, 0);
  const createServer = planned().createServer;
  if (createServer === undefined) throw new SkipServer('neither loop.createServer() nor createServer(loop, ...) is there yet');
  return createServer(loop, factory, HOST, 0);
}

async function serveOurs(kind: 'hosted' | 'selector', api: Api): Promise<void> {
  const runner = new core.Runner({ loopFactory: loopFactory(kind) });
  await runner.run(async () => {
    const server = await startOurs(core.getRunningLoop() as LoopWithServer, api);
    announce({ port: portOf(server) });
    await server.serveForever();
  });
}

function serveNode(): void {
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('data', (data) => socket.write(data));
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, HOST, () => announce({ port: (server.address() as net.AddressInfo).port }));
}

/**
 * The chunks a socket delivers, read one at a time with a native promise:
 * the least an awaitable reader can be over Node net.
 */
class ChunkReader {
  readonly #chunks: (Buffer | null)[] = [];
  #waiting: ((chunk: Buffer | null) => void) | null = null;

  constructor(socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.#deliver(chunk));
    socket.on('close', () => this.#deliver(null));
  }

  /** The next chunk, or null at the end. */
  read(): Promise<Buffer | null> {
    if (this.#chunks.length > 0) return Promise.resolve(this.#chunks.shift()!);
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  #deliver(chunk: Buffer | null): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting !== null) waiting(chunk);
    else this.#chunks.push(chunk);
  }
}

/**
 * The floor of the async-function streams echo: Node net, each connection
 * served by an async function in an AsyncLocalStorage context (what an
 * async-function task needs to know its task), awaiting a native promise for
 * each chunk and one for the drain, as the streams echo awaits read() and
 * drain(). No loop, Task or Future: what Node 20 charges for the awaits.
 */
function serveNodeAsyncFloor(): void {
  const storage = new AsyncLocalStorage<number>();
  const drained = Promise.resolve();
  let connections = 0;
  async function echo(socket: net.Socket): Promise<void> {
    const reader = new ChunkReader(socket);
    for (;;) {
      const data = await reader.read();
      if (data === null) break;
      await (socket.write(data) ? drained : once(socket, 'drain'));
    }
    socket.end();
  }
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    storage.run(++connections, echo, socket).catch(() => socket.destroy());
  });
  server.listen(0, HOST, () => announce({ port: (server.address() as net.AddressInfo).port }));
}

/** The Node-side servers, by the name the suite passes to `io-server`. */
export const nodeServers: Record<string, () => Promise<void> | void> = {
  'node-net': serveNode,
  'node-net-async-floor': serveNodeAsyncFloor,
  'ours-protocols-hosted': () => serveOurs('hosted', 'protocols'),
  'ours-streams-hosted': () => serveOurs('hosted', 'streams'),
  'ours-streams-generator-hosted': () => serveOurs('hosted', 'streams-generator'),
  'ours-protocols-selector': () => serveOurs('selector', 'protocols'),
  'ours-streams-selector': () => serveOurs('selector', 'streams'),
  'ours-streams-generator-selector': () => serveOurs('selector', 'streams-generator'),
};

/** The child side: runs one server until killed; a missing API becomes {"skip"} and status 3. */
export async function serveEcho(name: string): Promise<void> {
  const serve = nodeServers[name];
  if (serve === undefined) throw new Error(`unknown io server ${name}; choose from ${Object.keys(nodeServers).join(', ')}`);
  try {
    await serve();
  } catch (error) {
    if (!(error instanceof SkipServer) && !(error instanceof TypeError)) throw error;
    // A TypeError here is an API that is only half there (a method missing on an object).
    announce({ skip: error.message.split('\n')[0] });
    process.exit(3);
  }
}
