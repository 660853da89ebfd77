// The host's logger: leveled, one line per event, key=value fields, to
// stderr. Plugins log through the same sink via HostServicesTable().
//
//   log::Info("app", "committed", {{"endpoint", "trips"}, {"rows", "5000"}});
//   -> 2026-11-25T17:00:00.123Z INFO app: committed endpoint=trips rows=5000
#ifndef SLUICE_HOST_UTIL_LOG_H_
#define SLUICE_HOST_UTIL_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "sluice/abi.h"
#include "sluice/host_services.h"

namespace sluice::host::log {

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Parses "debug", "info", "warn", "error". False for anything else.
bool ParseLevel(std::string_view name, LogLevel* out);
void SetLevel(LogLevel level);
bool Enabled(LogLevel level);

// Writes one event line. Values containing spaces, quotes or '=' are quoted.
// Thread-safe; lines never interleave.
void Write(LogLevel level, std::string_view component, std::string_view message,
           Fields fields = {});
inline void Debug(std::string_view c, std::string_view m, Fields f = {}) {
  Write(LogLevel::kDebug, c, m, f);
}
inline void Info(std::string_view c, std::string_view m, Fields f = {}) {
  Write(LogLevel::kInfo, c, m, f);
}
inline void Warn(std::string_view c, std::string_view m, Fields f = {}) {
  Write(LogLevel::kWarn, c, m, f);
}
inline void Error(std::string_view c, std::string_view m, Fields f = {}) {
  Write(LogLevel::kError, c, m, f);
}

// The services table handed to every plugin instance; logs go to Write()
// with the plugin's name as component. Static storage.
const sluice_host_services* HostServicesTable();

}  // namespace sluice::host::log

#endif  // SLUICE_HOST_UTIL_LOG_H_
