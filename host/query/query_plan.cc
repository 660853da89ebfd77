#include "query/query_plan.h"

#include <algorithm>

#include "cache/version_cache.h"
#include "core/keycodec.h"
#include "query/query_filter.h"

namespace sluice::host {
namespace {

using Conjuncts = std::vector<const FilterNode*>;

void Flatten(const FilterNode& n, Conjuncts* out) {
  if (n.kind != FilterNode::kAnd) return out->push_back(&n);
  for (const FilterNode& c : n.children) Flatten(c, out);
}

bool IsEq(const FilterNode* n) {
  if (n->kind != FilterNode::kPredicate) return false;
  CompareOp op = n->predicate.op;
  return op == CompareOp::kEq || (op == CompareOp::kIn && n->predicate.values.size() == 1);
}

bool IsRange(const FilterNode* n, bool lower) {
  if (n->kind != FilterNode::kPredicate) return false;
  CompareOp op = n->predicate.op;
  return lower ? (op == CompareOp::kGt || op == CompareOp::kGte)
               : (op == CompareOp::kLt || op == CompareOp::kLte);
}

// Index in `cs` of the first equality conjunct on `field`, or -1.
int EqConjunct(const Conjuncts& cs, uint32_t field) {
  for (size_t i = 0; i < cs.size(); ++i)
    if (IsEq(cs[i]) && cs[i]->predicate.field == field) return static_cast<int>(i);
  return -1;
}

// Index in `cs` of the first $in of several values on `field`, or -1.
int InConjunct(const Conjuncts& cs, uint32_t field) {
  for (size_t i = 0; i < cs.size(); ++i)
    if (cs[i]->kind == FilterNode::kPredicate && cs[i]->predicate.op == CompareOp::kIn &&
        cs[i]->predicate.values.size() > 1 && cs[i]->predicate.field == field)
      return static_cast<int>(i);
  return -1;
}

int RangeConjunct(const Conjuncts& cs, uint32_t field, bool lower) {
  for (size_t i = 0; i < cs.size(); ++i)
    if (IsRange(cs[i], lower) && cs[i]->predicate.field == field) return static_cast<int>(i);
  return -1;
}

bool Contains(const std::vector<uint32_t>& v, uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Fields in the order the path's keys sort by.
std::vector<uint32_t> PathOrder(const TableSchema& t, const AccessPlan& p) {
  std::vector<uint32_t> r = p.fields;
  if (p.index >= 0) r.insert(r.end(), t.schema.primary_key.begin(), t.schema.primary_key.end());
  return r;
}

// The query order as far as it matters: cut once the primary key is
// complete, without fields the filter holds constant.
std::vector<OrderTerm> EffectiveOrder(const TableSchema& t, const Query& q, const Conjuncts& cs) {
  std::vector<OrderTerm> out;
  std::vector<uint32_t> pk_seen;
  for (const OrderTerm& term : q.order) {
    if (pk_seen.size() == t.schema.primary_key.size()) break;
    if (Contains(t.schema.primary_key, term.field)) pk_seen.push_back(term.field);
    if (EqConjunct(cs, term.field) < 0) out.push_back(term);
  }
  return out;
}

// Whether reading `p` yields the query order, and in which direction.
bool Serves(const TableSchema& t, const Query& q, const Conjuncts& cs, const AccessPlan& p,
            bool* reverse) {
  std::vector<OrderTerm> o = EffectiveOrder(t, q, cs);
  std::vector<uint32_t> r;
  for (uint32_t f : PathOrder(t, p))
    if (EqConjunct(cs, f) < 0 && !Contains(r, f)) r.push_back(f);
  bool desc = !o.empty() && o[0].descending;
  *reverse = false;
  if (o.size() > r.size()) return false;
  for (size_t i = 0; i < o.size(); ++i)
    if (o[i].field != r[i] || o[i].descending != desc) return false;
  *reverse = desc;
  return true;
}

struct Candidate {
  AccessPlan plan;
  std::vector<bool> used;  // per conjunct: implied by the key range
  int lo = -1, hi = -1;    // range conjuncts on fields[eq_count]
  int in = -1;             // or an $in conjunct on it
};

void Bind(const TableSchema& t, const Query& q, const Conjuncts& cs, int index, Candidate* c) {
  AccessPlan& p = c->plan;
  p.index = index;
  p.fields = index < 0 ? t.schema.primary_key : t.indexes[static_cast<size_t>(index)];
  c->used.assign(cs.size(), false);
  while (p.eq_count < p.fields.size()) {
    int e = EqConjunct(cs, p.fields[p.eq_count]);
    if (e < 0) break;
    c->used[static_cast<size_t>(e)] = true;
    ++p.eq_count;
  }
  if (p.eq_count < p.fields.size()) {
    c->lo = RangeConjunct(cs, p.fields[p.eq_count], true);
    c->hi = RangeConjunct(cs, p.fields[p.eq_count], false);
    if (c->lo >= 0) c->used[static_cast<size_t>(c->lo)] = true;
    if (c->hi >= 0) c->used[static_cast<size_t>(c->hi)] = true;
    p.has_range = c->lo >= 0 || c->hi >= 0;
    if (!p.has_range) {
      c->in = InConjunct(cs, p.fields[p.eq_count]);
      if (c->in >= 0) c->used[static_cast<size_t>(c->in)] = true;
      p.has_in = c->in >= 0;
    }
  }
  p.order_served = Serves(t, q, cs, p, &p.reverse);
}

std::string PathPrefix(int index) {
  return index < 0 ? VersionCache::PrimaryPrefix()
                   : VersionCache::IndexPrefix(static_cast<uint32_t>(index));
}

void AppendLiteral(std::string* key, const TableSchema& t, const Predicate& p, const Literal& l) {
  AppendKeyValue(key, l.AsValue(t.schema.fields[p.field].type));
}

void BuildRange(const TableSchema& t, const Conjuncts& cs, const Candidate& c, AccessPlan* p) {
  std::string prefix = PathPrefix(p->index);
  for (size_t i = 0; i < p->eq_count; ++i) {
    const Predicate& pred = cs[static_cast<size_t>(EqConjunct(cs, p->fields[i]))]->predicate;
    AppendLiteral(&prefix, t, pred, pred.values[0]);
  }
  p->lower = prefix;
  p->upper = VersionCache::PrefixEnd(prefix);
  if (p->has_in) {  // one probe per distinct value, in key order
    const Predicate& in = cs[static_cast<size_t>(c.in)]->predicate;
    for (const Literal& v : in.values) {
      std::string k = prefix;
      AppendLiteral(&k, t, in, v);
      std::string end = VersionCache::PrefixEnd(k);
      p->probes.emplace_back(std::move(k), std::move(end));
    }
    std::sort(p->probes.begin(), p->probes.end());
    p->probes.erase(std::unique(p->probes.begin(), p->probes.end()), p->probes.end());
    return;
  }
  if (!p->has_range) return;
  p->lower = prefix + '\x01';  // non-null values only
  if (c.lo >= 0) {
    const Predicate& lo = cs[static_cast<size_t>(c.lo)]->predicate;
    std::string k = prefix;
    AppendLiteral(&k, t, lo, lo.values[0]);
    p->lower = lo.op == CompareOp::kGte ? k : VersionCache::PrefixEnd(k);
  }
  if (c.hi >= 0) {
    const Predicate& hi = cs[static_cast<size_t>(c.hi)]->predicate;
    std::string k = prefix;
    AppendLiteral(&k, t, hi, hi.values[0]);
    p->upper = hi.op == CompareOp::kLte ? VersionCache::PrefixEnd(k) : k;
  }
}

// The key of the $after cursor's position in the path (its key fields up to
// the last effective order field); false when it cannot be formed.
bool CursorKey(const TableSchema& t, const Query& q, const Conjuncts& cs, const AccessPlan& p,
               std::string* key) {
  std::vector<OrderTerm> o = EffectiveOrder(t, q, cs);
  size_t remaining = o.size();
  if (remaining == 0) return false;
  // A cursor off the filter's constants is before or after every row: the
  // per-row comparison decides.
  for (size_t i = 0; i < q.order.size(); ++i) {
    int e = EqConjunct(cs, q.order[i].field);
    Type type = t.schema.fields[q.order[i].field].type;
    if (e >= 0 && CompareValues(q.after[i].AsValue(type),
                                cs[static_cast<size_t>(e)]->predicate.values[0].AsValue(type)) != 0)
      return false;
  }
  *key = PathPrefix(p.index);
  for (uint32_t f : PathOrder(t, p)) {
    if (remaining == 0) break;
    Type type = t.schema.fields[f].type;
    int pos = -1;
    for (size_t i = 0; i < q.order.size(); ++i)
      if (q.order[i].field == f) pos = static_cast<int>(i);
    int e = EqConjunct(cs, f);
    const Literal* v = pos >= 0 ? &q.after[static_cast<size_t>(pos)] : nullptr;
    if (e >= 0) v = &cs[static_cast<size_t>(e)]->predicate.values[0];
    if (v == nullptr) return false;
    AppendKeyValue(key, v->AsValue(type));
    for (const OrderTerm& term : o) remaining -= term.field == f ? 1 : 0;
  }
  return remaining == 0;
}

void ApplyCursor(const TableSchema& t, const Query& q, const Conjuncts& cs, AccessPlan* p) {
  std::string k;
  if (!q.has_after || !p->order_served || !CursorKey(t, q, cs, *p, &k)) return;
  p->seek_after = true;
  if (p->reverse) {
    p->upper = std::min(p->upper, k);
  } else {
    p->lower = std::max(p->lower, VersionCache::PrefixEnd(k));
  }
}

bool Better(const Candidate& a, const Candidate& b, bool use_order) {
  size_t sa = a.plan.eq_count * 2 + (a.plan.has_range || a.plan.has_in ? 1 : 0);
  size_t sb = b.plan.eq_count * 2 + (b.plan.has_range || b.plan.has_in ? 1 : 0);
  if (sa != sb) return sa > sb;
  return use_order && a.plan.order_served && !b.plan.order_served;
}

}  // namespace

void PlanQuery(const TableSchema& t, const Query& q, bool for_count, AccessPlan* out) {
  Conjuncts cs;
  Flatten(q.filter, &cs);
  bool use_order = !for_count || q.has_after;
  Candidate best;
  Bind(t, q, cs, -1, &best);
  for (size_t i = 0; i < t.indexes.size(); ++i) {
    Candidate c;
    Bind(t, q, cs, static_cast<int>(i), &c);
    if (Better(c, best, use_order)) best = std::move(c);
  }
  *out = std::move(best.plan);
  if (!use_order) out->reverse = false, out->order_served = true;
  BuildRange(t, cs, best, out);
  ApplyCursor(t, q, cs, out);
  if (out->has_in) {  // each probe within [lower, upper), which the cursor may have moved
    std::vector<std::pair<std::string, std::string>> kept;
    for (auto& [lo, hi] : out->probes) {
      std::string a = std::max(lo, out->lower), b = std::min(hi, out->upper);
      if (a < b) kept.emplace_back(std::move(a), std::move(b));
    }
    out->probes = std::move(kept);
  }
  for (size_t i = 0; i < cs.size(); ++i)
    if (!best.used[i]) out->residual.push_back(cs[i]);
  if (!out->scan() || out->index >= 0) return;
  for (const FilterNode* c : cs) {  // no bound on any index: the postings narrow the read
    if (c->kind != FilterNode::kPredicate || !Contains(t.full_text, c->predicate.field)) continue;
    CompareOp op = c->predicate.op;
    if (op == CompareOp::kMatchesAll || op == CompareOp::kMatchesAny || op == CompareOp::kPrefix) {
      out->text = &c->predicate;
      return;
    }
  }
}

std::string DescribePlan(const TableSchema& t, const Query& q, const AccessPlan& p, bool sorted) {
  std::string s;
  if (p.text != nullptr) {
    s = "full_text [" + t.schema.fields[p.text->field].name + "] " + CompareOpName(p.text->op) +
        " (" + std::to_string(p.text->values.size()) + " words)";
  } else if (p.index < 0) {
    s = p.scan() ? "scan" : p.has_in ? "primary key in" : "primary key range";
  } else {
    s = "index [";
    for (size_t i = 0; i < p.fields.size(); ++i)
      s += (i ? ", " : "") + t.schema.fields[p.fields[i]].name;
    s += "] ";
    const char* last = p.has_range ? "range" : p.has_in ? "in" : nullptr;
    s += p.eq_count > 0 ? (last ? std::string("eq+") + last : "eq") : (last ? last : "order");
  }
  if (p.reverse) s += " reverse";
  if (p.has_in) s += " (" + std::to_string(p.probes.size()) + " probes)";
  if (!p.exact(q)) s += " + filter";
  if (sorted) s += " + sort";
  return s;
}

namespace {

void FirstPredicateField(const FilterNode& n, std::vector<uint32_t>* out) {
  if (!out->empty()) return;
  if (n.kind == FilterNode::kPredicate) return out->push_back(n.predicate.field);
  for (const FilterNode& c : n.children) FirstPredicateField(c, out);
}

// Fields an index should have for this query: equality fields, then one
// range field; else any filtered field; else the $order_by fields.
std::vector<uint32_t> SuggestedIndex(const Query& q) {
  Conjuncts cs;
  Flatten(q.filter, &cs);
  std::vector<uint32_t> out;
  for (const FilterNode* c : cs)
    if (IsEq(c) && !Contains(out, c->predicate.field)) out.push_back(c->predicate.field);
  for (const FilterNode* c : cs) {
    if ((IsRange(c, true) || IsRange(c, false)) && !Contains(out, c->predicate.field)) {
      out.push_back(c->predicate.field);
      break;
    }
  }
  if (out.empty()) FirstPredicateField(q.filter, &out);
  if (out.empty())
    for (size_t i = 0; i < q.order_by_terms; ++i) out.push_back(q.order[i].field);
  return out;
}

}  // namespace

std::string BudgetMessage(const TableSchema& t, const Query& q, const AccessPlan& p,
                          uint64_t budget, bool sorted) {
  std::string s = "query would examine more than " + std::to_string(budget) +
                  " rows (plan: " + DescribePlan(t, q, p, sorted) + "); ";
  std::vector<uint32_t> want = SuggestedIndex(q);
  bool have =
      want.size() <= p.fields.size() && std::equal(want.begin(), want.end(), p.fields.begin());
  if (want.empty() || have) return s + "narrow the $filter, lower $skip, or page with $after";
  s += "add index [";
  for (size_t i = 0; i < want.size(); ++i) s += (i ? ", " : "") + t.schema.fields[want[i]].name;
  return s + "] to the endpoint config (index.secondary), or narrow the $filter";
}

}  // namespace sluice::host
