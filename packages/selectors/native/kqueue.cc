// Kqueue: a kqueue(2) instance, on macOS and the BSDs.
#include "kqueue.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "poller.h"

namespace selectors {

Napi::Function Kqueue::Init(Napi::Env env) {
  return DefineClass(env, "Kqueue",
                     {
                         InstanceMethod<&Kqueue::Register>("register"),
                         InstanceMethod<&Kqueue::Modify>("modify"),
                         InstanceMethod<&Kqueue::Unregister>("unregister"),
                         InstanceMethod<&Kqueue::Wait>("poll"),
                         InstanceMethod<&Kqueue::Close>("close"),
                         InstanceMethod<&Kqueue::Fileno>("fileno"),
                     });
}

Kqueue::Kqueue(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Kqueue>(info) {
  kq_ = kqueue();
  if (kq_ < 0) ThrowErrno(info.Env(), errno, "kqueue");
  fcntl(kq_, F_SETFD, FD_CLOEXEC);
}

Kqueue::~Kqueue() {
  if (kq_ >= 0) close(kq_);
}

void Kqueue::CheckOpen(Napi::Env env) const {
  if (kq_ < 0) throw ClosedError(env, "Kqueue");
}

int Kqueue::Change(int fd, int add, int remove) {
  struct kevent changes[4];
  int count = 0;
  if (add & kRead) EV_SET(&changes[count++], fd, EVFILT_READ, EV_ADD, 0, 0, nullptr);
  if (add & kWrite) EV_SET(&changes[count++], fd, EVFILT_WRITE, EV_ADD, 0, 0, nullptr);
  if (remove & kRead) EV_SET(&changes[count++], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
  if (remove & kWrite) EV_SET(&changes[count++], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
  if (count == 0) return 0;
  if (kevent(kq_, changes, count, nullptr, 0, nullptr) < 0) return errno;
  return 0;
}

Napi::Value Kqueue::Register(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int fd = FdArgument(info, 0, "fd");
  int events = IntArgument(info, 1, "events") & (kRead | kWrite);
  if (registered_.count(fd) != 0) ThrowErrno(env, EEXIST, "kevent");
  int error = Change(fd, events, 0);
  if (error != 0) {
    // kevent() may have applied the first change before failing on the
    // second: undo both so the kernel and our table agree.
    Change(fd, 0, events);
    ThrowErrno(env, error, "kevent");
  }
  registered_[fd] = events;
  return env.Undefined();
}

Napi::Value Kqueue::Modify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int fd = FdArgument(info, 0, "fd");
  int events = IntArgument(info, 1, "events") & (kRead | kWrite);
  auto entry = registered_.find(fd);
  if (entry == registered_.end()) ThrowErrno(env, ENOENT, "kevent");
  int old = entry->second;
  int error = Change(fd, events & ~old, old & ~events);
  if (error != 0) ThrowErrno(env, error, "kevent");
  entry->second = events;
  return env.Undefined();
}

Napi::Value Kqueue::Unregister(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int fd = FdArgument(info, 0, "fd");
  auto entry = registered_.find(fd);
  if (entry == registered_.end()) ThrowErrno(env, ENOENT, "kevent");
  int old = entry->second;
  registered_.erase(entry);
  // The kernel drops the filters by itself when the fd is closed, so
  // deleting them then fails (EBADF/ENOENT): the caller may ignore that.
  int error = Change(fd, 0, old);
  if (error != 0) ThrowErrno(env, error, "kevent");
  return env.Undefined();
}

// poll(timeoutMs, out): waits (timeoutMs < 0 blocks) and writes one (fd,
// KQ_READ|KQ_WRITE) pair per ready fd, at most out.length / 2; returns their
// count, or -1 on EINTR so that the caller retries with the time left.
Napi::Value Kqueue::Wait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int timeout = IntArgument(info, 0, "timeoutMs");
  PollOutput out = OutputArgument(info, 1);
  // Two filters per fd at most; and kevent() with nevents == 0 would return
  // at once, ignoring the timeout (bpo-29255), so ask for one at least.
  size_t capacity = out.capacity > 0 ? 2 * out.capacity : 1;
  if (events_.size() < capacity) events_.resize(capacity);
  struct timespec wait_for;
  struct timespec* wait_pointer = nullptr;
  if (timeout >= 0) {
    wait_for.tv_sec = timeout / 1000;
    wait_for.tv_nsec = static_cast<long>(timeout % 1000) * 1000000L;
    wait_pointer = &wait_for;
  }
  int ready = kevent(kq_, nullptr, 0, events_.data(), static_cast<int>(capacity), wait_pointer);
  if (ready < 0) {
    if (errno == EINTR) return Napi::Number::New(env, -1);
    ThrowErrno(env, errno, "kevent");
  }
  merged_.clear();
  size_t count = 0;
  for (int i = 0; i < ready; i++) {
    int fd = static_cast<int>(events_[i].ident);
    int bit = events_[i].filter == EVFILT_READ ? kRead : events_[i].filter == EVFILT_WRITE ? kWrite : 0;
    auto slot = merged_.find(fd);
    if (slot != merged_.end()) {
      out.data[2 * slot->second + 1] |= bit;
    } else if (count < out.capacity) {
      merged_[fd] = count;
      out.data[2 * count] = fd;
      out.data[2 * count + 1] = bit;
      count++;
    }
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

Napi::Value Kqueue::Close(const Napi::CallbackInfo& info) {
  if (kq_ >= 0) {
    int fd = kq_;
    kq_ = -1;
    registered_.clear();
    close(fd);
  }
  return info.Env().Undefined();
}

Napi::Value Kqueue::Fileno(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), kq_);
}

}  // namespace selectors
