#include "settings.h"

#include <cstdlib>

namespace sluice::storage_leveldb {
namespace {

constexpr const char* kKnownKeys =
    "block_cache_mb, write_buffer_mb, compression, log_compression, paranoid_checks";

bool IsKnown(const std::string& key) {
  return key == "block_cache_mb" || key == "write_buffer_mb" || key == "compression" ||
         key == "log_compression" || key == "paranoid_checks";
}

Status BadValue(std::string_view key, const std::string& found, std::string_view expected) {
  return InvalidArgument("leveldb storage option '" + std::string(key) + "': expected " +
                         std::string(expected) + ", found '" + found + "'");
}

Status ParseRange(const Options& options, std::string_view key, int64_t lo, int64_t hi,
                  int64_t* out) {
  std::string expected =
      "an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + " (MiB)";
  if (!options.Has(key)) return Status();
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

Status ParseCompression(const Options& options, std::string_view key, bool* out) {
  if (!options.Has(key)) return Status();
  std::string v = options.GetString(key);
  if (v == "snappy") return *out = true, Status();
  if (v == "none") return *out = false, Status();
  return BadValue(key, v, "snappy or none");
}

}  // namespace

Status ParseSettings(const Options& options, Settings* out) {
  for (const auto& item : options.items())
    if (!IsKnown(item.first))
      return InvalidArgument("leveldb storage option '" + item.first +
                             "' is unknown; known options: " + kKnownKeys);
  Settings s;
  SLUICE_RETURN_IF_ERROR(ParseRange(options, "block_cache_mb", 1, 1 << 20, &s.block_cache_mb));
  SLUICE_RETURN_IF_ERROR(ParseRange(options, "write_buffer_mb", 1, 1024, &s.write_buffer_mb));
  SLUICE_RETURN_IF_ERROR(ParseCompression(options, "compression", &s.compression));
  SLUICE_RETURN_IF_ERROR(ParseCompression(options, "log_compression", &s.log_compression));
  SLUICE_RETURN_IF_ERROR(ParseBool(options, "paranoid_checks", &s.paranoid_checks));
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
  bool compress = kv ? settings_.compression : settings_.log_compression;
  o.compression = compress ? leveldb::kSnappyCompression : leveldb::kNoCompression;
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
