// Epoll: an epoll(7) instance, on Linux.
#include "epoll.h"

#include <errno.h>
#include <unistd.h>

#include "errors.h"
#include "poller.h"

namespace selectors {

Napi::Function Epoll::Init(Napi::Env env) {
  return DefineClass(env, "Epoll",
                     {
                         InstanceMethod<&Epoll::Register>("register"),
                         InstanceMethod<&Epoll::Modify>("modify"),
                         InstanceMethod<&Epoll::Unregister>("unregister"),
                         InstanceMethod<&Epoll::Wait>("poll"),
                         InstanceMethod<&Epoll::Close>("close"),
                         InstanceMethod<&Epoll::Fileno>("fileno"),
                     });
}

Epoll::Epoll(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Epoll>(info) {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) ThrowErrno(info.Env(), errno, "epoll_create1");
}

Epoll::~Epoll() {
  if (epfd_ >= 0) close(epfd_);
}

void Epoll::CheckOpen(Napi::Env env) const {
  if (epfd_ < 0) throw ClosedError(env, "Epoll");
}

void Epoll::Control(Napi::Env env, int operation, int fd, int events) {
  epoll_event event{};
  event.events = static_cast<uint32_t>(events);
  event.data.fd = fd;
  if (epoll_ctl(epfd_, operation, fd, &event) < 0) ThrowErrno(env, errno, "epoll_ctl");
}

Napi::Value Epoll::Register(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  Control(info.Env(), EPOLL_CTL_ADD, FdArgument(info, 0, "fd"), IntArgument(info, 1, "events"));
  return info.Env().Undefined();
}

Napi::Value Epoll::Modify(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  Control(info.Env(), EPOLL_CTL_MOD, FdArgument(info, 0, "fd"), IntArgument(info, 1, "events"));
  return info.Env().Undefined();
}

Napi::Value Epoll::Unregister(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  Control(info.Env(), EPOLL_CTL_DEL, FdArgument(info, 0, "fd"), 0);
  return info.Env().Undefined();
}

// poll(timeoutMs, out): epoll_wait for at most out.length / 2 events
// (timeoutMs < 0 blocks); returns their count, or -1 on EINTR so that the
// caller retries with the time left.
Napi::Value Epoll::Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int timeout = IntArgument(info, 0, "timeoutMs");
  PollOutput out = OutputArgument(info, 1);
  // epoll_wait() insists on maxevents > 0, and select() must work with
  // nothing registered (it then just sleeps).
  size_t capacity = out.capacity > 0 ? out.capacity : 1;
  if (events_.size() < capacity) events_.resize(capacity);
  int ready = epoll_wait(epfd_, events_.data(), static_cast<int>(capacity), timeout < 0 ? -1 : timeout);
  if (ready < 0) {
    if (errno == EINTR) return Napi::Number::New(env, -1);
    ThrowErrno(env, errno, "epoll_wait");
  }
  size_t count = static_cast<size_t>(ready) < out.capacity ? static_cast<size_t>(ready) : out.capacity;
  for (size_t i = 0; i < count; i++) {
    out.data[2 * i] = events_[i].data.fd;
    out.data[2 * i + 1] = static_cast<int32_t>(events_[i].events);
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

Napi::Value Epoll::Close(const Napi::CallbackInfo& info) {
  if (epfd_ >= 0) {
    int fd = epfd_;
    epfd_ = -1;
    // Linux closes the fd even when close() fails (EINTR included), so there
    // is nothing to retry; the error would only mislead.
    close(fd);
  }
  return info.Env().Undefined();
}

Napi::Value Epoll::Fileno(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), epfd_);
}

}  // namespace selectors
