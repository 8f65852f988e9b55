// Socket's datagram calls on real UDP sockets: recvfrom, recvfromInto and
// sendto (Python's socket.recvfrom, recvfrom_into, sendto), connected and
// not, blocking and not, and their errors.
import { constants as osConstants } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, BlockingIOError, ConnectionRefusedError, OSError, SOCK_DGRAM, Socket, ValueError, type Address } from '../src/index.js';

const { EBADF, EMSGSIZE } = osConstants.errno;

let opened: Socket[] = [];
afterEach(() => {
  for (const socket of opened) socket.close();
  opened = [];
});

/** A UDP socket bound to a free loopback port. */
function udp(family = AF_INET): Socket {
  const socket = new Socket(family, SOCK_DGRAM);
  opened.push(socket);
  socket.bind([family === AF_INET ? '127.0.0.1' : '::1', 0]);
  return socket;
}

describe('Socket datagrams', () => {
  it('sends a datagram with sendto() and receives it with its sender from recvfrom()', () => {
    const a = udp();
    const b = udp();
    expect(a.sendto('hello', b.getsockname())).toBe(5);
    const [data, from] = b.recvfrom(1024);
    expect(data.toString()).toBe('hello');
    expect(from).toEqual(a.getsockname());
  });

  it('keeps datagrams apart, each whole, in order', () => {
    const a = udp();
    const b = udp();
    for (const message of ['one', 'two', 'three']) a.sendto(Buffer.from(message), b.getsockname());
    expect([b.recvfrom(100), b.recvfrom(100), b.recvfrom(100)].map(([data]) => data.toString())).toEqual(['one', 'two', 'three']);
  });

  it('receives into a buffer with recvfromInto(), up to nbytes, the rest of the datagram dropped', () => {
    const a = udp();
    const b = udp();
    a.sendto('abcdefgh', b.getsockname());
    const buffer = new Uint8Array(16);
    const [count, from] = b.recvfromInto(buffer, 4);
    expect(count).toBe(4);
    expect(Buffer.from(buffer.subarray(0, 4)).toString()).toBe('abcd');
    expect(from).toEqual(a.getsockname());
    a.sendto('next', b.getsockname());
    expect(b.recvfrom(16)[0].toString()).toBe('next');
  });

  it('works over IPv6', () => {
    const a = udp(AF_INET6);
    const b = udp(AF_INET6);
    a.sendto('six', b.getsockname());
    const [data, from] = b.recvfrom(16);
    expect(data.toString()).toBe('six');
    expect((from as [string, number])[0]).toBe('::1');
  });

  it('throws BlockingIOError from a non-blocking recvfrom() with nothing there', () => {
    const b = udp();
    b.setBlocking(false);
    expect(() => b.recvfrom(16)).toThrow(BlockingIOError);
  });

  it('gives ConnectionRefusedError on a connected socket whose peer port is closed', () => {
    const gone = udp();
    const port = gone.getsockname() as [string, number];
    gone.close();
    const a = udp();
    a.connect(port);
    a.send('anyone?');
    // Linux reports the ICMP port-unreachable on the next call.
    let error: unknown;
    for (let attempt = 0; attempt < 50 && error === undefined; attempt++) {
      try {
        a.setBlocking(false);
        a.recvfrom(16);
      } catch (thrown) {
        if (!(thrown instanceof BlockingIOError)) error = thrown;
      }
    }
    expect(error).toBeInstanceOf(ConnectionRefusedError);
  });

  it('fails a datagram too large with EMSGSIZE', () => {
    const a = udp();
    const b = udp();
    const error = (() => {
      try {
        a.sendto(Buffer.alloc(70_000), b.getsockname());
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(OSError.isInstance(error)).toBe(true);
    expect((error as OSError).errno).toBe(EMSGSIZE);
  });

  it('refuses bad arguments and a closed socket with errors that say what to pass', () => {
    const a = udp();
    expect(() => a.sendto('x', 'not an address' as unknown as Address)).toThrow(ValueError);
    expect(() => a.sendto(42 as never, a.getsockname())).toThrow(/data/);
    expect(() => a.recvfrom(-1)).toThrow(/bufsize must not be negative/);
    expect(() => a.recvfromInto(new Uint8Array(4), 8)).toThrow(/nbytes must be from 0 to the buffer's 4 bytes/);
    a.close();
    const error = (() => {
      try {
        a.recvfrom(4);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect((error as OSError).errno).toBe(EBADF);
  });
});
