// The io suite's fallback load generator, for a machine without a C
// compiler: bench/native/echo-client.c's ping-pong on Node's net, with the
// same arguments and the same JSON line. It is slower than the C one (it
// may set the pace for the fastest servers; its clientCpu column says so).
import net from 'node:net';

interface Connection {
  socket: net.Socket;
  message: Buffer;
  received: number;
  echo: Buffer;
  sequence: bigint;
  sentAt: bigint;
}

/** The child side of `io-client HOST PORT CONNECTIONS SIZE WARMUP DURATION`. */
export async function runNodeClient(args: string[]): Promise<void> {
  const [host, portText, countText, sizeText, warmupText, durationText] = args;
  const port = Number(portText);
  const count = Number(countText);
  const size = Number(sizeText);
  const warmup = Number(warmupText);
  const duration = Number(durationText);
  if (!host || !(port > 0) || !(count > 0) || !(size >= 8) || !(warmup >= 0) || !(duration > 0)) {
    throw new Error('usage: io-client HOST PORT CONNECTIONS SIZE WARMUP DURATION');
  }
  const connections = await Promise.all(
    Array.from({ length: count }, (_, index) => {
      return new Promise<Connection>((resolve, reject) => {
        const socket = net.connect({ host, port, noDelay: true }, () => {
          const message = Buffer.alloc(size, 'abcdefghijklmnopqrstuvwxyz'.slice(index % 26));
          resolve({ socket, message, received: 0, echo: Buffer.alloc(size), sequence: BigInt(index) << 40n, sentAt: 0n });
        });
        socket.once('error', reject);
      });
    }),
  );

  const start = process.hrtime.bigint();
  const measureFrom = start + BigInt(Math.round(warmup * 1e9));
  const end = measureFrom + BigInt(Math.round(duration * 1e9));
  const latencies: number[] = [];
  let messages = 0;
  let cpuAtMeasure: NodeJS.CpuUsage | undefined;
  const measureTimer = setTimeout(() => (cpuAtMeasure = process.cpuUsage()), warmup * 1000);

  const send = (connection: Connection) => {
    connection.sequence++;
    connection.message.writeBigUInt64LE(connection.sequence, 0);
    connection.received = 0;
    connection.sentAt = process.hrtime.bigint();
    connection.socket.write(connection.message);
  };

  await new Promise<void>((resolve, reject) => {
    let finished = false;
    const finish = () => {
      if (!finished) {
        finished = true;
        resolve();
      }
    };
    setTimeout(finish, Number(end - start) / 1e6);
    for (const connection of connections) {
      connection.socket.on('error', reject);
      connection.socket.on('end', () => reject(new Error('the server closed a connection')));
      connection.socket.on('data', (chunk: Buffer) => {
        if (finished) return;
        chunk.copy(connection.echo, connection.received);
        connection.received += chunk.length;
        if (connection.received < size) return;
        if (connection.received > size || !connection.echo.equals(connection.message)) {
          reject(new Error('the echo differs from the message sent'));
          return;
        }
        const done = process.hrtime.bigint();
        if (done >= end) return finish();
        if (done >= measureFrom) messages++;
        if (connection.sentAt >= measureFrom) latencies.push(Number(done - connection.sentAt));
        send(connection);
      });
      send(connection);
    }
  });
  clearTimeout(measureTimer);
  const cpu = process.cpuUsage(cpuAtMeasure);
  for (const connection of connections) connection.socket.destroy();

  latencies.sort((a, b) => a - b);
  const at = (fraction: number) => (latencies.length > 0 ? latencies[Math.floor((latencies.length - 1) * fraction)]! / 1e3 : 0);
  console.log(
    JSON.stringify({
      connections: count,
      messages,
      seconds: duration,
      messagesPerSecond: messages / duration,
      medianLatencyUs: latencies.length > 0 ? latencies[latencies.length >> 1]! / 1e3 : 0,
      p99LatencyUs: at(0.99),
      clientCpu: (cpu.user + cpu.system) / 1e6 / duration,
    }),
  );
}
