export {
  AsyncioError,
  CancelledError,
  ExceptionGroup,
  IncompleteReadError,
  InvalidStateError,
  KeyboardInterrupt,
  LimitOverrunError,
  RuntimeError,
  TimeoutError,
  ValueError,
} from './errors.js';
export { BaseEventLoop, type EventLoopOptions, type ExceptionHandler, type TaskFactory } from './base-event-loop.js';
export { EventLoop } from './event-loop.js';
export { Handle, TimerHandle, type Callback, type ExceptionContext } from './handle.js';
export { Future, isFuture, type AwaitedHandOver, type FutureOptions, type FutureState } from './future.js';
export { Task, type TaskOptions } from './task.js';
export {
  isCoroutine,
  isGenerator,
  isThenable,
  type Awaitable,
  type AwaitedResult,
  type Coroutine,
  type CoroutineLike,
} from './coroutines.js';
export { getEventLoop, getRunningLoop, newEventLoop, setEventLoop, tryGetRunningLoop } from './events.js';
export { Runner, run, type RunnerOptions } from './runners.js';
export { sleep, SleepFuture } from './sleep.js';
export { createTask } from './create-task.js';
export { ensureFuture } from './ensure-future.js';
export { gather, GatheringFuture, type GatherOptions } from './gather.js';
export { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, wait, waitFor, type ReturnWhen, type WaitOptions } from './wait.js';
export { shield } from './shield.js';
export { asCompleted, AsCompleted, type AsCompletedOptions } from './as-completed.js';
export { allTasks, currentTask } from './current-task.js';
export { Timeout, timeout, timeoutAt } from './timeouts.js';
export { TaskGroup, taskGroup } from './task-group.js';
export { ScopedFuture, type Body } from './internal/scoped.js';
export { createEagerTaskFactory, eagerTaskFactory } from './eager.js';
export { dumpTasks, taskTree, type TaskNode } from './dump-tasks.js';
export { logger, setLogger, stderrLogger, type Logger } from './logger.js';
export { monotonicClock, type Clock } from './internal/time.js';
export { toThread, wrapFuture, type ShutdownDefaultExecutorOptions } from './executor-bridge.js';
export { DEFAULT_LIMIT, StreamReader, type Separator, type StreamReaderOptions } from './stream-reader.js';
export { StreamWriter, type StreamStartTlsOptions } from './stream-writer.js';
export { StreamReaderProtocol, type ClientConnected, type StreamReaderProtocolOptions } from './stream-reader-protocol.js';
export { SelectorEventLoop } from './selector-event-loop.js';
export { BaseTransport, DatagramTransport, ReadTransport, Transport, WriteTransport, type Data } from './transports.js';
export { BaseProtocol, BufferedProtocol, DatagramProtocol, Protocol, type DatagramAddress, type StreamProtocol } from './protocols.js';
export { Server, type ServerSocket } from './server.js';
export { createConnection, SSL_HANDSHAKE_TIMEOUT, type ClientSsl, type CreateConnectionOptions } from './create-connection.js';
export { createServer, type CreateServerOptions, type ServerSsl } from './create-server.js';
export { NetTransport } from './net-transport.js';
export { type StartTlsOptions } from './start-tls.js';
export { createDatagramEndpoint, type CreateDatagramEndpointOptions } from './create-datagram-endpoint.js';
export { NetDatagramTransport } from './datagram-transport.js';
export { SelectorDatagramTransport } from './selector-datagram-transport.js';
export { SelectorTransport } from './selector-transport.js';
export { openConnection, openUnixConnection, startServer, startUnixServer, type OpenConnectionOptions, type StartServerOptions } from './streams.js';
