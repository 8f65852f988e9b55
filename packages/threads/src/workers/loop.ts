// The entry of a LoopThread's worker: runs an asyncio-ts event loop forever
// (hosted on this worker's Node loop) and serves the calls that arrive on
// its ports, until asked to stop. When it exits, for whatever reason, it
// marks the shared state word EXITED and wakes every submitter, so that
// their pending futures fail at once instead of waiting forever.
import { threadId, workerData, type MessagePort } from 'node:worker_threads';
import { newEventLoop, setEventLoop } from '@asyncio-ts/core';
import { notifyWake } from '@asyncio-ts/executors';
import { setLoopContext } from '../internal/loop-context.js';
import { EXITED, RUNNING, STOPPED, type LoopWorkerData, type ToLoop } from '../internal/protocol.js';
import { Server } from '../internal/server.js';
import { setCurrentLoopId } from '../internal/thread-identity.js';

const { port, wake, channel, state } = workerData as LoopWorkerData;
const loop = newEventLoop();
setEventLoop(loop);
setCurrentLoopId(threadId);

const servers: Server[] = [];
function serve(other: MessagePort, otherWake: Int32Array | null, otherChannel: SharedArrayBuffer | null, control: ((message: ToLoop) => void) | null = null): Server {
  const server = new Server(loop, other, otherWake, otherChannel, control);
  servers.push(server);
  return server;
}

const primary = serve(port, wake, channel, (message) => {
  if (message.type === 'attach') serve(message.port, null, null);
  else if (message.type === 'stop') loop.callSoonThreadsafe(() => loop.stop());
});
setLoopContext({ loopId: threadId, state, primary, serve: (other) => void serve(other, null, null) });

process.on('exit', () => {
  Atomics.store(state, 0, EXITED);
  Atomics.notify(state, 0);
  for (const server of servers) if (server.wake !== null) notifyWake(server.wake);
});


Atomics.store(state, 0, RUNNING);
Atomics.notify(state, 0);
loop.runForever().then(
  () => {
    loop.close();
    // Replies already posted are delivered; pending work fails as
    // BrokenLoopThread. The thread ends once nothing keeps it alive, and the
    // starting thread terminates it in case the work left timers behind
    // (process.exit() here crashes Node 20 under loader hooks).
    for (const server of servers) server.close();
    port.close();
    Atomics.store(state, 0, STOPPED);
    Atomics.notify(state, 0);
    for (const server of servers) if (server.wake !== null) notifyWake(server.wake);
  },
  (error: unknown) => {
    process.nextTick(() => {
      throw error;
    });
  },
);
