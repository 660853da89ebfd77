#include "host_logger.h"

#include <cstdio>

namespace sluice::storage_rocksdb {

HostLogger::HostLogger(HostServices host, std::string dir)
    : rocksdb::Logger(LevelFor(host)), host_(std::move(host)), prefix_("rocksdb " + dir + ": ") {}

rocksdb::InfoLogLevel HostLogger::LevelFor(const HostServices& host) {
  return host.Enabled(LogLevel::kDebug) ? rocksdb::InfoLogLevel::INFO_LEVEL
                                        : rocksdb::InfoLogLevel::WARN_LEVEL;
}

void HostLogger::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
  LogLevel to = level >= rocksdb::InfoLogLevel::ERROR_LEVEL  ? LogLevel::kError
                : level == rocksdb::InfoLogLevel::WARN_LEVEL ? LogLevel::kWarn
                                                             : LogLevel::kDebug;
  if (!host_.Enabled(to)) return;
  char buf[1024];
  int n = std::vsnprintf(buf, sizeof buf, format, ap);
  if (n < 0) return;
  internal::GuardVoid([&] {
    std::string line = prefix_ + buf;
    for (char& c : line)
      if (c == '\n' || c == '\r') c = ' ';  // host log events are single lines
    host_.Log(to, line);
  });
}

void HostLogger::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

}  // namespace sluice::storage_rocksdb
