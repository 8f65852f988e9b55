// Kqueue: a kqueue(2) instance, on macOS and the BSDs.
#ifndef ASYNCIO_TS_SELECTORS_KQUEUE_H_
#define ASYNCIO_TS_SELECTORS_KQUEUE_H_

#include <napi.h>
#include <sys/types.h>
#include <sys/event.h>

#include <unordered_map>
#include <vector>

namespace selectors {

// Kqueue speaks in filters (one kevent per fd and direction); this class
// gives it the poll-like face the TypeScript side drives: events are the bits
// KQ_READ (1) and KQ_WRITE (2), and poll() reports one merged entry per fd.
class Kqueue : public Napi::ObjectWrap<Kqueue> {
 public:
  static constexpr int kRead = 1;
  static constexpr int kWrite = 2;

  static Napi::Function Init(Napi::Env env);
  explicit Kqueue(const Napi::CallbackInfo& info);
  ~Kqueue() override;

 private:
  Napi::Value Register(const Napi::CallbackInfo& info);
  Napi::Value Modify(const Napi::CallbackInfo& info);
  Napi::Value Unregister(const Napi::CallbackInfo& info);
  Napi::Value Wait(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Fileno(const Napi::CallbackInfo& info);
  // Adds the filters in `add` and deletes those in `remove`; returns errno or 0.
  int Change(int fd, int add, int remove);
  void CheckOpen(Napi::Env env) const;

  int kq_ = -1;
  std::unordered_map<int, int> registered_;
  std::vector<struct kevent> events_;
  std::unordered_map<int, size_t> merged_;
};

}  // namespace selectors

#endif  // ASYNCIO_TS_SELECTORS_KQUEUE_H_
