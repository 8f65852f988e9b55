// The fd functions the event loop needs beside a selector.
#include "fd.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"
#include "system-calls.h"

namespace selectors {

namespace {

bool BoolArgument(const Napi::CallbackInfo& info, size_t index) {
  return index < info.Length() && info[index].ToBoolean().Value();
}

#ifndef __linux__
// macOS has no pipe2 or SOCK_CLOEXEC: the flags are set after creation (SetFlags).
[[noreturn]] void ThrowAndClose(Napi::Env env, int error, const char* syscall, const int fds[2]) {
  close(fds[0]);
  close(fds[1]);
  ThrowErrno(env, error, syscall);
}

#endif

// pipe(nonBlocking) -> [readFd, writeFd], both close-on-exec.
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool non_blocking = BoolArgument(info, 0);
  int fds[2];
#ifdef __linux__
  if (pipe2(fds, O_CLOEXEC | (non_blocking ? O_NONBLOCK : 0)) < 0) ThrowErrno(env, errno, "pipe2");
#else
  if (pipe(fds) < 0) ThrowErrno(env, errno, "pipe");
  for (int fd : fds) {
    int error = SetFlags(fd, non_blocking);
    if (error != 0) ThrowAndClose(env, error, "fcntl", fds);
  }
#endif
  return FdPair(env, fds);
}

// socketpair(nonBlocking) -> [fd, fd]: a connected AF_UNIX stream pair.
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool non_blocking = BoolArgument(info, 0);
  int fds[2];
#ifdef __linux__
  int type = SOCK_STREAM | SOCK_CLOEXEC | (non_blocking ? SOCK_NONBLOCK : 0);
  if (socketpair(AF_UNIX, type, 0, fds) < 0) ThrowErrno(env, errno, "socketpair");
#else
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0) ThrowErrno(env, errno, "socketpair");
  for (int fd : fds) {
    int error = SetFlags(fd, non_blocking);
    if (error != 0) ThrowAndClose(env, error, "fcntl", fds);
  }
#endif
  return FdPair(env, fds);
}

struct Span {
  uint8_t* data;
  size_t length;
};

// (fd, Uint8Array, offset, length): the bytes of the array to read into or
// write from, bounds-checked here so that no call can reach past the array.
Span SpanArguments(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, "buffer must be a Uint8Array or Buffer");
  }
  Napi::Uint8Array array = info[1].As<Napi::Uint8Array>();
  size_t size = array.ElementLength();
  int offset = info.Length() > 2 && !info[2].IsUndefined() ? IntArgument(info, 2, "offset") : 0;
  if (offset < 0 || static_cast<size_t>(offset) > size) {
    throw Napi::RangeError::New(env, "offset is outside the buffer");
  }
  size_t rest = size - static_cast<size_t>(offset);
  int length = info.Length() > 3 && !info[3].IsUndefined() ? IntArgument(info, 3, "length") : static_cast<int>(rest);
  if (length < 0 || static_cast<size_t>(length) > rest) {
    throw Napi::RangeError::New(env, "length reaches past the end of the buffer");
  }
  return Span{array.Data() + offset, static_cast<size_t>(length)};
}

// read(fd, buffer, offset?, length?) -> bytes read (0 at end of file), or
// null when a non-blocking fd has nothing to read (EAGAIN).
Napi::Value Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArgument(info, 0, "fd");
  Span span = SpanArguments(info);
  ssize_t count = RetryOnInterrupt([&] { return read(fd, span.data, span.length); });
  if (count < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Null();
    ThrowErrno(env, errno, "read");
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

// write(fd, buffer, offset?, length?) -> bytes written, or null when a
// non-blocking fd has no room (EAGAIN).
Napi::Value Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArgument(info, 0, "fd");
  Span span = SpanArguments(info);
  ssize_t count = RetryOnInterrupt([&] { return write(fd, span.data, span.length); });
  if (count < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Null();
    ThrowErrno(env, errno, "write");
  }
  return Napi::Number::New(env, static_cast<double>(count));
}

// close(fd). EINTR is not an error worth reporting: the fd is released
// anyway on Linux, and retrying could close a fd another thread just got.
Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArgument(info, 0, "fd");
  if (close(fd) < 0 && errno != EINTR) ThrowErrno(env, errno, "close");
  return env.Undefined();
}

// setBlocking(fd, blocking): clears or sets O_NONBLOCK (Python's os.set_blocking).
Napi::Value SetBlocking(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArgument(info, 0, "fd");
  bool blocking = BoolArgument(info, 1);
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) ThrowErrno(env, errno, "fcntl");
  int wanted = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  if (wanted != flags && fcntl(fd, F_SETFL, wanted) < 0) ThrowErrno(env, errno, "fcntl");
  return env.Undefined();
}

// getBlocking(fd) -> false when O_NONBLOCK is set (Python's os.get_blocking).
Napi::Value GetBlocking(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArgument(info, 0, "fd");
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) ThrowErrno(env, errno, "fcntl");
  return Napi::Boolean::New(env, (flags & O_NONBLOCK) == 0);
}

}  // namespace

void InitFd(Napi::Env env, Napi::Object exports) {
  exports.Set("pipe", Napi::Function::New<Pipe>(env, "pipe"));
  exports.Set("socketpair", Napi::Function::New<SocketPair>(env, "socketpair"));
  exports.Set("read", Napi::Function::New<Read>(env, "read"));
  exports.Set("write", Napi::Function::New<Write>(env, "write"));
  exports.Set("close", Napi::Function::New<Close>(env, "close"));
  exports.Set("setBlocking", Napi::Function::New<SetBlocking>(env, "setBlocking"));
  exports.Set("getBlocking", Napi::Function::New<GetBlocking>(env, "getBlocking"));
}

}  // namespace selectors
