// SelectorTransport: the SelectorEventLoop's stream transport, doing its own
// non-blocking recv/send through the loop's readers and writers. The suite
// every transport passes, then what is its own: the fd belongs to it.
import { describe, expect, it } from 'vitest';
import { RuntimeError, createConnection } from '@asyncio-ts/core';
import { useLoopGuard } from './fixtures/loop-guard.js';
import { Echo, Recorder, loopKinds, pattern } from './fixtures/protocols.js';
import { describeTransport, onLoop, serve } from './fixtures/transport-suite.js';

const guard = useLoopGuard();
const selectorLoop = loopKinds.find((kind) => kind.name === 'SelectorEventLoop')!;

describeTransport(guard, selectorLoop, 'SelectorTransport');

describe('SelectorTransport', () => {
  it("owns its socket's fd: addReader() on it throws until the transport is closing", async () => {
    await onLoop(guard, selectorLoop, async (loop) => {
      const { port, stop } = await serve(loop, () => new Echo());
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      const socket = transport.getExtraInfo<{ fileno(): number }>('socket')!;
      const fd = socket.fileno();
      expect(fd).toBeGreaterThan(2);
      expect(() => loop.addReader(fd, () => {})).toThrow(RuntimeError);
      transport.close();
      await client.lost;
      expect(socket.fileno()).toBe(-1);
      await stop();
    });
  });

  it('buffers what the socket does not take and sends it when writable, in order', async () => {
    const size = 8 * 1024 * 1024;
    const received = await onLoop(guard, selectorLoop, async (loop) => {
      let server!: Recorder;
      const { port, stop } = await serve(loop, () => (server = new Recorder()));
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      const data = pattern(size);
      // In slices, so that later writes append to a buffer already waiting.
      for (let offset = 0; offset < size; offset += 100_000) transport.write(data.subarray(offset, offset + 100_000));
      expect(transport.getWriteBufferSize()).toBeGreaterThan(0);
      await server.waitForBytes(size);
      expect(transport.getWriteBufferSize()).toBe(0);
      transport.close();
      await client.lost;
      await stop();
      return server.received;
    });
    expect(received.equals(pattern(size))).toBe(true);
  });

  it('copies what it buffers: the caller may reuse its buffer after write()', async () => {
    const received = await onLoop(guard, selectorLoop, async (loop) => {
      let server!: Recorder;
      const { port, stop } = await serve(loop, () => (server = new Recorder()));
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      await server.made;
      server.transport!.pauseReading();
      const scratch = Buffer.alloc(1024 * 1024);
      for (let round = 0; round < 16; round++) {
        scratch.fill(round);
        transport.write(scratch);
      }
      server.transport!.resumeReading();
      await server.waitForBytes(16 * 1024 * 1024);
      transport.close();
      await client.lost;
      await stop();
      return server.received;
    });
    for (let round = 0; round < 16; round++) expect(received[round * 1024 * 1024 + 1000]).toBe(round);
  });
});
