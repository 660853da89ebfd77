#include "storage/version_catalog.h"

#include <simdjson.h>

#include <system_error>

#include "core/home.h"
#include "sluice/json.h"
#include "util/json_doc.h"

namespace sluice::host {
namespace {

// Parses one record: a pruned event, or a schema.json document.
Status ParseRecord(std::string_view data, const std::string& endpoint, CatalogState* state) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  SLUICE_RETURN_IF_ERROR(ParseJson(data, &parser, &doc));
  std::string_view event;
  if (!doc["event"].get_string().get(event)) {
    uint64_t v = 0;
    if (event != "pruned" || doc["version"].get_uint64().get(v) || v == 0 || v > UINT32_MAX)
      return InvalidArgument("unknown event \"" + std::string(event) +
                             "\" (expected \"pruned\" with a version)");
    state->pruned.insert(static_cast<uint32_t>(v));
    return Status();
  }
  VersionMeta meta;
  SLUICE_RETURN_IF_ERROR(ParseVersionMeta(data, &meta));
  if (meta.endpoint != endpoint)
    return InvalidArgument("records endpoint \"" + meta.endpoint + "\", expected \"" + endpoint +
                           "\"");
  if (meta.version <= state->latest())
    return InvalidArgument("records version " + std::to_string(meta.version) + " after version " +
                           std::to_string(state->latest()));
  state->documents[meta.version] = std::string(data);
  state->created[meta.version] = std::move(meta);
  return Status();
}

}  // namespace

Status VersionCatalog::Open(StoragePlugin& storage, const Home& home, const std::string& endpoint,
                            bool create, std::unique_ptr<VersionCatalog>* out) {
  std::string name = StreamName(endpoint);
  fs::path dir = home.CatalogDir(endpoint);
  if (create) {
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
    if (ec) return IoError("create " + dir.parent_path().string(), ec.value());
  }
  std::unique_ptr<Log> log;
  SLUICE_RETURN_IF_ERROR(
      storage.OpenLog(name, dir.string(), create, &log).WithContext("version catalog " + name));
  out->reset(new VersionCatalog(std::move(log), endpoint));
  (*out)->storage_ = &storage;
  (*out)->dir_ = dir.string();
  return Status();
}

Status VersionCatalog::Update(CatalogState* state) {
  std::lock_guard<std::mutex> lock(mu_);
  return UpdateLocked(state);
}

Status VersionCatalog::UpdateLocked(CatalogState* state) {
  if (log_ == nullptr)
    return Unavailable("version catalog " + StreamName(endpoint_) +
                       " is closed: reopening it after a failed write failed; it is retried");
  uint64_t end = 0;
  SLUICE_RETURN_IF_ERROR(log_->End(&end).WithContext("version catalog " + StreamName(endpoint_)));
  while (next_ < end) {
    Status bad;
    Status s = log_->Read(
        next_, static_cast<size_t>(end - next_), [&](uint64_t off, std::string_view data) {
          bad = ParseRecord(data, endpoint_, &seen_);
          if (!bad.ok()) {
            bad = DataLoss("version catalog " + StreamName(endpoint_) + " record " +
                           std::to_string(off) + ": " + bad.message());
            return false;
          }
          next_ = off + 1;
          return true;
        });
    SLUICE_RETURN_IF_ERROR(bad);
    SLUICE_RETURN_IF_ERROR(s.WithContext("version catalog " + StreamName(endpoint_)));
  }
  *state = seen_;
  return Status();
}

Status VersionCatalog::Append(const std::string& record) {
  const std::string what = "version catalog " + StreamName(endpoint_);
  if (broken_) {
    // The last append failed (a full disk): the backend may refuse writes
    // until its handle is reopened (sluice/storage.h, Log::Append).
    log_.reset();
    SLUICE_RETURN_IF_ERROR(
        storage_->OpenLog(StreamName(endpoint_), dir_, true, &log_).WithContext(what));
    broken_ = false;
    CatalogState ignored;
    SLUICE_RETURN_IF_ERROR(UpdateLocked(&ignored));
  }
  std::string_view rec(record);
  std::string checkpoint = std::to_string(next_ + 1);
  uint64_t first = 0;
  Status appended = log_->Append(&rec, 1, checkpoint, /*sync=*/true, &first);
  if (!appended.ok() && appended.code() != Code::kInvalidArgument) broken_ = true;
  SLUICE_RETURN_IF_ERROR(appended.WithContext(what));
  if (first != next_)
    return FailedPrecondition("version catalog " + StreamName(endpoint_) +
                              ": another host appended record " + std::to_string(next_) +
                              " meanwhile; run the command again");
  SLUICE_RETURN_IF_ERROR(ParseRecord(record, endpoint_, &seen_));
  next_ = first + 1;
  return Status();
}

Status VersionCatalog::PublishCreated(const VersionMeta& meta, const std::string& document) {
  std::lock_guard<std::mutex> lock(mu_);
  CatalogState state;
  SLUICE_RETURN_IF_ERROR(UpdateLocked(&state));
  auto it = state.created.find(meta.version);
  if (it != state.created.end()) {
    std::vector<std::string> diff = DiffTableSchemas(it->second.table_schema, meta.table_schema);
    if (diff.empty()) return Status();
    std::string list;
    for (const std::string& d : diff) list += "\n  - " + d;
    return FailedPrecondition(
        "endpoint " + endpoint_ + " v" + std::to_string(meta.version) +
        ": the shared version catalog records another schema for this version "
        "(another host created it); this home's copy differs:" +
        list);
  }
  if (meta.version < state.latest())
    return FailedPrecondition(
        "endpoint " + endpoint_ + " v" + std::to_string(meta.version) +
        ": the shared version catalog is at v" + std::to_string(state.latest()) +
        " already and does not record this version; versions are recorded in order");
  return Append(document);
}

Status VersionCatalog::PublishPruned(uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  CatalogState state;
  SLUICE_RETURN_IF_ERROR(UpdateLocked(&state));
  if (state.pruned.count(version)) return Status();
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("event");
  w.String("pruned");
  w.Key("endpoint");
  w.String(endpoint_);
  w.Key("version");
  w.Uint(version);
  w.EndObject();
  return Append(out);
}

}  // namespace sluice::host
