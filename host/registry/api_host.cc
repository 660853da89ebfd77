#include "registry/api_host.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "query/query_filter.h"
#include "registry/change_feed.h"
#include "sluice/row.h"
#include "sluice/schema.h"

namespace sluice::host {
namespace {

ApiHostImpl* Self(void* ctx) { return static_cast<ApiHostImpl*>(ctx); }

Status NotServing() { return Unavailable("nothing is served by this process"); }

// A pinned version as handed out through the C boundary.
struct ViewHandle {
  std::shared_ptr<ServedVersion> version;
  std::string endpoint, path;
  uint32_t current = 0;
  bool pinned = false;
};

// C descriptions of endpoints, alive while a callback runs.
struct EndpointC {
  std::vector<sluice_version_info> versions;
  sluice_endpoint_info info{};
  IngestStatus status;
  sluice_ingest_info ingest{};

  void SetIngest(const IngestStatus& st) {
    status = st;
    ingest.struct_size = sizeof ingest;
    ingest.state = IngestPhaseName(status.phase);
    ingest.version = status.version;
    ingest.since_ms = status.since_ms;
    ingest.detail = status.detail.c_str();
    ingest.errors = status.errors;
    ingest.last_error = status.last_error.message.c_str();
    ingest.last_error_file = status.last_error.place.file.c_str();
    ingest.last_error_line = status.last_error.place.line;
    ingest.last_error_column = status.last_error.place.column;
    ingest.last_error_ms = status.last_error.at_ms;
    ingest.duplicate_keys = status.duplicate_keys;
    ingest.first_duplicate = status.first_duplicate.c_str();
    info.ingest = &ingest;
  }

  void AddVersion(uint32_t number, const ServedVersion& sv) {
    sluice_version_info v{};
    v.struct_size = sizeof v;
    v.version = number;
    v.ready = sv.ready ? 1 : 0;
    v.log_end = sv.log->end();
    v.cache_offset = sv.cache->applied();
    v.rows = sv.cache->rows();
    v.schema = sv.c_schema->get();
    versions.push_back(v);
  }
  const sluice_endpoint_info* Finish(const std::string& name, const std::string& path,
                                     uint32_t current, bool pinned) {
    info.struct_size = sizeof info;
    info.name = name.c_str();
    info.path = path.c_str();
    info.current_version = current;
    info.pinned = pinned ? 1 : 0;
    info.version_count = static_cast<uint32_t>(versions.size());
    info.versions = versions.data();
    return &info;
  }
};

// A read that found the cache corrupt starts its rebuild.
Status Checked(void* ctx, ViewHandle* h, Status s) {
  if (s.code() == Code::kDataLoss && Self(ctx)->registry() != nullptr)
    Self(ctx)->registry()->ReportCorruptCache(h->endpoint, h->version->meta.version, s.message());
  return s;
}

int32_t Catalog(void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status* st) {
  if (Self(ctx)->registry() == nullptr) return NotServing().ToC(st);
  std::vector<ServedEndpoint> eps = Self(ctx)->registry()->Snapshot();
  for (const ServedEndpoint& ep : eps) {
    EndpointC c;
    for (const auto& [n, sv] : ep.versions) c.AddVersion(n, *sv);
    const IngestBoard* board = Self(ctx)->ingest_board();
    if (board != nullptr && board->Has(ep.config.name)) c.SetIngest(board->Get(ep.config.name));
    fn(fn_ctx, c.Finish(ep.config.name, ep.config.path, ep.current, ep.pinned != 0));
  }
  return Status().ToC(st);
}

int32_t Acquire(void* ctx, const char* endpoint, uint32_t version, void** view, sluice_status* st) {
  auto h = std::make_unique<ViewHandle>();
  if (Self(ctx)->registry() == nullptr) return NotServing().ToC(st);
  Registry& reg = *Self(ctx)->registry();
  Registry::EndpointState state;
  Status s = reg.Acquire(endpoint ? endpoint : "", version, &h->version, &state);
  if (!s.ok()) return s.ToC(st);
  h->endpoint = std::move(state.name);
  h->path = std::move(state.path);
  h->current = state.current;
  h->pinned = state.pinned;
  *view = h.release();
  Self(ctx)->ViewAcquired();
  return SLUICE_OK;
}

void Release(void* ctx, void* view) {
  delete static_cast<ViewHandle*>(view);
  Self(ctx)->ViewReleased();
}

int32_t ViewInfo(void*, void* view,
                 void (*fn)(void*, const sluice_endpoint_info*, const sluice_version_info*),
                 void* fn_ctx, sluice_status* st) {
  auto* h = static_cast<ViewHandle*>(view);
  EndpointC c;
  c.AddVersion(h->version->meta.version, *h->version);
  const sluice_endpoint_info* e = c.Finish(h->endpoint, h->path, h->current, h->pinned);
  fn(fn_ctx, e, &c.versions[0]);
  return Status().ToC(st);
}

int32_t Get(void* ctx, void* view, const char* key, size_t key_size, sluice_rows_fn fn,
            void* fn_ctx, sluice_status* st) {
  auto* h = static_cast<ViewHandle*>(view);
  std::string row;
  Status s = Checked(ctx, h, GetByKey(*h->version->cache, std::string_view(key, key_size), &row));
  if (!s.ok())
    return s.WithContext(h->endpoint + " v" + std::to_string(h->version->meta.version)).ToC(st);
  RowBatchBuilder b;
  b.AddRow(row);
  fn(fn_ctx, b.batch());
  return SLUICE_OK;
}

int32_t Count(void* ctx, void* view, const char* query, size_t size, uint64_t* count,
              sluice_status* st) {
  auto* h = static_cast<ViewHandle*>(view);
  Query q;
  Status s = ParseQuery(std::string_view(query, size), h->version->meta.table_schema,
                        Self(ctx)->limits(), &q);
  QueryPlanInfo info;
  if (s.ok()) s = Checked(ctx, h, CountQuery(*h->version->cache, q, count, &info));
  return s.ToC(st);
}

int32_t RunQ(void* ctx, void* view, const char* query, size_t size, sluice_rows_fn fn, void* fn_ctx,
             sluice_status* st) {
  auto* h = static_cast<ViewHandle*>(view);
  Query q;
  Status s = ParseQuery(std::string_view(query, size), h->version->meta.table_schema,
                        Self(ctx)->limits(), &q);
  QueryPlanInfo info;
  if (s.ok())
    s = Checked(ctx, h,
                RunQuery(
                    *h->version->cache, q,
                    [&](const sluice_row_batch& rows) { return fn(fn_ctx, &rows) != 0; }, &info));
  return s.ToC(st);
}

int32_t QueryInfoFn(void* ctx, void* view, const char* query, size_t size, sluice_rows_fn fn,
                    void* fn_ctx, void (*info_fn)(void*, const char*, const char*), void* info_ctx,
                    sluice_status* st) {
  auto* h = static_cast<ViewHandle*>(view);
  Query q;
  Status s = ParseQuery(std::string_view(query, size), h->version->meta.table_schema,
                        Self(ctx)->limits(), &q);
  QueryPlanInfo info;
  if (s.ok())
    s = Checked(ctx, h,
                RunQuery(
                    *h->version->cache, q,
                    [&](const sluice_row_batch& rows) { return fn(fn_ctx, &rows) != 0; }, &info));
  if (info_fn != nullptr && !info.plan.empty()) {
    info_fn(info_ctx, "plan", info.plan.c_str());
    info_fn(info_ctx, "scan", info.scan ? "true" : "false");
    info_fn(info_ctx, "examined", std::to_string(info.examined).c_str());
  }
  return s.ToC(st);
}

int32_t Watch(void* ctx, void* view, const char* filter, size_t filter_size,
              int32_t (*fn)(void*, uint32_t, uint64_t, const uint8_t*, size_t), void* fn_ctx,
              sluice_status* st) {
  auto* h = static_cast<ViewHandle*>(view);
  const TableSchema& schema = h->version->meta.table_schema;
  std::string_view f(filter ? filter : "", filter ? filter_size : 0);
  Query q;
  std::string wrapped = f.empty() ? std::string("{}") : "{\"$filter\":" + std::string(f) + "}";
  Status s = ParseQuery(wrapped, schema, Self(ctx)->limits(), &q);
  if (!s.ok()) return s.ToC(st);
  ChangeFeed& feed = h->version->feed;
  auto sub = feed.Subscribe();
  std::vector<ChangeFeed::Change> batch;
  std::vector<Value> decoded;
  for (;;) {
    s = sub->Next(std::chrono::milliseconds(500), &batch);
    if (!s.ok()) break;
    if (batch.empty() && fn(fn_ctx, 0, 0, nullptr, 0) == 0) break;
    bool stop = false;
    for (const auto& c : batch) {
      bool match =
          DecodeRow(schema.schema, c.row, &decoded).empty() && MatchesFilter(q.filter, decoded);
      if (c.op == SLUICE_OP_DELETE && !match) match = f.empty();
      if (!match) continue;
      if (fn(fn_ctx, c.op, c.offset, reinterpret_cast<const uint8_t*>(c.row.data()),
             c.row.size()) == 0) {
        stop = true;
        break;
      }
    }
    if (stop) break;
  }
  feed.Unsubscribe(sub);
  return s.ToC(st);
}

int32_t Metrics(void* ctx, void (*fn)(void*, const char*, size_t), void* fn_ctx,
                sluice_status* st) {
  std::string text = Self(ctx)->MetricsText();
  fn(fn_ctx, text.data(), text.size());
  return Status().ToC(st);
}

int32_t Prune(void* ctx, const char* endpoint, uint32_t keep, void (*fn)(void*, const char*),
              void* fn_ctx, sluice_status* st) {
  if (Self(ctx)->registry() == nullptr) return NotServing().ToC(st);
  std::vector<std::string> lines;
  Status s = Self(ctx)->registry()->Prune(endpoint ? endpoint : "", keep, &lines);
  for (const auto& l : lines) fn(fn_ctx, l.c_str());
  return s.ToC(st);
}

int32_t SetCurrent(void* ctx, const char* endpoint, uint32_t version, sluice_status* st) {
  if (Self(ctx)->registry() == nullptr) return NotServing().ToC(st);
  return Self(ctx)->registry()->SetCurrent(endpoint ? endpoint : "", version).ToC(st);
}

}  // namespace

ApiHostImpl::ApiHostImpl(Registry* registry, QueryLimits limits)
    : registry_(registry), limits_(limits) {
  table_.struct_size = sizeof(sluice_api_host);
  table_.ctx = this;
  table_.catalog = &Catalog;
  table_.acquire = &Acquire;
  table_.release = &Release;
  table_.view_info = &ViewInfo;
  table_.get = &Get;
  table_.count = &Count;
  table_.query = &RunQ;
  table_.set_current = &SetCurrent;
  table_.query_info = &QueryInfoFn;
  table_.watch = &Watch;
  table_.metrics = &Metrics;
  table_.prune = &Prune;
}

void ApiHostImpl::WaitUntilNoViews() const {
  while (open_views_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

std::string ApiHostImpl::MetricsText() const {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto sample = [&](const char* name, const std::string& labels, uint64_t v) {
    out += std::string(name) + "{" + labels + "} " + std::to_string(v) + "\n";
  };
  std::vector<ServedEndpoint> eps;
  if (registry_ != nullptr) eps = registry_->Snapshot();
  struct Gauge {
    const char* name;
    const char* help;
    uint64_t (*get)(const ServedVersion&);
  };
  static const Gauge kGauges[] = {
      {"sluice_log_end_offset", "Offset after the last committed log record.",
       [](const ServedVersion& v) { return v.log->end(); }},
      {"sluice_cache_applied_offset", "Log offset the cache has applied up to.",
       [](const ServedVersion& v) { return v.cache->applied(); }},
      {"sluice_cache_lag_records", "Log records the cache has not applied yet.",
       [](const ServedVersion& v) { return v.lag(); }},
      {"sluice_cache_rows", "Rows in the cache.",
       [](const ServedVersion& v) { return v.cache->rows(); }},
      {"sluice_version_ready", "1 when the version's cache has caught up since it was opened.",
       [](const ServedVersion& v) { return uint64_t{v.ready ? 1u : 0u}; }},
  };
  for (const Gauge& g : kGauges) {
    family(g.name, "gauge", g.help);
    for (const ServedEndpoint& ep : eps)
      for (const auto& [n, sv] : ep.versions)
        sample(g.name, "endpoint=\"" + ep.config.name + "\",version=\"" + std::to_string(n) + "\"",
               g.get(*sv));
  }
  family("sluice_current_version", "gauge", "The version unversioned routes serve (0 = none yet).");
  for (const ServedEndpoint& ep : eps)
    sample("sluice_current_version", "endpoint=\"" + ep.config.name + "\"", ep.current);
  if (extra_metrics_) out += extra_metrics_();
  return out;
}

}  // namespace sluice::host
