// FdWatcher: a libuv poll handle on Node's own event loop; and uvBackendFd, that loop's fd.
#include "watcher.h"

#include <string>
#include <unordered_set>

#include <errno.h>

#include "errors.h"

namespace selectors {

namespace {

constexpr int kEventRead = 1;
constexpr int kEventWrite = 2;

// The fds with an open watcher in this thread (each worker thread has its
// own loop). libuv's own EEXIST check sees only started handles, and two
// handles on one fd make it misbehave, so the check is here.
thread_local std::unordered_set<int> watched_fds;

}  // namespace

// The uv handle and a pointer back to its watcher, cleared when the watcher
// goes first; freed by the close callback.
struct FdWatcher::Handle {
  uv_poll_t poll;
  FdWatcher* owner;
};

Napi::Function FdWatcher::Init(Napi::Env env) {
  return DefineClass(env, "FdWatcher",
                     {
                         InstanceMethod<&FdWatcher::Start>("start"),
                         InstanceMethod<&FdWatcher::Stop>("stop"),
                         InstanceMethod<&FdWatcher::Close>("close"),
                         InstanceMethod<&FdWatcher::Ref>("ref"),
                         InstanceMethod<&FdWatcher::Unref>("unref"),
                         InstanceMethod<&FdWatcher::HasRef>("hasRef"),
                         InstanceMethod<&FdWatcher::Active>("active"),
                     });
}

FdWatcher::FdWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FdWatcher>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  int fd = FdArgument(info, 0, "fd");
  if (info.Length() < 2 || !info[1].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function");
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    throw Napi::Error::New(env, "FdWatcher: no libuv loop in this environment");
  }
  if (watched_fds.count(fd) != 0) ThrowErrno(env, EEXIST, "uv_poll_init");
  auto* handle = new Handle{};
  // uv_poll_init sets O_NONBLOCK on the fd, and refuses (EEXIST) a fd that
  // another handle of this loop already polls.
  int error = uv_poll_init(loop, &handle->poll, fd);
  if (error != 0) {
    delete handle;
    ThrowErrno(env, -error, "uv_poll_init");
  }
  watched_fds.insert(fd);
  fd_ = fd;
  handle->owner = this;
  handle->poll.data = handle;
  handle_ = handle;
  callback_ = Napi::Persistent(info[1].As<Napi::Function>());
  if (napi_add_env_cleanup_hook(env, OnCleanup, this) == napi_ok) cleanup_hook_ = true;
}

FdWatcher::~FdWatcher() {
  CloseHandle();
}

// The environment is going away (process exit, a worker thread ending):
// close the handle so that the loop can close, before finalizers run.
void FdWatcher::OnCleanup(void* data) {
  auto* watcher = static_cast<FdWatcher*>(data);
  watcher->cleanup_hook_ = false;
  watcher->CloseHandle();
}

void FdWatcher::StopPolling() {
  if (handle_ != nullptr) uv_poll_stop(&handle_->poll);
  if (held_) {
    held_ = false;
    Napi::ObjectWrap<FdWatcher>::Unref();
  }
}

void FdWatcher::CloseHandle() {
  if (handle_ == nullptr) return;
  Handle* handle = handle_;
  handle_ = nullptr;
  handle->owner = nullptr;
  watched_fds.erase(fd_);
  uv_poll_stop(&handle->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle->poll),
           [](uv_handle_t* closed) { delete static_cast<Handle*>(closed->data); });
  if (cleanup_hook_) {
    cleanup_hook_ = false;
    napi_remove_env_cleanup_hook(env_, OnCleanup, this);
  }
}

void FdWatcher::OnPoll(uv_poll_t* poll, int status, int events) {
  FdWatcher* watcher = static_cast<Handle*>(poll->data)->owner;
  if (watcher == nullptr) return;
  int ready = 0;
  if (status < 0) {
    ready = kEventRead | kEventWrite;
  } else {
    if (events & (UV_READABLE | UV_DISCONNECT)) ready |= kEventRead;
    if (events & UV_WRITABLE) ready |= kEventWrite;
  }
  Napi::Env env(watcher->env_);
  Napi::HandleScope scope(env);
  try {
    // MakeCallback, not Call: as for Node's own handles, the microtasks
    // queued by the callback run when it returns.
    // napi_make_callback needs an object for `this`: the watcher itself,
    // held strongly while it is started.
    Napi::Object receiver = watcher->held_ ? watcher->Value() : env.Global();
    watcher->callback_.MakeCallback(receiver, {Napi::Number::New(env, ready)});
  } catch (const Napi::Error& error) {
    // A throwing callback is an uncaught exception of the process, as a
    // throwing 'data' listener would be.
    napi_fatal_exception(env, error.Value());
  }
}

// start(events): watches for EVENT_READ and/or EVENT_WRITE (replacing what
// was watched), holding the JavaScript object while it can fire.
Napi::Value FdWatcher::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (handle_ == nullptr) throw Napi::Error::New(env, "FdWatcher is closed");
  int events = IntArgument(info, 0, "events");
  int mask = 0;
  if (events & kEventRead) mask |= UV_READABLE;
  if (events & kEventWrite) mask |= UV_WRITABLE;
  int error = uv_poll_start(&handle_->poll, mask, OnPoll);
  if (error != 0) ThrowErrno(env, -error, "uv_poll_start");
  if (!held_) {
    held_ = true;
    Napi::ObjectWrap<FdWatcher>::Ref();
  }
  return env.Undefined();
}

Napi::Value FdWatcher::Stop(const Napi::CallbackInfo& info) {
  StopPolling();
  return info.Env().Undefined();
}

Napi::Value FdWatcher::Close(const Napi::CallbackInfo& info) {
  StopPolling();
  CloseHandle();
  callback_.Reset();
  return info.Env().Undefined();
}

Napi::Value FdWatcher::Ref(const Napi::CallbackInfo& info) {
  if (handle_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
  return info.Env().Undefined();
}

Napi::Value FdWatcher::Unref(const Napi::CallbackInfo& info) {
  if (handle_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
  return info.Env().Undefined();
}

Napi::Value FdWatcher::HasRef(const Napi::CallbackInfo& info) {
  bool has_ref = handle_ != nullptr && uv_has_ref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
  return Napi::Boolean::New(info.Env(), has_ref);
}

Napi::Value FdWatcher::Active(const Napi::CallbackInfo& info) {
  bool active = handle_ != nullptr && uv_is_active(reinterpret_cast<uv_handle_t*>(&handle_->poll));
  return Napi::Boolean::New(info.Env(), active);
}

Napi::Value UvBackendFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_loop_t* loop = nullptr;
  int fd = -1;
  if (napi_get_uv_event_loop(env, &loop) == napi_ok && loop != nullptr) fd = uv_backend_fd(loop);
  return Napi::Number::New(env, fd < 0 ? -1 : fd);
}

}  // namespace selectors
