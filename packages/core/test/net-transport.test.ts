// NetTransport: the EventLoop's stream transport over Node's net and tls.
// The suite every transport passes, then what is Node's own: TLS.
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { RuntimeError, createConnection, createServer } from '@asyncio-ts/core';
import { useLoopGuard } from './fixtures/loop-guard.js';
import { Echo, Recorder, loopKinds, portOf } from './fixtures/protocols.js';
import { describeTransport, onLoop } from './fixtures/transport-suite.js';

const guard = useLoopGuard();
const eventLoop = loopKinds.find((kind) => kind.name === 'EventLoop')!;

describeTransport(guard, eventLoop, 'NetTransport');

const fixtures = new URL('./fixtures/tls/', import.meta.url);
const cert = readFileSync(new URL('cert.pem', fixtures));
const key = readFileSync(new URL('key.pem', fixtures));

describe('NetTransport with TLS', () => {
  it('echoes over TLS and gives the peer certificate, the cipher and the ssl options as extra info', async () => {
    await onLoop(guard, eventLoop, async (loop) => {
      const serverSsl = { key, cert };
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0, { ssl: serverSsl });
      const clientSsl = { ca: cert };
      const [transport, client] = await createConnection(loop, () => new Recorder(), 'localhost', portOf(server), { ssl: clientSsl });
      transport.write('secret');
      await client.waitForBytes(6);
      expect(client.received.toString()).toBe('secret');
      expect(transport.getExtraInfo('sslcontext')).toBe(clientSsl);
      expect(transport.getExtraInfo<tls.PeerCertificate>('peercert')!.subject.CN).toBe('localhost');
      expect(transport.getExtraInfo<tls.CipherNameAndProtocol>('cipher')!.version).toMatch(/^TLSv1\.[23]$/);
      transport.close();
      expect(await client.lost).toBeUndefined();
      server.close();
      await server.waitClosed();
    });
  });

  it('cannot half-close: canWriteEof() is false and writeEof() throws', async () => {
    await onLoop(guard, eventLoop, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0, { ssl: { key, cert } });
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', portOf(server), {
        ssl: tls.createSecureContext({ ca: cert }),
      });
      expect(transport.canWriteEof()).toBe(false);
      expect(() => transport.writeEof()).toThrow(RuntimeError);
      expect(() => transport.writeEof()).toThrow(/TLS transports cannot half-close/);
      transport.close();
      await client.lost;
      server.close();
      await server.waitClosed();
    });
  });

  it('fails to connect to a server whose certificate it does not trust', async () => {
    await onLoop(guard, eventLoop, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0, { ssl: { key, cert } });
      const connecting = createConnection(loop, () => new Recorder(), 'localhost', portOf(server), { ssl: true });
      await expect(connecting).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      server.close();
      await server.waitClosed();
    });
  });

  it("checks the certificate against serverHostname, and skips the check when it is ''", async () => {
    await onLoop(guard, eventLoop, async (loop) => {
      const server = await createServer(loop, () => new Echo(), '127.0.0.1', 0, { ssl: { key, cert } });
      const port = portOf(server);
      const wrongName = createConnection(loop, () => new Recorder(), '127.0.0.1', port, { ssl: { ca: cert }, serverHostname: 'example.com' });
      await expect(wrongName).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      const [transport, client] = await createConnection(loop, () => new Recorder(), '127.0.0.1', port, { ssl: { ca: cert }, serverHostname: '' });
      transport.close();
      await client.lost;
      server.close();
      await server.waitClosed();
    });
  });
});
