#include "query/query_filter.h"

#include <cstring>

#include "core/keycodec.h"
#include "core/text_tokens.h"

namespace sluice::host {
namespace {

// The float64 key transform (core/keycodec.h): unsigned order = numeric order.
uint64_t FloatOrderBits(double f) {
  double d = f == 0 ? 0.0 : f;
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return (bits >> 63) ? ~bits : bits ^ (1ull << 63);
}

template <class T>
int Three(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Appends one term's key bytes, inverted when descending.
void AppendTerm(std::string* out, const Value& v, bool descending) {
  size_t from = out->size();
  AppendKeyValue(out, v);
  if (!descending) return;
  for (size_t i = from; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
}

}  // namespace

const char* CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "$eq";
    case CompareOp::kNe: return "$ne";
    case CompareOp::kLt: return "$lt";
    case CompareOp::kLte: return "$lte";
    case CompareOp::kGt: return "$gt";
    case CompareOp::kGte: return "$gte";
    case CompareOp::kIn: return "$in";
    case CompareOp::kContains: return "$contains";
    case CompareOp::kMatchesAll: return "$matches_all";
    case CompareOp::kMatchesAny: return "$matches_any";
    case CompareOp::kPrefix: return "$prefix";
  }
  return "?";
}

int CompareValues(const Value& a, const Value& b) {
  if (a.null || b.null) return Three(!a.null, !b.null);
  switch (a.type) {
    case Type::kFloat64: return Three(FloatOrderBits(a.f), FloatOrderBits(b.f));
    case Type::kString: {
      int c = a.str.compare(b.str);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default: return Three(a.i, b.i);
  }
}

bool MatchesText(const Predicate& p, std::string_view text) {
  thread_local std::vector<std::string> words;
  words.clear();
  Tokenize(text, &words);
  auto has = [&](const std::string& t, bool prefix) {
    for (const std::string& w : words)
      if (prefix ? w.compare(0, t.size(), t) == 0 : w == t) return true;
    return false;
  };
  size_t n = p.values.size();
  for (size_t i = 0; i < n; ++i) {
    bool found = has(p.values[i].s, p.op == CompareOp::kPrefix && i + 1 == n);
    if (p.op == CompareOp::kMatchesAny && found) return true;
    if (p.op != CompareOp::kMatchesAny && !found) return false;
  }
  return p.op != CompareOp::kMatchesAny;
}

size_t TextScoreTerms(const FilterNode& n) {
  if (n.kind == FilterNode::kPredicate)
    return n.predicate.op == CompareOp::kMatchesAll || n.predicate.op == CompareOp::kMatchesAny ||
           n.predicate.op == CompareOp::kPrefix;
  size_t sum = 0;
  for (const FilterNode& c : n.children) sum += TextScoreTerms(c);
  return sum;
}

uint64_t TextScore(const FilterNode& node, const std::vector<Value>& row) {
  if (node.kind != FilterNode::kPredicate) {
    uint64_t sum = 0;
    for (const FilterNode& c : node.children) sum += TextScore(c, row);
    return sum;
  }
  const Predicate& p = node.predicate;
  if (p.op != CompareOp::kMatchesAll && p.op != CompareOp::kMatchesAny &&
      p.op != CompareOp::kPrefix)
    return 0;
  const Value& v = row[p.field];
  if (v.null) return 0;
  thread_local std::vector<std::string> words;
  words.clear();
  Tokenize(v.str, &words);
  uint64_t score = 0;
  size_t n = p.values.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string& t = p.values[i].s;
    bool prefix = p.op == CompareOp::kPrefix && i + 1 == n;
    for (const std::string& w : words) score += (prefix ? w.compare(0, t.size(), t) == 0 : w == t);
  }
  return score;
}

bool MatchesPredicate(const Predicate& p, const std::vector<Value>& row) {
  const Value& v = row[p.field];
  auto cmp = [&](const Literal& l) { return CompareValues(v, l.AsValue(v.type)); };
  switch (p.op) {
    case CompareOp::kEq: return cmp(p.values[0]) == 0;
    case CompareOp::kNe: return cmp(p.values[0]) != 0;
    case CompareOp::kLt: return !v.null && cmp(p.values[0]) < 0;
    case CompareOp::kLte: return !v.null && cmp(p.values[0]) <= 0;
    case CompareOp::kGt: return !v.null && cmp(p.values[0]) > 0;
    case CompareOp::kGte: return !v.null && cmp(p.values[0]) >= 0;
    case CompareOp::kIn:
      for (const Literal& l : p.values)
        if (cmp(l) == 0) return true;
      return false;
    case CompareOp::kContains:
      return !v.null && v.str.find(p.values[0].s) != std::string_view::npos;
    case CompareOp::kMatchesAll:
    case CompareOp::kMatchesAny:
    case CompareOp::kPrefix: return !v.null && MatchesText(p, v.str);
  }
  return false;
}

bool MatchesFilter(const FilterNode& node, const std::vector<Value>& row) {
  switch (node.kind) {
    case FilterNode::kAnd:
      for (const FilterNode& c : node.children)
        if (!MatchesFilter(c, row)) return false;
      return true;
    case FilterNode::kOr:
      for (const FilterNode& c : node.children)
        if (MatchesFilter(c, row)) return true;
      return false;
    case FilterNode::kNot: return !MatchesFilter(node.children[0], row);
    case FilterNode::kPredicate: return MatchesPredicate(node.predicate, row);
  }
  return false;
}

void AppendSortKey(std::string* out, const std::vector<Value>& row,
                   const std::vector<OrderTerm>& order) {
  for (const OrderTerm& t : order) AppendTerm(out, row[t.field], t.descending);
}

void AppendCursorKey(std::string* out, const std::vector<Literal>& after,
                     const std::vector<OrderTerm>& order, const Schema& schema) {
  for (size_t i = 0; i < order.size(); ++i)
    AppendTerm(out, after[i].AsValue(schema.fields[order[i].field].type), order[i].descending);
}

}  // namespace sluice::host
