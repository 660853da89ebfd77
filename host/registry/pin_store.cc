#include "registry/pin_store.h"

#include <simdjson.h>

#include "core/home.h"
#include "sluice/json.h"

namespace sluice::host {

Status PinStore::Read(const std::filesystem::path& file, std::map<std::string, AdminPin>* out) {
  out->clear();
  std::string text;
  Status s = ReadSmallFile(file, &text);
  if (s.code() == Code::kNotFound) return Status();
  SLUICE_RETURN_IF_ERROR(s);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object pins;
  if (parser.parse(text).get(doc) || doc["pins"].get_object().get(pins))
    return DataLoss(file.string() + ": not a pins file (expected {\"pins\": {...}})");
  for (auto [name, value] : pins) {
    AdminPin p;
    uint64_t u = 0;
    int64_t i = 0;
    std::string_view latest;
    if (!value["version"].get_uint64().get(u)) p.version = static_cast<uint32_t>(u);
    else if (value["version"].get_string().get(latest) || latest != "latest")
      return DataLoss(file.string() + ": pin of " + std::string(name) +
                      ": version must be a number or \"latest\"");
    if (!value["config_version"].get_uint64().get(u)) p.config_version = static_cast<uint32_t>(u);
    if (!value["at_ms"].get_int64().get(i)) p.at_ms = i;
    (*out)[std::string(name)] = p;
  }
  return Status();
}

Status PinStore::Load() {
  if (file_.empty()) return Status();
  std::map<std::string, AdminPin> pins;
  SLUICE_RETURN_IF_ERROR(Read(file_, &pins));
  std::lock_guard<std::mutex> lock(mu_);
  pins_ = std::move(pins);
  return Status();
}

bool PinStore::Get(const std::string& endpoint, AdminPin* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pins_.find(endpoint);
  if (it == pins_.end()) return false;
  *out = it->second;
  return true;
}

Status PinStore::Set(const std::string& endpoint, const AdminPin& pin) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, AdminPin> before = pins_;
  pins_[endpoint] = pin;
  return SaveOrRestoreLocked(std::move(before));
}

Status PinStore::Clear(const std::string& endpoint) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, AdminPin> before = pins_;
  if (pins_.erase(endpoint) == 0) return Status();
  return SaveOrRestoreLocked(std::move(before));
}

Status PinStore::SaveOrRestoreLocked(std::map<std::string, AdminPin> before) {
  Status s = SaveLocked();
  if (s.ok()) return s;
  pins_ = std::move(before);
  // UNAVAILABLE whatever the cause (a full disk is RESOURCE_EXHAUSTED,
  // which APIs answer as a refused request): the caller may try again.
  return Unavailable("cannot record the pin in " + file_.string() + " (" + s.message() +
                     "); nothing changed; try again once it can be written");
}

Status PinStore::SaveLocked() const {
  if (file_.empty()) return Status();
  std::string out;
  JsonWriter w(&out, JsonWriter::kIndented);
  w.BeginObject();
  w.Key("pins");
  w.BeginObject();
  for (const auto& [name, p] : pins_) {
    w.Key(name);
    w.BeginObject();
    w.Key("version");
    if (p.version == 0) w.String("latest");
    else w.Uint(p.version);
    w.KeyUint("config_version", p.config_version);
    w.KeyInt("at_ms", p.at_ms);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return WriteFileAtomic(file_, out + "\n");
}

}  // namespace sluice::host
