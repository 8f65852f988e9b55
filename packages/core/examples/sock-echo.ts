import { Runner, SelectorEventLoop, createTask, getRunningLoop, type Coroutine } from '@asyncio-ts/core';
import { AF_INET, Socket } from '@asyncio-ts/selectors';

// An echo server for one connection, on the loop's socket operations.
async function echo(server: Socket) {
  const loop = getRunningLoop();
  const [connection] = await loop.sockAccept(server);
  for (;;) {
    const data = await loop.sockRecv(connection, 1024);
    if (data.length === 0) break; // the client closed its end
    await loop.sockSendall(connection, data);
  }
  connection.close();
}

// The client: a generator coroutine.
function* client(port: number): Coroutine<string> {
  const loop = getRunningLoop();
  const sock = new Socket(AF_INET);
  sock.setBlocking(false); // the loop's socket operations need non-blocking sockets
  yield* loop.sockConnect(sock, ['localhost', port]);
  yield* loop.sockSendall(sock, 'Hello World!');
  const reply = yield* loop.sockRecv(sock, 1024);
  sock.close();
  return reply.toString();
}

const server = new Socket(AF_INET);
server.bind(['127.0.0.1', 0]); // port 0: any free port
server.listen();
server.setBlocking(false);
const [, port] = server.getsockname() as [string, number];

// A loop that waits in its selector's select(), as CPython's does.
const runner = new Runner({ loopFactory: () => new SelectorEventLoop() });
const reply = await runner.run(async () => {
  const serving = createTask(() => echo(server));
  const answer = await createTask(client(port));
  await serving;
  return answer;
});
await runner.close();
server.close();
console.log(reply); // Hello World!
