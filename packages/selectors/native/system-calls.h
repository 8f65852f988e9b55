// Small helpers shared by the fd functions (fd.cc) and the socket functions
// (socket.cc): retrying a call a signal interrupted, setting close-on-exec and
// O_NONBLOCK where the system cannot at creation, and a pair of fds as a
// JavaScript array. Header-only and inline: the hot calls (recv, send) compile
// to what they were when each file wrote its own loop.
#ifndef ASYNCIO_TS_SELECTORS_SYSTEM_CALLS_H_
#define ASYNCIO_TS_SELECTORS_SYSTEM_CALLS_H_

#include <errno.h>
#include <fcntl.h>

#include <napi.h>

namespace selectors {

// Calls `call()` again while it fails with EINTR (PEP 475) and returns its
// last result; errno then tells why it failed.
template <typename Call>
inline auto RetryOnInterrupt(Call call) -> decltype(call()) {
  decltype(call()) result;
  do {
    result = call();
  } while (result < 0 && errno == EINTR);
  return result;
}

// Sets close-on-exec and, if asked, O_NONBLOCK, for systems that cannot do so
// atomically at creation (no pipe2, SOCK_CLOEXEC or accept4). Returns an
// errno, or 0.
inline int SetFlags(int fd, bool non_blocking) {
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return errno;
  if (non_blocking) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return errno;
  }
  return 0;
}

// [fds[0], fds[1]] as a JavaScript array.
inline Napi::Value FdPair(Napi::Env env, const int fds[2]) {
  Napi::Array pair = Napi::Array::New(env, 2);
  pair.Set(0u, Napi::Number::New(env, fds[0]));
  pair.Set(1u, Napi::Number::New(env, fds[1]));
  return pair;
}

}  // namespace selectors

#endif  // ASYNCIO_TS_SELECTORS_SYSTEM_CALLS_H_
