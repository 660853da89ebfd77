// What a plugin gets from the host besides its own calls: logging, and its
// configuration options (sluice/options.h). Header-only wrappers over
// sluice_host_services and sluice_options.
//
//   host.Info("opened table " + table);
//   std::string path = options.GetString("path", ".");
#ifndef SLUICE_HOST_SERVICES_H_
#define SLUICE_HOST_SERVICES_H_

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/options.h"
#include "sluice/status.h"

namespace sluice {

enum class LogLevel : int32_t {
  kDebug = SLUICE_LOG_DEBUG,
  kInfo = SLUICE_LOG_INFO,
  kWarn = SLUICE_LOG_WARN,
  kError = SLUICE_LOG_ERROR,
};

// Logging through the host. Cheap to copy; thread-safe. A default-constructed
// HostServices drops every message (useful in unit tests).
class HostServices {
 public:
  HostServices() = default;
  HostServices(const sluice_host_services* c, std::string plugin_name)
      : c_(c), plugin_(std::move(plugin_name)) {}

  bool Enabled(LogLevel level) const {
    return c_ != nullptr && c_->log_enabled(c_->ctx, static_cast<int32_t>(level)) != 0;
  }
  // Records one single-line event at `level`.
  void Log(LogLevel level, const std::string& message) const {
    if (c_ != nullptr)
      c_->log(c_->ctx, static_cast<int32_t>(level), plugin_.c_str(), message.c_str());
  }
  void Debug(const std::string& m) const { Log(LogLevel::kDebug, m); }
  void Info(const std::string& m) const { Log(LogLevel::kInfo, m); }
  void Warn(const std::string& m) const { Log(LogLevel::kWarn, m); }
  void Error(const std::string& m) const { Log(LogLevel::kError, m); }
  const sluice_host_services* c() const { return c_; }

 private:
  const sluice_host_services* c_ = nullptr;
  std::string plugin_;
};

namespace internal {
// Runs f() (returning Status) and converts its result, or any exception it
// throws, into a C status code. Nothing escapes across the boundary.
template <class F>
int32_t Guard(sluice_status* st, const char* what, F&& f) noexcept {
  try {
    return f().ToC(st);
  } catch (const std::exception& e) {
    return Status(Code::kInternal, std::string(what) + " threw an exception: " + e.what()).ToC(st);
  } catch (...) {
    return Status(Code::kInternal, std::string(what) + " threw a non-standard exception").ToC(st);
  }
}
// Same for calls that cannot report a status (destroy, close, stop).
template <class F>
void GuardVoid(F&& f) noexcept {
  try {
    f();
  } catch (...) {}
}

// The context of a callback the host side hands to a plugin's call (a row,
// record or address sink): the C++ object it feeds, and the exception
// feeding it threw. The callback then tells the plugin to stop (or returns
// nothing), and the caller rethrows once the plugin's call has returned, so
// that no exception unwinds through the plugin's frames.
//
//   internal::CallbackCtx<RecordFn> c{&fn};
//   int32_t rc = vt->log_read(log, from, max, &OnRecord, &c, &st);  // OnRecord: c->Run(...)
//   c.Rethrow();
template <class T>
struct CallbackCtx {
  T* target;
  std::exception_ptr error = nullptr;

  // f(*target); on an exception keeps it and returns a value-initialized
  // result (false: stop).
  template <class F>
  auto Run(F&& f) noexcept -> decltype(f(*target)) {
    using R = decltype(f(*target));
    try {
      return f(*target);
    } catch (...) {
      error = std::current_exception();
      if constexpr (!std::is_void_v<R>) return R{};
    }
  }
  // Rethrows what Run kept, if anything.
  void Rethrow() const {
    if (error) std::rethrow_exception(error);
  }
};
}  // namespace internal

}  // namespace sluice

#endif  // SLUICE_HOST_SERVICES_H_
