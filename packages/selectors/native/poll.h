// Poll: a set of file descriptors watched with poll(2), on every POSIX system.
#ifndef ASYNCIO_TS_SELECTORS_POLL_H_
#define ASYNCIO_TS_SELECTORS_POLL_H_

#include <napi.h>
#include <poll.h>

#include <unordered_map>
#include <vector>

namespace selectors {

// poll(2) keeps no kernel object, so the set lives here: a dense pollfd array
// (what poll(2) takes) and an index from fd to its slot, so that register,
// modify and unregister are O(1) and poll() copies nothing.
class Poll : public Napi::ObjectWrap<Poll> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Poll(const Napi::CallbackInfo& info);

 private:
  Napi::Value Register(const Napi::CallbackInfo& info);
  Napi::Value Modify(const Napi::CallbackInfo& info);
  Napi::Value Unregister(const Napi::CallbackInfo& info);
  Napi::Value Wait(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Fileno(const Napi::CallbackInfo& info);
  void CheckOpen(Napi::Env env) const;

  std::vector<pollfd> fds_;
  std::unordered_map<int, size_t> slots_;
  bool closed_ = false;
};

}  // namespace selectors

#endif  // ASYNCIO_TS_SELECTORS_POLL_H_
