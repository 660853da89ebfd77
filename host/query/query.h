// A parsed, type-checked query (docs/query.md): filter tree, total order,
// page window and cursor. Built by ParseQuery (query_engine.h) from JSON;
// every literal already has its field's type, so evaluation never fails.
#ifndef SLUICE_HOST_QUERY_QUERY_H_
#define SLUICE_HOST_QUERY_QUERY_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/row.h"

namespace sluice::host {

// A typed constant from a query. Owns its string bytes (unlike Value).
struct Literal {
  bool null = true;
  int64_t i = 0;  // int64, timestamp (micros), date (days), bool (0/1)
  double f = 0;   // float64
  std::string s;  // string

  // A Value of type `t` that points into this literal; valid while it lives
  // unchanged.
  Value AsValue(Type t) const {
    Value v;
    v.type = t;
    v.null = null;
    v.i = i;
    v.f = f;
    v.str = s;
    return v;
  }
};

enum class CompareOp {
  kEq,
  kNe,
  kLt,
  kLte,
  kGt,
  kGte,
  kIn,
  kContains,
  // Full text (docs/full_text.md): `values` holds the operand's tokens.
  kMatchesAll,
  kMatchesAny,
  kPrefix
};

// "$eq", "$ne", ... as written in queries.
const char* CompareOpName(CompareOp op);

// One test of one field. `values` has one element except for kIn (any
// number, nulls allowed).
struct Predicate {
  uint32_t field = 0;
  CompareOp op = CompareOp::kEq;
  std::vector<Literal> values;
};

// A filter tree. kAnd with no children matches every row; kOr with none
// matches no row.
struct FilterNode {
  enum Kind { kAnd, kOr, kNot, kPredicate };
  Kind kind = kAnd;
  std::vector<FilterNode> children;  // kAnd, kOr: any number; kNot: exactly one
  Predicate predicate;               // kPredicate
};

struct OrderTerm {
  uint32_t field = 0;
  bool descending = false;
};

struct Query {
  FilterNode filter;
  // The full order: $order_by terms up to the one that completes the
  // primary key, then the primary-key fields not already named (in the
  // direction of the last $order_by term; ascending without one), so the
  // order is total.
  std::vector<OrderTerm> order;
  size_t order_by_terms = 0;  // how many of `order` came from $order_by
  uint32_t limit = 50;
  uint64_t skip = 0;
  bool has_after = false;
  // $rank: ordered by relevance (TextScore, highest first), then `order`.
  bool rank = false;
  // Cursor values, one per `order` term (same positions).
  std::vector<Literal> after;
  // $select: the fields to hand out, in the order named (empty = every
  // field). Rows still carry every field; APIs write only these.
  std::vector<uint32_t> select;
  // Rows or index entries the query may examine (QueryLimits::scan_budget).
  uint64_t scan_budget = 1000000;
  // Filter evaluations it may make (QueryLimits::filter_budget).
  uint64_t filter_budget = 100000000;
  // When it must have finished (QueryLimits::timeout_ms from parsing);
  // time_point::max() = never. Checked while rows are read.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  uint32_t timeout_ms = 0;  // what `deadline` came from, for messages
  // Polled with cancel_ctx while rows are read (null = never): nonzero
  // ends the query with CANCELLED (its client left).
  int32_t (*cancelled)(void*) = nullptr;
  void* cancel_ctx = nullptr;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_QUERY_QUERY_H_
