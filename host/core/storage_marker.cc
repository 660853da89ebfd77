#include "core/storage_marker.h"

#include <simdjson.h>

#include <system_error>

#include "sluice/json.h"
#include "util/json_doc.h"

namespace sluice::host {
namespace {

constexpr int64_t kFormat = 1;

// True when some endpoint of `home` has a version (and so a log stream in
// the log backend, wherever that backend keeps it).
bool HasLogData(const Home& home) {
  for (const std::string& endpoint : home.ListEndpoints())
    if (!home.ListVersions(endpoint).empty()) return true;
  return false;
}

// True when {home}/cache holds anything.
bool HasCacheData(const Home& home) {
  std::error_code ec;
  fs::directory_iterator it(home.root() / "cache", ec);
  return !ec && it != fs::directory_iterator();
}

Status LogSwitchRefused(const Home& home, const StorageBackends& was, const std::string& now) {
  return FailedPrecondition("this home (" + home.root().string() +
                            ") was written by log storage \"" + was.log +
                            "\", but the config names \"" + now + "\"; its log is in " + was.log +
                            "'s format and is the source of truth, so it cannot be rebuilt — set "
                            "the storage log plugin back "
                            "to \"" +
                            was.log + "\", or use a new home_dir and ingest again");
}

Status CacheSwitchRefused(const Home& home, const StorageBackends& was, const std::string& now) {
  return FailedPrecondition(
      "this home (" + home.root().string() + ") has caches written by storage \"" + was.cache +
      "\", but the config names \"" + now + "\" for the cache; they are in " + was.cache +
      "'s format — set the storage cache plugin back to \"" + was.cache +
      "\", or rebuild the caches from the log: set storage.rebuild_cache: true (or remove " +
      (home.root() / "cache").string() + ")");
}

Status RemoveCaches(const Home& home) {
  std::error_code ec;
  fs::remove_all(home.root() / "cache", ec);
  if (ec) return IoError("remove " + (home.root() / "cache").string(), ec.value());
  return Status();
}

}  // namespace

fs::path StorageMarkerFile(const Home& home) { return home.root() / "storage.json"; }

std::string FormatStorageMarker(const StorageBackends& backends) {
  std::string out;
  JsonWriter w(&out, JsonWriter::kIndented);
  w.BeginObject();
  w.Key("format");
  w.Int(kFormat);
  for (const auto& [facet, plugin] :
       {std::pair{"log", &backends.log}, std::pair{"cache", &backends.cache}}) {
    w.Key(facet);
    w.BeginObject();
    w.Key("plugin");
    w.String(*plugin);
    w.EndObject();
  }
  w.EndObject();
  return out + "\n";
}

Status ParseStorageMarker(std::string_view json, StorageBackends* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  SLUICE_RETURN_IF_ERROR(ParseJsonDocument(json, "storage marker", kFormat, &parser, &doc));
  StorageBackends b;
  for (const auto& [facet, plugin] : {std::pair{"log", &b.log}, std::pair{"cache", &b.cache}}) {
    std::string_view name;
    if (doc[facet]["plugin"].get_string().get(name) || name.empty())
      return InvalidArgument(std::string("missing \"") + facet + "\": { \"plugin\": ... }");
    *plugin = std::string(name);
  }
  *out = std::move(b);
  return Status();
}

Status ReadStorageMarker(const Home& home, StorageBackends* out) {
  fs::path file = StorageMarkerFile(home);
  std::error_code ec;
  if (!fs::exists(file, ec)) return NotFound("no storage marker " + file.string());
  std::string text;
  SLUICE_RETURN_IF_ERROR(ReadSmallFile(file, &text));
  Status s = ParseStorageMarker(text, out);
  if (!s.ok())
    return FailedPrecondition(file.string() + " is unreadable: " + s.message() +
                              "; it records which storage backends wrote this home — restore it, "
                              "or delete it to record the configured ones");
  return Status();
}

Status WriteStorageMarker(const Home& home, const StorageBackends& backends) {
  std::error_code ec;
  fs::create_directories(home.root(), ec);
  if (ec) return IoError("create " + home.root().string(), ec.value());
  return WriteFileAtomic(StorageMarkerFile(home), FormatStorageMarker(backends));
}

Status EnsureStorageMarker(const Home& home, const StorageBackends& configured, bool rebuild_cache,
                           MarkerCheck* check) {
  *check = MarkerCheck();
  StorageBackends was;
  Status s = ReadStorageMarker(home, &was);
  if (s.code() == Code::kNotFound) {
    check->outcome = MarkerCheck::kRecorded;
    return WriteStorageMarker(home, configured);
  }
  SLUICE_RETURN_IF_ERROR(s);
  check->previous = was;
  if (was == configured) return Status();
  if (was.log != configured.log && HasLogData(home))
    return LogSwitchRefused(home, was, configured.log);
  check->outcome = MarkerCheck::kAdopted;
  if (was.cache != configured.cache && HasCacheData(home)) {
    if (!rebuild_cache) return CacheSwitchRefused(home, was, configured.cache);
    SLUICE_RETURN_IF_ERROR(RemoveCaches(home));
    check->outcome = MarkerCheck::kCacheRebuilt;
  }
  return WriteStorageMarker(home, configured);
}

}  // namespace sluice::host
