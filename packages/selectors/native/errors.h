// Turning a failed system call into a JavaScript error.
#ifndef ASYNCIO_TS_SELECTORS_ERRORS_H_
#define ASYNCIO_TS_SELECTORS_ERRORS_H_

#include <napi.h>

namespace selectors {

// Throws (as a C++ exception that node-addon-api turns into a JavaScript one)
// an Error carrying `errno` (positive, as in Python) and `syscall`. The
// TypeScript wrapper maps errno to a code and an OSError class, so the native
// side needs no errno table of its own.
[[noreturn]] void ThrowErrno(Napi::Env env, int error, const char* syscall);

// Reads a JavaScript number that must be a non-negative int32 file
// descriptor; throws a TypeError naming `what` otherwise.
int FdArgument(const Napi::CallbackInfo& info, size_t index, const char* what);

// Reads a JavaScript number that must be an int32; throws a TypeError otherwise.
int IntArgument(const Napi::CallbackInfo& info, size_t index, const char* what);

}  // namespace selectors

#endif  // ASYNCIO_TS_SELECTORS_ERRORS_H_
