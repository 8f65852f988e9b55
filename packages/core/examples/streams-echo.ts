import { run, createTask, openConnection, startServer, type Coroutine, type StreamReader, type StreamWriter } from '@asyncio-ts/core';

// The server's side of each connection: an async function, run as a task.
async function handleEcho(reader: StreamReader, writer: StreamWriter) {
  const data = await reader.read(100);
  const [host, port] = writer.getExtraInfo<[string, number]>('peername')!;
  console.log(`Received ${JSON.stringify(data.toString())} from ${host}:${port}`);
  writer.write(data);
  await writer.drain();
  writer.close();
  await writer.waitClosed();
}

// The client: a generator coroutine (`yield*` where Python has `await`).
function* tcpEchoClient(message: string, port: number): Coroutine<string> {
  const [reader, writer] = yield* openConnection('127.0.0.1', port);
  console.log(`Send: ${JSON.stringify(message)}`);
  writer.write(message);
  const data = yield* reader.read(100);
  console.log(`Received: ${JSON.stringify(data.toString())}`);
  console.log('Close the connection');
  writer.close();
  yield* writer.waitClosed();
  return data.toString();
}

await run(async () => {
  await using server = await startServer(handleEcho, '127.0.0.1', 0); // port 0: any free port
  const [, port] = server.sockets[0]!.getsockname() as [string, number];
  await createTask(tcpEchoClient('Hello World!', port));
});
