/**
 * openConnection() and startServer(): streams over TCP or Unix sockets
 * (asyncio's streams.open_connection, start_server, open_unix_connection,
 * start_unix_server), on the running loop's createConnection() and
 * createServer().
 *
 * Differences from asyncio:
 * - Keyword arguments are an options object: `{limit, ssl, ...}` takes
 *   createConnection()'s or createServer()'s options beside `limit`.
 * - They return loop Futures (`await` or `yield*`).
 * - startServer()'s callback may be a plain, async or generator function (see
 *   StreamReaderProtocol).
 */
import type { BaseEventLoop } from './base-event-loop.js';
import { createConnection, type CreateConnectionOptions } from './create-connection.js';
import { createServer, type CreateServerOptions } from './create-server.js';
import { getRunningLoop } from './events.js';
import { Future } from './future.js';
import { describe } from './internal/checks.js';
import type { Server } from './server.js';
import { DEFAULT_LIMIT, StreamReader } from './stream-reader.js';
import { StreamReaderProtocol, type ClientConnected } from './stream-reader-protocol.js';
import { StreamWriter } from './stream-writer.js';
import type { Transport } from './transports.js';

/** Options of openConnection(): createConnection()'s, and the reader's buffer limit. */
export interface OpenConnectionOptions extends CreateConnectionOptions {
  /** The StreamReader's buffer limit in bytes. @default 65536 */
  limit?: number;
}

/** Options of startServer(): createServer()'s, and each reader's buffer limit. */
export interface StartServerOptions extends CreateServerOptions {
  /** Each StreamReader's buffer limit in bytes. @default 65536 */
  limit?: number;
}

/**
 * Connects to `host`:`port` and gives the connection's reader and writer.
 *
 * The Future fails with an OSError subclass when connecting fails
 * (ConnectionRefusedError, ...); cancelling it closes the connection under
 * way.
 * @throws RuntimeError when no loop is running; ValueError for a bad limit.
 * @example
 * const [reader, writer] = await openConnection('127.0.0.1', 8888);
 * writer.write('hello\n');
 * const reply = await reader.readline();
 * writer.close();
 * await writer.waitClosed();
 */
export function openConnection(
  host?: string | null,
  port?: number | string | null,
  options: OpenConnectionOptions = {},
): Future<[StreamReader, StreamWriter]> {
  const loop = getRunningLoop();
  const { limit = DEFAULT_LIMIT, ...rest } = options;
  const reader = new StreamReader(limit, { loop });
  const protocol = new StreamReaderProtocol(reader, null, { loop });
  const connecting = connect(loop)(() => protocol, host, port, rest);
  return mapFuture(loop, connecting, ([transport]) => [reader, new StreamWriter(transport, protocol, reader, loop)]);
}

/**
 * Listens on `host`:`port` (`host` may be a list, or undefined for every
 * address; port 0 picks a free port) and calls `clientConnected(reader,
 * writer)` for each connection. A plain function is called as is; an async
 * or generator function (or a coroutine a plain function returns) runs as a
 * task, whose error goes to the loop's exception handler and closes that
 * connection.
 *
 * The Future gives the Server once it listens; it fails with an OSError
 * (`code` 'EADDRINUSE', ...) when the address cannot be bound.
 * @throws RuntimeError when no loop is running; TypeError when clientConnected is not a function.
 * @example
 * const server = await startServer(async (reader, writer) => {
 *   writer.write(await reader.readline());
 *   writer.close();
 * }, '127.0.0.1', 8888);
 * await server.serveForever();
 */
export function startServer(
  clientConnected: ClientConnected,
  host?: string | readonly string[] | null,
  port?: number | string | null,
  options: StartServerOptions = {},
): Future<Server> {
  if (typeof clientConnected !== 'function') {
    throw new TypeError(
      `startServer() expects clientConnected as a function of (reader, writer), got ${describe(clientConnected)}; pass the function, not its call`,
    );
  }
  const loop = getRunningLoop();
  const { limit = DEFAULT_LIMIT, ...rest } = options;
  // Checked once here rather than at the first connection.
  void new StreamReader(limit);
  const factory = () => new StreamReaderProtocol(new StreamReader(limit, { loop }), clientConnected, { loop });
  return serve(loop)(factory, host, port, rest);
}

/**
 * openConnection() to a Unix socket at `path` (asyncio's open_unix_connection).
 * @example
 * const [reader, writer] = await openUnixConnection('/tmp/echo.sock');
 */
export function openUnixConnection(path: string, options: Omit<OpenConnectionOptions, 'path'> = {}): Future<[StreamReader, StreamWriter]> {
  return openConnection(undefined, undefined, { ...options, path });
}

/**
 * startServer() on a Unix socket at `path` (asyncio's start_unix_server).
 * @example
 * const server = await startUnixServer(handle, '/tmp/echo.sock');
 */
export function startUnixServer(
  clientConnected: ClientConnected,
  path: string,
  options: Omit<StartServerOptions, 'path'> = {},
): Future<Server> {
  return startServer(clientConnected, undefined, undefined, { ...options, path });
}

type Connect = (
  protocolFactory: () => StreamReaderProtocol,
  host: string | null | undefined,
  port: number | string | null | undefined,
  options: CreateConnectionOptions,
) => Future<[Transport, StreamReaderProtocol]>;

type Serve = (
  protocolFactory: () => StreamReaderProtocol,
  host: string | readonly string[] | null | undefined,
  port: number | string | null | undefined,
  options: CreateServerOptions,
) => Future<Server>;

/** The loop's createConnection() (a subclass may override it), else the function it delegates to. */
function connect(loop: BaseEventLoop): Connect {
  const method = (loop as unknown as { createConnection?: Connect }).createConnection;
  return typeof method === 'function' ? method.bind(loop) : (...args) => createConnection(loop, ...args);
}

/** The loop's createServer(), else the function it delegates to. */
function serve(loop: BaseEventLoop): Serve {
  const method = (loop as unknown as { createServer?: Serve }).createServer;
  return typeof method === 'function' ? method.bind(loop) : (...args) => createServer(loop, ...args);
}

/** A Future of `map(inner's result)`; cancelling it cancels `inner`. */
function mapFuture<A, B>(loop: BaseEventLoop, inner: Future<A>, map: (value: A) => B): Future<B> {
  const outer = new LinkedFuture<B>(loop, inner);
  inner.addListener({
    futureDone() {
      if (outer.done()) return;
      if (inner.cancelled()) {
        outer.cancel();
        return;
      }
      const error = inner.exception();
      if (error !== null) {
        outer.setException(error);
        return;
      }
      try {
        outer.setResult(map(inner.result()));
      } catch (mapError) {
        outer.setException(mapError);
      }
    },
  });
  return outer;
}

class LinkedFuture<T> extends Future<T> {
  constructor(
    loop: BaseEventLoop,
    readonly inner: Future<unknown>,
  ) {
    super({ loop });
  }

  override cancel(message?: string): boolean {
    if (!this.done()) this.inner.cancel(message);
    return super.cancel(message);
  }
}
