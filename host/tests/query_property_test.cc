// Property test: random datasets (with updates and deletes) and random
// queries, each answered by the engine and by an oracle written here from
// the language's definition (docs/query.md) over plain rows, with no key
// encoding, planner or index. Results must be equal, order included.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "sluice/json.h"
#include "sluice/timefmt.h"
#include "tests/query_test_util.h"
#include "tests/test_util.h"

namespace sluice::host::query_test {
namespace {

// ---------------------------------------------------------------- oracle

int Cmp(Type t, const TV& a, const TV& b) {
  if (a.null || b.null) return (a.null ? 0 : 1) - (b.null ? 0 : 1);
  if (t == Type::kFloat64) return a.f < b.f ? -1 : (a.f > b.f ? 1 : 0);
  if (t == Type::kString) return a.s < b.s ? -1 : (a.s > b.s ? 1 : 0);
  return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
}

struct Expr {
  enum Kind { kAnd, kOr, kNot, kTest } kind = kAnd;
  std::vector<Expr> kids;
  size_t field = 0;
  std::string op;
  std::vector<TV> values;
};

bool Eval(const Schema& s, const Expr& e, const TRow& r) {
  switch (e.kind) {
    case Expr::kAnd:
      return std::all_of(e.kids.begin(), e.kids.end(),
                         [&](const Expr& k) { return Eval(s, k, r); });
    case Expr::kOr:
      return std::any_of(e.kids.begin(), e.kids.end(),
                         [&](const Expr& k) { return Eval(s, k, r); });
    case Expr::kNot: return !Eval(s, e.kids[0], r);
    case Expr::kTest: break;
  }
  const TV& v = r[e.field];
  Type t = s.fields[e.field].type;
  if (e.op == "$eq") return Cmp(t, v, e.values[0]) == 0;
  if (e.op == "$ne") return Cmp(t, v, e.values[0]) != 0;
  if (e.op == "$in")
    return std::any_of(e.values.begin(), e.values.end(),
                       [&](const TV& x) { return Cmp(t, v, x) == 0; });
  if (v.null) return false;
  if (e.op == "$contains") return v.s.find(e.values[0].s) != std::string::npos;
  int c = Cmp(t, v, e.values[0]);
  if (e.op == "$lt") return c < 0;
  if (e.op == "$lte") return c <= 0;
  if (e.op == "$gt") return c > 0;
  return c >= 0;  // $gte
}

struct OracleQuery {
  Expr filter;
  std::vector<std::pair<size_t, bool>> order;  // field, descending (as given)
  uint64_t limit = 50, skip = 0;
  bool has_after = false;
  TRow after;
};

// The total order: given terms up to the one that completes the key, then
// missing key fields in the direction of the last given term.
std::vector<std::pair<size_t, bool>> FullOrder(const Schema& s, const OracleQuery& q) {
  std::vector<std::pair<size_t, bool>> order;
  size_t key_fields = 0;
  for (auto term : q.order) {
    if (key_fields == s.primary_key.size()) break;
    order.push_back(term);
    for (uint32_t k : s.primary_key) key_fields += term.first == k ? 1 : 0;
  }
  bool desc = !order.empty() && order.back().second;
  for (uint32_t k : s.primary_key)
    if (std::none_of(order.begin(), order.end(), [&](auto& t) { return t.first == k; }))
      order.push_back({k, desc});
  return order;
}

int RowCmp(const Schema& s, const std::vector<std::pair<size_t, bool>>& order, const TRow& a,
           const TRow& b) {
  for (auto [f, desc] : order) {
    int c = Cmp(s.fields[f].type, a[f], b[f]);
    if (c != 0) return desc ? -c : c;
  }
  return 0;
}

// All matching rows after the cursor, in order (no skip/limit).
std::vector<TRow> OracleAll(const Schema& s, const std::vector<TRow>& table, const OracleQuery& q) {
  auto order = FullOrder(s, q);
  std::vector<TRow> out;
  for (const TRow& r : table)
    if (Eval(s, q.filter, r) && (!q.has_after || RowCmp(s, order, r, q.after) > 0))
      out.push_back(r);
  std::sort(out.begin(), out.end(),
            [&](const TRow& a, const TRow& b) { return RowCmp(s, order, a, b) < 0; });
  return out;
}

std::vector<TRow> OracleRun(const Schema& s, const std::vector<TRow>& table, const OracleQuery& q) {
  std::vector<TRow> all = OracleAll(s, table, q);
  std::vector<TRow> out;
  for (uint64_t i = q.skip; i < all.size() && out.size() < q.limit; ++i) out.push_back(all[i]);
  return out;
}

// ------------------------------------------------------ random generation

class Gen {
 public:
  Gen(uint32_t seed, const Schema& s) : rng_(seed), s_(s) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(int percent) { return Pick(100) < percent; }

  // A value of field f, from a small domain so that ties and matches occur.
  TV Value(size_t f, bool allow_null) {
    if (allow_null && s_.fields[f].nullable && Chance(15)) return N();
    static const double kFloats[] = {-2.5, -1, -0.0, 0, 0.5, 1, 3.25, 1e300};
    static const char* kStrings[] = {"", "a", "ab", "b", "ba", "zz", "a b", "ab\xc3\xa9"};
    switch (s_.fields[f].type) {
      case Type::kInt64: return I(Pick(9) - 4);
      case Type::kFloat64: return F(kFloats[Pick(8)]);
      case Type::kBool: return B(Chance(50));
      case Type::kString: return Chance(5) ? S(std::string("a\0b", 3)) : S(kStrings[Pick(8)]);
      case Type::kTimestamp:
        return I((Pick(7) - 3) * 1500001LL + (Chance(50) ? 0 : 1704067200000000LL));
      case Type::kDate: return I(Pick(6) - 2 + (Chance(50) ? 0 : 19723));
    }
    return N();
  }

  TRow Row() {
    TRow r;
    for (size_t f = 0; f < s_.fields.size(); ++f) r.push_back(Value(f, true));
    return r;
  }

  std::string Json(size_t f, const TV& v) {
    std::string out;
    if (v.null) return "null";
    switch (s_.fields[f].type) {
      case Type::kInt64: return std::to_string(v.i);
      case Type::kFloat64: {
        if (v.f == static_cast<int64_t>(v.f) && std::abs(v.f) < 1e15 && Chance(50) &&
            !std::signbit(v.f))
          return std::to_string(static_cast<int64_t>(v.f));  // an integer literal
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v.f);
        return buf;
      }
      case Type::kBool: return v.i ? "true" : "false";
      case Type::kString: AppendJsonString(&out, v.s); return out;
      case Type::kTimestamp: AppendTimestamp(&out, v.i); return "\"" + out + "\"";
      case Type::kDate: AppendDate(&out, static_cast<int32_t>(v.i)); return "\"" + out + "\"";
    }
    return "null";
  }

  std::string Name(size_t f) { return "\"" + s_.fields[f].name + "\""; }

  // One operator on field f: returns `"$op": operand` and fills e.
  std::string Operator(size_t f, Expr* e) {
    e->kind = Expr::kTest;
    e->field = f;
    static const char* kOps[] = {"$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$in", "$contains"};
    int n = s_.fields[f].type == Type::kString ? 8 : 7;
    e->op = kOps[Pick(n)];
    bool ordered = e->op != "$eq" && e->op != "$ne" && e->op != "$in";
    if (e->op == "$in") {
      std::string list = "[";
      for (int i = Pick(4); i > 0; --i) {
        e->values.push_back(Value(f, true));
        list += (list.size() > 1 ? ", " : "") + Json(f, e->values.back());
      }
      return "\"$in\": " + list + "]";
    }
    if (e->op == "$contains") {
      static const char* kSubs[] = {"", "a", "b", "ab", "x", " "};
      e->values.push_back(S(kSubs[Pick(6)]));
    } else {
      e->values.push_back(Value(f, !ordered));
    }
    return "\"" + e->op + "\": " + Json(f, e->values[0]);
  }

  // A filter object; every key of it is one child of *e (an AND).
  std::string Filter(int depth, Expr* e) {
    e->kind = Expr::kAnd;
    std::string out = "{";
    for (int keys = Pick(depth == 0 ? 4 : 3); keys > 0; --keys) {
      if (out.size() > 1) out += ", ";
      int kind = depth >= 3 ? 0 : Pick(10);
      e->kids.emplace_back();
      Expr& k = e->kids.back();
      if (kind <= 5) {
        size_t f = static_cast<size_t>(Pick(static_cast<int>(s_.fields.size())));
        if (Chance(40)) {
          k.kind = Expr::kTest, k.field = f, k.op = "$eq";
          k.values.push_back(Value(f, true));
          out += Name(f) + ": " + Json(f, k.values[0]);
        } else {
          k.kind = Expr::kAnd;
          std::string ops;
          for (int i = 1 + Pick(2); i > 0; --i) {
            k.kids.emplace_back();
            ops += (ops.empty() ? "" : ", ") + Operator(f, &k.kids.back());
          }
          out += Name(f) + ": {" + ops + "}";
        }
      } else if (kind <= 7) {
        k.kind = kind == 6 ? Expr::kAnd : Expr::kOr;
        out += kind == 6 ? "\"$and\": [" : "\"$or\": [";
        for (int i = Pick(4); i > 0; --i) {
          k.kids.emplace_back();
          out += Filter(depth + 1, &k.kids.back()) + (i > 1 ? ", " : "");
        }
        out += "]";
      } else {
        k.kind = Expr::kNot;
        k.kids.emplace_back();
        out += "\"$not\": " + Filter(depth + 1, &k.kids.back());
      }
    }
    return out + "}";
  }

  std::string Order(OracleQuery* q) {
    std::vector<size_t> fields(s_.fields.size());
    for (size_t i = 0; i < fields.size(); ++i) fields[i] = i;
    std::shuffle(fields.begin(), fields.end(), rng_);
    int n = Pick(4);
    bool as_array = Chance(50);
    std::string out = as_array ? "[" : "{";
    for (int i = 0; i < n; ++i) {
      bool desc = Chance(50);
      q->order.push_back({fields[static_cast<size_t>(i)], desc});
      std::string term =
          Name(fields[static_cast<size_t>(i)]) + ": " + (desc ? "\"desc\"" : "\"asc\"");
      out += (i ? ", " : "") + (as_array ? "{" + term + "}" : term);
    }
    return out + (as_array ? "]" : "}");
  }

  std::string RowJson(const TRow& r) {
    std::string out = "{";
    for (size_t f = 0; f < r.size(); ++f) out += (f ? ", " : "") + Name(f) + ": " + Json(f, r[f]);
    return out + "}";
  }

  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
  const Schema& s_;
};

// ------------------------------------------------------------ the tests

TableSchema RandomTable(Gen& g, bool composite) {
  TableSchema t;
  if (composite) {
    t.schema.fields = {{"city", Type::kString, false}, {"n", Type::kInt64, false}};
    t.schema.primary_key = {0, 1};
  } else {
    t.schema.fields = {{"id", Type::kInt64, false}};
    t.schema.primary_key = {0};
  }
  t.schema.fields.insert(t.schema.fields.end(), {{"a", Type::kInt64, true},
                                                 {"b", Type::kFloat64, true},
                                                 {"c", Type::kString, true},
                                                 {"d", Type::kBool, true},
                                                 {"e", Type::kDate, true},
                                                 {"t", Type::kTimestamp, true}});
  uint32_t first = composite ? 2 : 1, count = static_cast<uint32_t>(t.schema.fields.size());
  for (int i = g.Pick(4); i > 0; --i) {
    std::vector<uint32_t> idx;
    for (int k = 1 + g.Pick(3); k > 0; --k) {
      uint32_t f =
          g.Chance(15) ? 0 : first + static_cast<uint32_t>(g.Pick(static_cast<int>(count - first)));
      if (std::find(idx.begin(), idx.end(), f) == idx.end()) idx.push_back(f);
    }
    t.indexes.push_back(idx);
  }
  return t;
}

// Random rows keyed uniquely; some replaced and deleted over `commits`
// commits, on top of *table (by key text). Returns every row.
std::vector<TRow> Fill(Gen& g, CacheFixture& db, int commits, std::map<std::string, TRow>* out) {
  const Schema& s = db.schema();
  std::map<std::string, TRow>& table = *out;
  auto key_of = [&](const TRow& r) {
    std::string k;
    for (uint32_t f : s.primary_key) k += g.Json(f, r[f]) + "|";
    return k;
  };
  for (int commit = 0; commit < commits; ++commit) {
    std::vector<TRow> puts, deletes;
    for (int i = 40 + g.Pick(80); i > 0; --i) {
      TRow r = g.Row();
      if (s.primary_key.size() == 1) r[0] = I(g.Pick(400) - 100);
      else r[0].null = false, r[1] = I(g.Pick(60) - 20);
      table[key_of(r)] = r;
      puts.push_back(r);
    }
    for (auto it = table.begin(); it != table.end();) {
      if (g.Chance(8)) {
        deletes.push_back(it->second);
        it = table.erase(it);
      } else {
        ++it;
      }
    }
    // A key deleted in this commit must not be put again after the delete.
    std::vector<TRow> kept;
    for (const TRow& r : puts)
      if (table.count(key_of(r))) kept.push_back(r);
    db.Apply(kept, deletes);
  }
  std::vector<TRow> rows;
  for (auto& [k, r] : table) rows.push_back(r);
  return rows;
}

std::string Show(const std::vector<TRow>& rows, Gen& g) {
  std::string out;
  for (size_t i = 0; i < rows.size() && i < 20; ++i) out += g.RowJson(rows[i]) + "\n";
  return out;
}

// Runs `datasets` random datasets with 80 random queries each; returns
// how many queries used each kind of plan.
std::map<std::string, int> CompareWithOracle(uint32_t datasets, StoragePlugin* storage) {
  std::map<std::string, int> plans;
  for (uint32_t seed = 1; seed <= datasets; ++seed) {
    Schema dummy;
    Gen pre(seed, dummy);
    TableSchema t = RandomTable(pre, seed % 3 == 0);
    Gen g(seed * 7919, t.schema);
    CacheFixture db(t, storage);
    // Through a small row cache, so that queries meet its evictions.
    db.cache().SetRowCacheBytes(256 << 10);
    std::map<std::string, TRow> by_key;
    std::vector<TRow> table = Fill(g, db, 4, &by_key);
    for (int i = 0; i < 80; ++i) {
      ++plans["queries"];
      OracleQuery oq;
      std::string json = "{\"$filter\": " + g.Filter(0, &oq.filter);
      if (g.Chance(70)) json += ", \"$order_by\": " + g.Order(&oq);
      static const uint64_t kLimits[] = {0, 1, 2, 5, 17, 50, 1000};
      if (g.Chance(70))
        oq.limit = kLimits[g.Pick(7)], json += ", \"$limit\": " + std::to_string(oq.limit);
      if (g.Chance(25))
        oq.skip = static_cast<uint64_t>(g.Pick(30)),
        json += ", \"$skip\": " + std::to_string(oq.skip);
      if (g.Chance(40) && !table.empty()) {
        std::vector<TRow> before = OracleAll(t.schema, table, oq);  // a cursor from the result
        oq.has_after = true;
        if (!before.empty() && g.Chance(50)) {
          oq.after = before[static_cast<size_t>(g.Pick(static_cast<int>(before.size())))];
        } else {
          oq.after = g.Chance(70)
                         ? table[static_cast<size_t>(g.Pick(static_cast<int>(table.size())))]
                         : g.Row();
        }
        for (uint32_t k : t.schema.primary_key) oq.after[k].null = false;
        json += ", \"$after\": " + g.RowJson(oq.after);
      }
      json += "}";
      std::vector<TRow> got;
      QueryPlanInfo info;
      Status s = db.Run(json, &got, &info);
      EXPECT_TRUE(s.ok()) << json << "\n" << s.ToString();
      if (!s.ok()) return plans;
      std::vector<TRow> want = OracleRun(t.schema, table, oq);
      EXPECT_TRUE(got == want) << "seed " << seed << " query " << json << "\nplan " << info.plan
                               << "\ngot:\n"
                               << Show(got, g) << "want:\n"
                               << Show(want, g);
      ++plans[info.plan.substr(0, info.plan.find(' '))];
      if (info.plan.find("reverse") != std::string::npos) ++plans["reverse"];
      plans[info.plan.find("sort") != std::string::npos ? "sorted" : "streamed"]++;
      uint64_t n = 0;
      s = db.Count(json, &n, &info);
      EXPECT_TRUE(s.ok()) << json << "\n" << s.ToString();
      EXPECT_EQ(n, OracleAll(t.schema, table, oq).size())
          << "seed " << seed << " count " << json << "\nplan " << info.plan;
      if (::testing::Test::HasFailure()) return plans;
    }
  }
  return plans;
}

TEST(QueryPropertyTest, EngineAgreesWithOracle) {
  std::map<std::string, int> plans = CompareWithOracle(50, nullptr);
  EXPECT_EQ(plans["queries"], 4000);
  // The random queries exercised every kind of plan.
  for (const char* kind : {"scan", "primary", "index", "sorted", "streamed", "reverse"})
    EXPECT_GT(plans[kind], 20) << kind;
}

// The same on the real storage plugin: its snapshots and bounded reverse
// iterators must behave as the engine expects.
TEST(QueryPropertyTest, EngineAgreesWithOracleOnLevelDb) {
  std::unique_ptr<StoragePlugin> leveldb;
  Status s = testing::OpenLevelDbPlugin(&leveldb);
  if (!s.ok()) GTEST_SKIP() << "storage_leveldb plugin not built: " << s.ToString();
  std::map<std::string, int> plans = CompareWithOracle(10, leveldb.get());
  EXPECT_EQ(plans["queries"], 800);
}

}  // namespace
}  // namespace sluice::host::query_test
