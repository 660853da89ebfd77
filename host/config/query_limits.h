// The limits every query runs under (docs/query.md, "Paging" and "Scan
// budget"), set by the config's `query:` section (docs/config.md). A plain
// struct of its own so the config can hold one without the engine.
#ifndef SLUICE_HOST_CONFIG_QUERY_LIMITS_H_
#define SLUICE_HOST_CONFIG_QUERY_LIMITS_H_

#include <cstdint>

namespace sluice::host {

struct QueryLimits {
  uint32_t default_limit = 50;     // $limit when the query has none; <= max_limit
  uint32_t max_limit = 10000;      // larger $limit is INVALID_ARGUMENT
  uint64_t scan_budget = 1000000;  // rows (or index entries) one query may examine
  // Filter evaluations one query may make: each row the $filter is tested
  // on costs its predicates (an $in as many as it has values). Bounds what
  // the scan budget cannot: a huge $filter over rows it may examine.
  uint64_t filter_budget = 100000000;
  uint32_t max_filter_terms = 10000;   // predicates, $and/$or branches and $in values in a $filter
  uint64_t max_skip = 100000;          // larger $skip is INVALID_ARGUMENT (page with $after)
  uint64_t max_query_bytes = 1 << 20;  // longer query text is INVALID_ARGUMENT
  uint32_t timeout_ms = 30000;         // a query running longer ends DEADLINE_EXCEEDED; 0 = none
  // MiB of rows each endpoint version's row cache keeps for queries that
  // read rows through a secondary index (cache/row_cache.h); 0 = none.
  uint32_t row_cache_mb = 32;

  bool operator==(const QueryLimits& o) const {
    return default_limit == o.default_limit && max_limit == o.max_limit &&
           scan_budget == o.scan_budget && filter_budget == o.filter_budget &&
           max_filter_terms == o.max_filter_terms && max_skip == o.max_skip &&
           max_query_bytes == o.max_query_bytes && timeout_ms == o.timeout_ms &&
           row_cache_mb == o.row_cache_mb;
  }
  bool operator!=(const QueryLimits& o) const { return !(*this == o); }
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CONFIG_QUERY_LIMITS_H_
