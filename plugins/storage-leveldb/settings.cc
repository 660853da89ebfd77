#include "settings.h"

#include "sluice/option_reader.h"

namespace sluice::storage_leveldb {

Status ParseSettings(const Options& options, Settings* out) {
  Settings s;
  SLUICE_RETURN_IF_ERROR(
      s.Read(OptionReader(options, "leveldb storage option"), {{"snappy", "none"}, {}, "LevelDB"}));
  *out = s;
  return Status();
}

Resources::Resources(const Settings& settings)
    : settings_(settings),
      cache_(leveldb::NewLRUCache(static_cast<size_t>(settings.block_cache_mb) << 20)),
      filter_(leveldb::NewBloomFilterPolicy(10)) {}

leveldb::Options Resources::DbOptions(KvStorage::StoreUse use, bool create) const {
  const bool kv = use == KvStorage::StoreUse::kKv;
  leveldb::Options o;
  o.create_if_missing = create;
  o.paranoid_checks = settings_.paranoid_checks;
  o.write_buffer_size = static_cast<size_t>(settings_.write_buffer_mb) << 20;
  o.block_cache = cache_.get();
  const std::string& codec = kv ? settings_.compression : settings_.log_compression;
  o.compression = codec == "snappy" ? leveldb::kSnappyCompression : leveldb::kNoCompression;
  if (kv) {
    o.filter_policy = filter_.get();  // point reads by key
  } else {
    o.max_file_size = 32u << 20;  // keys only grow: fewer, larger tables
    o.block_size = 64u << 10;     // reads are sequential scans
  }
  return o;
}

Status MakeResources(const Options& options, std::shared_ptr<const Resources>* out) {
  Settings s;
  SLUICE_RETURN_IF_ERROR(ParseSettings(options, &s));
  *out = std::make_shared<const Resources>(s);
  return Status();
}

Status FromLevelDb(const leveldb::Status& s, std::string_view op, std::string_view path) {
  if (s.ok()) return Status();
  std::string msg = "leveldb " + std::string(op) + " " + std::string(path) + ": " + s.ToString();
  if (s.IsCorruption()) return DataLoss(std::move(msg));
  if (s.IsNotFound()) return NotFound(std::move(msg));
  if (s.IsInvalidArgument()) return InvalidArgument(std::move(msg));
  return Internal(std::move(msg));
}

}  // namespace sluice::storage_leveldb
