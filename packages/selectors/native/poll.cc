// Poll: a set of file descriptors watched with poll(2), on every POSIX system.
#include "poll.h"

#include <errno.h>
#include <fcntl.h>

#include "errors.h"
#include "poller.h"

namespace selectors {

Napi::Function Poll::Init(Napi::Env env) {
  return DefineClass(env, "Poll",
                     {
                         InstanceMethod<&Poll::Register>("register"),
                         InstanceMethod<&Poll::Modify>("modify"),
                         InstanceMethod<&Poll::Unregister>("unregister"),
                         InstanceMethod<&Poll::Wait>("poll"),
                         InstanceMethod<&Poll::Close>("close"),
                         InstanceMethod<&Poll::Fileno>("fileno"),
                     });
}

Poll::Poll(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Poll>(info) {}

void Poll::CheckOpen(Napi::Env env) const {
  if (closed_) throw ClosedError(env, "Poll");
}

Napi::Value Poll::Register(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int fd = FdArgument(info, 0, "fd");
  int events = IntArgument(info, 1, "events");
  if (slots_.count(fd) != 0) ThrowErrno(env, EEXIST, "poll");
  // poll(2) would take a closed fd and report POLLNVAL forever; refuse it
  // now, as epoll_ctl and kevent do, so every selector fails the same way.
  if (fcntl(fd, F_GETFD) == -1) ThrowErrno(env, errno, "fcntl");
  slots_[fd] = fds_.size();
  fds_.push_back(pollfd{fd, static_cast<short>(events), 0});
  return env.Undefined();
}

Napi::Value Poll::Modify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int fd = FdArgument(info, 0, "fd");
  int events = IntArgument(info, 1, "events");
  auto slot = slots_.find(fd);
  if (slot == slots_.end()) ThrowErrno(env, ENOENT, "poll");
  fds_[slot->second].events = static_cast<short>(events);
  return env.Undefined();
}

Napi::Value Poll::Unregister(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int fd = FdArgument(info, 0, "fd");
  auto slot = slots_.find(fd);
  if (slot == slots_.end()) ThrowErrno(env, ENOENT, "poll");
  // Keep the array dense: move the last entry into the freed slot.
  size_t freed = slot->second;
  slots_.erase(slot);
  if (freed != fds_.size() - 1) {
    fds_[freed] = fds_.back();
    slots_[fds_[freed].fd] = freed;
  }
  fds_.pop_back();
  return env.Undefined();
}

// poll(timeoutMs, out): waits (timeoutMs < 0 blocks) and writes up to
// out.length / 2 (fd, revents) pairs; returns their count, or -1 when a signal
// interrupted the wait (EINTR), so that the caller retries with the time left.
Napi::Value Poll::Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int timeout = IntArgument(info, 0, "timeoutMs");
  PollOutput out = OutputArgument(info, 1);
  int ready = ::poll(fds_.data(), static_cast<nfds_t>(fds_.size()), timeout < 0 ? -1 : timeout);
  if (ready < 0) {
    if (errno == EINTR) return Napi::Number::New(env, -1);
    ThrowErrno(env, errno, "poll");
  }
  size_t count = 0;
  for (size_t i = 0; i < fds_.size() && count < static_cast<size_t>(ready) && count < out.capacity; i++) {
    if (fds_[i].revents == 0) continue;
    out.data[2 * count] = fds_[i].fd;
    out.data[2 * count + 1] = fds_[i].revents;
    count++;
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

Napi::Value Poll::Close(const Napi::CallbackInfo& info) {
  closed_ = true;
  fds_.clear();
  slots_.clear();
  return info.Env().Undefined();
}

// poll(2) has no kernel object, hence no fd of its own.
Napi::Value Poll::Fileno(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), -1);
}

}  // namespace selectors
