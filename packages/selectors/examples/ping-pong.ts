import { DefaultSelector, EVENT_READ, EVENT_WRITE, os } from '@asyncio-ts/selectors';

const [client, server] = os.socketpair(); // non-blocking fds
using selector = new DefaultSelector<string>();
selector.register(client, EVENT_WRITE, 'client');
selector.register(server, EVENT_READ, 'server');

const buffer = Buffer.alloc(64);
let received = '';
while (received !== 'ping') {
  for (const [key, events] of selector.select(1)) {
    if (key.data === 'client' && events & EVENT_WRITE) {
      os.write(key.fd, Buffer.from('ping'));
      selector.unregister(key.fd); // nothing more to send
    } else if (key.data === 'server' && events & EVENT_READ) {
      const count = os.read(key.fd, buffer); // null: nothing yet, 0: end of file
      if (count) received += buffer.toString('utf8', 0, count);
    }
  }
}
console.log(received); // 'ping'
os.close(client);
os.close(server);
