// The socket system calls behind src/socket.ts. Failures come back as a
// negative errno (see socket.h); only getsockopt throws.
#include "socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "errors.h"
#include "system-calls.h"

namespace selectors {

namespace {

// Linux sends no SIGPIPE with MSG_NOSIGNAL; elsewhere Node ignores SIGPIPE
// for the whole process, so EPIPE comes back as an errno either way.
#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;
#endif

inline Napi::Value Failure(Napi::Env env, int error) { return Napi::Number::New(env, -error); }

inline Napi::Value Count(Napi::Env env, ssize_t count) {
  return Napi::Number::New(env, static_cast<double>(count));
}

// An int32 argument read with the raw N-API call: the fast functions use it
// instead of IntArgument, whose checks cost more than the system call.
inline int32_t Int32(const Napi::CallbackInfo& info, size_t index, const char* what) {
  int32_t value;
  if (index >= info.Length() || napi_get_value_int32(info.Env(), info[index], &value) != napi_ok) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  }
  return value;
}

// (…, buffer, offset, length) at `index`: the bytes of a Uint8Array to
// receive into or send from, bounds-checked here so that no call reaches
// past the array.
struct Chunk {
  uint8_t* data;
  size_t length;
};

Chunk ChunkArguments(const Napi::CallbackInfo& info, size_t index) {
  napi_env env = info.Env();
  napi_typedarray_type type;
  size_t size;
  void* data;
  if (index >= info.Length() ||
      napi_get_typedarray_info(env, info[index], &type, &size, &data, nullptr, nullptr) != napi_ok ||
      (type != napi_uint8_array && type != napi_uint8_clamped_array)) {
    throw Napi::TypeError::New(info.Env(), "buffer must be a Uint8Array or Buffer");
  }
  int32_t offset = Int32(info, index + 1, "offset");
  int32_t length = Int32(info, index + 2, "length");
  if (offset < 0 || static_cast<size_t>(offset) > size) {
    throw Napi::RangeError::New(info.Env(), "offset is outside the buffer");
  }
  if (length < 0 || static_cast<size_t>(length) > size - static_cast<size_t>(offset)) {
    throw Napi::RangeError::New(info.Env(), "length reaches past the end of the buffer");
  }
  return Chunk{static_cast<uint8_t*>(data) + offset, static_cast<size_t>(length)};
}

// (family, host, port) at `index` as a sockaddr: host is a numeric IPv4 or
// IPv6 address (an IPv6 one may carry a %scope), or for AF_UNIX the path
// (a leading NUL names Linux's abstract namespace). Returns an errno or 0.
int ParseAddress(const Napi::CallbackInfo& info, size_t index, sockaddr_storage* storage, socklen_t* length) {
  int family = Int32(info, index, "family");
  if (index + 1 >= info.Length() || !info[index + 1].IsString()) {
    throw Napi::TypeError::New(info.Env(), "host must be a string");
  }
  std::string host = info[index + 1].As<Napi::String>().Utf8Value();
  std::memset(storage, 0, sizeof(*storage));
  if (family == AF_INET) {
    int port = Int32(info, index + 2, "port");
    auto* address = reinterpret_cast<sockaddr_in*>(storage);
    address->sin_family = AF_INET;
    address->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &address->sin_addr) != 1) return EINVAL;
    *length = sizeof(sockaddr_in);
    return 0;
  }
  if (family == AF_INET6) {
    int port = Int32(info, index + 2, "port");
    auto* address = reinterpret_cast<sockaddr_in6*>(storage);
    address->sin6_family = AF_INET6;
    address->sin6_port = htons(static_cast<uint16_t>(port));
    size_t percent = host.find('%');
    if (percent != std::string::npos) {
      std::string scope = host.substr(percent + 1);
      host.resize(percent);
      char* end = nullptr;
      unsigned long number = std::strtoul(scope.c_str(), &end, 10);
      unsigned int index_of_scope =
          !scope.empty() && *end == '\0' ? static_cast<unsigned int>(number) : if_nametoindex(scope.c_str());
      if (index_of_scope == 0) return EINVAL;
      address->sin6_scope_id = index_of_scope;
    }
    if (inet_pton(AF_INET6, host.c_str(), &address->sin6_addr) != 1) return EINVAL;
    *length = sizeof(sockaddr_in6);
    return 0;
  }
  if (family == AF_UNIX) {
    auto* address = reinterpret_cast<sockaddr_un*>(storage);
    address->sun_family = AF_UNIX;
    bool abstract = !host.empty() && host[0] == '\0';
    // A filesystem path needs room for its terminating NUL; an abstract name does not.
    if (host.size() + (abstract ? 0 : 1) > sizeof(address->sun_path)) return ENAMETOOLONG;
    std::memcpy(address->sun_path, host.data(), host.size());
    *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + host.size() + (abstract ? 0 : 1));
    return 0;
  }
  return EAFNOSUPPORT;
}

// A sockaddr as JavaScript: [host, port] for IPv4 and IPv6 (a scoped IPv6
// address as 'fe80::1%eth0', as Python prints it), the path for AF_UNIX
// ('' for an unnamed socket), null for any other family.
Napi::Value AddressValue(Napi::Env env, const sockaddr_storage& storage, socklen_t length) {
  if (storage.ss_family == AF_INET || storage.ss_family == AF_INET6) {
    char host[NI_MAXHOST];
    int error = getnameinfo(reinterpret_cast<const sockaddr*>(&storage), length, host, sizeof(host), nullptr, 0,
                            NI_NUMERICHOST);
    if (error != 0) host[0] = '\0';
    uint16_t port = storage.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in*>(&storage)->sin_port
                                                 : reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port;
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::String::New(env, host));
    pair.Set(1u, Napi::Number::New(env, ntohs(port)));
    return pair;
  }
  if (storage.ss_family == AF_UNIX) {
    const auto* address = reinterpret_cast<const sockaddr_un*>(&storage);
    size_t offset = offsetof(sockaddr_un, sun_path);
    if (length <= offset) return Napi::String::New(env, "");
    size_t size = length - offset;
    if (address->sun_path[0] != '\0') size = strnlen(address->sun_path, size);
    return Napi::String::New(env, address->sun_path, size);
  }
  return env.Null();
}

// create(family, type, proto) -> fd, close-on-exec; type may carry
// SOCK_NONBLOCK where the system has it.
Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int family = Int32(info, 0, "family");
  int type = Int32(info, 1, "type");
  int protocol = Int32(info, 2, "proto");
#ifdef SOCK_CLOEXEC
  int fd = socket(family, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) return Failure(env, errno);
#else
  int fd = socket(family, type, protocol);
  if (fd < 0) return Failure(env, errno);
  int error = SetFlags(fd, false);
  if (error != 0) {
    close(fd);
    return Failure(env, error);
  }
#endif
  return Napi::Number::New(env, fd);
}

// socketpair(family, type, proto) -> [fd, fd], close-on-exec.
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int family = Int32(info, 0, "family");
  int type = Int32(info, 1, "type");
  int protocol = Int32(info, 2, "proto");
  int fds[2];
#ifdef SOCK_CLOEXEC
  if (socketpair(family, type | SOCK_CLOEXEC, protocol, fds) < 0) return Failure(env, errno);
#else
  if (socketpair(family, type, protocol, fds) < 0) return Failure(env, errno);
  for (int fd : fds) {
    int error = SetFlags(fd, false);
    if (error != 0) {
      close(fds[0]);
      close(fds[1]);
      return Failure(env, error);
    }
  }
#endif
  return FdPair(env, fds);
}

// (fd, family, host, port) -> 0: `Call` on the fd and the parsed address;
// `Call` returns an errno or 0.
template <int (*Call)(int, const sockaddr*, socklen_t)>
Napi::Value CallWithAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Int32(info, 0, "fd");
  sockaddr_storage storage;
  socklen_t length;
  int error = ParseAddress(info, 1, &storage, &length);
  if (error == 0) error = Call(fd, reinterpret_cast<const sockaddr*>(&storage), length);
  if (error != 0) return Failure(env, error);
  return Napi::Number::New(env, 0);
}

// bind(fd, family, host, port) -> 0.
int BindTo(int fd, const sockaddr* address, socklen_t length) { return bind(fd, address, length) < 0 ? errno : 0; }

// listen(fd, backlog) -> 0.
Napi::Value Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (listen(Int32(info, 0, "fd"), Int32(info, 1, "backlog")) < 0) return Failure(env, errno);
  return Napi::Number::New(env, 0);
}

// After a connect() interrupted by a signal the connection goes on in the
// kernel: a blocking socket waits for it (PEP 475), a non-blocking one
// reports it in progress. Returns the connection's errno or 0.
int FinishInterruptedConnect(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return errno;
  if (flags & O_NONBLOCK) return EINPROGRESS;
  pollfd entry{fd, POLLOUT, 0};
  int ready;
  do {
    ready = poll(&entry, 1, -1);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return errno;
  int error = 0;
  socklen_t size = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) < 0) return errno;
  return error;
}

// connect(fd, family, host, port) -> 0; EINPROGRESS comes back as any
// other errno, for the caller to wait for writability.
int ConnectTo(int fd, const sockaddr* address, socklen_t length) {
  if (connect(fd, address, length) == 0) return 0;
  return errno == EINTR ? FinishInterruptedConnect(fd) : errno;
}

// accept(fd, nonBlocking) -> [fd, address]: the new fd close-on-exec, and
// non-blocking when asked (atomically with accept4 where there is one).
Napi::Value Accept(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Int32(info, 0, "fd");
  bool non_blocking = info.Length() > 1 && info[1].ToBoolean().Value();
  sockaddr_storage storage;
  socklen_t length;
  int connection = RetryOnInterrupt([&] {
    length = sizeof(storage);
#if defined(__linux__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
    return accept4(fd, reinterpret_cast<sockaddr*>(&storage), &length, SOCK_CLOEXEC | (non_blocking ? SOCK_NONBLOCK : 0));
#else
    return accept(fd, reinterpret_cast<sockaddr*>(&storage), &length);
#endif
  });
  if (connection < 0) return Failure(env, errno);
#if !(defined(__linux__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__))
  int error = SetFlags(connection, non_blocking);
  if (error != 0) {
    close(connection);
    return Failure(env, error);
  }
#endif
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Number::New(env, connection));
  result.Set(1u, AddressValue(env, storage, length));
  return result;
}

// recv(fd, buffer, offset, length) -> bytes received, 0 at end of file.
Napi::Value Recv(const Napi::CallbackInfo& info) {
  int fd = Int32(info, 0, "fd");
  Chunk chunk = ChunkArguments(info, 1);
  ssize_t count = RetryOnInterrupt([&] { return recv(fd, chunk.data, chunk.length, 0); });
  if (count < 0) return Failure(info.Env(), errno);
  return Count(info.Env(), count);
}

// send(fd, buffer, offset, length) -> bytes sent (maybe fewer than asked).
Napi::Value Send(const Napi::CallbackInfo& info) {
  int fd = Int32(info, 0, "fd");
  Chunk chunk = ChunkArguments(info, 1);
  ssize_t count = RetryOnInterrupt([&] { return send(fd, chunk.data, chunk.length, kSendFlags); });
  if (count < 0) return Failure(info.Env(), errno);
  return Count(info.Env(), count);
}

// recvfrom(fd, buffer, offset, length) -> [bytes received, sender's
// address], or -errno.
Napi::Value RecvFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Int32(info, 0, "fd");
  Chunk chunk = ChunkArguments(info, 1);
  sockaddr_storage storage;
  socklen_t length = sizeof(storage);
  ssize_t count = RetryOnInterrupt([&] {
    length = sizeof(storage);
    return recvfrom(fd, chunk.data, chunk.length, 0, reinterpret_cast<sockaddr*>(&storage), &length);
  });
  if (count < 0) return Failure(env, errno);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Count(env, count));
  // A connected stream socket may give no address: null then.
  result.Set(1u, length == 0 ? env.Null() : AddressValue(env, storage, length));
  return result;
}

// sendto(fd, buffer, offset, length, family, host, port) -> bytes sent, or
// -errno (an address that does not parse: -EINVAL, -EAFNOSUPPORT).
Napi::Value SendTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Int32(info, 0, "fd");
  Chunk chunk = ChunkArguments(info, 1);
  sockaddr_storage storage;
  socklen_t length = 0;
  int error = ParseAddress(info, 4, &storage, &length);
  if (error != 0) return Failure(env, error);
  ssize_t count = RetryOnInterrupt(
      [&] { return sendto(fd, chunk.data, chunk.length, kSendFlags, reinterpret_cast<const sockaddr*>(&storage), length); });
  if (count < 0) return Failure(env, errno);
  return Count(env, count);
}

// dup(fd) -> a new fd for the same socket, close-on-exec.
Napi::Value Dup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = fcntl(Int32(info, 0, "fd"), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return Failure(env, errno);
  return Napi::Number::New(env, fd);
}

// shutdown(fd, how) -> 0.
Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (shutdown(Int32(info, 0, "fd"), Int32(info, 1, "how")) < 0) return Failure(env, errno);
  return Napi::Number::New(env, 0);
}

template <int (*Call)(int, sockaddr*, socklen_t*)>
Napi::Value SocketAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sockaddr_storage storage;
  std::memset(&storage, 0, sizeof(storage));
  socklen_t length = sizeof(storage);
  if (Call(Int32(info, 0, "fd"), reinterpret_cast<sockaddr*>(&storage), &length) < 0) return Failure(env, errno);
  return AddressValue(env, storage, length);
}

int GetSockName(int fd, sockaddr* address, socklen_t* length) { return getsockname(fd, address, length); }
int GetPeerName(int fd, sockaddr* address, socklen_t* length) { return getpeername(fd, address, length); }

// setsockopt(fd, level, option, value) -> 0, for an int option.
Napi::Value SetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Int32(info, 0, "fd");
  int level = Int32(info, 1, "level");
  int option = Int32(info, 2, "option");
  int value = Int32(info, 3, "value");
  if (setsockopt(fd, level, option, &value, sizeof(value)) < 0) return Failure(env, errno);
  return Napi::Number::New(env, 0);
}

// getsockopt(fd, level, option) -> the int value. Throws on failure: an
// option's value may itself be negative.
Napi::Value GetSockOpt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = Int32(info, 0, "fd");
  int level = Int32(info, 1, "level");
  int option = Int32(info, 2, "option");
  int value = 0;
  socklen_t size = sizeof(value);
  if (getsockopt(fd, level, option, &value, &size) < 0) ThrowErrno(env, errno, "getsockopt");
  return Napi::Number::New(env, value);
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object constants = Napi::Object::New(env);
  auto set = [&](const char* name, int value) { constants.Set(name, Napi::Number::New(env, value)); };
  set("AF_UNIX", AF_UNIX);
  set("AF_INET", AF_INET);
  set("AF_INET6", AF_INET6);
  set("SOCK_STREAM", SOCK_STREAM);
  set("SOCK_DGRAM", SOCK_DGRAM);
#ifdef SOCK_NONBLOCK
  set("SOCK_NONBLOCK", SOCK_NONBLOCK);
#endif
#ifdef SOCK_CLOEXEC
  set("SOCK_CLOEXEC", SOCK_CLOEXEC);
#endif
  set("SOL_SOCKET", SOL_SOCKET);
  set("SO_REUSEADDR", SO_REUSEADDR);
#ifdef SO_REUSEPORT
  set("SO_REUSEPORT", SO_REUSEPORT);
#endif
  set("SO_ERROR", SO_ERROR);
  set("SO_TYPE", SO_TYPE);
  set("SO_KEEPALIVE", SO_KEEPALIVE);
  set("SO_BROADCAST", SO_BROADCAST);
  set("SO_SNDBUF", SO_SNDBUF);
  set("SO_RCVBUF", SO_RCVBUF);
  set("IPPROTO_IP", IPPROTO_IP);
  set("IPPROTO_TCP", IPPROTO_TCP);
  set("IPPROTO_UDP", IPPROTO_UDP);
  set("IPPROTO_IPV6", IPPROTO_IPV6);
  set("IPV6_V6ONLY", IPV6_V6ONLY);
  set("TCP_NODELAY", TCP_NODELAY);
  set("SHUT_RD", SHUT_RD);
  set("SHUT_WR", SHUT_WR);
  set("SHUT_RDWR", SHUT_RDWR);
  set("SOMAXCONN", SOMAXCONN);
  return constants;
}

}  // namespace

void InitSocket(Napi::Env env, Napi::Object exports) {
  Napi::Object socket = Napi::Object::New(env);
  socket.Set("create", Napi::Function::New<Create>(env, "create"));
  socket.Set("socketpair", Napi::Function::New<SocketPair>(env, "socketpair"));
  socket.Set("bind", Napi::Function::New<CallWithAddress<BindTo>>(env, "bind"));
  socket.Set("listen", Napi::Function::New<Listen>(env, "listen"));
  socket.Set("connect", Napi::Function::New<CallWithAddress<ConnectTo>>(env, "connect"));
  socket.Set("accept", Napi::Function::New<Accept>(env, "accept"));
  socket.Set("recv", Napi::Function::New<Recv>(env, "recv"));
  socket.Set("send", Napi::Function::New<Send>(env, "send"));
  socket.Set("recvfrom", Napi::Function::New<RecvFrom>(env, "recvfrom"));
  socket.Set("sendto", Napi::Function::New<SendTo>(env, "sendto"));
  socket.Set("dup", Napi::Function::New<Dup>(env, "dup"));
  socket.Set("shutdown", Napi::Function::New<Shutdown>(env, "shutdown"));
  socket.Set("getsockname", Napi::Function::New<SocketAddress<GetSockName>>(env, "getsockname"));
  socket.Set("getpeername", Napi::Function::New<SocketAddress<GetPeerName>>(env, "getpeername"));
  socket.Set("setsockopt", Napi::Function::New<SetSockOpt>(env, "setsockopt"));
  socket.Set("getsockopt", Napi::Function::New<GetSockOpt>(env, "getsockopt"));
  socket.Set("constants", Constants(env));
  exports.Set("socket", socket);
}

}  // namespace selectors
