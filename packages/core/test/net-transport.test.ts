import { describe, expect, it } from 'vitest';
import { SelectorEventLoop, Protocol, createConnection, createServer, type Transport } from '@asyncio-ts/core';
import { useLoopGuard } from './fixtures/loop-guard.js';

const guard = useLoopGuard();

class Echo extends Protocol {
  transport!: Transport;
  override connectionMade(transport: Transport) { this.transport = transport; }
  override dataReceived(data: Buffer) { this.transport.write(data); }
}

describe('smoke', () => {
  it('echoes', async () => {
    const loop = guard.track(new SelectorEventLoop());
    const result = await loop.runUntilComplete(async () => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0);
      const [, port] = server.sockets[0]!.getsockname() as [string, number];
      const got: Buffer[] = [];
      const lost = loop.createFuture<void>();
      class Client extends Protocol {
        override dataReceived(data: Buffer) { got.push(data); if (Buffer.concat(got).length >= 5) t.close(); }
        override connectionLost() { lost.setResult(undefined); }
      }
      const [t] = await createConnection(loop, () => new Client(), '127.0.0.1', port);
      t.write('hello');
      await lost;
      server.close();
      await server.waitClosed();
      return Buffer.concat(got).toString();
    });
    expect(result).toBe('hello');
    loop.close();
  });
});
