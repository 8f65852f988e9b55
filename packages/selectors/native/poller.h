// Argument helpers shared by the poller classes (Poll, Epoll, Kqueue): each
// has register/modify/unregister(fd, events), poll(timeoutMs, out), close()
// and fileno(), the interface the TypeScript poll-like selector drives.
#ifndef ASYNCIO_TS_SELECTORS_POLLER_H_
#define ASYNCIO_TS_SELECTORS_POLLER_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace selectors {

// The caller-owned Int32Array that poll() fills with (fd, events) pairs, so a
// select() allocates nothing: its capacity in pairs is length / 2.
struct PollOutput {
  int32_t* data;
  size_t capacity;
};

inline PollOutput OutputArgument(const Napi::CallbackInfo& info, size_t index) {
  if (index >= info.Length() || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw Napi::TypeError::New(info.Env(), "poll() expects an Int32Array for its results");
  }
  Napi::Int32Array out = info[index].As<Napi::Int32Array>();
  return PollOutput{out.Data(), out.ElementLength() / 2};
}

inline Napi::Error ClosedError(Napi::Env env, const char* what) {
  return Napi::Error::New(env, std::string(what) + " is closed");
}

}  // namespace selectors

#endif  // ASYNCIO_TS_SELECTORS_POLLER_H_
