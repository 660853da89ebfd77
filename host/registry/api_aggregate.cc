// Aggregates through a pinned view (sluice_api_host.aggregate): the
// request is parsed against the version's schema, bound to the caller
// (bounds, row filter; a hidden field is refused as an unknown one) and
// answered by the query engine (query/aggregate_engine.h).
#include "query/aggregate_engine.h"
#include "registry/api_host_internal.h"

namespace sluice::host {
namespace api_internal {

int32_t Aggregate(void* ctx, void* view, const char* request, size_t size,
                  void (*fn)(void*, const char*, size_t), void* fn_ctx,
                  void (*info_fn)(void*, const char*, const char*), void* info_ctx,
                  sluice_status* st) {
  ViewHandle* h = static_cast<ViewHandle*>(view);
  const TableSchema& t = h->version->meta.table_schema;
  AggregateRequest r;
  Status s = ParseAggregate(std::string_view(request, size), t, Req(ctx)->host->limits(), &r);
  const Restriction* rule = h->restriction.get();
  if (s.ok() && rule != nullptr && rule->masks) {
    std::vector<uint32_t> named = r.group_by;
    for (const Measure& m : r.measures)
      if (m.kind != MeasureKind::kCount) named.push_back(m.field);
    for (uint32_t f : named)
      if (f < rule->visible.size() && !rule->visible[f]) {
        std::string visible;
        for (size_t i = 0; i < rule->visible.size(); ++i)
          if (rule->visible[i]) visible += (visible.empty() ? "" : ", ") + t.schema.fields[i].name;
        s = InvalidArgument("unknown field \"" + t.schema.fields[f].name +
                            "\" in the aggregate; fields: " + visible);
        break;
      }
  }
  if (s.ok()) s = BindQuery(ctx, *h, &r.query);
  std::string json;
  QueryPlanInfo info;
  if (s.ok()) s = Checked(ctx, h, RunAggregate(*h->version->cache, r, &json, &info));
  if (info_fn != nullptr && !info.plan.empty()) {
    info_fn(info_ctx, "plan", info.plan.c_str());
    info_fn(info_ctx, "scan", info.scan ? "true" : "false");
    info_fn(info_ctx, "examined", std::to_string(info.examined).c_str());
  }
  if (s.ok()) fn(fn_ctx, json.data(), json.size());
  return s.ToC(st);
}

}  // namespace api_internal
}  // namespace sluice::host
