// The fd functions the event loop needs beside a selector: pipe, socketpair,
// non-blocking read and write into and from a Uint8Array, close and
// O_NONBLOCK, each a thin wrapper of its system call.
#ifndef ASYNCIO_TS_SELECTORS_FD_H_
#define ASYNCIO_TS_SELECTORS_FD_H_

#include <napi.h>

namespace selectors {

// Adds pipe, socketpair, read, write, close, setBlocking and getBlocking to
// the module's exports.
void InitFd(Napi::Env env, Napi::Object exports);

}  // namespace selectors

#endif  // ASYNCIO_TS_SELECTORS_FD_H_
