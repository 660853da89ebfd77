// What a plugin gets from the host besides its own calls: logging, and its
// configuration options. Header-only wrappers over sluice_host_services and
// sluice_options.
//
//   host.Info("opened table " + table);
//   std::string path = options.GetString("path", ".");
#ifndef SLUICE_HOST_SERVICES_H_
#define SLUICE_HOST_SERVICES_H_

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/abi.h"
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

// Flattened configuration options (see sluice_options). Owns copies.
class Options {
 public:
  Options() = default;
  explicit Options(const sluice_options* c) {
    if (c == nullptr) return;
    for (uint32_t i = 0; i < c->count; ++i)
      items_.emplace_back(c->items[i].key, c->items[i].value ? c->items[i].value : "");
  }
  explicit Options(std::vector<std::pair<std::string, std::string>> items)
      : items_(std::move(items)) {}

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  std::string GetString(std::string_view key, std::string_view fallback = {}) const {
    const std::string* v = Find(key);
    return v ? *v : std::string(fallback);
  }
  // Parses an integer option; InvalidArgument naming the key when malformed.
  Status GetInt(std::string_view key, int64_t fallback, int64_t* out) const {
    const std::string* v = Find(key);
    if (v == nullptr) return *out = fallback, Status();
    char* end = nullptr;
    long long n = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0')
      return InvalidArgument("option '" + std::string(key) + "': expected an integer, found '" +
                             *v + "'");
    *out = n;
    return Status();
  }
  // Options whose key (before any '.') is not in `known`, for "unknown option" errors.
  std::vector<std::string> Unknown(std::initializer_list<std::string_view> known) const {
    std::vector<std::string> out;
    for (const auto& kv : items_) {
      std::string_view head = std::string_view(kv.first).substr(0, kv.first.find('.'));
      bool ok = false;
      for (std::string_view k : known) ok = ok || head == k;
      if (!ok) out.push_back(kv.first);
    }
    return out;
  }

 private:
  const std::string* Find(std::string_view key) const {
    for (const auto& kv : items_)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
  std::vector<std::pair<std::string, std::string>> items_;
};

// Holds a sluice_options that points into an Options (for host-side calls).
class OptionsView {
 public:
  explicit OptionsView(const Options& o) {
    for (const auto& kv : o.items()) items_.push_back({kv.first.c_str(), kv.second.c_str()});
    c_ = {sizeof(sluice_options), static_cast<uint32_t>(items_.size()), items_.data()};
  }
  OptionsView(const OptionsView&) = delete;
  OptionsView& operator=(const OptionsView&) = delete;
  const sluice_options* get() const { return &c_; }

 private:
  std::vector<sluice_option> items_;
  sluice_options c_{};
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
}  // namespace internal

}  // namespace sluice

#endif  // SLUICE_HOST_SERVICES_H_
