import { run, getRunningLoop, DatagramProtocol, type DatagramAddress, type DatagramTransport, type Future } from '@asyncio-ts/core';

// The server's protocol: sends every datagram back to where it came from.
class EchoServerProtocol extends DatagramProtocol {
  transport!: DatagramTransport;

  override connectionMade(transport: DatagramTransport) {
    this.transport = transport;
  }

  override datagramReceived(data: Buffer, [host, port]: DatagramAddress) {
    console.log(`Received ${JSON.stringify(data.toString())} from ${host}:${port}`);
    console.log(`Send ${JSON.stringify(data.toString())} back`);
    this.transport.sendto(data, [host, port]);
  }
}

// The client's protocol: sends one message, prints the echo, and closes.
class EchoClientProtocol extends DatagramProtocol {
  transport!: DatagramTransport;

  constructor(
    readonly message: string,
    readonly onConnectionLost: Future<void>,
  ) {
    super();
  }

  override connectionMade(transport: DatagramTransport) {
    this.transport = transport;
    console.log(`Send: ${JSON.stringify(this.message)}`);
    transport.sendto(this.message);
  }

  override datagramReceived(data: Buffer) {
    console.log(`Received: ${JSON.stringify(data.toString())}`);
    console.log('Close the socket');
    this.transport.close();
  }

  override errorReceived(error: Error) {
    console.log(`Error received: ${error.message}`);
  }

  override connectionLost() {
    console.log('Connection closed');
    this.onConnectionLost.setResult();
  }
}

await run(async () => {
  const loop = getRunningLoop();
  const [server] = await loop.createDatagramEndpoint(() => new EchoServerProtocol(), { localAddr: ['127.0.0.1', 0] }); // port 0: any free port
  const serverAddress = server.getExtraInfo<DatagramAddress>('sockname')!;
  const onConnectionLost = loop.createFuture<void>();
  const [client] = await loop.createDatagramEndpoint(() => new EchoClientProtocol('Hello World!', onConnectionLost), { remoteAddr: serverAddress });
  try {
    await onConnectionLost;
  } finally {
    client.close();
    server.close();
  }
});
