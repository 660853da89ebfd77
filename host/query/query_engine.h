// The host's query engine: parses JSON queries (docs/query.md) against an
// endpoint version's schema and runs them on its VersionCache. REST and gRPC
// both go through here, so every API answers a query the same way.
//
//   Query q;
//   Status s = ParseQuery(R"({"$filter": {"pickup_zone_id": 7}, "$limit": 10})",
//                         cache.schema(), QueryLimits(), &q);
//   QueryPlanInfo info;
//   if (s.ok()) s = RunQuery(cache, q, [&](const sluice_row_batch& rows) {
//     ... BatchRow(rows, i) ...
//     return true;   // false stops early
//   }, &info);
//
// Thread-safety: every function may run concurrently with other queries and
// with one VersionCache::Apply; each reads one consistent snapshot.
#ifndef SLUICE_HOST_QUERY_QUERY_ENGINE_H_
#define SLUICE_HOST_QUERY_QUERY_ENGINE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "cache/version_cache.h"
#include "config/query_limits.h"
#include "core/table_schema.h"
#include "query/query.h"
#include "sluice/function_ref.h"
#include "sluice/row.h"
#include "sluice/status.h"

namespace sluice::host {

// What a query did, for logs, metrics and `explain`-style output.
struct QueryPlanInfo {
  // The access path, then what was added to it, e.g. "scan",
  // "primary key range", "index [pickup_zone_id] eq + filter + sort",
  // "index [payment_type, fare_amount] eq+range reverse" (docs/query.md, "Plans").
  std::string plan;
  bool scan = false;      // the access path had no bound: every row was a candidate
  uint64_t examined = 0;  // rows or index entries read
};

// Parses and type-checks `json` (an object with $filter, $order_by, $limit,
// $skip, $after; empty text means {}) against `schema`. INVALID_ARGUMENT
// with a message naming the offending key or field, the expected and the
// found type, and what is valid. *out is unspecified on error.
Status ParseQuery(std::string_view json, const TableSchema& schema, const QueryLimits& limits,
                  Query* out);

// Runs `q` on one snapshot of `cache`. Rows arrive in query order in
// batches built by RowBatchBuilder; the last batch has at_end set (it may
// be empty). fn returns false to stop (no further call, OK returned).
// RESOURCE_EXHAUSTED when more than q.scan_budget rows would be examined,
// with a hint naming the index to add. `info` (may be null) is filled on
// success and on error.
// REQUIRES: q was parsed against cache.schema().
Status RunQuery(VersionCache& cache, const Query& q, FunctionRef<bool(const sluice_row_batch&)> fn,
                QueryPlanInfo* info);

// Number of rows `q` would return with no $limit and no $skip ($filter and
// $after apply). Errors as RunQuery. `info` may be null.
Status CountQuery(VersionCache& cache, const Query& q, uint64_t* count, QueryPlanInfo* info);

// Calls fn with every row matching q's $filter and $after (decoded against
// the cache's schema), in plan order, on one snapshot, under q's scan and
// filter budgets, deadline and cancellation (errors as RunQuery). The
// query's order, $limit and $skip do not apply. `info` may be null.
Status ScanMatching(VersionCache& cache, const Query& q,
                    FunctionRef<void(const std::vector<Value>& row)> fn, QueryPlanInfo* info);

// Looks up one row by primary-key text (docs/query.md, "Keys"; values in key
// order separated by ',', '\' escapes ',' and '\'). INVALID_ARGUMENT when the
// text does not parse, NOT_FOUND ("no record with key \"...\"") when absent.
Status GetByKey(VersionCache& cache, std::string_view key_text, std::string* row);

}  // namespace sluice::host

#endif  // SLUICE_HOST_QUERY_QUERY_ENGINE_H_
