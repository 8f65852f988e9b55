// Epoll: an epoll(7) instance, on Linux.
#ifndef ASYNCIO_TS_SELECTORS_EPOLL_H_
#define ASYNCIO_TS_SELECTORS_EPOLL_H_

#include <napi.h>
#include <sys/epoll.h>

#include <vector>

namespace selectors {

// Owns one epoll fd (close-on-exec) from construction to close(), or to
// garbage collection if close() was never called.
class Epoll : public Napi::ObjectWrap<Epoll> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Epoll(const Napi::CallbackInfo& info);
  ~Epoll() override;

 private:
  Napi::Value Register(const Napi::CallbackInfo& info);
  Napi::Value Modify(const Napi::CallbackInfo& info);
  Napi::Value Unregister(const Napi::CallbackInfo& info);
  Napi::Value Wait(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Fileno(const Napi::CallbackInfo& info);
  void Control(Napi::Env env, int operation, int fd, int events);
  void CheckOpen(Napi::Env env) const;

  int epfd_ = -1;
  std::vector<epoll_event> events_;
};

}  // namespace selectors

#endif  // ASYNCIO_TS_SELECTORS_EPOLL_H_
