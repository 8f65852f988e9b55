// Write flow control (asyncio's _FlowControlMixin), on both transports: the
// write buffer's water marks, and pauseWriting()/resumeWriting() as the
// buffer crosses them, with a slow reader on the other end.
import { describe, expect, it } from 'vitest';
import { Protocol, ValueError, createConnection, sleep, type Transport } from '@asyncio-ts/core';
import { useLoopGuard } from './fixtures/loop-guard.js';
import { Echo, Recorder, loopKinds, pattern } from './fixtures/protocols.js';
import { onLoop, serve } from './fixtures/transport-suite.js';

const guard = useLoopGuard();

/** Writes `total` bytes in chunks as fast as flow control lets it, noting the buffer size at each pause and resume. */
class Producer extends Protocol {
  transport!: Transport;
  paused = false;
  sent = 0;
  readonly pausedAt: number[] = [];
  readonly resumedAt: number[] = [];
  readonly data: Buffer;

  constructor(readonly total: number, readonly chunk = 16 * 1024) {
    super();
    this.data = pattern(total);
  }

  override connectionMade(transport: Transport): void {
    this.transport = transport;
    this.#produce();
  }

  override pauseWriting(): void {
    this.paused = true;
    this.pausedAt.push(this.transport.getWriteBufferSize());
  }

  override resumeWriting(): void {
    this.paused = false;
    this.resumedAt.push(this.transport.getWriteBufferSize());
    this.#produce();
  }

  #produce(): void {
    while (!this.paused && this.sent < this.total) {
      const end = Math.min(this.sent + this.chunk, this.total);
      this.transport.write(this.data.subarray(this.sent, end));
      this.sent = end;
    }
    if (this.sent === this.total) this.transport.close();
  }
}

describe.each(loopKinds)('write flow control on $name', (kind) => {
  it('has 64 KiB and a quarter of it as default water marks, and derives the one not given', async () => {
    await onLoop(guard, kind, async (loop) => {
      const { port, stop } = await serve(loop, () => new Echo());
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      expect(transport.getWriteBufferLimits()).toEqual([16 * 1024, 64 * 1024]);
      transport.setWriteBufferLimits(1000);
      expect(transport.getWriteBufferLimits()).toEqual([250, 1000]);
      transport.setWriteBufferLimits(undefined, 300);
      expect(transport.getWriteBufferLimits()).toEqual([300, 1200]);
      transport.setWriteBufferLimits(500, 500);
      expect(transport.getWriteBufferLimits()).toEqual([500, 500]);
      transport.setWriteBufferLimits();
      expect(transport.getWriteBufferLimits()).toEqual([16 * 1024, 64 * 1024]);
      transport.close();
      await client.lost;
      await stop();
    });
  });

  it('rejects water marks that are not high >= low >= 0', async () => {
    await onLoop(guard, kind, async (loop) => {
      const { port, stop } = await serve(loop, () => new Echo());
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      expect(() => transport.setWriteBufferLimits(10, 20)).toThrow(ValueError);
      expect(() => transport.setWriteBufferLimits(10, 20)).toThrow(/high \(10\) must be >= low \(20\) must be >= 0/);
      expect(() => transport.setWriteBufferLimits(-4)).toThrow(ValueError);
      expect(() => transport.setWriteBufferLimits('big' as never)).toThrow(TypeError);
      expect(() => transport.setWriteBufferLimits('big' as never)).toThrow(/expects high as a number of bytes, got 'big'/);
      expect(transport.getWriteBufferLimits()).toEqual([16 * 1024, 64 * 1024]);
      transport.close();
      await client.lost;
      await stop();
    });
  });

  it('pauses a writer whose reader is slow, resumes it at the low-water mark, and loses nothing', async () => {
    const total = 16 * 1024 * 1024;
    const [producer, received] = await onLoop(guard, kind, async (loop) => {
      let reader!: Recorder;
      const { port, stop } = await serve(loop, () => (reader = new Recorder()));
      const [, producer] = await createConnection(loop, () => new Producer(total), '127.0.0.1', port);
      await reader.made;
      // The reader stalls until the writer has been paused, then reads on.
      reader.transport!.pauseReading();
      while (producer.pausedAt.length === 0) await sleep(0.001);
      reader.transport!.resumeReading();
      await reader.lost;
      await stop();
      return [producer, reader.received] as const;
    });
    expect(producer.pausedAt.length).toBeGreaterThan(0);
    expect(producer.resumedAt.length).toBe(producer.pausedAt.length);
    for (const size of producer.pausedAt) expect(size).toBeGreaterThan(64 * 1024);
    for (const size of producer.resumedAt) expect(size).toBeLessThanOrEqual(16 * 1024);
    expect(received.length).toBe(total);
    expect(received.equals(producer.data)).toBe(true);
  });

  it('pauses the protocol at once when new limits put the buffer above the high-water mark', async () => {
    await onLoop(guard, kind, async (loop) => {
      let reader!: Recorder;
      const { port, stop } = await serve(loop, () => (reader = new Recorder()));
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      await reader.made;
      reader.transport!.pauseReading();
      transport.setWriteBufferLimits(1024 * 1024 * 1024);
      transport.write(pattern(32 * 1024 * 1024));
      expect(transport.getWriteBufferSize()).toBeGreaterThan(0);
      expect(client.events).toEqual(['made']);
      transport.setWriteBufferLimits(0);
      expect(client.events).toEqual(['made', 'pause-writing']);
      reader.transport!.resumeReading();
      await reader.waitForBytes(32 * 1024 * 1024);
      while (!client.events.includes('resume-writing')) await sleep(0.001);
      expect(transport.getWriteBufferSize()).toBe(0);
      transport.close();
      await client.lost;
      await stop();
    });
  });

  it('reports a pauseWriting() that throws to the exception handler and goes on', async () => {
    const failure = new Error('pause failed');
    await onLoop(guard, kind, async (loop) => {
      let reader!: Recorder;
      const { port, stop } = await serve(loop, () => (reader = new Recorder()));
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port);
      client.pauseWriting = () => {
        throw failure;
      };
      await reader.made;
      reader.transport!.pauseReading();
      transport.setWriteBufferLimits(0);
      transport.write(pattern(32 * 1024 * 1024));
      expect(transport.isClosing()).toBe(false);
      reader.transport!.resumeReading();
      await reader.waitForBytes(32 * 1024 * 1024);
      transport.close();
      await client.lost;
      await stop();
    });
    const errors = guard.takeErrors();
    expect(errors.map((context) => context.message)).toEqual(['protocol.pauseWriting() failed']);
    expect(errors[0]!.exception).toBe(failure);
  });
});

