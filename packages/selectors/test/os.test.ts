// The fd functions the event loop will need: pipe, socketpair, read, write,
// close, setBlocking, getBlocking, on real fds.
import { afterEach, describe, expect, it } from 'vitest';
import { BlockingIOError, BrokenPipeError, OSError, ValueError, os } from '../src/index.js';

describe('os', () => {
  let opened: number[] = [];

  function track<P extends [number, number]>(pair: P): P {
    opened.push(...pair);
    return pair;
  }

  function close(fd: number): void {
    os.close(fd);
    opened = opened.filter((open) => open !== fd);
  }

  afterEach(() => {
    for (const fd of opened) os.close(fd);
    opened = [];
  });

  describe('pipe', () => {
    it('gives two distinct non-blocking fds, bytes flowing from the second to the first', () => {
      const [readFd, writeFd] = track(os.pipe());
      expect(readFd).toBeGreaterThanOrEqual(0);
      expect(writeFd).not.toBe(readFd);
      expect(os.getBlocking(readFd)).toBe(false);
      expect(os.getBlocking(writeFd)).toBe(false);
      expect(os.write(writeFd, Buffer.from('ping'))).toBe(4);
      const buffer = Buffer.alloc(8);
      expect(os.read(readFd, buffer)).toBe(4);
      expect(buffer.subarray(0, 4).toString()).toBe('ping');
    });

    it('gives blocking fds when asked', () => {
      const [readFd, writeFd] = track(os.pipe({ blocking: true }));
      expect(os.getBlocking(readFd)).toBe(true);
      expect(os.getBlocking(writeFd)).toBe(true);
    });
  });

  describe('socketpair', () => {
    it('gives a connected pair that carries bytes both ways', () => {
      const [left, right] = track(os.socketpair());
      expect(os.getBlocking(left)).toBe(false);
      os.write(left, Buffer.from('there'));
      os.write(right, Buffer.from('back'));
      const buffer = Buffer.alloc(16);
      expect(os.read(right, buffer)).toBe(5);
      expect(buffer.toString('utf8', 0, 5)).toBe('there');
      expect(os.read(left, buffer)).toBe(4);
      expect(buffer.toString('utf8', 0, 4)).toBe('back');
    });

    it('gives end of file (0) once the peer is closed', () => {
      const [left, right] = track(os.socketpair());
      close(left);
      expect(os.read(right, Buffer.alloc(4))).toBe(0);
    });
  });

  describe('read', () => {
    it('returns null when there is nothing to read yet (EAGAIN)', () => {
      const [readFd] = track(os.pipe());
      expect(os.read(readFd, Buffer.alloc(4))).toBeNull();
    });

    it('returns 0 at end of file', () => {
      const [readFd, writeFd] = track(os.pipe());
      close(writeFd);
      expect(os.read(readFd, Buffer.alloc(4))).toBe(0);
    });

    it('reads into a slice given by offset and length', () => {
      const [readFd, writeFd] = track(os.pipe());
      os.write(writeFd, Buffer.from('abcdef'));
      const buffer = Buffer.from('......');
      expect(os.read(readFd, buffer, 2, 3)).toBe(3);
      expect(buffer.toString()).toBe('..abc.');
    });

    it('reads into any ArrayBufferView', () => {
      const [readFd, writeFd] = track(os.pipe());
      os.write(writeFd, new Uint8Array([1, 2, 3, 4]));
      const view = new DataView(new ArrayBuffer(8), 4);
      expect(os.read(readFd, view)).toBe(4);
      expect(view.getUint8(3)).toBe(4);
    });

    it('throws a RangeError for an offset or length outside the buffer', () => {
      const [readFd] = track(os.pipe());
      expect(() => os.read(readFd, Buffer.alloc(4), 5)).toThrow(RangeError);
      expect(() => os.read(readFd, Buffer.alloc(4), 2, 3)).toThrow(RangeError);
      expect(() => os.read(readFd, Buffer.alloc(4), -1)).toThrow(RangeError);
    });

    it('throws a ValueError for a bad fd or buffer', () => {
      expect(() => os.read(-1, Buffer.alloc(4))).toThrow(ValueError);
      expect(() => os.read(1.5, Buffer.alloc(4))).toThrow(/invalid file descriptor 1.5/);
      expect(() => os.read(0, 'text' as unknown as Buffer)).toThrow(ValueError);
    });

    it('throws an OSError (EBADF) for an fd that is not open', () => {
      const [readFd, writeFd] = track(os.pipe());
      close(readFd);
      close(writeFd);
      expect(() => os.read(readFd, Buffer.alloc(4))).toThrow(OSError);
      expect(() => os.read(readFd, Buffer.alloc(4))).toThrow(/read\(\): fd \d+: \[Errno 9\] EBADF/);
    });
  });

  describe('write', () => {
    it('returns null once the pipe is full (EAGAIN), and writes again once drained', () => {
      const [readFd, writeFd] = track(os.pipe());
      const chunk = Buffer.alloc(65536, 7);
      let total = 0;
      for (let written = os.write(writeFd, chunk); written !== null; written = os.write(writeFd, chunk)) total += written;
      expect(total).toBeGreaterThan(0);
      let drained = 0;
      for (let read = os.read(readFd, chunk); read; read = os.read(readFd, chunk)) drained += read;
      expect(drained).toBe(total);
      expect(os.write(writeFd, chunk, 0, 1)).toBe(1);
    });

    it('writes a slice given by offset and length', () => {
      const [readFd, writeFd] = track(os.pipe());
      expect(os.write(writeFd, Buffer.from('abcdef'), 1, 2)).toBe(2);
      const buffer = Buffer.alloc(8);
      expect(os.read(readFd, buffer)).toBe(2);
      expect(buffer.toString('utf8', 0, 2)).toBe('bc');
    });

    it('throws a BrokenPipeError (EPIPE) once the reader is gone', () => {
      const [readFd, writeFd] = track(os.pipe());
      close(readFd);
      let thrown: unknown;
      try {
        os.write(writeFd, Buffer.from('x'));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(BrokenPipeError);
      expect(thrown).toBeInstanceOf(OSError);
      expect(thrown).toMatchObject({ code: 'EPIPE', syscall: 'write' });
    });
  });

  describe('close', () => {
    it('throws an OSError (EBADF) for an fd closed already', () => {
      const [readFd] = track(os.pipe());
      close(readFd);
      expect(() => os.close(readFd)).toThrow(OSError);
      expect(() => os.close(readFd)).toThrow(/close\(\): fd \d+: \[Errno 9\] EBADF/);
    });
  });

  describe('setBlocking and getBlocking', () => {
    it('set and read O_NONBLOCK', () => {
      const [readFd] = track(os.pipe());
      os.setBlocking(readFd, true);
      expect(os.getBlocking(readFd)).toBe(true);
      os.setBlocking(readFd, false);
      expect(os.getBlocking(readFd)).toBe(false);
    });

    it('throw an OSError (EBADF) for an fd that is not open', () => {
      const [readFd] = track(os.pipe());
      close(readFd);
      expect(() => os.setBlocking(readFd, false)).toThrow(OSError);
      expect(() => os.getBlocking(readFd)).toThrow(OSError);
      expect(() => os.getBlocking(readFd)).not.toThrow(BlockingIOError);
    });
  });
});
