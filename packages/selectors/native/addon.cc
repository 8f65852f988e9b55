// The module: the poller classes this system has, their event bits, the fd
// functions, the socket functions, FdWatcher and uvBackendFd. The TypeScript
// side (src/binding.ts) declares this shape.
#include <napi.h>
#include <poll.h>

#include "fd.h"
#include "poll.h"
#include "socket.h"
#include "watcher.h"
#ifdef SELECTORS_HAVE_EPOLL
#include "epoll.h"
#endif
#ifdef SELECTORS_HAVE_KQUEUE
#include "kqueue.h"
#endif

namespace selectors {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Object constants = Napi::Object::New(env);
  constants.Set("POLLIN", Napi::Number::New(env, POLLIN));
  constants.Set("POLLOUT", Napi::Number::New(env, POLLOUT));
  constants.Set("POLLERR", Napi::Number::New(env, POLLERR));
  constants.Set("POLLHUP", Napi::Number::New(env, POLLHUP));
  constants.Set("POLLNVAL", Napi::Number::New(env, POLLNVAL));
  exports.Set("Poll", Poll::Init(env));
#ifdef SELECTORS_HAVE_EPOLL
  constants.Set("EPOLLIN", Napi::Number::New(env, EPOLLIN));
  constants.Set("EPOLLOUT", Napi::Number::New(env, EPOLLOUT));
  constants.Set("EPOLLERR", Napi::Number::New(env, EPOLLERR));
  constants.Set("EPOLLHUP", Napi::Number::New(env, EPOLLHUP));
  exports.Set("Epoll", Epoll::Init(env));
#endif
#ifdef SELECTORS_HAVE_KQUEUE
  constants.Set("KQ_READ", Napi::Number::New(env, Kqueue::kRead));
  constants.Set("KQ_WRITE", Napi::Number::New(env, Kqueue::kWrite));
  exports.Set("Kqueue", Kqueue::Init(env));
#endif
  exports.Set("constants", constants);
  InitFd(env, exports);
  InitSocket(env, exports);
  exports.Set("FdWatcher", FdWatcher::Init(env));
  exports.Set("uvBackendFd", Napi::Function::New<UvBackendFd>(env, "uvBackendFd"));
  return exports;
}

NODE_API_MODULE(selectors, Init)

}  // namespace selectors
