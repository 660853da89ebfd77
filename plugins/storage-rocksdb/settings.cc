#include "settings.h"

#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "host_logger.h"
#include "sluice/option_reader.h"

namespace sluice::storage_rocksdb {
namespace {

// Every codec the options name, in the order messages list them.
const std::pair<const char*, rocksdb::CompressionType> kCodecs[] = {
    {"none", rocksdb::kNoCompression},
    {"snappy", rocksdb::kSnappyCompression},
    {"lz4", rocksdb::kLZ4Compression},
    {"zstd", rocksdb::kZSTD}};

rocksdb::CompressionType ToRocksDb(const std::string& name) {
  for (const auto& [n, type] : kCodecs)
    if (name == n) return type;
  return rocksdb::kNoCompression;
}

KvCodecs Codecs() {
  std::vector<rocksdb::CompressionType> have = rocksdb::GetSupportedCompressions();
  have.push_back(rocksdb::kNoCompression);
  KvCodecs codecs{{}, {}, "RocksDB"};
  for (const auto& [name, type] : kCodecs)
    (std::find(have.begin(), have.end(), type) != have.end() ? codecs.available : codecs.missing)
        .push_back(name);
  return codecs;
}

}  // namespace

Status ParseSettings(const Options& options, Settings* out) {
  KvCodecs codecs = Codecs();
  Settings s;
  bool lz4 =
      std::find(codecs.available.begin(), codecs.available.end(), "lz4") != codecs.available.end();
  s.compression = lz4 ? "lz4" : "none";
  s.paranoid_checks = true;  // RocksDB's default
  OptionReader r(options, "rocksdb storage option");
  SLUICE_RETURN_IF_ERROR(s.Read(r, codecs, {"max_background_jobs"}));
  SLUICE_RETURN_IF_ERROR(r.Int("max_background_jobs", 1, 64, "", &s.max_background_jobs));
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
