// The socket system calls behind src/socket.ts: socket, socketpair, dup,
// bind, listen, connect, accept, recv, send, shutdown, getsockname, getpeername,
// setsockopt and getsockopt, each a thin wrapper of its system call.
//
// Every function but getsockopt reports a failure by returning the negative
// errno instead of throwing: the transports call recv and send once per
// chunk, and a would-block (EAGAIN) is their normal case, so the fast path
// builds no Error and allocates nothing. The TypeScript side turns other
// errno values into its OSError classes. Bad arguments (not a number, a
// range outside the buffer) still throw a TypeError or RangeError.
#ifndef ASYNCIO_TS_SELECTORS_SOCKET_H_
#define ASYNCIO_TS_SELECTORS_SOCKET_H_

#include <napi.h>

namespace selectors {

// Adds the `socket` object (its functions and its `constants`) to the
// module's exports.
void InitSocket(Napi::Env env, Napi::Object exports);

}  // namespace selectors

#endif  // ASYNCIO_TS_SELECTORS_SOCKET_H_
