#include "pipeline/ingest_state.h"

#include <simdjson.h>

#include <chrono>
#include <cstdlib>

#include "core/home.h"
#include "sluice/json.h"
#include "util/log.h"

namespace sluice::host {

const char* IngestPhaseName(IngestPhase phase) {
  switch (phase) {
    case IngestPhase::kStarting: return "starting";
    case IngestPhase::kRunning: return "running";
    case IngestPhase::kCaughtUp: return "caught_up";
    case IngestPhase::kWaiting: return "waiting";
    case IngestPhase::kFailed: return "failed";
    case IngestPhase::kSchemaChanged: return "schema_changed";
    case IngestPhase::kStorageError: return "storage_error";
    case IngestPhase::kLogDamaged: return "log_damaged";
  }
  return "starting";
}

bool IngestStopped(IngestPhase phase) {
  return phase == IngestPhase::kFailed || phase == IngestPhase::kSchemaChanged ||
         phase == IngestPhase::kStorageError || phase == IngestPhase::kLogDamaged;
}

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ErrorPlace ParseErrorPlace(std::string_view m) {
  // "FILE:LINE: column N ..." with FILE free of spaces and colons.
  ErrorPlace p;
  size_t colon = m.find(':');
  if (colon == 0 || colon == std::string_view::npos) return p;
  std::string_view file = m.substr(0, colon);
  if (file.find(' ') != std::string_view::npos) return p;
  size_t digits = colon + 1;
  while (digits < m.size() && m[digits] >= '0' && m[digits] <= '9') ++digits;
  if (digits == colon + 1 || digits >= m.size() || m[digits] != ':') return p;
  p.file = std::string(file);
  p.line = std::strtoull(std::string(m.substr(colon + 1, digits - colon - 1)).c_str(), nullptr, 10);
  std::string_view rest = m.substr(digits + 1);
  if (rest.substr(0, 8) == " column ")
    p.column =
        static_cast<uint32_t>(std::strtoul(std::string(rest.substr(8, 10)).c_str(), nullptr, 10));
  return p;
}

IngestBoard::IngestBoard(std::filesystem::path state_dir) : dir_(std::move(state_dir)) {}

void IngestBoard::Set(const std::string& endpoint, uint32_t version, IngestPhase phase,
                      const std::string& detail) {
  IngestStatus copy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    IngestStatus& st = status_[endpoint];
    if (st.phase == phase && st.version == version && st.detail == detail && st.since_ms != 0)
      return;
    bool phase_changed = st.phase != phase || st.since_ms == 0;
    int64_t now = UnixMillis();
    if (IngestStopped(phase) && (phase_changed || st.detail != detail)) {
      ++st.errors;
      st.last_error = IngestError{detail, ParseErrorPlace(detail), now};
    }
    if (phase_changed) st.since_ms = now;
    st.phase = phase;
    st.version = version;
    st.detail = detail;
    copy = st;
  }
  Persist(endpoint, copy);
  std::vector<std::function<void()>> fns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fns = listeners_;
  }
  for (auto& f : fns) f();
}

void IngestBoard::AddDuplicates(const std::string& endpoint, uint64_t n, const std::string& where) {
  std::lock_guard<std::mutex> lock(mu_);
  IngestStatus& st = status_[endpoint];
  st.duplicate_keys += n;
  if (st.first_duplicate.empty()) st.first_duplicate = where;
}

IngestStatus IngestBoard::Get(const std::string& endpoint) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = status_.find(endpoint);
  return it == status_.end() ? IngestStatus() : it->second;
}

bool IngestBoard::Has(const std::string& endpoint) const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_.count(endpoint) > 0;
}

std::map<std::string, IngestStatus> IngestBoard::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void IngestBoard::AddListener(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.push_back(std::move(fn));
}

std::string IngestBoard::ToJson(const IngestStatus& st) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.KeyString("state", IngestPhaseName(st.phase));
  w.KeyUint("version", st.version);
  w.KeyInt("since_ms", st.since_ms);
  w.KeyString("detail", st.detail);
  w.KeyUint("errors", st.errors);
  w.Key("last_error");
  if (st.last_error.message.empty()) {
    w.Null();
  } else {
    w.BeginObject();
    w.KeyString("message", st.last_error.message);
    w.KeyString("file", st.last_error.place.file);
    w.KeyUint("line", st.last_error.place.line);
    w.KeyUint("column", st.last_error.place.column);
    w.KeyInt("at_ms", st.last_error.at_ms);
    w.EndObject();
  }
  w.KeyUint("duplicate_keys", st.duplicate_keys);
  w.KeyString("first_duplicate", st.first_duplicate);
  w.EndObject();
  return out;
}

void IngestBoard::Persist(const std::string& endpoint, const IngestStatus& st) const {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  Status s = WriteFileAtomic(dir_ / (endpoint + ".json"), ToJson(st) + "\n");
  if (!s.ok()) log::Warn("app", "cannot record the ingest state", {{"error", s.message()}});
}

Status IngestBoard::Read(const std::filesystem::path& state_dir, const std::string& endpoint,
                         IngestStatus* out) {
  std::string text;
  SLUICE_RETURN_IF_ERROR(ReadSmallFile(state_dir / (endpoint + ".json"), &text));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc)) return DataLoss("ingest state of " + endpoint + " is not JSON");
  std::string_view sv;
  *out = IngestStatus();
  if (!doc["state"].get_string().get(sv)) {
    for (IngestPhase p : {IngestPhase::kStarting, IngestPhase::kRunning, IngestPhase::kCaughtUp,
                          IngestPhase::kWaiting, IngestPhase::kFailed, IngestPhase::kSchemaChanged,
                          IngestPhase::kStorageError, IngestPhase::kLogDamaged})
      if (sv == IngestPhaseName(p)) out->phase = p;
  }
  uint64_t u = 0;
  int64_t i = 0;
  if (!doc["version"].get_uint64().get(u)) out->version = static_cast<uint32_t>(u);
  if (!doc["since_ms"].get_int64().get(i)) out->since_ms = i;
  if (!doc["detail"].get_string().get(sv)) out->detail = std::string(sv);
  if (!doc["errors"].get_uint64().get(u)) out->errors = u;
  if (!doc["duplicate_keys"].get_uint64().get(u)) out->duplicate_keys = u;
  if (!doc["first_duplicate"].get_string().get(sv)) out->first_duplicate = std::string(sv);
  simdjson::dom::element err;
  if (!doc["last_error"].get(err) && err.is_object()) {
    if (!err["message"].get_string().get(sv)) out->last_error.message = std::string(sv);
    out->last_error.place = ParseErrorPlace(out->last_error.message);
    if (!err["at_ms"].get_int64().get(i)) out->last_error.at_ms = i;
  }
  return Status();
}

}  // namespace sluice::host
