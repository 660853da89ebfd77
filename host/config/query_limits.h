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

  bool operator==(const QueryLimits& o) const {
    return default_limit == o.default_limit && max_limit == o.max_limit &&
           scan_budget == o.scan_budget;
  }
  bool operator!=(const QueryLimits& o) const { return !(*this == o); }
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CONFIG_QUERY_LIMITS_H_
