// The query planner: picks the access path (primary key or a secondary
// index) and the key range to read, decides whether that path already
// yields rows in query order, and what remains to evaluate per row.
// docs/query.md, "Plans" describes the rules.
#ifndef SLUICE_HOST_QUERY_QUERY_PLAN_H_
#define SLUICE_HOST_QUERY_QUERY_PLAN_H_

#include <string>
#include <vector>

#include "core/table_schema.h"
#include "query/query.h"

namespace sluice::host {

struct AccessPlan {
  int index = -1;                // -1: the primary key; else a secondary index number
  std::vector<uint32_t> fields;  // the path's key fields (secondary: the pk follows)
  size_t eq_count = 0;           // leading fields bound by equality
  bool has_range = false;        // fields[eq_count] bounded by $lt/$lte/$gt/$gte
  std::string lower, upper;      // cache keys to read: [lower, upper)
  // fields[eq_count] bound by an $in of several values: instead of
  // [lower, upper), read these disjoint ranges, ascending (descending when
  // `reverse`), each within [lower, upper). Empty: one range.
  std::vector<std::pair<std::string, std::string>> probes;
  bool has_in = false;
  bool reverse = false;       // read the range backwards
  bool order_served = false;  // the path yields rows in query order
  bool seek_after = false;    // the range already starts after the $after cursor
  // Top-level conjuncts the range does not imply; evaluated on each row.
  std::vector<const FilterNode*> residual;
  // A full-text path (docs/full_text.md): instead of the whole primary key,
  // read the rows whose keys the postings of this $matches_all,
  // $matches_any or $prefix conjunct (on a field with a full-text index)
  // name, within [lower, upper) and in key order (reversed when
  // `reverse`). The conjunct stays in `residual`: each row is checked.
  const Predicate* text = nullptr;

  bool scan() const { return eq_count == 0 && !has_range && !has_in && text == nullptr; }
  // True when rows need no per-row test (filter and cursor are in the range).
  bool exact(const Query& q) const { return residual.empty() && (!q.has_after || seek_after); }
};

// Plans `q`. With `for_count`, the order only matters for an $after cursor.
// Never fails: without a usable index the plan is a scan of the primary key.
void PlanQuery(const TableSchema& t, const Query& q, bool for_count, AccessPlan* out);

// "scan", "primary key range", "index [a, b] eq+range", plus " reverse",
// " + filter" and " + sort" (when sorted != order_served).
std::string DescribePlan(const TableSchema& t, const Query& q, const AccessPlan& p, bool sorted);

// The advice for a query over the scan budget: the index to add, or how to
// narrow the query. `budget` is the limit that was exceeded.
std::string BudgetMessage(const TableSchema& t, const Query& q, const AccessPlan& p,
                          uint64_t budget, bool sorted);

}  // namespace sluice::host

#endif  // SLUICE_HOST_QUERY_QUERY_PLAN_H_
