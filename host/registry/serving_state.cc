#include "registry/serving_state.h"

#include <simdjson.h>
#include <unistd.h>

#include "core/home.h"
#include "pipeline/ingest_state.h"
#include "sluice/json.h"

namespace sluice::host {

std::filesystem::path ServingStateFile(const std::filesystem::path& home) {
  return home / "pipeline" / "state" / "serving.json";
}

std::string ServingStateJson(const Registry& registry) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  for (const ServedEndpoint& ep : registry.Snapshot()) {
    w.Key(ep.config.name);
    w.BeginObject();
    w.KeyUint("current", ep.current);
    w.KeyUint("pinned", ep.pinned);
    w.KeyString("pin_source", ep.pin_source);
    w.Key("versions");
    w.BeginArray();
    for (const auto& [n, sv] : ep.versions) {
      w.BeginObject();
      w.KeyUint("version", n);
      w.KeyBool("ready", sv->ready);
      w.KeyUint("log_end", sv->log->end());
      w.KeyUint("cache_offset", sv->cache->applied());
      w.KeyUint("rows", sv->cache->rows());
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  return out;
}

Status WriteServingState(const std::filesystem::path& home, const std::string& json) {
  std::error_code ec;
  std::filesystem::path file = ServingStateFile(home);
  std::filesystem::create_directories(file.parent_path(), ec);
  std::string doc = "{\"pid\":" + std::to_string(::getpid()) +
                    ",\"at_ms\":" + std::to_string(UnixMillis()) + ",\"endpoints\":" + json + "}\n";
  return WriteFileAtomic(file, doc);
}

Status ReadServingState(const std::filesystem::path& home, ServingState* out) {
  std::string text;
  SLUICE_RETURN_IF_ERROR(ReadSmallFile(ServingStateFile(home), &text));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object eps;
  if (parser.parse(text).get(doc) || doc["endpoints"].get_object().get(eps))
    return DataLoss(ServingStateFile(home).string() + " is not a serving state");
  *out = ServingState();
  int64_t i = 0;
  uint64_t u = 0;
  if (!doc["pid"].get_int64().get(i)) out->pid = i;
  if (!doc["at_ms"].get_int64().get(i)) out->at_ms = i;
  for (auto [name, e] : eps) {
    ServingEndpoint& ep = out->endpoints[std::string(name)];
    std::string_view sv;
    if (!e["current"].get_uint64().get(u)) ep.current = static_cast<uint32_t>(u);
    if (!e["pinned"].get_uint64().get(u)) ep.pinned = static_cast<uint32_t>(u);
    if (!e["pin_source"].get_string().get(sv)) ep.pin_source = std::string(sv);
    simdjson::dom::array versions;
    if (e["versions"].get_array().get(versions)) continue;
    for (auto v : versions) {
      ServingVersion x;
      bool ready = false;
      if (!v["version"].get_uint64().get(u)) x.version = static_cast<uint32_t>(u);
      if (!v["ready"].get_bool().get(ready)) x.ready = ready;
      if (!v["log_end"].get_uint64().get(u)) x.log_end = u;
      if (!v["cache_offset"].get_uint64().get(u)) x.cache_offset = u;
      if (!v["rows"].get_uint64().get(u)) x.rows = u;
      ep.versions.push_back(x);
    }
  }
  return Status();
}

}  // namespace sluice::host
