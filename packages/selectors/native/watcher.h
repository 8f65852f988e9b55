// FdWatcher: a libuv poll handle (uv_poll_t) on Node's own event loop, so a
// fd's readiness wakes JavaScript without blocking the thread (uvloop's
// handles/poll.pyx, serialport's src/poller.cpp).
#ifndef ASYNCIO_TS_SELECTORS_WATCHER_H_
#define ASYNCIO_TS_SELECTORS_WATCHER_H_

#include <napi.h>
#include <uv.h>

namespace selectors {

// new FdWatcher(fd, callback): callback(events) runs on Node's loop when fd
// is ready, events being EVENT_READ (1) | EVENT_WRITE (2), both on a poll
// error. start(events), stop(), close(), ref(), unref().
//
// Lifetime: the uv handle is heap memory of its own, freed by uv_close's
// callback, because libuv finishes a close on a later loop turn, after this
// object may be gone. While started the JavaScript object is held strongly
// (as Node holds an active handle), so a watcher that can fire is never
// collected; a stopped one may be, and its finalizer closes the handle. An
// environment cleanup hook closes it when a worker thread or the process
// shuts down.
class FdWatcher : public Napi::ObjectWrap<FdWatcher> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit FdWatcher(const Napi::CallbackInfo& info);
  ~FdWatcher() override;

 private:
  struct Handle;

  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  Napi::Value HasRef(const Napi::CallbackInfo& info);
  Napi::Value Active(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* poll, int status, int events);
  static void OnCleanup(void* data);
  void StopPolling();
  void CloseHandle();

  Handle* handle_ = nullptr;
  int fd_ = -1;
  Napi::FunctionReference callback_;
  napi_env env_;
  bool held_ = false;
  bool cleanup_hook_ = false;
};

// uvBackendFd(): the fd of this thread's libuv loop (epoll's on Linux,
// kqueue's on macOS and the BSDs; uv_backend_fd), or -1 where libuv has none.
// It is libuv's: never close it, nor watch it with an FdWatcher (a loop
// cannot watch itself).
Napi::Value UvBackendFd(const Napi::CallbackInfo& info);

}  // namespace selectors

#endif  // ASYNCIO_TS_SELECTORS_WATCHER_H_
