// Aggregate requests (docs/aggregates.md): groups of rows by the values of
// some fields, with measures (count, sum, min, max, avg) per group, over a
// $filter of the query language. Answered from a declared aggregate the
// cache maintains when one matches (O(groups)), else by reading the
// matching rows under the query bounds (an ad-hoc aggregate).
//
//   AggregateRequest r;
//   Status s = ParseAggregate(R"({"$group_by": ["zone"], "$measures": ["count"]})",
//                             cache.schema(), QueryLimits(), &r);
//   std::string json;   // [{"zone": 1, "count": 7}, ...]
//   QueryPlanInfo info; // "aggregate [zone] maintained" or "aggregate ad hoc: scan"
//   if (s.ok()) s = RunAggregate(cache, r, &json, &info);
#ifndef SLUICE_HOST_QUERY_AGGREGATE_ENGINE_H_
#define SLUICE_HOST_QUERY_AGGREGATE_ENGINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "cache/version_cache.h"
#include "config/query_limits.h"
#include "core/aggregate.h"
#include "core/table_schema.h"
#include "query/query.h"
#include "query/query_engine.h"

namespace sluice::host {

struct AggregateRequest {
  std::vector<uint32_t> group_by;
  std::vector<Measure> measures;  // at least one; default [count]
  // The $filter with the query bounds (scan and filter budgets, deadline,
  // cancellation); its order, limit and skip are unused.
  Query query;
  uint32_t limit = 50;     // groups per answer
  bool has_after = false;  // $after: answer the groups after this one
  std::string after_key;   // its group_by values, key-encoded (core/keycodec.h)
};

// Parses `json` ({"$group_by": [...], "$measures": [...], "$filter": {...},
// "$limit": n, "$after": {...}}) against `schema`. INVALID_ARGUMENT naming
// the key or field and what is valid; $filter errors are the query's.
Status ParseAggregate(std::string_view json, const TableSchema& schema, const QueryLimits& limits,
                      AggregateRequest* out);

// Runs `r` on one snapshot of `cache`: *json gets a JSON array of group
// objects (the group_by fields, then each measure by its name, e.g.
// "sum(fare_amount)"), ordered by the group_by values as keys order,
// at most r.limit of them, after r.after_key. `info` (may be null) says
// which path answered. Errors as RunQuery for an ad-hoc aggregate. With
// `allow_maintained` false the rows are always read (for tests comparing
// the two paths).
Status RunAggregate(VersionCache& cache, const AggregateRequest& r, std::string* json,
                    QueryPlanInfo* info, bool allow_maintained = true);

// The declared aggregate of `t` that answers `r` from maintained state, or
// -1: same group_by, each measure declared (avg(f) when sum(f) or avg(f)
// is; min(f) and max(f) when either is), and a filter on group_by fields
// only.
int MaintainedAggregateFor(const TableSchema& t, const AggregateRequest& r);

}  // namespace sluice::host

#endif  // SLUICE_HOST_QUERY_AGGREGATE_ENGINE_H_
