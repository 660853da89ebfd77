#include "settings.h"

#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "host_logger.h"

namespace sluice::storage_rocksdb {
namespace {

constexpr const char* kKnownKeys =
    "block_cache_mb, write_buffer_mb, compression, log_compression, paranoid_checks, "
    "max_background_jobs";

bool IsKnown(const std::string& key) {
  return key == "block_cache_mb" || key == "write_buffer_mb" || key == "compression" ||
         key == "log_compression" || key == "paranoid_checks" || key == "max_background_jobs";
}

Status BadValue(std::string_view key, const std::string& found, std::string_view expected) {
  return InvalidArgument("rocksdb storage option '" + std::string(key) + "': expected " +
                         std::string(expected) + ", found '" + found + "'");
}

Status ParseRange(const Options& options, std::string_view key, int64_t lo, int64_t hi,
                  std::string_view unit, int64_t* out) {
  if (!options.Has(key)) return Status();
  std::string expected = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!unit.empty()) expected += " (" + std::string(unit) + ")";
  std::string v = options.GetString(key);
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi) return BadValue(key, v, expected);
  *out = n;
  return Status();
}

Status ParseBool(const Options& options, std::string_view key, bool* out) {
  if (!options.Has(key)) return Status();
  std::string v = options.GetString(key);
  if (v == "true" || v == "yes" || v == "on" || v == "1") return *out = true, Status();
  if (v == "false" || v == "no" || v == "off" || v == "0") return *out = false, Status();
  return BadValue(key, v, "true or false");
}

rocksdb::CompressionType ToRocksDb(Compression c) {
  switch (c) {
    case Compression::kNone: return rocksdb::kNoCompression;
    case Compression::kSnappy: return rocksdb::kSnappyCompression;
    case Compression::kLz4: return rocksdb::kLZ4Compression;
    case Compression::kZstd: return rocksdb::kZSTD;
  }
  return rocksdb::kNoCompression;
}

bool Supported(Compression c) {
  if (c == Compression::kNone) return true;
  std::vector<rocksdb::CompressionType> have = rocksdb::GetSupportedCompressions();
  return std::find(have.begin(), have.end(), ToRocksDb(c)) != have.end();
}

Status ParseCompression(const Options& options, std::string_view key, Compression* out) {
  if (!Supported(*out)) *out = Compression::kNone;  // the default, in a build without lz4
  if (!options.Has(key)) return Status();
  std::string v = options.GetString(key);
  std::string available;
  for (Compression c :
       {Compression::kNone, Compression::kSnappy, Compression::kLz4, Compression::kZstd}) {
    if (!Supported(c)) continue;
    available += (available.empty() ? "" : ", ") + std::string(CompressionName(c));
    if (v == CompressionName(c)) return *out = c, Status();
  }
  for (Compression c : {Compression::kSnappy, Compression::kLz4, Compression::kZstd})
    if (v == CompressionName(c))
      return InvalidArgument("rocksdb storage option '" + std::string(key) + "': '" + v +
                             "' is not built into this RocksDB library; available: " + available);
  return BadValue(key, v, "one of " + available);
}

}  // namespace

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kSnappy: return "snappy";
    case Compression::kLz4: return "lz4";
    case Compression::kZstd: return "zstd";
  }
  return "?";
}

Status ParseSettings(const Options& options, Settings* out) {
  for (const auto& item : options.items())
    if (!IsKnown(item.first))
      return InvalidArgument("rocksdb storage option '" + item.first +
                             "' is unknown; known options: " + kKnownKeys);
  Settings s;
  SLUICE_RETURN_IF_ERROR(
      ParseRange(options, "block_cache_mb", 1, 1 << 20, "MiB", &s.block_cache_mb));
  SLUICE_RETURN_IF_ERROR(
      ParseRange(options, "write_buffer_mb", 1, 1024, "MiB", &s.write_buffer_mb));
  SLUICE_RETURN_IF_ERROR(ParseCompression(options, "compression", &s.compression));
  SLUICE_RETURN_IF_ERROR(ParseCompression(options, "log_compression", &s.log_compression));
  SLUICE_RETURN_IF_ERROR(ParseBool(options, "paranoid_checks", &s.paranoid_checks));
  SLUICE_RETURN_IF_ERROR(
      ParseRange(options, "max_background_jobs", 1, 64, "", &s.max_background_jobs));
  *out = s;
  return Status();
}

Resources::Resources(const Settings& settings, HostServices host)
    : settings_(settings),
      host_(std::move(host)),
      cache_(rocksdb::NewLRUCache(static_cast<size_t>(settings.block_cache_mb) << 20)) {
  rocksdb::BlockBasedTableOptions log;
  log.block_cache = cache_;
  log.block_size = 64u << 10;  // reads are sequential scans
  log_tables_.reset(rocksdb::NewBlockBasedTableFactory(log));
  rocksdb::BlockBasedTableOptions kv;
  kv.block_cache = cache_;
  kv.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));  // point reads by key
  kv_tables_.reset(rocksdb::NewBlockBasedTableFactory(kv));
}

rocksdb::Options Resources::DbOptions(KvStorage::StoreUse use, bool create,
                                      const std::string& dir) const {
  const bool kv = use == KvStorage::StoreUse::kKv;
  rocksdb::Options o;
  o.create_if_missing = create;
  o.paranoid_checks = settings_.paranoid_checks;
  o.write_buffer_size = static_cast<size_t>(settings_.write_buffer_mb) << 20;
  o.max_background_jobs = static_cast<int>(settings_.max_background_jobs);
  o.compression = ToRocksDb(kv ? settings_.compression : settings_.log_compression);
  o.max_open_files = 512;  // a home holds many databases: bound descriptors per database
  o.info_log = std::make_shared<HostLogger>(host_, dir);
  o.info_log_level = HostLogger::LevelFor(host_);
  if (kv) {
    o.table_factory = kv_tables_;
  } else {
    o.table_factory = log_tables_;
    o.target_file_size_base = 32u << 20;  // keys only grow: fewer, larger tables
  }
  return o;
}

rocksdb::ReadOptions Resources::ReadOpts() const {
  rocksdb::ReadOptions o;
  o.verify_checksums = settings_.paranoid_checks;
  return o;
}

Status MakeResources(const HostServices& host, const Options& options,
                     std::shared_ptr<const Resources>* out) {
  Settings s;
  SLUICE_RETURN_IF_ERROR(ParseSettings(options, &s));
  *out = std::make_shared<const Resources>(s, host);
  return Status();
}

Status FromRocksDb(const rocksdb::Status& s, std::string_view op, std::string_view path) {
  if (s.ok()) return Status();
  std::string msg = "rocksdb " + std::string(op) + " " + std::string(path) + ": " + s.ToString();
  if (s.IsCorruption()) return DataLoss(std::move(msg));
  if (s.IsNotFound()) return NotFound(std::move(msg));
  if (s.IsInvalidArgument()) return InvalidArgument(std::move(msg));
  if (s.IsBusy() || s.IsTryAgain()) return Unavailable(std::move(msg));
  if (s.IsNoSpace()) return ResourceExhausted(std::move(msg));
  return Internal(std::move(msg));
}

}  // namespace sluice::storage_rocksdb
