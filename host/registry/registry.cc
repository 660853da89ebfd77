#include "registry/registry.h"

#include <chrono>
#include <thread>

#include "migrate/prune.h"
#include "runtime/runtime.h"
#include "util/log.h"

namespace sluice::host {

ServedVersion::~ServedVersion() {
  if (builder) builder->Stop();
  build->gone = true;
}

namespace {

// What the progress display shows of a cache build.
ProgressSource CacheProgressSource(const std::string& endpoint, uint32_t version,
                                   std::shared_ptr<CacheBuildProgress> build) {
  return {endpoint + " v" + std::to_string(version) + " cache", [build] {
            ProgressSample s;
            s.unit = ProgressSample::Unit::kRecords;
            s.rows = build->rows.load();
            s.done = build->applied.load();
            s.total = build->log_end.load();
            s.at_end = s.done >= s.total;
            s.finished = build->ready.load();
            s.gone = build->gone.load();
            std::lock_guard<std::mutex> lock(build->mu);
            s.state = build->state;
            return s;
          }};
}

}  // namespace

Registry::Registry(Runtime& runtime)
    : runtime_(runtime), pins_(runtime.home().root() / "pins.json") {}

Registry::~Registry() { Stop(); }

Status Registry::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = false;
  endpoints_.clear();
  if (Status s = pins_.Load(); !s.ok())
    log::Error("registry", "ignoring the admin pins: cannot read them", {{"error", s.message()}});
  for (const EndpointConfig& cfg : runtime_.config().endpoints) {
    ServedEndpoint ep;
    ep.config = cfg;
    ep.pinned = cfg.version;
    ep.pin_source = cfg.version != 0 ? "config" : "";
    std::vector<uint32_t> versions = runtime_.home().ListVersions(cfg.name);
    if (ep.pinned != 0 &&
        std::find(versions.begin(), versions.end(), ep.pinned) == versions.end()) {
      std::string have;
      for (uint32_t v : versions) have += (have.empty() ? "" : ", ") + std::to_string(v);
      return NotFound("endpoint " + cfg.name + ": config pins version " +
                      std::to_string(ep.pinned) + ", which does not exist; existing versions: " +
                      (have.empty() ? "none (run `sluice migrate`)" : have));
    }
    ChoosePinLocked(ep);
    endpoints_.push_back(std::move(ep));
  }
  for (ServedEndpoint& ep : endpoints_)
    for (uint32_t v : runtime_.home().ListVersions(ep.config.name))
      SLUICE_RETURN_IF_ERROR(OpenVersion(ep, v));
  for (ServedEndpoint& ep : endpoints_)
    for (auto& [v, sv] : ep.versions) sv->builder->Start();
  return Status();
}

Status Registry::Refresh() {
  std::vector<std::shared_ptr<ServedVersion>> started;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (ServedEndpoint& ep : endpoints_) {
      for (uint32_t v : runtime_.home().ListVersions(ep.config.name)) {
        if (ep.versions.count(v)) continue;
        SLUICE_RETURN_IF_ERROR(OpenVersion(ep, v));
        started.push_back(ep.versions[v]);
      }
    }
  }
  for (auto& sv : started) sv->builder->Start();
  if (!started.empty()) Notify();
  return Status();
}

Status Registry::OpenVersion(ServedEndpoint& ep, uint32_t v) {
  const std::string& name = ep.config.name;
  auto sv = std::make_shared<ServedVersion>();
  SLUICE_RETURN_IF_ERROR(ReadVersionMeta(runtime_.home().SchemaFile(name, v).string(), &sv->meta));
  sv->c_schema = std::make_unique<const SchemaView>(sv->meta.table_schema.schema);
  SLUICE_RETURN_IF_ERROR(runtime_.OpenLog(name, v, /*create=*/true, &sv->log));
  bool rebuilt = false;
  SLUICE_RETURN_IF_ERROR(VersionCache::Open(runtime_.cache_storage(),
                                            runtime_.home().CacheDir(name, v),
                                            sv->meta.table_schema, &sv->cache, &rebuilt));
  if (!runtime_.log_reader() && sv->cache->applied() > sv->log->end()) {
    // This process writes the log, and every commit is durable before a
    // cache applies it: a cache ahead of its log means committed records
    // went missing from the log. Damage: the cache keeps serving what it
    // holds, and nothing is appended until `sluice repair`.
    sv->log->SetDamage("log " + sv->log->name() + " ends at offset " +
                       std::to_string(sv->log->end()) + ", but its cache holds records up to " +
                       std::to_string(sv->cache->applied()) +
                       ": committed records are missing from the log");
    log::Error("log", "log damaged: kept as it is; ingest stops until `sluice repair`",
               {{"stream", sv->log->name()}, {"error", sv->log->damage().message()}});
  }
  sv->cache->SetCoveringIndexes(ep.config.covering);
  sv->cache->SetRowCacheBytes(size_t{runtime_.config().query.row_cache_mb} << 20);
  sv->cache->SetOnDuplicate(ep.config.on_duplicate);
  bool newest = ep.versions.empty() || ep.versions.rbegin()->first < v;
  if (newest)
    for (auto& [old_v, old] : ep.versions) old->frozen = true;
  sv->frozen = !newest;
  ServedVersion* raw = sv.get();
  sv->builder = std::make_unique<CacheBuilder>(
      sv->log, sv->cache.get(), [this, name, v] { OnProgress(name, v); },
      [this, raw, name, v](const Status& s) {
        {
          std::lock_guard<std::mutex> lock(raw->mu);
          // A data problem (on_duplicate: error) halts the version; anything
          // else is a failure of the builder.
          (s.code() == Code::kFailedPrecondition ? raw->halted : raw->error) = s.message();
        }
        {
          std::lock_guard<std::mutex> lock(raw->build->mu);
          raw->build->state = "stopped: " + s.message();
        }
        // Log records carry their stream's name; anything else came from the cache.
        if (s.code() == Code::kDataLoss && s.message().rfind("log ", 0) != 0)
          ReportCorruptCache(name, v, s.message());
      });
  const IngestConfig& retry = runtime_.config().ingest;
  sv->builder->SetStorageHandlers(
      [raw, name, v](const Status& s, uint32_t retry_in_ms) {
        std::string previous;
        {
          std::lock_guard<std::mutex> lock(raw->mu);
          previous = raw->storage_error;
          raw->storage_error = s.message();
        }
        {
          std::lock_guard<std::mutex> lock(raw->build->mu);
          raw->build->state = s.ok() ? "" : "waiting for storage: " + s.message();
        }
        if (s.ok()) return;
        ++raw->storage_errors;
        if (previous.empty())
          log::Error("cache", "cache build waits for storage; retrying",
                     {{"endpoint", name},
                      {"version", std::to_string(v)},
                      {"error", s.message()},
                      {"retry_in_ms", std::to_string(retry_in_ms)}});
      },
      [this, name, v] { ReopenCache(name, v); }, retry.retry_min_ms, retry.retry_max_ms);
  raw->feed.Init(raw->cache->applied());
  sv->builder->SetOnApplied(
      [raw](const std::vector<CacheOp>& ops) { raw->feed.Publish(ops, raw->cache->applied()); });
  sv->builder->SetOnDuplicates([this, name, v](const DuplicateReport& r) {
    if (duplicate_sink_) duplicate_sink_(name, v, r);
  });
  raw->build->applied = raw->cache->applied();
  raw->build->log_end = raw->log->end();
  if (progress_ != nullptr) progress_->Add(CacheProgressSource(name, v, raw->build));
  ep.versions[v] = std::move(sv);
  log::Info("registry", "serving version",
            {{"endpoint", name},
             {"version", std::to_string(v)},
             {"log_end", std::to_string(raw->log->end())},
             {"cache_offset", std::to_string(raw->cache->applied())},
             {"rebuilt", rebuilt ? "true" : "false"}});
  return Status();
}

void Registry::ReportCorruptCache(const std::string& endpoint, uint32_t version,
                                  const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ServedEndpoint* ep = FindLocked(endpoint);
    if (ep == nullptr) return;
    auto it = ep->versions.find(version);
    if (it == ep->versions.end() || it->second->rebuilding.exchange(true)) return;
    it->second->ready = false;
  }
  log::Error("registry", "cache found corrupt; rebuilding it from the log",
             {{"endpoint", endpoint}, {"version", std::to_string(version)}, {"error", why}});
  Notify();
  std::lock_guard<std::mutex> lock(rebuild_mu_);
  rebuilds_.emplace_back([this, endpoint, version] { ReplaceCache(endpoint, version, true); });
}

void Registry::ReopenCache(const std::string& endpoint, uint32_t version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ServedEndpoint* ep = FindLocked(endpoint);
    if (ep == nullptr) return;
    auto it = ep->versions.find(version);
    if (it == ep->versions.end() || it->second->rebuilding.exchange(true)) return;
    it->second->reopening = true;
    it->second->ready = false;
  }
  Notify();
  std::lock_guard<std::mutex> lock(rebuild_mu_);
  rebuilds_.emplace_back([this, endpoint, version] { ReplaceCache(endpoint, version, false); });
}

void Registry::ReplaceCache(const std::string& endpoint, uint32_t v, bool discard) {
  std::shared_ptr<ServedVersion> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ServedEndpoint* ep = FindLocked(endpoint);
    if (ep == nullptr || !ep->versions.count(v)) return;
    old = ep->versions[v];
  }
  old->feed.Close();
  old->builder->Stop();
  // Requests that pinned it before it stopped being ready finish first
  // (the map and `old` hold the two remaining references).
  for (int i = 0; i < 1000 && old.use_count() > 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  uint64_t storage_errors = old->storage_errors;
  // Opening again may fail for a while (the disk filled up again since
  // the builder found space): retried with the ingest's backoff, the
  // version unserved meanwhile.
  const IngestConfig& retry = runtime_.config().ingest;
  for (uint32_t wait = retry.retry_min_ms;; wait = std::min(wait * 2, retry.retry_max_ms)) {
    Status s;
    std::shared_ptr<ServedVersion> fresh;
    {
      // Closed and opened again under one lock: requests never find the
      // version missing unless the open fails.
      std::lock_guard<std::mutex> lock(mu_);
      ServedEndpoint* ep = FindLocked(endpoint);
      if (ep == nullptr) return;
      if (old != nullptr) {
        ep->versions.erase(v);
        old.reset();  // closes the cache
      }
      if (discard)
        s = VersionCache::Discard(runtime_.cache_storage(), runtime_.home().CacheDir(endpoint, v));
      if (s.ok()) s = OpenVersion(*ep, v);
      if (s.ok()) fresh = ep->versions[v];
    }
    if (s.ok()) {
      fresh->storage_errors = storage_errors;
      fresh->builder->Start();
      Notify();
      return;
    }
    log::Error("registry", discard ? "cache rebuild failed" : "cache reopen failed; retrying",
               {{"endpoint", endpoint},
                {"version", std::to_string(v)},
                {"error", s.message()},
                {"retry_in_ms", std::to_string(wait)}});
    // A corrupt cache that cannot be rebuilt is left to a restart, as before.
    if (discard) return;
    for (uint32_t slept = 0; slept < wait && !stopping_; slept += 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (stopping_) return;
  }
}

void Registry::Stop() {
  stopping_ = true;
  {
    std::lock_guard<std::mutex> lock(rebuild_mu_);
    for (auto& t : rebuilds_)
      if (t.joinable()) t.join();
    rebuilds_.clear();
  }
  std::vector<std::shared_ptr<ServedVersion>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& ep : endpoints_)
      for (auto& [v, sv] : ep.versions) all.push_back(sv);
  }
  for (auto& sv : all) {
    sv->feed.Close();
    sv->builder->Stop();
  }
}

Status Registry::Prune(std::string_view endpoint, uint32_t keep, std::vector<std::string>* lines) {
  if (keep == 0) return InvalidArgument("keep must be at least 1");
  std::vector<std::pair<std::string, std::shared_ptr<ServedVersion>>> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!endpoint.empty() && FindLocked(endpoint) == nullptr)
      return NotFound("no endpoint \"" + std::string(endpoint) + "\"");
    for (ServedEndpoint& ep : endpoints_) {
      if (!endpoint.empty() && ep.config.name != endpoint && ep.config.path != endpoint) continue;
      std::vector<uint32_t> versions;
      for (const auto& [v, sv] : ep.versions) versions.push_back(v);
      for (uint32_t v : PruneCandidates(versions, keep, ep.current, ep.pinned)) {
        doomed.emplace_back(ep.config.name, ep.versions[v]);
        ep.versions.erase(v);
      }
    }
  }
  Notify();
  for (auto& [name, sv] : doomed) {
    uint32_t v = sv->meta.version;
    sv->feed.Close();
    sv->builder->Stop();
    // Requests that pinned it before it left the map finish first.
    for (int i = 0; i < 1000 && sv.use_count() > 1; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (sv.use_count() > 1)
      return Unavailable("endpoint " + name + " v" + std::to_string(v) +
                         " is still in use; try again");
    sv.reset();
    runtime_.CloseLog(name, v);
    uint64_t freed = 0;
    SLUICE_RETURN_IF_ERROR(DeleteVersion(runtime_, name, v, &freed));
    lines->push_back(PruneLine(name, v, freed));
  }
  return Status();
}

void Registry::OnProgress(const std::string& endpoint, uint32_t version) {
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ServedEndpoint* ep = FindLocked(endpoint);
    if (ep == nullptr) return;
    auto it = ep->versions.find(version);
    if (it == ep->versions.end()) return;
    ServedVersion& sv = *it->second;
    sv.build->rows = sv.builder->applied_ops();
    sv.build->applied = sv.cache->applied();
    sv.build->log_end = sv.log->end();
    // A version whose cache was found corrupt stays not ready until its
    // replacement has caught up, whatever the old builder still reports.
    if (sv.rebuilding) return;
    bool complete = sv.frozen || (sv.cache->flags() & kCommitSourceAtEnd) != 0;
    // A damaged log (storage/version_log.h) may say less than the cache
    // already holds: the cache is served as it is.
    bool caught_up = sv.cache->applied() == sv.log->end() ||
                     (sv.cache->applied() > sv.log->end() && !sv.log->damage().ok());
    if (!sv.ready && complete && caught_up) {
      sv.ready = true;
      changed = true;
      log::Info("registry", "version ready",
                {{"endpoint", endpoint},
                 {"version", std::to_string(version)},
                 {"rows", std::to_string(sv.cache->rows())}});
    }
    changed = UpdateCurrentLocked(*ep) || changed;
    sv.build->ready = sv.ready.load();
  }
  if (changed) Notify();
}

bool Registry::UpdateCurrentLocked(ServedEndpoint& ep) {
  uint32_t want = ep.current;
  if (ep.pinned != 0) {
    auto it = ep.versions.find(ep.pinned);
    if (it != ep.versions.end() && it->second->ready) want = ep.pinned;
  } else {
    for (auto& [v, sv] : ep.versions)
      if (sv->ready && v > want) want = v;
  }
  if (want == ep.current) return false;
  log::Info("registry", "current version switched",
            {{"endpoint", ep.config.name},
             {"from", std::to_string(ep.current)},
             {"to", std::to_string(want)}});
  ep.current = want;
  return true;
}

Status Registry::Acquire(std::string_view endpoint, uint32_t version,
                         std::shared_ptr<ServedVersion>* out, EndpointState* state) const {
  std::lock_guard<std::mutex> lock(mu_);
  const ServedEndpoint* ep = FindLocked(endpoint);
  if (ep == nullptr) return NotFound("no endpoint \"" + std::string(endpoint) + "\"");
  uint32_t v = version == 0 ? ep->current : version;
  if (v == 0 && !ep->versions.empty()) {
    // Nothing current yet: why the newest version is not ready says most.
    auto newest = ep->versions.rbegin();
    return Unavailable(NotReadyReason(*ep, newest->first, *newest->second) +
                       ", and no version of the endpoint is ready yet");
  }
  if (v == 0 && board_ != nullptr && board_->Get(ep->config.name).phase != IngestPhase::kStarting) {
    IngestStatus st = board_->Get(ep->config.name);
    return Unavailable("endpoint " + ep->config.name + " has no version yet: its ingest is " +
                       IngestPhaseName(st.phase) + (st.detail.empty() ? "" : ": " + st.detail));
  }
  if (v == 0)
    return Unavailable("endpoint " + ep->config.name +
                       " has no version ready yet (its cache is still catching up with its log, "
                       "or nothing was ingested: run `sluice app run` or `sluice run`)");
  auto it = ep->versions.find(v);
  if (it == ep->versions.end()) {
    std::string have;
    for (const auto& [n, sv] : ep->versions) have += (have.empty() ? "" : ", ") + std::to_string(n);
    return NotFound("endpoint " + ep->config.name + " has no version " + std::to_string(v) +
                    "; versions: " + (have.empty() ? "none" : have));
  }
  if (it->second->reopening)
    return Unavailable("endpoint " + ep->config.name + " version " + std::to_string(v) +
                       " is not ready: its cache refused a write (storage full?) and is being "
                       "reopened; it resumes from its last applied commit");
  if (it->second->rebuilding)
    return Unavailable(
        "endpoint " + ep->config.name + " version " + std::to_string(v) +
        " is not ready: its cache was found corrupt and is being rebuilt from its log");
  if (!it->second->ready) return Unavailable(NotReadyReason(*ep, v, *it->second));
  *out = it->second;
  if (state != nullptr) *state = {ep->config.name, ep->config.path, ep->current, ep->pinned != 0};
  return Status();
}

std::vector<ServedEndpoint> Registry::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return endpoints_;
}

bool Registry::AllCurrentReady() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& ep : endpoints_) {
    auto it = ep.versions.find(ep.current);
    if (it == ep.versions.end() || it->second->lag() != 0) return false;
  }
  return true;
}

void Registry::AddListener(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  listeners_.push_back(std::move(fn));
}

void Registry::Notify() {
  std::vector<std::function<void()>> fns;
  std::vector<std::shared_ptr<ServedVersion>> served;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fns = listeners_;
    for (auto& ep : endpoints_)
      for (auto& [v, sv] : ep.versions) served.push_back(sv);
  }
  // Change feeds that follow an endpoint's current version look again.
  for (auto& sv : served) sv->feed.WakeAll();
  for (auto& f : fns) f();
}

uint32_t Registry::Current(std::string_view endpoint) const {
  std::lock_guard<std::mutex> lock(mu_);
  const ServedEndpoint* ep = FindLocked(endpoint);
  return ep == nullptr ? 0 : ep->current;
}

ServedEndpoint* Registry::FindLocked(std::string_view key) {
  for (auto& ep : endpoints_)
    if (ep.config.name == key || ep.config.path == key) return &ep;
  return nullptr;
}

const ServedEndpoint* Registry::FindLocked(std::string_view key) const {
  return const_cast<Registry*>(this)->FindLocked(key);
}

}  // namespace sluice::host
