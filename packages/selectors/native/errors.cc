// Turning a failed system call into a JavaScript error.
#include "errors.h"

#include <cmath>
#include <cstring>
#include <string>

namespace selectors {

void ThrowErrno(Napi::Env env, int error, const char* syscall) {
  std::string message = std::strerror(error);
  message += " (";
  message += syscall;
  message += ")";
  Napi::Error js_error = Napi::Error::New(env, message);
  js_error.Set("errno", Napi::Number::New(env, error));
  js_error.Set("syscall", Napi::String::New(env, syscall));
  throw js_error;
}

int IntArgument(const Napi::CallbackInfo& info, size_t index, const char* what) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsNumber()) {
    throw Napi::TypeError::New(env, std::string(what) + " must be a number");
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value) || value != std::trunc(value) || value < -2147483648.0 ||
      value > 2147483647.0) {
    throw Napi::TypeError::New(env, std::string(what) + " must be a 32-bit integer");
  }
  return static_cast<int>(value);
}

int FdArgument(const Napi::CallbackInfo& info, size_t index, const char* what) {
  int fd = IntArgument(info, index, what);
  if (fd < 0) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a non-negative file descriptor");
  }
  return fd;
}

}  // namespace selectors
