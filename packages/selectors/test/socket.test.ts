// Socket and socketpair() on real sockets: TCP over loopback (IPv4 and IPv6),
// Unix sockets, blocking and non-blocking modes, the exception-free fast path,
// and the errors a user meets.
import { mkdtempSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  IPPROTO_TCP,
  loadBinding,
  OSError,
  os,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ERROR,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_TYPE,
  Socket,
  socketpair,
  TCP_NODELAY,
  ValueError,
  type Address,
} from '../src/index.js';
import * as constants from '../src/socket-constants.js';

const { EAGAIN, EBADF, EINPROGRESS, ECONNREFUSED, ENOTCONN } = osConstants.errno;

let opened: Socket[] = [];

/** A socket closed after the test. */
function track<S extends Socket>(socket: S): S {
  opened.push(socket);
  return socket;
}

afterEach(() => {
  for (const socket of opened) socket.close();
  opened = [];
});

const directory = mkdtempSync(join(tmpdir(), 'selectors-socket-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function thrown(body: () => unknown): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** A listening TCP socket on 127.0.0.1 and its address. */
function listener(family = AF_INET, host = '127.0.0.1'): [Socket, Address] {
  const server = track(new Socket(family, SOCK_STREAM));
  server.bind([host, 0]);
  server.listen();
  return [server, server.getsockname()];
}

/** A connected pair over loopback TCP: [client, accepted], both blocking. */
function tcpPair(family = AF_INET, host = '127.0.0.1'): [Socket, Socket] {
  const [server, address] = listener(family, host);
  const client = track(new Socket(family, SOCK_STREAM));
  client.connect(address);
  const [connection] = server.accept();
  return [client, track(connection)];
}

function hasIPv6(): boolean {
  try {
    using probe = new Socket(AF_INET6, SOCK_STREAM);
    probe.bind(['::1', 0]);
    return true;
  } catch {
    return false;
  }
}

describe('socket constants', () => {
  it('match the values the addon was compiled with', () => {
    const native = loadBinding().socket.constants;
    for (const [name, value] of Object.entries(native)) {
      expect([name, (constants as Record<string, unknown>)[name]]).toEqual([name, value]);
    }
    for (const [name, value] of Object.entries(constants)) {
      if (value !== undefined) expect([name, native[name]]).toEqual([name, value]);
    }
  });
});

describe('Socket over TCP', () => {
  it('listens, connects, accepts and carries bytes both ways in blocking mode', () => {
    const [server, address] = listener();
    expect(address).toEqual(['127.0.0.1', expect.any(Number)]);
    expect((address as [string, number])[1]).toBeGreaterThan(0);
    const client = track(new Socket());
    expect(client.getBlocking()).toBe(true);
    client.connect(address);
    const [connection, peer] = server.accept();
    track(connection);
    expect(connection.getBlocking()).toBe(true);
    expect(peer).toEqual(client.getsockname());
    expect(client.getpeername()).toEqual(address);
    expect(connection.getsockname()).toEqual(address);
    expect(connection.getpeername()).toEqual(client.getsockname());
    expect(connection.family).toBe(AF_INET);
    expect(connection.type).toBe(SOCK_STREAM);

    client.sendall(Buffer.from('ping'));
    expect(connection.recv(1024).toString()).toBe('ping');
    expect(connection.send('pong')).toBe(4);
    const buffer = Buffer.alloc(16);
    expect(client.recvInto(buffer)).toBe(4);
    expect(buffer.toString('utf8', 0, 4)).toBe('pong');
  });

  it('binds the any-address with an empty host and loopback with localhost', () => {
    const server = track(new Socket());
    server.bind(['', 0]);
    expect((server.getsockname() as [string, number])[0]).toBe('0.0.0.0');
    const local = track(new Socket());
    local.bind(['localhost', 0]);
    expect((local.getsockname() as [string, number])[0]).toBe('127.0.0.1');
  });

  it('sends a large buffer whole with sendall() while the peer reads it', () => {
    const [client, connection] = socketpair();
    track(client);
    track(connection);
    const data = Buffer.alloc(64 * 1024, 7);
    client.sendall(data);
    let received = 0;
    while (received < data.length) received += connection.recv(65536).length;
    expect(received).toBe(data.length);
  });

  it('gives an empty Buffer at end of file once the peer closes', () => {
    const [client, connection] = tcpPair();
    client.sendall('last');
    client.close();
    expect(connection.recv(100).toString()).toBe('last');
    expect(connection.recv(100).length).toBe(0);
    expect(connection.tryRecvInto(Buffer.alloc(4))).toBe(0);
  });

  it('half-closes with shutdown(SHUT_WR): the peer reads end of file and can still answer', () => {
    const [client, connection] = tcpPair();
    client.sendall('request');
    client.shutdown(SHUT_WR);
    expect(connection.recv(100).toString()).toBe('request');
    expect(connection.recv(100).length).toBe(0);
    connection.sendall('response');
    expect(client.recv(100).toString()).toBe('response');
    expect(thrown(() => client.send('more'))).toBeInstanceOf(BrokenPipeError);
  });

  it('carries bytes over IPv6 loopback when this host has it', (context) => {
    if (!hasIPv6()) context.skip();
    const [client, connection] = tcpPair(AF_INET6, '::1');
    expect(client.getpeername()).toEqual(['::1', expect.any(Number)]);
    client.sendall('six');
    expect(connection.recv(10).toString()).toBe('six');
  });

  it("takes Python's 4-element IPv6 address (host, port, flowinfo, scope id)", (context) => {
    if (!hasIPv6()) context.skip();
    const socket = track(new Socket(AF_INET6));
    socket.bind(['::1', 0, 0, 0] as unknown as Address);
    expect((socket.getsockname() as [string, number])[0]).toBe('::1');
  });

  it('carries datagrams between connected UDP sockets', () => {
    const receiver = track(new Socket(AF_INET, SOCK_DGRAM));
    receiver.bind(['127.0.0.1', 0]);
    const sender = track(new Socket(AF_INET, SOCK_DGRAM));
    sender.connect(receiver.getsockname());
    sender.send('datagram');
    expect(receiver.recv(100).toString()).toBe('datagram');
    expect(inspect(sender)).toContain('type=SOCK_DGRAM');
  });

  it('sets and reads integer options', () => {
    const [client] = tcpPair();
    client.setsockopt(IPPROTO_TCP, TCP_NODELAY, true);
    expect(client.getsockopt(IPPROTO_TCP, TCP_NODELAY)).not.toBe(0);
    client.setsockopt(IPPROTO_TCP, TCP_NODELAY, 0);
    expect(client.getsockopt(IPPROTO_TCP, TCP_NODELAY)).toBe(0);
    expect(client.getsockopt(SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
    const server = track(new Socket());
    server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    expect(server.getsockopt(SOL_SOCKET, SO_REUSEADDR)).not.toBe(0);
  });
});

describe('Socket in non-blocking mode', () => {
  it('throws BlockingIOError (EAGAIN) from recv() when nothing is there yet', () => {
    const [client] = tcpPair();
    client.setBlocking(false);
    expect(client.getBlocking()).toBe(false);
    expect(os.getBlocking(client.fileno())).toBe(false);
    const error = thrown(() => client.recv(10)) as BlockingIOError;
    expect(error).toBeInstanceOf(BlockingIOError);
    expect(error.errno).toBe(EAGAIN);
    expect(error.message).toContain('recv()');
  });

  it('returns -1 from tryRecvInto() when nothing is there yet, and the bytes once they come', () => {
    const [client, connection] = tcpPair();
    connection.setBlocking(false);
    const buffer = Buffer.alloc(10);
    expect(connection.tryRecvInto(buffer)).toBe(-1);
    client.sendall('abc');
    let count = -1;
    while (count === -1) count = connection.tryRecvInto(buffer, 2, 5);
    expect(count).toBe(3);
    expect(buffer.toString('utf8', 2, 5)).toBe('abc');
  });

  it('fills the send buffer with trySend() until it returns -1, and send() then throws BlockingIOError', () => {
    const [left, right] = socketpair();
    track(left);
    track(right);
    left.setBlocking(false);
    left.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    const chunk = Buffer.alloc(4096, 1);
    let total = 0;
    for (let count = 0; count !== -1; count = left.trySend(chunk, 0, chunk.length)) total += count;
    expect(total).toBeGreaterThan(0);
    expect(thrown(() => left.send(chunk))).toBeInstanceOf(BlockingIOError);
    expect(thrown(() => left.sendall(chunk))).toBeInstanceOf(BlockingIOError);
  });

  it('reports a connection under way: connect() throws EINPROGRESS, connectEx() returns it', () => {
    const [server, address] = listener();
    const client = track(new Socket());
    client.setBlocking(false);
    const errno = client.connectEx(address);
    // Loopback may complete at once; either way the connection is made.
    expect([0, EINPROGRESS]).toContain(errno);
    const [connection] = server.accept();
    track(connection);
    // A second connection to a listener nobody accepts from: still under way or done.
    const other = track(new Socket());
    other.setBlocking(false);
    try {
      other.connect(address);
    } catch (error) {
      expect(error).toBeInstanceOf(BlockingIOError);
      expect((error as OSError).errno).toBe(EINPROGRESS);
      expect((error as OSError).code).toBe('EINPROGRESS');
      expect((error as OSError).message).toContain('connection is under way');
    }
  });

  it('is created non-blocking with SOCK_NONBLOCK where the system has it', (context) => {
    if (SOCK_NONBLOCK === undefined) context.skip();
    const socket = track(new Socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK!));
    expect(socket.getBlocking()).toBe(false);
    expect(socket.type).toBe(SOCK_STREAM);
  });

  it('throws BlockingIOError from accept() and returns null from tryAccept() when no connection waits', () => {
    const [server, address] = listener();
    server.setBlocking(false);
    expect(thrown(() => server.accept())).toBeInstanceOf(BlockingIOError);
    expect(server.tryAccept()).toBeNull();
    const client = track(new Socket());
    client.connect(address);
    let accepted: [Socket, Address] | null = null;
    while (accepted === null) accepted = server.tryAccept();
    track(accepted[0]);
    expect(accepted[0].getBlocking()).toBe(false);
    expect(accepted[1]).toEqual(client.getsockname());
  });

  it('gives a blocking socket from accept() on a non-blocking listener, as Python does', () => {
    const [server, address] = listener();
    server.setBlocking(false);
    track(new Socket()).connect(address);
    let accepted: [Socket, Address] | undefined;
    while (!accepted) {
      try {
        accepted = server.accept();
      } catch (error) {
        if (!(error instanceof BlockingIOError)) throw error;
      }
    }
    track(accepted[0]);
    expect(accepted[0].getBlocking()).toBe(true);
  });
});

describe('Socket over AF_UNIX', () => {
  it('binds a path, accepts a connection and reports the path as its name', () => {
    const path = join(directory, 'server.sock');
    const server = track(new Socket(AF_UNIX, SOCK_STREAM));
    server.bind(path);
    server.listen();
    expect(server.getsockname()).toBe(path);
    const client = track(new Socket(AF_UNIX, SOCK_STREAM));
    client.connect(path);
    const [connection, peer] = server.accept();
    track(connection);
    expect(peer).toBe('');
    expect(client.getpeername()).toBe(path);
    client.sendall('unix');
    expect(connection.recv(10).toString()).toBe('unix');
  });

  it('names an unbound or client socket with an empty path', () => {
    const [left, right] = socketpair();
    track(left);
    track(right);
    expect(left.getsockname()).toBe('');
    expect(right.getpeername()).toBe('');
    expect(inspect(left)).toBe(`<socket fd=${left.fileno()}, family=AF_UNIX, type=SOCK_STREAM>`);
  });

  it("binds a name in Linux's abstract namespace (a leading NUL)", (context) => {
    if (process.platform !== 'linux') context.skip();
    const name = `\0asyncio-ts-${process.pid}-${Date.now()}`;
    const server = track(new Socket(AF_UNIX));
    server.bind(name);
    server.listen();
    expect(server.getsockname()).toBe(name);
    const client = track(new Socket(AF_UNIX));
    client.connect(name);
    const [connection] = server.accept();
    track(connection);
    client.sendall('abstract');
    expect(connection.recv(20).toString()).toBe('abstract');
  });

  it('refuses a path that is too long, saying how long one may be', () => {
    const socket = track(new Socket(AF_UNIX));
    const error = thrown(() => socket.bind(join(directory, 'x'.repeat(200)))) as OSError;
    expect(error).toBeInstanceOf(OSError);
    expect(error.code).toBe('ENAMETOOLONG');
    expect(error.message).toContain('107 bytes');
  });
});

describe('socketpair', () => {
  it('gives two connected blocking AF_UNIX sockets', () => {
    const [left, right] = socketpair();
    track(left);
    track(right);
    expect(left.family).toBe(AF_UNIX);
    expect(left.getBlocking()).toBe(true);
    left.sendall('there');
    expect(right.recv(10).toString()).toBe('there');
    right.sendall('back');
    expect(left.recv(10).toString()).toBe('back');
  });

  it('gives datagram pairs too', () => {
    const [left, right] = socketpair(AF_UNIX, SOCK_DGRAM);
    track(left);
    track(right);
    left.send('one');
    left.send('two');
    expect(right.recv(100).toString()).toBe('one');
    expect(right.recv(100).toString()).toBe('two');
  });
});

describe('Socket errors', () => {
  it('throws ConnectionRefusedError when nothing listens on the port', () => {
    const closed = new Socket();
    closed.bind(['127.0.0.1', 0]);
    const address = closed.getsockname();
    closed.close();
    const client = track(new Socket());
    const error = thrown(() => client.connect(address)) as ConnectionRefusedError;
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect(error.errno).toBe(ECONNREFUSED);
    expect(error.message).toContain(`connect() to ('127.0.0.1', ${(address as [string, number])[1]})`);
    expect(error.message).toContain('nothing is listening');
  });

  it('reports a refused non-blocking connection through SO_ERROR', async () => {
    const closed = new Socket();
    closed.bind(['127.0.0.1', 0]);
    const address = closed.getsockname();
    closed.close();
    const client = track(new Socket());
    client.setBlocking(false);
    const errno = client.connectEx(address);
    if (errno === ECONNREFUSED) return; // refused at once: nothing left to read
    expect(errno).toBe(EINPROGRESS);
    let pending = 0;
    for (let attempt = 0; attempt < 100 && pending === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      pending = client.getsockopt(SOL_SOCKET, SO_ERROR);
    }
    expect(pending).toBe(ECONNREFUSED);
  });

  it('throws an EBADF OSError naming the method once closed, and fileno() is -1', () => {
    const socket = new Socket();
    socket.close();
    socket.close();
    expect(socket.fileno()).toBe(-1);
    for (const [method, call] of [
      ['recv', () => socket.recv(1)],
      ['send', () => socket.send('x')],
      ['tryRecvInto', () => socket.tryRecvInto(Buffer.alloc(1))],
      ['trySend', () => socket.trySend(Buffer.alloc(1))],
      ['bind', () => socket.bind(['127.0.0.1', 0])],
      ['connect', () => socket.connect(['127.0.0.1', 1])],
      ['listen', () => socket.listen()],
      ['accept', () => socket.accept()],
      ['getsockname', () => socket.getsockname()],
      ['setBlocking', () => socket.setBlocking(false)],
      ['shutdown', () => socket.shutdown(SHUT_WR)],
    ] as const) {
      const error = thrown(call) as OSError;
      expect(error).toBeInstanceOf(OSError);
      expect(error.errno).toBe(EBADF);
      expect(error.message).toContain(`${method}()`);
      expect(error.message).toContain('the socket is closed');
    }
  });

  it('throws EINVAL from accept() and tryAccept() on a socket that does not listen', () => {
    const socket = track(new Socket());
    socket.bind(['127.0.0.1', 0]);
    socket.setBlocking(false);
    expect((thrown(() => socket.tryAccept()) as OSError).code).toBe('EINVAL');
    expect((thrown(() => socket.accept()) as OSError).message).toContain('accept()');
  });

  it('throws ENOTCONN from getpeername() on an unconnected socket', () => {
    const socket = track(new Socket());
    const error = thrown(() => socket.getpeername()) as OSError;
    expect(error.errno).toBe(ENOTCONN);
    expect(error.message).toContain('getpeername()');
  });

  it('throws ConnectionResetError or BrokenPipeError writing to a peer that is gone', () => {
    const [client, connection] = tcpPair();
    connection.sendall('unread');
    // Closing with unread data resets the connection.
    client.close();
    const error = thrown(() => {
      for (let i = 0; i < 100; i++) connection.send(Buffer.alloc(1024));
    });
    expect(error instanceof ConnectionResetError || error instanceof BrokenPipeError).toBe(true);
  });

  it('names the argument and the fix for an address of the wrong shape', () => {
    const socket = track(new Socket());
    const cases: Array<[unknown, string]> = [
      [{ host: '127.0.0.1', port: 80 }, "address must be [host, port] for an AF_INET socket"],
      ['/tmp/x.sock', 'address must be [host, port]'],
      [['127.0.0.1', 70000], 'port must be an integer from 0 to 65535'],
      [['example.com', 80], 'Socket does not resolve names'],
      [['::1', 80], 'use an AF_INET6 socket'],
    ];
    for (const [address, message] of cases) {
      const error = thrown(() => socket.connect(address as Address)) as ValueError;
      expect(error).toBeInstanceOf(ValueError);
      expect(error.message).toContain('connect()');
      expect(error.message).toContain(message);
    }
    const unix = track(new Socket(AF_UNIX));
    expect((thrown(() => unix.bind(['127.0.0.1', 0])) as Error).message).toContain(
      'address must be a path string for an AF_UNIX socket',
    );
    const six = track(new Socket(AF_INET6));
    expect((thrown(() => six.connect(['10.0.0.1', 80])) as Error).message).toContain("'::ffff:10.0.0.1'");
  });

  it('refuses bad numbers with a ValueError', () => {
    const socket = track(new Socket());
    expect(thrown(() => socket.recv(-1))).toBeInstanceOf(ValueError);
    expect(thrown(() => socket.recvInto(Buffer.alloc(2), 5))).toBeInstanceOf(ValueError);
    expect(thrown(() => socket.shutdown(7))).toBeInstanceOf(ValueError);
    expect(thrown(() => socket.send(42 as never))).toBeInstanceOf(ValueError);
    expect(thrown(() => new Socket('inet' as never))).toBeInstanceOf(ValueError);
    expect(thrown(() => socket.tryRecvInto(Buffer.alloc(2), 1, 5))).toBeInstanceOf(RangeError);
  });

  it('throws an OSError for a family the system does not have', () => {
    expect(thrown(() => new Socket(9999))).toBeInstanceOf(OSError);
  });
});

describe('Socket fds', () => {
  it('adopts an fd given as fileno, reading its blocking mode', () => {
    const [left, right] = os.socketpair();
    const socket = track(new Socket(AF_UNIX, SOCK_STREAM, 0, left));
    const peer = track(new Socket(AF_UNIX, SOCK_STREAM, 0, right));
    expect(socket.fileno()).toBe(left);
    expect(socket.getBlocking()).toBe(false);
    socket.sendall('adopted');
    expect(peer.recv(10).toString()).toBe('adopted');
  });

  it('duplicates the fd in fromFd(), leaving the original open', () => {
    const [left, right] = socketpair();
    track(left);
    track(right);
    const copy = Socket.fromFd(left.fileno(), AF_UNIX, SOCK_STREAM);
    expect(copy.fileno()).not.toBe(left.fileno());
    copy.sendall('via copy');
    copy.close();
    expect(right.recv(20).toString()).toBe('via copy');
    left.sendall('original');
    expect(right.recv(20).toString()).toBe('original');
  });

  it('duplicates itself with dup(): same family, type and blocking mode, another fd', () => {
    const [left, right] = socketpair();
    track(left);
    track(right);
    left.setBlocking(false);
    const copy = track(left.dup());
    expect(copy.fileno()).not.toBe(left.fileno());
    expect([copy.family, copy.type, copy.getBlocking()]).toEqual([AF_UNIX, SOCK_STREAM, false]);
    copy.sendall('dup');
    expect(right.recv(10).toString()).toBe('dup');
  });

  it('gives up its fd with detach()', () => {
    const socket = new Socket();
    const fd = socket.detach();
    expect(socket.fileno()).toBe(-1);
    expect(os.getBlocking(fd)).toBe(true);
    os.close(fd);
  });

  it('throws EBADF from fromFd() for an fd that is not open', () => {
    expect((thrown(() => Socket.fromFd(99999, AF_INET, SOCK_STREAM)) as OSError).code).toBe('EBADF');
  });

  it('closes at the end of a using block', () => {
    let fd: number;
    {
      using socket = new Socket();
      fd = socket.fileno();
      expect(fd).toBeGreaterThanOrEqual(0);
    }
    expect((thrown(() => os.getBlocking(fd)) as OSError).code).toBe('EBADF');
  });

  it('prints as Python does, with its addresses', () => {
    const [server, address] = listener();
    const [host, port] = address as [string, number];
    expect(inspect(server)).toBe(
      `<socket fd=${server.fileno()}, family=AF_INET, type=SOCK_STREAM, laddr=('${host}', ${port})>`,
    );
    const client = track(new Socket());
    client.connect(address);
    expect(inspect(client)).toMatch(/^<socket fd=\d+, family=AF_INET, type=SOCK_STREAM, laddr=\('127\.0\.0\.1', \d+\), raddr=\('127\.0\.0\.1', \d+\)>$/);
    const closed = new Socket(AF_UNIX);
    closed.close();
    expect(inspect(closed)).toBe('<socket [closed] fd=-1, family=AF_UNIX, type=SOCK_STREAM>');
  });
});
