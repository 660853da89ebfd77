#include "fake_api_host.h"

#include <simdjson.h>

#include <cstddef>
#include <unordered_map>

#include "sluice/row.h"
#include "sluice/status.h"

namespace sluice::rest::testing {

namespace {

// One version as views see it; immutable once built (readiness lives in
// the endpoint record, under the host's mutex).
struct VersionRec {
  FakeVersion data;
  std::unique_ptr<SchemaView> c_schema;
  std::unordered_map<std::string, size_t> by_key;

  explicit VersionRec(FakeVersion v) : data(std::move(v)) {
    c_schema = std::make_unique<SchemaView>(data.schema);
    for (size_t i = 0; i < data.rows.size(); ++i) by_key.emplace(data.rows[i].first, i);
  }
  sluice_version_info CInfo(bool ready) const {
    sluice_version_info v{};
    v.struct_size = sizeof v;
    v.version = data.version;
    v.ready = ready ? 1 : 0;
    v.log_end = data.log_end;
    v.cache_offset = data.cache_offset;
    v.rows = data.rows.size();
    v.schema = c_schema->get();
    return v;
  }
};

int32_t Fail(sluice_status* st, Code code, const std::string& message) {
  return Status(code, message).ToC(st);
}

// Reads an unsigned member of the query; absent leaves *out unchanged.
bool QueryUint(simdjson::dom::object& q, const char* key, uint64_t* out, std::string* error) {
  simdjson::dom::element e;
  if (q[key].get(e)) return true;
  if (e.get_uint64().get(*out)) {
    *error =
        std::string(key) + ": expected a non-negative integer, found " + simdjson::to_string(e);
    return false;
  }
  return true;
}

// Sends rows [begin, end) of `v` to fn in batches of two rows.
bool SendRows(const VersionRec& v, size_t begin, size_t end, sluice_rows_fn fn, void* fn_ctx) {
  RowBatchBuilder batch;
  for (size_t i = begin; i < end; ++i) {
    batch.AddRow(v.data.rows[i].second);
    if (batch.row_count() == 2 || i + 1 == end) {
      if (fn(fn_ctx, batch.batch()) == 0) return false;
      batch.Clear();
    }
  }
  return true;
}

}  // namespace

struct FakeApiHost::EndpointRec {
  std::string name, path;
  uint32_t current = 0;
  bool pinned = false;
  std::vector<std::shared_ptr<const VersionRec>> versions;
  std::vector<bool> ready;

  int IndexOf(uint32_t version) const {
    for (size_t i = 0; i < versions.size(); ++i)
      if (versions[i]->data.version == version) return static_cast<int>(i);
    return -1;
  }
};

struct FakeApiHost::View {
  std::string name, path;
  uint32_t current = 0;
  bool pinned = false;
  std::shared_ptr<const VersionRec> version;
};

FakeApiHost::FakeApiHost() {
  c_.struct_size = sizeof c_;
  c_.ctx = this;
  c_.catalog = &CatalogFn;
  c_.acquire = &Acquire;
  c_.release = &Release;
  c_.view_info = &ViewInfo;
  c_.get = &Get;
  c_.count = &Count;
  c_.query = &Query;
  c_.query_info = &QueryInfo;
  c_.set_current = &SetCurrent;
  c_.metrics = &Metrics;
  c_.prune = &Prune;
}

FakeApiHost::~FakeApiHost() = default;

void FakeApiHost::AddEndpoint(FakeEndpoint endpoint) {
  auto rec = std::make_unique<EndpointRec>();
  rec->name = endpoint.name;
  rec->path = endpoint.path;
  rec->current = endpoint.current_version;
  rec->pinned = endpoint.pinned;
  for (FakeVersion& v : endpoint.versions) {
    rec->ready.push_back(v.ready);
    rec->versions.push_back(std::make_shared<const VersionRec>(std::move(v)));
  }
  std::lock_guard<std::mutex> lock(mu_);
  endpoints_.push_back(std::move(rec));
}

void FakeApiHost::SetCurrentDirectly(const std::string& endpoint, uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  FindLocked(endpoint)->current = version;
}

void FakeApiHost::SetReady(const std::string& endpoint, uint32_t version, bool ready) {
  std::lock_guard<std::mutex> lock(mu_);
  EndpointRec* e = FindLocked(endpoint);
  e->ready[e->IndexOf(version)] = ready;
}

std::string FakeApiHost::last_query() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_query_;
}

void FakeApiHost::set_on_query(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  on_query_ = std::move(fn);
}

FakeApiHost::EndpointRec* FakeApiHost::FindLocked(const std::string& name_or_path) {
  bool by_path = !name_or_path.empty() && name_or_path[0] == '/';
  for (auto& e : endpoints_)
    if ((by_path ? e->path : e->name) == name_or_path) return e.get();
  return nullptr;
}

void FakeApiHost::RecordQuery(const char* query, size_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  last_query_.assign(query, size);
}

int32_t FakeApiHost::CatalogFn(void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status*) {
  auto* self = static_cast<FakeApiHost*>(ctx);
  std::lock_guard<std::mutex> lock(self->mu_);
  for (auto& e : self->endpoints_) {
    std::vector<sluice_version_info> versions;
    for (size_t i = 0; i < e->versions.size(); ++i)
      versions.push_back(e->versions[i]->CInfo(e->ready[i]));
    sluice_endpoint_info info{};
    info.struct_size = sizeof info;
    info.name = e->name.c_str();
    info.path = e->path.c_str();
    info.current_version = e->current;
    info.pinned = e->pinned ? 1 : 0;
    info.version_count = static_cast<uint32_t>(versions.size());
    info.versions = versions.data();
    fn(fn_ctx, &info);
  }
  return SLUICE_OK;
}

int32_t FakeApiHost::Acquire(void* ctx, const char* endpoint, uint32_t version, void** view,
                             sluice_status* st) {
  auto* self = static_cast<FakeApiHost*>(ctx);
  std::lock_guard<std::mutex> lock(self->mu_);
  EndpointRec* e = self->FindLocked(endpoint);
  if (e == nullptr) return Fail(st, Code::kNotFound, std::string("no endpoint ") + endpoint);
  uint32_t wanted = version == 0 ? e->current : version;
  if (wanted == 0) return Fail(st, Code::kUnavailable, e->name + " has no current version yet");
  int i = e->IndexOf(wanted);
  if (i < 0)
    return Fail(st, Code::kNotFound, e->name + " has no version " + std::to_string(wanted));
  if (!e->ready[i])
    return Fail(
        st, Code::kUnavailable,
        e->name + " v" + std::to_string(wanted) + " is not ready: its cache is catching up");
  *view = new View{e->name, e->path, e->current, e->pinned, e->versions[i]};
  self->open_views_.fetch_add(1);
  return SLUICE_OK;
}

void FakeApiHost::Release(void* ctx, void* view) {
  delete static_cast<View*>(view);
  static_cast<FakeApiHost*>(ctx)->open_views_.fetch_sub(1);
}

int32_t FakeApiHost::ViewInfo(void*, void* view,
                              void (*fn)(void*, const sluice_endpoint_info*,
                                         const sluice_version_info*),
                              void* fn_ctx, sluice_status*) {
  auto* v = static_cast<View*>(view);
  sluice_version_info version = v->version->CInfo(true);
  sluice_endpoint_info info{};
  info.struct_size = sizeof info;
  info.name = v->name.c_str();
  info.path = v->path.c_str();
  info.current_version = v->current;
  info.pinned = v->pinned ? 1 : 0;
  info.version_count = 1;
  info.versions = &version;
  fn(fn_ctx, &info, &version);
  return SLUICE_OK;
}

int32_t FakeApiHost::Get(void*, void* view, const char* key, size_t key_size, sluice_rows_fn fn,
                         void* fn_ctx, sluice_status* st) {
  const VersionRec& v = *static_cast<View*>(view)->version;
  auto it = v.by_key.find(std::string(key, key_size));
  if (it == v.by_key.end())
    return Fail(st, Code::kNotFound, "no record with key \"" + std::string(key, key_size) + "\"");
  SendRows(v, it->second, it->second + 1, fn, fn_ctx);
  return SLUICE_OK;
}

int32_t FakeApiHost::Count(void* ctx, void* view, const char* query, size_t query_size,
                           uint64_t* count, sluice_status* st) {
  static_cast<FakeApiHost*>(ctx)->RecordQuery(query, query_size);
  simdjson::dom::parser parser;
  simdjson::dom::object q;
  if (parser.parse(query, query_size).get(q))
    return Fail(st, Code::kInvalidArgument, "query is not a JSON object");
  simdjson::dom::element filter;
  simdjson::dom::object members;
  if (!q["$filter"].get(filter) && (filter.get(members) || members.size() != 0))
    return Fail(st, Code::kUnimplemented, "the test host counts only with an empty $filter");
  *count = static_cast<View*>(view)->version->data.rows.size();
  return SLUICE_OK;
}

void FakeApiHost::set_plan(std::string plan, bool scan) {
  std::lock_guard<std::mutex> lock(mu_);
  plan_ = std::move(plan);
  plan_scan_ = scan;
}

void FakeApiHost::set_abi_1_0() { c_.struct_size = offsetof(sluice_api_host, query_info); }

int32_t FakeApiHost::Query(void* ctx, void* view, const char* query, size_t query_size,
                           sluice_rows_fn fn, void* fn_ctx, sluice_status* st) {
  uint64_t examined = 0;
  return RunQuery(ctx, view, query, query_size, fn, fn_ctx, &examined, st);
}

int32_t FakeApiHost::QueryInfo(void* ctx, void* view, const char* query, size_t query_size,
                               sluice_rows_fn fn, void* fn_ctx,
                               void (*info_fn)(void*, const char*, const char*), void* info_ctx,
                               sluice_status* st) {
  auto* self = static_cast<FakeApiHost*>(ctx);
  uint64_t examined = 0;
  int32_t rc = RunQuery(ctx, view, query, query_size, fn, fn_ctx, &examined, st);
  if (rc == SLUICE_OK && info_fn != nullptr) {  // like the host: no plan for a malformed query
    std::string plan;
    bool scan;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      plan = self->plan_, scan = self->plan_scan_;
    }
    info_fn(info_ctx, "plan", plan.c_str());
    info_fn(info_ctx, "scan", scan ? "true" : "false");
    info_fn(info_ctx, "examined", std::to_string(examined).c_str());
  }
  return rc;
}

int32_t FakeApiHost::RunQuery(void* ctx, void* view, const char* query, size_t query_size,
                              sluice_rows_fn fn, void* fn_ctx, uint64_t* examined,
                              sluice_status* st) {
  auto* self = static_cast<FakeApiHost*>(ctx);
  self->RecordQuery(query, query_size);
  std::function<void()> hook;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    hook = self->on_query_;
  }
  if (hook) hook();
  simdjson::dom::parser parser;
  simdjson::dom::object q;
  if (parser.parse(query, query_size).get(q))
    return Fail(st, Code::kInvalidArgument, "query is not a JSON object");
  uint64_t limit = 50, skip = 0;
  std::string error;
  if (!QueryUint(q, "$limit", &limit, &error) || !QueryUint(q, "$skip", &skip, &error))
    return Fail(st, Code::kInvalidArgument, error);
  const VersionRec& v = *static_cast<View*>(view)->version;
  size_t begin = std::min<uint64_t>(skip, v.data.rows.size());
  size_t end = std::min<uint64_t>(begin + limit, v.data.rows.size());
  *examined = end;
  SendRows(v, begin, end, fn, fn_ctx);
  return SLUICE_OK;
}

int32_t FakeApiHost::SetCurrent(void* ctx, const char* endpoint, uint32_t version,
                                sluice_status* st) {
  auto* self = static_cast<FakeApiHost*>(ctx);
  std::lock_guard<std::mutex> lock(self->mu_);
  EndpointRec* e = self->FindLocked(endpoint);
  if (e == nullptr) return Fail(st, Code::kNotFound, std::string("no endpoint ") + endpoint);
  if (version == 0) {  // unpin: follow the newest ready version
    for (size_t i = e->versions.size(); i-- > 0;)
      if (e->ready[i]) {
        e->current = e->versions[i]->data.version;
        break;
      }
    e->pinned = false;
    return SLUICE_OK;
  }
  int i = e->IndexOf(version);
  if (i < 0)
    return Fail(st, Code::kNotFound, e->name + " has no version " + std::to_string(version));
  if (!e->ready[i])
    return Fail(st, Code::kFailedPrecondition,
                e->name + " v" + std::to_string(version) + " is not ready");
  e->current = version;
  return SLUICE_OK;
}

void FakeApiHost::set_metrics_text(std::string text) {
  std::lock_guard<std::mutex> lock(mu_);
  metrics_text_ = std::move(text);
}

std::vector<std::string> FakeApiHost::prune_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return prune_calls_;
}

int32_t FakeApiHost::Metrics(void* ctx, void (*fn)(void*, const char*, size_t), void* fn_ctx,
                             sluice_status*) {
  auto* self = static_cast<FakeApiHost*>(ctx);
  std::string text;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    text = self->metrics_text_;
  }
  fn(fn_ctx, text.data(), text.size());
  return SLUICE_OK;
}

int32_t FakeApiHost::Prune(void* ctx, const char* endpoint, uint32_t keep,
                           void (*fn)(void*, const char*), void* fn_ctx, sluice_status* st) {
  auto* self = static_cast<FakeApiHost*>(ctx);
  std::lock_guard<std::mutex> lock(self->mu_);
  std::string name = endpoint != nullptr ? endpoint : "";
  self->prune_calls_.push_back(name + " " + std::to_string(keep));
  if (keep == 0) return Fail(st, Code::kInvalidArgument, "keep must be at least 1");
  if (!name.empty() && self->FindLocked(name) == nullptr)
    return Fail(st, Code::kNotFound, "no endpoint \"" + name + "\"");
  for (auto& e : self->endpoints_) {
    if (!name.empty() && e->name != name) continue;
    size_t n = e->versions.size();
    for (size_t i = n; i-- > 0;) {
      uint32_t v = e->versions[i]->data.version;
      if (i + keep >= n || v == e->current) continue;
      fn(fn_ctx, (e->name + ": pruned v" + std::to_string(v)).c_str());
      e->versions.erase(e->versions.begin() + static_cast<std::ptrdiff_t>(i));
      e->ready.erase(e->ready.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  return SLUICE_OK;
}

Schema TypedSchema() {
  Schema s;
  s.fields = {{"id", Type::kInt64, false},     {"fare", Type::kFloat64, true},
              {"paid", Type::kBool, false},    {"note", Type::kString, true},
              {"at", Type::kTimestamp, false}, {"day", Type::kDate, true}};
  s.primary_key = {0};
  return s;
}

namespace {

std::pair<std::string, std::string> TypedRow(int64_t id, bool nulls, double fare, bool paid,
                                             const std::string& note, int64_t at, int32_t day) {
  std::string row;
  RowWriter w(&row, 6);
  w.Int64(id);
  nulls ? w.Null() : w.Float64(fare);
  w.Bool(paid);
  nulls ? w.Null() : w.String(note);
  w.Timestamp(at);
  nulls ? w.Null() : w.Date(day);
  return {std::to_string(id), row};
}

std::pair<std::string, std::string> PairRow(const std::string& key, const std::string& text) {
  std::string row;
  RowWriter w(&row, 2);
  w.String(key);
  w.String(text);
  return {key, row};
}

}  // namespace

void AddSampleEndpoints(FakeApiHost* host) {
  FakeVersion t1;
  t1.version = 1;
  t1.schema.fields = {{"trip_id", Type::kInt64, false}, {"name", Type::kString, false}};
  t1.schema.primary_key = {0};
  for (int id : {10, 11, 12}) {
    std::string row;
    RowWriter w(&row, 2);
    w.Int64(id);
    w.String("trip " + std::to_string(id));
    t1.rows.emplace_back(std::to_string(id), row);
  }
  t1.log_end = 300;
  t1.cache_offset = 300;
  FakeVersion t2;
  t2.version = 2;
  t2.schema = TypedSchema();
  t2.rows = {TypedRow(1, false, 12.75, true, "tab\there \"q\"", 1706711295123456, 19753),
             TypedRow(2, true, 0, false, "", 0, 0),
             TypedRow(3, false, 0.1, true, "ctl\x01 caf\xc3\xa9 back\\slash\nnew", -1, -1),
             TypedRow(4, false, -2.5, false, "four", 86400000000, 1),
             TypedRow(5, false, 1e21, true, "five", 1000000, 2)};
  t2.log_end = 1000;
  t2.cache_offset = 900;
  host->AddEndpoint({"trips", "/trips", 2, false, {t1, t2}});

  FakeVersion z1;
  z1.version = 1;
  z1.schema.fields = {{"zone", Type::kString, false}, {"borough", Type::kString, true}};
  z1.schema.primary_key = {0};
  z1.rows = {PairRow("Upper East/Side", "Manhattan"), PairRow("Midtown", "Manhattan")};
  FakeVersion z2 = z1;
  z2.version = 2;
  z2.ready = false;
  host->AddEndpoint({"zones", "/geo/zones", 1, true, {z1, z2}});
}

}  // namespace sluice::rest::testing
