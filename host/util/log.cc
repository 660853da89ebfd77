#include "util/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "sluice/utf8.h"
#include "util/c_guard.h"

namespace sluice::host::log {
namespace {

std::atomic<int32_t> g_level{static_cast<int32_t>(LogLevel::kInfo)};
std::mutex g_mu;

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
  }
  return "INFO";
}

void AppendValue(std::string* out, std::string_view v) {
  bool quote = v.empty() || v.find_first_of(" \"=\t\n") != std::string_view::npos;
  if (!quote) {
    out->append(v.data(), v.size());
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') out->push_back('\\');
    if (c == '\n') {
      out->append("\\n");
      continue;
    }
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendTime(std::string* out) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  out->append(buf);
}

void PluginLog(void*, int32_t level, const char* plugin, const char* message) {
  if (level < SLUICE_LOG_DEBUG || level > SLUICE_LOG_ERROR) level = SLUICE_LOG_INFO;
  Write(static_cast<LogLevel>(level), plugin ? plugin : "plugin", message ? message : "");
}
int32_t PluginLogEnabled(void*, int32_t level) { return Enabled(static_cast<LogLevel>(level)); }

}  // namespace

bool ParseLevel(std::string_view name, LogLevel* out) {
  if (name == "debug") {
    *out = LogLevel::kDebug;
    return true;
  }
  if (name == "info") {
    *out = LogLevel::kInfo;
    return true;
  }
  if (name == "warn" || name == "warning") {
    *out = LogLevel::kWarn;
    return true;
  }
  if (name == "error") {
    *out = LogLevel::kError;
    return true;
  }
  return false;
}

void SetLevel(LogLevel level) { g_level = static_cast<int32_t>(level); }
bool Enabled(LogLevel level) { return static_cast<int32_t>(level) >= g_level.load(); }

void Write(LogLevel level, std::string_view component, std::string_view message, Fields fields) {
  if (!Enabled(level)) return;
  std::string line;
  line.reserve(128);
  AppendTime(&line);
  line.push_back(' ');
  line.append(LevelName(level));
  line.push_back(' ');
  line.append(component.data(), component.size());
  line.append(": ");
  for (char c : message) line.push_back(c == '\n' ? ' ' : c);
  for (const auto& kv : fields) {
    line.push_back(' ');
    line.append(kv.first.data(), kv.first.size());
    line.push_back('=');
    AppendValue(&line, kv.second);
  }
  line.push_back('\n');
  // Messages may quote damaged bytes (a corrupt file's contents): the log
  // stays valid UTF-8 for whatever reads it.
  if (FindInvalidUtf8(line) != std::string_view::npos) line = ValidUtf8(line);
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

const sluice_host_services* HostServicesTable() {
  static const sluice_host_services table = {sizeof(sluice_host_services),
                                             SLUICE_ABI_MAJOR,
                                             SLUICE_ABI_MINOR,
                                             nullptr,
                                             &CGuard<&PluginLog>::Call,
                                             &CGuard<&PluginLogEnabled>::Call};
  return &table;
}

}  // namespace sluice::host::log
