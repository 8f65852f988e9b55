import { connect } from 'node:net';
import { EVENT_READ, FdWatcher, Socket } from '@asyncio-ts/selectors';

const server = new Socket(); // AF_INET, SOCK_STREAM
server.bind(['127.0.0.1', 0]); // port 0: any free port
server.listen();
server.setBlocking(false);

// Node's own event loop says when a connection waits: no thread blocks.
const acceptor = new FdWatcher(server.fileno(), () => {
  const accepted = server.tryAccept(); // a non-blocking Socket, or null
  if (!accepted) return;
  const [connection] = accepted;
  const buffer = Buffer.alloc(1024);
  const reader = new FdWatcher(connection.fileno(), () => {
    const count = connection.tryRecvInto(buffer); // -1: nothing yet, 0: end of file
    if (count > 0) connection.trySend(buffer, 0, count);
    if (count === 0) {
      reader.close(); // stop watching a fd before closing it
      connection.close();
    }
  });
  reader.start(EVENT_READ);
});
acceptor.start(EVENT_READ);

const [host, port] = server.getsockname() as [string, number];
const client = connect(port, host, () => client.end('ping'));
client.on('data', (data) => {
  console.log(data.toString()); // 'ping'
  acceptor.close();
  server.close();
});
