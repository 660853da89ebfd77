// libFuzzer target for the query engine (docs/query.md): the input is query
// JSON, parsed against two fixed schemas that cover every type (one with a
// single-field primary key, one with a composite key, both with secondary
// indexes). Each query that parses is then run on a small table built from
// fixed rows and from the query's own constants, and checked:
//
//   - RunQuery returns exactly what a direct evaluation returns: the rows
//     that pass $filter and $after, in sort-key order, after $skip, at most
//     $limit (so every plan, index and cursor seek is checked);
//   - CountQuery agrees with the same evaluation without $skip and $limit;
//   - sort keys order rows as a field-by-field CompareValues does;
//   - a cursor made of a row's own values has that row's sort key;
//   - a failed parse is INVALID_ARGUMENT with a message.
//
// The input is also tried as primary-key text (GetByKey's parser), and a
// key that parses must be walked by SkipKeyValue exactly to its end.
// A violated check prints what differed and aborts, which libFuzzer
// reports as a crash (fuzz/README.md).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cache/version_cache.h"
#include "core/keycodec.h"
#include "query/query_engine.h"
#include "query/query_filter.h"
#include "tests/mem_kv.h"

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

// The table a query runs on: the fixed rows, rows mixing in the query's
// constants (so equality and range bounds are hit exactly), and the
// $after cursor itself.
std::vector<std::string> TableRows(const Schema& schema, const Query& q) {
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
                   std::string_view input) {
  for (const std::string& a : rows) {
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
    for (const std::string& b : rows) {
      std::vector<Value> vb = Decoded(schema, b, input);
      std::string kb;
      AppendSortKey(&kb, vb, q.order);
      int want = 0;
      for (size_t i = 0; i < q.order.size() && want == 0; ++i) {
        want = CompareValues(va[q.order[i].field], vb[q.order[i].field]);
        if (q.order[i].descending) want = -want;
      }
      int got = ka < kb ? -1 : (kb < ka ? 1 : 0);
      if (want != got) Fail("sort keys order two rows unlike their values", input);
    }
  }
}

// What the query must return, evaluated directly: (sort key, row) of the
// rows that pass $filter and $after, in order (before $skip and $limit).
std::vector<std::string> Expected(const Query& q, const TableSchema& t,
                                  const std::vector<std::string>& rows, std::string_view input) {
  std::map<std::string, std::string> by_pk;  // the table keeps the last row of each key
  for (const std::string& r : rows) {
    std::string pk;
    AppendKeyFields(&pk, Decoded(t.schema, r, input), t.schema.primary_key);
    by_pk[pk] = r;
  }
  std::string cursor;
  if (q.has_after) AppendCursorKey(&cursor, q.after, q.order, t.schema);
  std::map<std::string, std::string> sorted;
  for (const auto& [pk, r] : by_pk) {
    std::vector<Value> v = Decoded(t.schema, r, input);
    std::string key;
    AppendSortKey(&key, v, q.order);
    if (!MatchesFilter(q.filter, v) || (q.has_after && !(key > cursor))) continue;
    if (!sorted.emplace(key, r).second) Fail("two rows share a sort key", input);
  }
  std::vector<std::string> out;
  for (auto& [key, r] : sorted) out.push_back(std::move(r));
  return out;
}

void CheckRun(const Query& q, const TableSchema& t, std::string_view input) {
  std::vector<std::string> rows = TableRows(t.schema, q);
  CheckSortKeys(q, t.schema, rows, input);
  memkv::MemStorage storage;
  std::unique_ptr<VersionCache> cache;
  bool rebuilt = false;
  Status s = VersionCache::Open(storage, "/fuzz/cache", t, &cache, &rebuilt);
  std::vector<CacheOp> ops;
  for (const std::string& r : rows) ops.push_back({SLUICE_OP_INSERT, r, 0});
  if (s.ok()) s = cache->Apply(ops, 1, 0);
  if (!s.ok()) Fail("cannot build the table: " + s.ToString(), input);

  std::vector<std::string> want = Expected(q, t, rows, input);
  uint64_t count = 0;
  QueryPlanInfo info;
  s = CountQuery(*cache, q, &count, &info);
  if (!s.ok() || count != want.size())
    Fail("count " + std::to_string(count) + " (" + s.ToString() + ", plan " + info.plan + ") but " +
             std::to_string(want.size()) + " rows match",
         input);
  size_t from = static_cast<size_t>(std::min<uint64_t>(q.skip, want.size()));
  size_t to = from + std::min<size_t>(q.limit, want.size() - from);
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
