// Reads through a pinned view: view_info, get, count, query and query_info,
// each applying the restriction of the view's caller (row filter and field
// list, host/access/restriction.h); change feeds are in api_feeds.cc. See
// api_host_internal.h.
#include <chrono>
#include <vector>

#include "query/query_filter.h"
#include "registry/api_host_internal.h"
#include "sluice/json.h"
#include "sluice/row.h"

namespace sluice::host {
namespace api_internal {
namespace {

ViewHandle* Handle(void* view) { return static_cast<ViewHandle*>(view); }

const TableSchema& TableOf(const ViewHandle& h) { return h.version->meta.table_schema; }

// Parses a client query for the view, restricted to what its caller may see.
Status Parse(void* ctx, const ViewHandle& h, std::string_view json, Query* q) {
  SLUICE_RETURN_IF_ERROR(ParseQuery(json, TableOf(h), Req(ctx)->host->limits(), q));
  return BindQuery(ctx, h, q);
}

}  // namespace

Status Checked(void* ctx, ViewHandle* h, Status s) {
  Registry* registry = Req(ctx)->host->registry();
  if (s.code() == Code::kDataLoss && registry != nullptr)
    registry->ReportCorruptCache(h->endpoint, h->version->meta.version, s.message());
  return s;
}

Status BindQuery(void* ctx, const ViewHandle& h, Query* q) {
  const Request& r = *Req(ctx);
  if (r.timeout_ms > 0 && (q->timeout_ms == 0 || r.timeout_ms < q->timeout_ms)) {
    q->timeout_ms = r.timeout_ms;
    q->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(r.timeout_ms);
  }
  q->cancelled = r.cancelled;
  q->cancel_ctx = r.cancel_ctx;
  if (h.restriction == nullptr) return Status();
  return Restrict(*h.restriction, TableOf(h).schema, q);
}

namespace {

// Passes result batches on, with hidden fields nulled when the view's
// caller has a field list.
class Rows {
 public:
  Rows(const ViewHandle& h, sluice_rows_fn fn, void* fn_ctx)
      : r_(h.restriction.get()), schema_(TableOf(h).schema), fn_(fn), fn_ctx_(fn_ctx) {}
  bool operator()(const sluice_row_batch& rows) {
    if (r_ == nullptr || !r_->masks) return fn_(fn_ctx_, &rows) != 0;
    out_.Clear();
    for (uint32_t i = 0; i < rows.row_count; ++i) {
      if (!DecodeRow(schema_, BatchRow(rows, i), &decoded_).empty()) {
        error_ = DataLoss("cache row does not match the schema");
        return false;
      }
      MaskRow(*r_, decoded_, &masked_);
      out_.AddRow(masked_);
    }
    return fn_(fn_ctx_, out_.batch(0, rows.at_end != 0)) != 0;
  }
  Status error() const { return error_; }

 private:
  const Restriction* r_;
  const Schema& schema_;
  sluice_rows_fn fn_;
  void* fn_ctx_;
  RowBatchBuilder out_;
  std::vector<Value> decoded_;
  std::string masked_;
  Status error_;
};

// "3,0": field numbers, for the "select" and "cursor" keys of query_info.
std::string FieldNumbers(const std::vector<uint32_t>& fields) {
  std::string out;
  for (uint32_t f : fields) out += (out.empty() ? "" : ",") + std::to_string(f);
  return out;
}

std::string Where(const ViewHandle& h) {
  return h.endpoint + " v" + std::to_string(h.version->meta.version);
}

}  // namespace

void Release(void* ctx, void* view) {
  delete Handle(view);
  Req(ctx)->host->ViewReleased();
}

int32_t ViewInfo(void*, void* view,
                 void (*fn)(void*, const sluice_endpoint_info*, const sluice_version_info*),
                 void* fn_ctx, sluice_status* st) {
  ViewHandle* h = Handle(view);
  const ServedVersion& sv = *h->version;
  sluice_version_info v{};
  v.struct_size = sizeof v;
  v.version = sv.meta.version;
  v.ready = sv.ready ? 1 : 0;
  v.log_end = sv.log->end();
  v.cache_offset = sv.cache->applied();
  v.rows = sv.cache->rows();
  v.created_at = sv.meta.created_at.c_str();
  v.schema = h->restriction != nullptr ? h->restriction->c_schema->get() : sv.c_schema->get();
  sluice_endpoint_info e{};
  e.struct_size = sizeof e;
  e.name = h->endpoint.c_str();
  e.path = h->path.c_str();
  e.current_version = h->current;
  e.pinned = h->pinned ? 1 : 0;
  e.version_count = 1;
  e.versions = &v;
  fn(fn_ctx, &e, &v);
  return Status().ToC(st);
}

int32_t Get(void* ctx, void* view, const char* key, size_t key_size, sluice_rows_fn fn,
            void* fn_ctx, sluice_status* st) {
  ViewHandle* h = Handle(view);
  std::string_view text(key, key_size);
  std::string row;
  Status s = Checked(ctx, h, GetByKey(*h->version->cache, text, &row));
  const Restriction* r = h->restriction.get();
  std::vector<Value> decoded;
  if (s.ok() && r != nullptr) {
    if (!DecodeRow(TableOf(*h).schema, row, &decoded).empty())
      s = DataLoss("cache row does not match the schema");
    else if (!Admits(*r, decoded)) {  // the same answer as for a row that does not exist
      std::string quoted;
      AppendJsonString(&quoted, text);
      s = NotFound("no record with key " + quoted);
    }
  }
  if (!s.ok()) return s.WithContext(Where(*h)).ToC(st);
  std::string masked;
  RowBatchBuilder b;
  b.AddRow(r != nullptr && MaskRow(*r, decoded, &masked) ? masked : row);
  fn(fn_ctx, b.batch());
  return SLUICE_OK;
}

int32_t Count(void* ctx, void* view, const char* query, size_t size, uint64_t* count,
              sluice_status* st) {
  ViewHandle* h = Handle(view);
  Query q;
  Status s = Parse(ctx, *h, std::string_view(query, size), &q);
  QueryPlanInfo info;
  if (s.ok()) s = Checked(ctx, h, CountQuery(*h->version->cache, q, count, &info));
  return s.ToC(st);
}

int32_t QueryInfoFn(void* ctx, void* view, const char* query, size_t size, sluice_rows_fn fn,
                    void* fn_ctx, void (*info_fn)(void*, const char*, const char*), void* info_ctx,
                    sluice_status* st) {
  ViewHandle* h = Handle(view);
  Query q;
  Status s = Parse(ctx, *h, std::string_view(query, size), &q);
  QueryPlanInfo info;
  Rows rows(*h, fn, fn_ctx);
  if (s.ok() && info_fn != nullptr) {  // before the first rows: APIs write rows with them
    if (!q.select.empty()) info_fn(info_ctx, "select", FieldNumbers(q.select).c_str());
    std::vector<uint32_t> cursor;
    for (const OrderTerm& t : q.order) cursor.push_back(t.field);
    info_fn(info_ctx, "cursor", FieldNumbers(cursor).c_str());
  }
  if (s.ok())
    s = Checked(
        ctx, h,
        RunQuery(
            *h->version->cache, q, [&](const sluice_row_batch& b) { return rows(b); }, &info));
  if (s.ok()) s = rows.error();
  if (info_fn != nullptr && !info.plan.empty()) {
    info_fn(info_ctx, "plan", info.plan.c_str());
    info_fn(info_ctx, "scan", info.scan ? "true" : "false");
    info_fn(info_ctx, "examined", std::to_string(info.examined).c_str());
  }
  return s.ToC(st);
}

int32_t RunQ(void* ctx, void* view, const char* query, size_t size, sluice_rows_fn fn, void* fn_ctx,
             sluice_status* st) {
  return QueryInfoFn(ctx, view, query, size, fn, fn_ctx, nullptr, nullptr, st);
}

}  // namespace api_internal
}  // namespace sluice::host
