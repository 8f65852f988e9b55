/**
 * nodeLoopFd(): the fd of this thread's Node event loop (libuv's backend
 * fd), for a loop that blocks in its own select() and must still notice when
 * Node has work: register it in the selector and hand Node a turn when it is
 * readable.
 *
 * It has no Python counterpart (CPython's loop owns its thread outright); it
 * is what embedders of libuv (Electron's node_bindings) poll to interleave
 * two loops. The behaviour documented below is tested in
 * test/node-loop-fd.test.ts on Linux (epoll); the kqueue notes come from
 * libuv's documentation.
 */
import { loadBinding, type SocketBinding } from './binding.js';

/**
 * The fd of the current thread's Node event loop: libuv's backend fd
 * (`uv_backend_fd`), an epoll fd on Linux and a kqueue fd on macOS and the
 * BSDs; -1 where libuv has none.
 *
 * **What it is for.** A selector that registers it for `EVENT_READ` while it
 * blocks in `select()` is woken when Node itself has I/O ready, so a loop that
 * owns its thread (`SelectorEventLoop`) can give Node a turn instead of
 * starving it until one of its own fds is ready.
 *
 * **What makes it readable** (level-triggered: while one of the fds libuv
 * watches is ready):
 * - Node's own sockets, servers and pipes: a connection to a `net` server,
 *   data for a socket that is reading;
 * - messages from other threads: a worker's `postMessage()` (any
 *   `MessagePort`), and the completion of thread-pool work (`fs` callbacks and
 *   promises, `dns.lookup()`, crypto, zlib), all through libuv's async wake-up;
 * - a signal that Node listens for (`process.on('SIGUSR2', …)`), through
 *   libuv's signal pipe (also child-process exits, SIGCHLD).
 *
 * **What does not:** timers (`setTimeout`, `setInterval`: libuv keeps them in
 * a heap, not behind an fd, so a loop that blocks must bound its `select()`
 * timeout itself); `setImmediate`, `process.nextTick` and promise jobs; work
 * libuv queued for its next turn without an fd (a write that completed at
 * once, a closing handle); a signal nobody listens for.
 *
 * **libuv watches new handles only from its next poll phase.** Starting a
 * handle (`uv__io_start`) only queues its watcher; the `epoll_ctl` (or the
 * kevent change list) happens when libuv next polls. Hence:
 * - until Node has polled once (at a main module's top level, before its
 *   first turn) it reports nothing at all, not even a worker's message;
 * - a handle started since Node last polled is not watched yet: a server that
 *   just began listening (even after its `'listening'` event, which comes
 *   before the poll), a socket Node accepted or connected during its last turn
 *   (its reading starts in that turn's callbacks, after the poll), a socket
 *   whose write just began waiting to drain.
 *
 * So give Node a turn after JavaScript that may start Node handles and before
 * a long wait; and since Node's own callbacks in that turn can start handles
 * that are watched only from the turn after, a loop that must never miss them
 * bounds its `select()` timeout (or gives Node a second turn).
 *
 * **Giving Node a turn.** When the selector reports it, return to Node's
 * event loop through an immediate and select again from there; what counts
 * is that a libuv poll phase runs before you resume (Node handles what was
 * ready and starts watching its new handles in it). From inside an immediate
 * (the check phase), `setImmediate(resume)` does: the next iteration polls
 * first. From anywhere else, chain two, `setImmediate(() =>
 * setImmediate(resume))`: an immediate queued during the poll phase (in an
 * I/O callback, or in the microtasks after one, as when an `await` on a Node
 * event resumes) runs right after that same poll phase. A microtask,
 * `process.nextTick()` or an awaited promise is no turn at all, and
 * `setTimeout(resume, 0)` may run before the next poll. Until Node polls, the
 * fd stays readable and each `select()` reports it again at once;
 * afterwards `select(0)` reports nothing. A wake can bring nothing for your
 * loop (Node's work had no callback of yours): treat it as "Node wants a
 * turn", never as data.
 *
 * **Rules.** The fd is libuv's: never close, read or reconfigure it, and do
 * not give it to an `FdWatcher` (libuv refuses to poll its own fd: `EINVAL`).
 * Each thread (each worker) has its own loop and fd, valid while that
 * thread's Node environment lives. On macOS and the BSDs, libuv warns that a
 * kqueue fd added to another kqueue may never report events: register it in a
 * `PollSelector` (poll(2) on a kqueue fd works; Electron uses select()), not
 * a `KqueueSelector` or a `DefaultSelector` that chose kqueue.
 *
 * @param binding the addon, the real one by default.
 * @example
 * ```ts
 * using selector = new PollSelector<string>();
 * selector.register(nodeLoopFd(), EVENT_READ, 'node');
 * for (const [key] of selector.select(5)) {
 *   // Node's turn, with a poll phase in it wherever this code runs:
 *   if (key.data === 'node') await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
 * }
 * ```
 */
export function nodeLoopFd(binding: Pick<SocketBinding, 'uvBackendFd'> = loadBinding()): number {
  return binding.uvBackendFd();
}
