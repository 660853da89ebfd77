// Host functions that plugins call through a C table (sluice_api_host,
// sluice_host_services, the callbacks the host hands to plugin calls) must
// never let a C++ exception cross the ABI: a plugin built with another
// compiler or in C cannot catch it, and unwinding through its frames is
// undefined. CGuard<&F>::Call is F wrapped so: an exception F throws is
// logged and becomes SLUICE_INTERNAL, with the message in F's last
// sluice_status* argument when it has one. Header-only.
//
//   int32_t Catalog(void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status* st);
//   table.catalog = &CGuard<&Catalog>::Call;
#ifndef SLUICE_HOST_UTIL_C_GUARD_H_
#define SLUICE_HOST_UTIL_C_GUARD_H_

#include <exception>
#include <string>
#include <type_traits>

#include "sluice/abi.h"
#include "sluice/status.h"
#include "util/log.h"

namespace sluice::host {

namespace c_guard_internal {

// The last sluice_status* among args, or nullptr.
inline sluice_status* LastStatus() { return nullptr; }
template <class T, class... Rest>
sluice_status* LastStatus(T first, Rest... rest) {
  sluice_status* later = LastStatus(rest...);
  if (later != nullptr) return later;
  if constexpr (std::is_same_v<T, sluice_status*>) return first;
  return nullptr;
}

// Logs the exception and returns what the failed call returns: nothing,
// SLUICE_INTERNAL (with *status filled when given) or a null pointer.
template <class R, class... A>
R Fail(const char* kind, const char* what, A... args) noexcept {
  sluice_status* st = LastStatus(args...);
  try {
    std::string message = std::string("the host failed in a call from a plugin: ") + kind + what;
    log::Error("plugins", message);
    if (st != nullptr) (void)Status(Code::kInternal, message).ToC(st);
  } catch (...) {
    if (st != nullptr) {
      st->code = SLUICE_INTERNAL;
      st->message[0] = '\0';
    }
  }
  if constexpr (std::is_pointer_v<R>) return nullptr;
  else if constexpr (!std::is_void_v<R>) return static_cast<R>(SLUICE_INTERNAL);
}

}  // namespace c_guard_internal

template <auto F>
struct CGuard;

// F (a host function of a C table) with every exception caught.
template <class R, class... A, R (*F)(A...)>
struct CGuard<F> {
  static R Call(A... args) noexcept {
    try {
      return F(args...);
    } catch (const std::exception& e) {
      return c_guard_internal::Fail<R>("exception: ", e.what(), args...);
    } catch (...) { return c_guard_internal::Fail<R>("a non-standard exception", "", args...); }
  }
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_UTIL_C_GUARD_H_
