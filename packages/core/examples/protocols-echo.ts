import { run, getRunningLoop, Protocol, type Future, type Transport } from '@asyncio-ts/core';

// The server's protocol: one instance per connection.
class EchoServerProtocol extends Protocol {
  transport!: Transport;

  override connectionMade(transport: Transport) {
    const [host, port] = transport.getExtraInfo<[string, number]>('peername')!;
    console.log(`Connection from ${host}:${port}`);
    this.transport = transport;
  }

  override dataReceived(data: Buffer) {
    console.log(`Data received: ${JSON.stringify(data.toString())}`);
    this.transport.write(data);
    console.log('Close the client socket');
    this.transport.close();
  }
}

// The client's protocol: says hello, and tells when the server hung up.
class EchoClientProtocol extends Protocol {
  constructor(
    readonly message: string,
    readonly onConnectionLost: Future<void>,
  ) {
    super();
  }

  override connectionMade(transport: Transport) {
    transport.write(this.message);
    console.log(`Data sent: ${JSON.stringify(this.message)}`);
  }

  override dataReceived(data: Buffer) {
    console.log(`Data received: ${JSON.stringify(data.toString())}`);
  }

  override connectionLost() {
    console.log('The server closed the connection');
    this.onConnectionLost.setResult(undefined);
  }
}

await run(async () => {
  const loop = getRunningLoop();
  await using server = await loop.createServer(() => new EchoServerProtocol(), '127.0.0.1', 0); // port 0: any free port
  const [, port] = server.sockets[0]!.getsockname() as [string, number];
  const onConnectionLost = loop.createFuture<void>();
  const [transport] = await loop.createConnection(() => new EchoClientProtocol('Hello World!', onConnectionLost), '127.0.0.1', port);
  try {
    await onConnectionLost; // until the server closes the connection
  } finally {
    transport.close();
  }
});
