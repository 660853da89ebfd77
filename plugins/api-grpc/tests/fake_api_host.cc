#include "fake_api_host.h"

#include <chrono>
#include <memory>

#include "sluice/row.h"
#include "sluice/timefmt.h"

namespace sluice::grpcapi::testing {

namespace {

// C views of one endpoint (schemas, version infos) that live for one call.
struct CEndpoint {
  std::vector<std::unique_ptr<SchemaView>> schemas;
  std::vector<sluice_version_info> versions;
  sluice_endpoint_info info{};
};

void ToC(const FakeEndpoint& e, const FakeVersion* only, CEndpoint* out) {
  for (const FakeVersion& v : e.versions) {
    if (only != nullptr && only != &v) continue;
    out->schemas.push_back(std::make_unique<SchemaView>(v.schema));
    sluice_version_info vi{};
    vi.struct_size = sizeof vi;
    vi.version = v.version;
    vi.ready = v.ready ? 1 : 0;
    vi.log_end = vi.cache_offset = 100 * v.version;
    vi.rows = v.rows.size();
    vi.schema = out->schemas.back()->get();
    out->versions.push_back(vi);
  }
  out->info.struct_size = sizeof out->info;
  out->info.name = e.name.c_str();
  out->info.path = e.path.c_str();
  out->info.current_version = e.current;
  out->info.version_count = static_cast<uint32_t>(out->versions.size());
  out->info.versions = out->versions.data();
}

}  // namespace

FakeApiHost::FakeApiHost() {
  c_.struct_size = sizeof c_;
  c_.ctx = this;
  c_.catalog = &Catalog;
  c_.acquire = &Acquire;
  c_.release = &ReleaseView;
  c_.view_info = &ViewInfo;
  c_.get = &Get;
  c_.count = &Count;
  c_.query = &Query;
  c_.set_current = &SetCurrentC;
  c_.query_info = &QueryInfo;
  c_.watch = &Watch;
  c_.metrics = &Metrics;
  c_.prune = &Prune;
}

void FakeApiHost::Add(FakeEndpoint e) {
  std::lock_guard<std::mutex> lock(mu_);
  endpoints_.push_back(std::move(e));
}

FakeEndpoint* FakeApiHost::Find(const std::string& name) {
  for (FakeEndpoint& e : endpoints_)
    if (e.name == name || e.path == name) return &e;
  return nullptr;
}

void FakeApiHost::SetCurrent(const std::string& endpoint, uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  Find(endpoint)->current = version;
}

void FakeApiHost::SetReady(const std::string& endpoint, uint32_t version, bool ready) {
  std::lock_guard<std::mutex> lock(mu_);
  for (FakeVersion& v : Find(endpoint)->versions)
    if (v.version == version) v.ready = ready;
}

void FakeApiHost::Emit(const std::string& endpoint, uint32_t version, uint32_t op,
                       const std::string& row) {
  std::lock_guard<std::mutex> lock(mu_);
  changes_.push_back({endpoint, version, op, row});
  cv_.notify_all();
}

void FakeApiHost::Release() {
  std::lock_guard<std::mutex> lock(mu_);
  released_ = true;
  cv_.notify_all();
}

void FakeApiHost::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

int FakeApiHost::watchers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return watchers_;
}

int32_t FakeApiHost::Catalog(void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status*) {
  FakeApiHost* self = Self(ctx);
  std::lock_guard<std::mutex> lock(self->mu_);
  for (const FakeEndpoint& e : self->endpoints_) {
    CEndpoint c;
    ToC(e, nullptr, &c);
    fn(fn_ctx, &c.info);
  }
  return SLUICE_OK;
}

int32_t FakeApiHost::Acquire(void* ctx, const char* name, uint32_t version, void** view,
                             sluice_status* st) {
  FakeApiHost* self = Self(ctx);
  std::lock_guard<std::mutex> lock(self->mu_);
  FakeEndpoint* e = self->Find(name);
  if (e == nullptr) return Fail(st, Code::kNotFound, "no endpoint \"" + std::string(name) + "\"");
  uint32_t want = version != 0 ? version : e->current;
  if (want == 0)
    return Fail(st, Code::kUnavailable, "endpoint " + e->name + " has no current version yet");
  for (FakeVersion& v : e->versions) {
    if (v.version != want) continue;
    if (!v.ready)
      return Fail(st, Code::kUnavailable,
                  "endpoint " + e->name + " version " + std::to_string(want) + " is not ready");
    *view = new View{e, &v};
    return SLUICE_OK;
  }
  return Fail(st, Code::kNotFound,
              "endpoint " + e->name + " has no version " + std::to_string(want));
}

void FakeApiHost::ReleaseView(void*, void* view) { delete static_cast<View*>(view); }

int32_t FakeApiHost::ViewInfo(void* ctx, void* view,
                              void (*fn)(void*, const sluice_endpoint_info*,
                                         const sluice_version_info*),
                              void* fn_ctx, sluice_status*) {
  std::lock_guard<std::mutex> lock(Self(ctx)->mu_);
  View* v = static_cast<View*>(view);
  CEndpoint c;
  ToC(*v->endpoint, v->version, &c);
  fn(fn_ctx, &c.info, &c.versions[0]);
  return SLUICE_OK;
}

int32_t FakeApiHost::Rows(View* v, sluice_rows_fn fn, void* fn_ctx) {
  RowBatchBuilder b;
  for (const auto& r : v->version->rows) b.AddRow(r.second);
  fn(fn_ctx, b.batch(0, true));
  return SLUICE_OK;
}

int32_t FakeApiHost::Get(void*, void* view, const char* key, size_t size, sluice_rows_fn fn,
                         void* fn_ctx, sluice_status* st) {
  View* v = static_cast<View*>(view);
  std::string k(key, size);
  for (const auto& r : v->version->rows) {
    if (r.first != k) continue;
    RowBatchBuilder b;
    b.AddRow(r.second);
    fn(fn_ctx, b.batch(0, true));
    return SLUICE_OK;
  }
  // As the host does: its errors name the endpoint and version.
  return Fail(st, Code::kNotFound,
              v->endpoint->name + " v" + std::to_string(v->version->version) +
                  ": no record with key \"" + k + "\"");
}

int32_t FakeApiHost::Triggers(std::string_view q, sluice_status* st) {
  if (q == "bad") return Fail(st, Code::kInvalidArgument, "query is not valid JSON: bad");
  if (q == "unknown") return Fail(st, Code::kUnknown, "something odd");
  if (q == "stall") {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return released_; });
  }
  return -1;
}

int32_t FakeApiHost::Count(void* ctx, void* view, const char* q, size_t n, uint64_t* count,
                           sluice_status* st) {
  int32_t rc = Self(ctx)->Triggers(std::string_view(q, n), st);
  if (rc >= 0) return rc;
  *count = static_cast<View*>(view)->version->rows.size();
  return SLUICE_OK;
}

int32_t FakeApiHost::Query(void* ctx, void* view, const char* q, size_t n, sluice_rows_fn fn,
                           void* fn_ctx, sluice_status* st) {
  int32_t rc = Self(ctx)->Triggers(std::string_view(q, n), st);
  return rc >= 0 ? rc : Rows(static_cast<View*>(view), fn, fn_ctx);
}

int32_t FakeApiHost::QueryInfo(void* ctx, void* view, const char* q, size_t n, sluice_rows_fn fn,
                               void* fn_ctx, void (*info)(void*, const char*, const char*),
                               void* info_ctx, sluice_status* st) {
  info(info_ctx, "plan", "scan");
  info(info_ctx, "scan", "true");
  info(info_ctx, "examined", "3");
  return Query(ctx, view, q, n, fn, fn_ctx, st);
}

int32_t FakeApiHost::SetCurrentC(void* ctx, const char* name, uint32_t version, sluice_status*) {
  Self(ctx)->SetCurrent(name, version);
  return SLUICE_OK;
}

int32_t FakeApiHost::Watch(void* ctx, void* view, const char* filter, size_t filter_size,
                           int32_t (*fn)(void*, uint32_t, uint64_t, const uint8_t*, size_t),
                           void* fn_ctx, sluice_status* st) {
  FakeApiHost* self = Self(ctx);
  View* v = static_cast<View*>(view);
  if (std::string_view(filter, filter_size) == "bad")
    return Fail(st, Code::kInvalidArgument, "$filter is not valid JSON");
  std::unique_lock<std::mutex> lock(self->mu_);
  size_t next = self->changes_.size();
  ++self->watchers_;
  int32_t rc = SLUICE_OK;
  for (bool go = true; go;) {
    self->cv_.wait_for(lock, std::chrono::milliseconds(50));
    if (self->closed_) {
      rc = Fail(st, Code::kUnavailable, "the server is stopping");
      break;
    }
    std::vector<Change> fresh(self->changes_.begin() + static_cast<long>(next),
                              self->changes_.end());
    next = self->changes_.size();
    lock.unlock();
    go = fn(fn_ctx, 0, 0, nullptr, 0) != 0;  // heartbeat
    for (size_t i = 0; go && i < fresh.size(); ++i) {
      const Change& c = fresh[i];
      if (c.endpoint != v->endpoint->name || c.version != v->version->version) continue;
      go = fn(fn_ctx, c.op, 1000 + i, reinterpret_cast<const uint8_t*>(c.row.data()),
              c.row.size()) != 0;
    }
    lock.lock();
  }
  --self->watchers_;
  return rc;
}

int32_t FakeApiHost::Metrics(void*, void (*fn)(void*, const char*, size_t), void* fn_ctx,
                             sluice_status*) {
  fn(fn_ctx, "", 0);
  return SLUICE_OK;
}

int32_t FakeApiHost::Prune(void*, const char*, uint32_t, void (*)(void*, const char*), void*,
                           sluice_status* st) {
  return Fail(st, Code::kUnimplemented, "not in the fake");
}

Schema SampleSchema() {
  Schema s;
  s.fields = {{"id", Type::kInt64, false},    {"fare", Type::kFloat64, true},
              {"at", Type::kTimestamp, true}, {"day", Type::kDate, true},
              {"paid", Type::kBool, false},   {"note", Type::kString, true}};
  s.primary_key = {0};
  return s;
}

std::string SampleRow(int64_t id, bool nulls) {
  std::string row;
  RowWriter w(&row, 6);
  w.Int64(id);
  if (nulls) {
    w.Null(), w.Null(), w.Null();
  } else {
    w.Float64(id * 1.5);
    w.Timestamp(-1500000 + id);  // before 1970, with a fraction
    w.Date(19000 + static_cast<int32_t>(id));
  }
  w.Bool(id % 2 == 0);
  w.String("note, \"" + std::to_string(id) + "\"\n");
  w.Finish();
  return row;
}

void AddTrips(FakeApiHost* host) {
  FakeEndpoint e{"trips", "/trips", 1, {}};
  FakeVersion v1{1, true, SampleSchema(), {}};
  for (int64_t id : {1, 2, 3}) v1.rows.emplace_back(std::to_string(id), SampleRow(id, id == 2));
  FakeVersion v2{2, false, SampleSchema(), {}};
  for (int64_t id = 1; id <= 5; ++id)
    v2.rows.emplace_back(std::to_string(id), SampleRow(id, false));
  e.versions = {v1, v2};
  host->Add(std::move(e));
}

}  // namespace sluice::grpcapi::testing
