// Routes RocksDB's diagnostics to the host's log instead of LOG files in
// every database directory. Warnings and errors always reach the host (at
// warn and error); RocksDB's informational chatter only when the host logs
// at debug level.
//
//   options.info_log = std::make_shared<HostLogger>(host, dir);
//   options.info_log_level = HostLogger::LevelFor(host);
#ifndef SLUICE_PLUGINS_STORAGE_ROCKSDB_HOST_LOGGER_H_
#define SLUICE_PLUGINS_STORAGE_ROCKSDB_HOST_LOGGER_H_

#include <rocksdb/env.h>

#include <cstdarg>
#include <string>

#include "sluice/host_services.h"

namespace sluice::storage_rocksdb {

// Thread-safe (HostServices is). Never throws into RocksDB.
class HostLogger : public rocksdb::Logger {
 public:
  // Lines are prefixed with "rocksdb <dir>: ".
  HostLogger(HostServices host, std::string dir);

  // INFO_LEVEL when the host records debug events, WARN_LEVEL otherwise.
  static rocksdb::InfoLogLevel LevelFor(const HostServices& host);

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
  void Logv(const char* format, va_list ap) override;

 private:
  const HostServices host_;
  const std::string prefix_;
};

}  // namespace sluice::storage_rocksdb

#endif  // SLUICE_PLUGINS_STORAGE_ROCKSDB_HOST_LOGGER_H_
