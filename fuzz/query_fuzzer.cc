// libFuzzer target for the query engine (docs/query.md): the input is query
// JSON, parsed against two fixed schemas that cover every type (one with a
// single-field primary key, one with a composite key, both with secondary
// indexes). Each query that parses is then run on a small table built from
// fixed rows and from the query's own constants, and checked against an
// oracle written here from docs/query.md over the plain rows (its own
// comparisons, filter evaluation and ordering; none of the engine's filter,
// sort-key or key-encoding code):
//
//   - RunQuery returns exactly the rows that pass $filter and $after, in
//     the documented order, after $skip, at most $limit (so every plan,
//     index and cursor seek is checked);
//   - CountQuery agrees with the same evaluation without $skip and $limit;
//   - the parsed order is the documented total order of the $order_by terms;
//   - sort keys order rows as the oracle's comparison does;
//   - a cursor made of a row's own values has that row's sort key;
//   - a failed parse is INVALID_ARGUMENT with a message.
//
// The table lives in memory (tests/mem_kv.h), or, when
// SLUICE_FUZZ_STORAGE_PLUGIN names a storage plugin's .so (the CTest
// replay does so with LevelDB), on that real backend in a temporary
// directory.
//
// The input is also tried as primary-key text (GetByKey's parser), and a
// key that parses must be walked by SkipKeyValue exactly to its end.
// A violated check prints what differed and aborts, which libFuzzer
// reports as a crash (fuzz/README.md).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cache/version_cache.h"
#include "core/keycodec.h"
#include "core/text_tokens.h"
#include "query/query_engine.h"
#include "query/query_filter.h"
#include "sluice/client/storage_client.h"
#include "sluice/testing/plugin_module.h"
#include "tests/mem_kv.h"
#include "util/log.h"

namespace sluice::host {
namespace {

[[noreturn]] void Fail(const std::string& what, std::string_view input) {
  std::fprintf(stderr, "query fuzzer check failed: %s\ninput: %.*s\n", what.c_str(),
               static_cast<int>(input.size()), input.data());
  std::abort();
}

TableSchema MakeSchema(bool composite) {
  TableSchema t;
  t.schema.fields = {
      {"trip_id", Type::kInt64, false},      {"pickup_zone_id", Type::kInt64, true},
      {"fare_amount", Type::kFloat64, true}, {"payment_type", Type::kString, true},
      {"pickup_at", Type::kTimestamp, true}, {"pickup_date", Type::kDate, !composite},
      {"paid", Type::kBool, true},           {"note", Type::kString, true}};
  if (composite) {
    t.schema.primary_key = {5, 0};
    t.indexes = {{1, 4}, {7}, {3, 6, 2}};
  } else {
    t.schema.primary_key = {0};
    t.indexes = {{1}, {3, 2}, {2}, {4}, {6, 5}};
  }
  return t;
}

Literal L(int64_t i) {
  Literal l;
  l.null = false, l.i = i;
  return l;
}
Literal LF(double f) {
  Literal l;
  l.null = false, l.f = f;
  return l;
}
Literal LS(std::string s) {
  Literal l;
  l.null = false, l.s = std::move(s);
  return l;
}

// Fixed rows, by field: nulls, extremes, -0.0, NaN, zero bytes, UTF-8.
const std::vector<std::vector<Literal>>& BaseRows() {
  static const auto* rows = new std::vector<std::vector<Literal>>{
      {L(0), {}, {}, {}, {}, {}, {}, {}},
      {L(std::numeric_limits<int64_t>::min()), L(132), LF(-0.0), LS("card"), L(1706711295000000),
       L(19753), L(1), LS("")},
      {L(std::numeric_limits<int64_t>::max()), L(-1), LF(std::numeric_limits<double>::quiet_NaN()),
       LS(std::string("ca\0sh", 5)), L(std::numeric_limits<int64_t>::min()), L(-1), L(0),
       LS("a,b\\c")},
      {L(98817), L(132), LF(41.5), LS("cash"), L(-1), L(0), L(1), LS("zażółć")},
      {L(42),
       L(5),
       LF(std::numeric_limits<double>::infinity()),
       LS("\xff"),
       L(0),
       L(19000),
       {},
       LS("cash")},
  };
  return *rows;
}

void Collect(const FilterNode& n, std::vector<std::vector<Literal>>* by_field) {
  if (n.kind == FilterNode::kPredicate)
    for (const Literal& l : n.predicate.values) (*by_field)[n.predicate.field].push_back(l);
  for (const FilterNode& c : n.children) Collect(c, by_field);
}

// ------------------------------------------------------------- the oracle
// docs/query.md, "Order": null before every value; numbers numerically
// (-0.0 equals 0.0; the one NaN of the fixed rows, positive, after every
// number, where the cache's key encoding puts it); bool false before true;
// strings bytewise.
using Row = std::vector<Literal>;

int Sign(bool less, bool greater) { return less ? -1 : (greater ? 1 : 0); }

int OracleCompare(Type t, const Literal& a, const Literal& b) {
  if (a.null || b.null) return Sign(a.null && !b.null, !a.null && b.null);
  switch (t) {
    case Type::kFloat64: {
      bool na = std::isnan(a.f), nb = std::isnan(b.f);
      if (na || nb) return Sign(nb && !na, na && !nb);
      return Sign(a.f<b.f, a.f> b.f);
    }
    case Type::kString: {
      // Bytewise: as unsigned bytes, whatever char's signedness.
      size_t n = std::min(a.s.size(), b.s.size());
      for (size_t i = 0; i < n; ++i) {
        auto x = static_cast<unsigned char>(a.s[i]), y = static_cast<unsigned char>(b.s[i]);
        if (x != y) return Sign(x<y, x> y);
      }
      return Sign(a.s.size() < b.s.size(), a.s.size() > b.s.size());
    }
    default: return Sign(a.i<b.i, a.i> b.i);  // int64, timestamp, date, bool (0/1)
  }
}

// docs/query.md, "Filters".
bool OracleMatches(const Schema& schema, const FilterNode& n, const Row& r) {
  switch (n.kind) {
    case FilterNode::kAnd:
      for (const FilterNode& c : n.children)
        if (!OracleMatches(schema, c, r)) return false;
      return true;
    case FilterNode::kOr:
      for (const FilterNode& c : n.children)
        if (OracleMatches(schema, c, r)) return true;
      return false;
    case FilterNode::kNot: return !OracleMatches(schema, n.children.at(0), r);
    case FilterNode::kPredicate: break;
  }
  const Predicate& p = n.predicate;
  const Literal& v = r[p.field];
  Type t = schema.fields[p.field].type;
  auto cmp = [&](size_t i) { return OracleCompare(t, v, p.values.at(i)); };
  switch (p.op) {
    case CompareOp::kEq: return cmp(0) == 0;
    case CompareOp::kNe: return cmp(0) != 0;  // exactly "not $eq": nulls included
    case CompareOp::kIn:
      for (size_t i = 0; i < p.values.size(); ++i)
        if (cmp(i) == 0) return true;
      return false;
    default: break;
  }
  if (v.null) return false;  // ordered operators and $contains never match null
  switch (p.op) {
    case CompareOp::kLt: return cmp(0) < 0;
    case CompareOp::kLte: return cmp(0) <= 0;
    case CompareOp::kGt: return cmp(0) > 0;
    case CompareOp::kGte: return cmp(0) >= 0;
    case CompareOp::kContains: return v.s.find(p.values.at(0).s) != std::string::npos;
    case CompareOp::kMatchesAll:
    case CompareOp::kMatchesAny:
    case CompareOp::kPrefix: {  // docs/full_text.md: the words of the value, as a set
      std::vector<std::string> words;
      Tokenize(v.s, &words);
      std::set<std::string> set(words.begin(), words.end());
      size_t found = 0, n = p.values.size();
      for (size_t i = 0; i < n; ++i) {
        const std::string& w = p.values[i].s;
        bool last_prefix = p.op == CompareOp::kPrefix && i + 1 == n;
        auto it = set.lower_bound(w);
        if (last_prefix ? it != set.end() && it->compare(0, w.size(), w) == 0 : set.count(w) > 0)
          ++found;
      }
      return p.op == CompareOp::kMatchesAny ? found > 0 : found == n;
    }
    default: return false;
  }
}

// docs/query.md, "Sorting": the $order_by terms up to the one that
// completes the primary key, then the key fields not named, in the
// direction of the last term (ascending without one).
std::vector<OrderTerm> OracleOrder(const Schema& schema, const std::vector<OrderTerm>& given) {
  std::vector<OrderTerm> order;
  auto named = [&](uint32_t f) {
    return std::any_of(order.begin(), order.end(),
                       [&](const OrderTerm& t) { return t.field == f; });
  };
  auto key_complete = [&] {
    return std::all_of(schema.primary_key.begin(), schema.primary_key.end(), named);
  };
  for (const OrderTerm& t : given) {
    if (key_complete()) break;
    order.push_back(t);
  }
  bool desc = !order.empty() && order.back().descending;
  for (uint32_t k : schema.primary_key)
    if (!named(k)) order.push_back({k, desc});
  return order;
}

// Compares two rows (or a row and a cursor: `b_by_term` holds one value
// per order term) in `order`.
int OracleRowCompare(const Schema& schema, const std::vector<OrderTerm>& order, const Row& a,
                     const Row& b, bool b_by_term = false) {
  for (size_t i = 0; i < order.size(); ++i) {
    const OrderTerm& t = order[i];
    int c = OracleCompare(schema.fields[t.field].type, a[t.field], b[b_by_term ? i : t.field]);
    if (c != 0) return t.descending ? -c : c;
  }
  return 0;
}

// The table a query runs on: the fixed rows, rows mixing in the query's
// constants (so equality and range bounds are hit exactly), and the
// $after cursor itself.
std::vector<std::string> TableRows(const Schema& schema, const Query& q, std::vector<Row>* plain) {
  size_t n = schema.fields.size();
  std::vector<std::vector<Literal>> consts(n);
  Collect(q.filter, &consts);
  for (size_t i = 0; q.has_after && i < q.order.size(); ++i)
    consts[q.order[i].field].push_back(q.after[i]);
  std::vector<std::vector<Literal>> rows = BaseRows();
  for (size_t k = 0; k < 6; ++k) {
    std::vector<Literal> r = BaseRows()[k % BaseRows().size()];
    for (size_t f = 0; f < n; ++f)
      if (!consts[f].empty()) r[f] = consts[f][(k + f) % consts[f].size()];
    rows.push_back(std::move(r));
  }
  std::vector<std::string> out;
  for (std::vector<Literal>& r : rows) {
    std::string bytes;
    RowWriter w(&bytes, static_cast<uint32_t>(n));
    for (size_t f = 0; f < n; ++f) {
      if (r[f].null && !schema.fields[f].nullable) r[f] = L(7);  // keys are never null
      w.Put(r[f].AsValue(schema.fields[f].type));
    }
    out.push_back(std::move(bytes));
  }
  *plain = std::move(rows);
  return out;
}

std::vector<Value> Decoded(const Schema& schema, std::string_view bytes, std::string_view input) {
  std::vector<Value> v;
  std::string err = DecodeRow(schema, bytes, &v);
  if (!err.empty()) Fail("a row written with RowWriter does not decode: " + err, input);
  return v;
}

// Sort keys must order rows as comparing them field by field does, and a
// cursor holding a row's values must have that row's sort key.
void CheckSortKeys(const Query& q, const Schema& schema, const std::vector<std::string>& rows,
                   const std::vector<Row>& plain, std::string_view input) {
  for (size_t ia = 0; ia < rows.size(); ++ia) {
    const std::string& a = rows[ia];
    std::vector<Value> va = Decoded(schema, a, input);
    std::string ka;
    AppendSortKey(&ka, va, q.order);
    std::vector<Literal> cursor;
    for (const OrderTerm& t : q.order) {
      const Value& v = va[t.field];
      Literal l;
      l.null = v.null, l.i = v.i, l.f = v.f, l.s = std::string(v.str);
      cursor.push_back(std::move(l));
    }
    std::string kc;
    AppendCursorKey(&kc, cursor, q.order, schema);
    if (kc != ka) Fail("the cursor key of a row differs from its sort key", input);
    for (size_t ib = 0; ib < rows.size(); ++ib) {
      std::vector<Value> vb = Decoded(schema, rows[ib], input);
      std::string kb;
      AppendSortKey(&kb, vb, q.order);
      int want = OracleRowCompare(schema, q.order, plain[ia], plain[ib]);
      int got = ka < kb ? -1 : (kb < ka ? 1 : 0);
      if (want != got) Fail("sort keys order two rows unlike their values", input);
    }
  }
}

// What the query must return, by the oracle: the encoded rows that pass
// $filter and $after, in order (before $skip and $limit).
std::vector<std::string> Expected(const Query& q, const TableSchema& t,
                                  const std::vector<std::string>& rows,
                                  const std::vector<Row>& plain, std::string_view input) {
  const Schema& schema = t.schema;
  std::vector<OrderTerm> pk_order;
  for (uint32_t k : schema.primary_key) pk_order.push_back({k, false});
  // The table keeps the last row of each primary key.
  std::vector<size_t> kept;
  for (size_t i = 0; i < plain.size(); ++i) {
    auto same = std::find_if(kept.begin(), kept.end(), [&](size_t j) {
      return OracleRowCompare(schema, pk_order, plain[i], plain[j]) == 0;
    });
    if (same != kept.end()) *same = i;
    else kept.push_back(i);
  }
  std::vector<size_t> match;
  for (size_t i : kept)
    if (OracleMatches(schema, q.filter, plain[i]) &&
        (!q.has_after || OracleRowCompare(schema, q.order, plain[i], q.after, true) > 0))
      match.push_back(i);
  std::sort(match.begin(), match.end(), [&](size_t a, size_t b) {
    return OracleRowCompare(schema, q.order, plain[a], plain[b]) < 0;
  });
  std::vector<std::string> out;
  for (size_t k = 0; k < match.size(); ++k) {
    if (k > 0 && OracleRowCompare(schema, q.order, plain[match[k - 1]], plain[match[k]]) == 0)
      Fail("two rows are equal in a total order", input);
    out.push_back(rows[match[k]]);
  }
  return out;
}

// The storage the table lives on: in memory, or the plugin
// SLUICE_FUZZ_STORAGE_PLUGIN names (loaded once, kept for the process).
StoragePlugin& TableStorage() {
  static StoragePlugin* storage = []() -> StoragePlugin* {
    const char* file = std::getenv("SLUICE_FUZZ_STORAGE_PLUGIN");
    if (file == nullptr || *file == '\0') return new memkv::MemStorage();
    const sluice_plugin_descriptor* d = nullptr;
    std::unique_ptr<StoragePlugin> out;
    Status s = sluice::testing::LoadPluginModule(file, &d);
    if (s.ok() && d->kind != SLUICE_KIND_STORAGE)
      s = InvalidArgument(std::string(file) + " is not a storage plugin");
    if (s.ok())
      s = client::CreateStorage(static_cast<const sluice_storage_vtable*>(d->vtable),
                                log::HostServicesTable(), Options(), &out);
    if (!s.ok()) {
      std::fprintf(stderr, "SLUICE_FUZZ_STORAGE_PLUGIN: %s\n", s.ToString().c_str());
      std::exit(2);
    }
    return out.release();
  }();
  return *storage;
}

// A fresh directory for one table; its store is removed at destruction
// (after the cache on it has closed), so that no input sees another's table
// and memory does not grow over a long run.
struct TableDir {
  TableDir() {
    static int n = 0;
    path = (std::filesystem::temp_directory_path() /
            ("sluice-query-fuzz-" + std::to_string(getpid()) + "-" + std::to_string(++n)))
               .string();
  }
  ~TableDir() {
    (void)TableStorage().RemoveKv(path);
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

void CheckRun(const Query& q, const TableSchema& t, std::string_view input) {
  std::vector<OrderTerm> given(q.order.begin(), q.order.begin() + q.order_by_terms);
  std::vector<OrderTerm> order = OracleOrder(t.schema, given);
  bool same_order = order.size() == q.order.size();
  for (size_t i = 0; same_order && i < order.size(); ++i)
    same_order = order[i].field == q.order[i].field && order[i].descending == q.order[i].descending;
  if (!same_order) Fail("the parsed order is not the documented total order", input);
  std::vector<Row> plain;
  std::vector<std::string> rows = TableRows(t.schema, q, &plain);
  CheckSortKeys(q, t.schema, rows, plain, input);
  TableDir dir;
  std::unique_ptr<VersionCache> cache;
  bool rebuilt = false;
  Status s = VersionCache::Open(TableStorage(), dir.path, t, &cache, &rebuilt);
  std::vector<CacheOp> ops;
  for (const std::string& r : rows) ops.push_back({SLUICE_OP_INSERT, r, 0});
  if (s.ok()) cache->SetRowCacheBytes(1 << 20);  // the second run below reads through it
  if (s.ok()) s = cache->Apply(ops, 1, 0);
  if (!s.ok()) Fail("cannot build the table: " + s.ToString(), input);

  std::vector<std::string> want = Expected(q, t, rows, plain, input);
  uint64_t count = 0;
  QueryPlanInfo info;
  s = CountQuery(*cache, q, &count, &info);
  if (!s.ok() || count != want.size())
    Fail("count " + std::to_string(count) + " (" + s.ToString() + ", plan " + info.plan + ") but " +
             std::to_string(want.size()) + " rows match",
         input);
  size_t from = static_cast<size_t>(std::min<uint64_t>(q.skip, want.size()));
  size_t to = from + std::min<size_t>(q.limit, want.size() - from);
  for (int run = 0; run < 2; ++run) {  // the second finds rows in the row cache
    std::vector<std::string> got;
    s = RunQuery(
        *cache, q,
        [&](const sluice_row_batch& b) {
          for (uint32_t i = 0; i < b.row_count; ++i) got.emplace_back(BatchRow(b, i));
          return true;
        },
        &info);
    if (!s.ok()) Fail("query failed: " + s.ToString(), input);
    if (got != std::vector<std::string>(want.begin() + from, want.begin() + to))
      Fail("query returned " + std::to_string(got.size()) + " rows (plan " + info.plan +
               "), expected " + std::to_string(to - from) + " in another order or set",
           input);
  }
}

void CheckKeyText(const Schema& schema, std::string_view text, std::string_view input) {
  std::string key;
  if (!ParseKeyText(schema, text, &key).ok()) return;
  size_t pos = 0;
  for (uint32_t f : schema.primary_key)
    if (!SkipKeyValue(schema.fields[f].type, key, &pos))
      Fail("SkipKeyValue stops inside a key", input);
  if (pos != key.size()) Fail("SkipKeyValue ends before the key does", input);
}

}  // namespace
}  // namespace sluice::host

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::host;
  static const TableSchema kSchemas[] = {MakeSchema(false), MakeSchema(true)};
  std::string_view input(reinterpret_cast<const char*>(data), size);
  QueryLimits limits;
  limits.scan_budget = 1000;  // far above what the small tables need
  for (const TableSchema& t : kSchemas) {
    sluice::host::Query q;
    sluice::Status s = ParseQuery(input, t, limits, &q);
    if (!s.ok()) {
      if (s.code() != sluice::Code::kInvalidArgument || s.message().empty())
        Fail("a refused query must be INVALID_ARGUMENT with a message: " + s.ToString(), input);
    } else {
      CheckRun(q, t, input);
    }
    CheckKeyText(t.schema, input, input);
  }
  return 0;
}
