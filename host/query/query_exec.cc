// Running planned queries on a VersionCache snapshot: RunQuery, CountQuery
// and GetByKey.
#include <malloc.h>  // malloc_trim (glibc)

#include <algorithm>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "cache/derived_state.h"
#include "core/keycodec.h"
#include "query/query_engine.h"
#include "query/query_filter.h"
#include "query/query_plan.h"
#include "sluice/json.h"

namespace sluice::host {
namespace {

constexpr size_t kReadChunk = 256;        // entries copied out of the store at a time ...
constexpr size_t kMinChunk = 32;          // ... at least, while rows may be rejected
constexpr size_t kBatchRows = 256;        // rows per result batch ...
constexpr size_t kBatchBytes = 1u << 20;  // ... or bytes, whichever comes first

// Reads the candidate rows of one query from one snapshot, in plan order.
class Executor {
 public:
  // Called per row that passes the residual filter and the cursor; `row` is
  // decoded only when the walk needed it. Set *stop to end the walk.
  using Visitor =
      FunctionRef<void(std::string_view bytes, const std::vector<Value>& row, bool* stop)>;

  Executor(VersionCache& cache, const Query& q) : cache_(cache), q_(q) {}

  Status Open(bool for_count) {
    PlanQuery(cache_.schema(), q_, for_count, &plan_);
    for (const FilterNode* c : plan_.residual) row_cost_ += Cost(*c);
    if (q_.has_after && !plan_.seek_after)
      AppendCursorKey(&cursor_, q_.after, q_.order, cache_.schema().schema);
    Status s;
    use_rows_ = cache_.row_cache().ReadEpoch(
        &epoch_, [&] { return cache_.kv().NewSnapshot(&snapshot_); }, &s);
    return s;
  }
  const AccessPlan& plan() const { return plan_; }
  uint64_t examined() const { return examined_; }
  KvSnapshot* snapshot() const { return snapshot_.get(); }

  // Walks the plan's range. With `need_rows` false (allowed only when the
  // plan is exact) rows are not fetched. Rows are decoded only when the
  // residual filter, the cursor or the sort (`sorted`) needs them.
  // `wanted` is how many visits the caller can use at most (it stops the
  // walk after that many): entries are then read from the store in chunks
  // no larger than needed, so a 50-row page does not read 256 entries.
  Status Walk(bool need_rows, bool sorted, Visitor visit, uint64_t wanted = UINT64_MAX);

 private:
  // Walk over the rows the postings of plan_.text name.
  Status WalkText(bool need_rows, Visitor visit);
  // The row keys (0x01 pk) of the postings of one word (or of every word
  // starting with it), within the plan's range, sorted.
  Status Postings(const std::string& word, bool prefix, std::vector<std::string>* out);
  // Walk over one range of keys.
  Status WalkRange(const std::string& lower, const std::string& upper, bool need_rows,
                   Visitor visit, uint64_t wanted);
  Status Entry(std::string_view key, std::string_view value, bool need_rows, Visitor visit,
               bool* stop);
  Status FetchRow(std::string_view index_key, std::string* row);
  size_t ChunkSize(uint64_t wanted) const;
  bool Passes(const std::vector<Value>& row) const;
  // Decodes the first decode_fields_ fields of `row` into decoded_ (the
  // whole row, checked to its end, when that is every field). "" or why
  // the row is malformed.
  std::string DecodeFields(std::string_view row);
  // max(`n`, 1 + the largest field index `node` tests).
  static size_t LastField(const FilterNode& node, size_t n);
  // Filter evaluations testing `node` on one row may cost at most.
  static uint64_t Cost(const FilterNode& node);
  // The budgets and the deadline, checked per entry read.
  Status Limits();

  VersionCache& cache_;
  const Query& q_;
  AccessPlan plan_;
  std::unique_ptr<KvSnapshot> snapshot_;
  std::string cursor_;  // sort key of $after when the range does not start after it
  uint64_t examined_ = 0;
  uint64_t row_cost_ = 0;  // filter evaluations per decoded row
  uint64_t evaluations_ = 0;
  bool sorted_ = false;
  bool decode_ = false;
  std::vector<Value> decoded_;
  std::string sort_key_;
  std::string fetched_;
  std::string pk_;         // store key (0x01 pk) of the row an index entry points to
  bool use_rows_ = false;  // the row cache serves this snapshot, at epoch_
  uint64_t epoch_ = 0;
  std::vector<std::string> chunk_keys_, chunk_values_;  // an index walk's chunk
  // Leading fields a row's filter test needs decoded (all of them when the
  // sort or the cursor needs the row decoded).
  size_t decode_fields_ = 0;
  uint64_t visits_ = 0;
  bool stop_ = false;  // the visitor asked to stop
};

Status Executor::Walk(bool need_rows, bool sorted, Visitor visit, uint64_t wanted) {
  sorted_ = sorted;
  decode_ = sorted || !plan_.residual.empty() || !cursor_.empty();
  decode_fields_ = cache_.schema().schema.fields.size();
  if (!sorted && cursor_.empty()) {  // only the residual filter reads the decoded row
    decode_fields_ = 0;
    for (const FilterNode* c : plan_.residual) decode_fields_ = LastField(*c, decode_fields_);
  }
  if (plan_.text != nullptr) return WalkText(need_rows, visit);
  if (!plan_.has_in) return WalkRange(plan_.lower, plan_.upper, need_rows, visit, wanted);
  size_t n = plan_.probes.size();
  for (size_t i = 0; i < n && !stop_; ++i) {
    const auto& [lo, hi] = plan_.probes[plan_.reverse ? n - 1 - i : i];
    SLUICE_RETURN_IF_ERROR(WalkRange(lo, hi, need_rows, visit, wanted));
  }
  return Status();
}

Status Executor::WalkRange(const std::string& lower, const std::string& upper, bool need_rows,
                           Visitor visit, uint64_t wanted) {
  if (!(lower < upper)) return Status();
  std::unique_ptr<KvIterator> it;
  SLUICE_RETURN_IF_ERROR(
      cache_.kv().NewIterator(snapshot_.get(), lower, upper, plan_.reverse, &it));
  bool exhausted = false;
  if (plan_.index < 0) {
    // Primary-key ranges and scans read nothing else while they walk: each
    // entry (key and row) is used where the store hands it over, uncopied.
    Status s;
    while (!exhausted && !stop_ && s.ok()) {
      SLUICE_RETURN_IF_ERROR(it->Read(
          ChunkSize(wanted),
          [&](std::string_view k, std::string_view v) {
            s = Entry(k, v, need_rows, visit, &stop_);
            return s.ok() && !stop_;
          },
          &exhausted));
    }
    return s;
  }
  // An index walk reads rows by key between chunks: the chunk's entries are
  // copied out first, into buffers reused from chunk to chunk.
  std::vector<std::string>& keys = chunk_keys_;
  std::vector<std::string>& values = chunk_values_;
  while (!exhausted && !stop_) {
    size_t n = 0;
    SLUICE_RETURN_IF_ERROR(it->Read(
        ChunkSize(wanted),
        [&](std::string_view k, std::string_view v) {
          if (n == keys.size()) keys.emplace_back(), values.emplace_back();
          keys[n].assign(k);
          values[n++].assign(v);  // empty, or the row when the index covers it
          return true;
        },
        &exhausted));
    for (size_t i = 0; i < n && !stop_; ++i)
      SLUICE_RETURN_IF_ERROR(Entry(keys[i], values[i], need_rows, visit, &stop_));
  }
  return Status();
}

Status Executor::Postings(const std::string& word, bool prefix, std::vector<std::string>* out) {
  std::string base = DerivedState::PostingPrefix(plan_.text->field);
  std::string lo = base + word;
  if (!prefix) lo.push_back('\0');
  std::unique_ptr<KvIterator> it;
  SLUICE_RETURN_IF_ERROR(
      cache_.kv().NewIterator(snapshot_.get(), lo, VersionCache::PrefixEnd(lo), false, &it));
  bool exhausted = false;
  Status limit;
  out->clear();
  while (!exhausted && limit.ok()) {
    SLUICE_RETURN_IF_ERROR(it->Read(
        kReadChunk,
        [&](std::string_view k, std::string_view) {
          limit = Limits();
          if (!limit.ok()) return false;
          size_t end = k.find('\0', base.size());  // words hold no zero byte
          if (end == std::string_view::npos) return true;
          std::string row_key = VersionCache::PrimaryPrefix();
          row_key.append(k.substr(end + 1));
          if (row_key >= plan_.lower && row_key < plan_.upper) out->push_back(std::move(row_key));
          return true;
        },
        &exhausted));
  }
  SLUICE_RETURN_IF_ERROR(limit);
  if (prefix) {
    std::sort(out->begin(), out->end());
    out->erase(std::unique(out->begin(), out->end()), out->end());
  }
  return Status();
}

Status Executor::WalkText(bool need_rows, Visitor visit) {
  const Predicate& p = *plan_.text;
  std::vector<std::string> keys, word, merged;
  size_t n = p.values.size();
  for (size_t i = 0; i < n; ++i) {
    SLUICE_RETURN_IF_ERROR(
        Postings(p.values[i].s, p.op == CompareOp::kPrefix && i + 1 == n, &word));
    if (i == 0) {
      keys.swap(word);
      continue;
    }
    merged.clear();
    if (p.op == CompareOp::kMatchesAny)
      std::set_union(keys.begin(), keys.end(), word.begin(), word.end(),
                     std::back_inserter(merged));
    else
      std::set_intersection(keys.begin(), keys.end(), word.begin(), word.end(),
                            std::back_inserter(merged));
    keys.swap(merged);
  }
  if (plan_.reverse) std::reverse(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size() && !stop_; ++i) {
    Status s = cache_.kv().Get(snapshot_.get(), keys[i], &fetched_);
    if (s.code() == Code::kNotFound) return DataLoss("cache full-text posting has no row");
    SLUICE_RETURN_IF_ERROR(s);
    std::string row = fetched_;  // Entry may reuse fetched_
    SLUICE_RETURN_IF_ERROR(Entry(keys[i], row, need_rows, visit, &stop_));
  }
  return Status();
}

size_t Executor::ChunkSize(uint64_t wanted) const {
  uint64_t left = wanted > visits_ ? wanted - visits_ : 1;
  // Entries the residual filter or the cursor rejects need more reads: then
  // read ahead at least kMinChunk.
  if (decode_ && !sorted_) left = std::max<uint64_t>(left, kMinChunk);
  return static_cast<size_t>(std::min<uint64_t>(left, kReadChunk));
}

Status Executor::Entry(std::string_view key, std::string_view value, bool need_rows, Visitor visit,
                       bool* stop) {
  SLUICE_RETURN_IF_ERROR(Limits());
  if (!need_rows) {
    ++visits_;
    visit({}, decoded_, stop);
    return Status();
  }
  if (plan_.index >= 0 && value.empty()) {  // not a covering entry: read the row by its key
    SLUICE_RETURN_IF_ERROR(FetchRow(key, &fetched_));
    value = fetched_;
  }
  if (decode_) {
    std::string err = DecodeFields(value);
    if (!err.empty()) return DataLoss("cache row does not match the schema: " + err);
    evaluations_ += row_cost_;
    if (!Passes(decoded_)) return Status();
  }
  ++visits_;
  visit(value, decoded_, stop);
  return Status();
}

Status Executor::Limits() {
  if (++examined_ > q_.scan_budget)
    return ResourceExhausted(BudgetMessage(cache_.schema(), q_, plan_, q_.scan_budget, sorted_));
  if (evaluations_ > q_.filter_budget)
    return ResourceExhausted("query stopped after " + std::to_string(evaluations_) +
                             " filter evaluations (query.filter_budget is " +
                             std::to_string(q_.filter_budget) +
                             "); the $filter is too large for the rows it is tested on: narrow "
                             "it with an indexed field, or split it");
  // The clock is read every 256 entries: cheap, and often enough to stop
  // within a few milliseconds of the deadline.
  if ((examined_ & 255) != 0) return Status();
  if (q_.cancelled != nullptr && q_.cancelled(q_.cancel_ctx) != 0)
    return Status(Code::kCancelled, "query cancelled after examining " + std::to_string(examined_) +
                                        " rows: its client left");
  if (std::chrono::steady_clock::now() > q_.deadline)
    return DeadlineExceeded("query ran past its deadline of " + std::to_string(q_.timeout_ms) +
                            " ms (query.timeout_ms, or the client's) after examining " +
                            std::to_string(examined_) +
                            " rows; narrow the $filter or add an index");
  return Status();
}

uint64_t Executor::Cost(const FilterNode& node) {
  if (node.kind == FilterNode::kPredicate)
    return std::max<uint64_t>(
        1, node.predicate.op == CompareOp::kIn ? node.predicate.values.size() : 1);
  uint64_t sum = 0;
  for (const FilterNode& c : node.children) sum += Cost(c);
  return std::max<uint64_t>(1, sum);
}

Status Executor::FetchRow(std::string_view index_key, std::string* row) {
  const Schema& schema = cache_.schema().schema;
  size_t pos = VersionCache::IndexPrefix(0).size();
  for (uint32_t f : plan_.fields)
    if (!SkipKeyValue(schema.fields[f].type, index_key, &pos))
      return DataLoss("cache index entry is malformed (index " + std::to_string(plan_.index) + ")");
  pk_.assign(VersionCache::PrimaryPrefix());
  pk_.append(index_key.substr(pos));
  RowCache& rows = cache_.row_cache();
  if (use_rows_ && rows.Lookup(pk_, epoch_, row)) return Status();
  Status s = cache_.kv().Get(snapshot_.get(), pk_, row);
  if (s.code() == Code::kNotFound)
    return DataLoss("cache index entry has no row (index " + std::to_string(plan_.index) + ")");
  if (s.ok() && use_rows_) rows.Insert(pk_, *row, epoch_);
  return s;
}

std::string Executor::DecodeFields(std::string_view row) {
  const Schema& schema = cache_.schema().schema;
  if (decode_fields_ >= schema.fields.size()) return DecodeRow(schema, row, &decoded_);
  decoded_.resize(schema.fields.size());
  RowReader r(schema, row);
  for (size_t i = 0; i < decode_fields_; ++i)
    if (!r.Next(&decoded_[i])) return r.ok() ? "row ends early" : r.error();
  return r.ok() ? std::string() : r.error();
}

size_t Executor::LastField(const FilterNode& node, size_t n) {
  if (node.kind == FilterNode::kPredicate)
    return std::max<size_t>(n, size_t{node.predicate.field} + 1);
  for (const FilterNode& c : node.children) n = LastField(c, n);
  return n;
}

bool Executor::Passes(const std::vector<Value>& row) const {
  for (const FilterNode* c : plan_.residual)
    if (!MatchesFilter(*c, row)) return false;
  if (cursor_.empty()) return true;
  std::string key;
  AppendSortKey(&key, row, q_.order);
  return key > cursor_;
}

// Delivers rows to the caller in batches.
class Emitter {
 public:
  explicit Emitter(FunctionRef<bool(const sluice_row_batch&)> fn) : fn_(fn) {}
  // False once the caller asked to stop.
  bool Add(std::string_view row) {
    b_.AddRow(row);
    if (b_.row_count() >= kBatchRows || b_.byte_size() >= kBatchBytes) {
      stopped_ = !fn_(*b_.batch());
      b_.Clear();
    }
    return !stopped_;
  }
  void Finish() {
    if (!stopped_) fn_(*b_.batch(0, /*at_end=*/true));
  }

 private:
  FunctionRef<bool(const sluice_row_batch&)> fn_;
  RowBatchBuilder b_;
  bool stopped_ = false;
};

struct Ranked {
  std::string key;  // sort key
  std::string row;
  bool operator<(const Ranked& o) const { return key < o.key; }
};

// Rows in plan order: skip, then emit up to the limit.
Status Stream(Executor& ex, const Query& q, Emitter* out) {
  uint64_t to_skip = q.skip, left = q.limit;
  uint64_t wanted = q.skip + q.limit < q.skip ? UINT64_MAX : q.skip + q.limit;
  return ex.Walk(
      true, false,
      [&](std::string_view row, const std::vector<Value>&, bool* stop) {
        if (to_skip > 0) return void(--to_skip);
        *stop = !out->Add(row) || --left == 0;
      },
      wanted);
}

// Frees what a sort held and, when that was a lot, hands the memory back to
// the system: a deep page must not leave the process large (query.max_skip
// bounds how much a sort holds at once).
void ReleaseLarge(std::vector<Ranked>* held) {
  size_t bytes = held->capacity() * sizeof(Ranked);
  for (const Ranked& r : *held) bytes += r.key.capacity() + r.row.capacity();
  std::vector<Ranked>().swap(*held);
#ifdef __GLIBC__
  if (bytes >= (size_t{8} << 20)) malloc_trim(0);
#endif
}

// Rows in any order: keep the best skip+limit in a max-heap, then emit.
Status SortTopK(Executor& ex, const Query& q, Emitter* out) {
  uint64_t k = q.skip + q.limit < q.skip ? UINT64_MAX : q.skip + q.limit;
  std::vector<Ranked> heap;  // max-heap on key: heap.front() is the worst kept
  Ranked cand;
  SLUICE_RETURN_IF_ERROR(
      ex.Walk(true, true, [&](std::string_view row, const std::vector<Value>& v, bool*) {
        cand.key.clear();
        if (q.rank) {  // highest score first: its complement, big-endian
          uint64_t inverted = ~TextScore(q.filter, v);
          for (int b = 7; b >= 0; --b) cand.key.push_back(static_cast<char>(inverted >> (8 * b)));
        }
        AppendSortKey(&cand.key, v, q.order);
        if (heap.size() >= k && !(cand.key < heap.front().key)) return;
        cand.row.assign(row);
        heap.push_back(std::move(cand));
        std::push_heap(heap.begin(), heap.end());
        if (heap.size() > k) {
          std::pop_heap(heap.begin(), heap.end());
          heap.pop_back();
        }
      }));
  std::sort_heap(heap.begin(), heap.end());
  for (size_t i = q.skip; i < heap.size(); ++i)
    if (!out->Add(heap[i].row)) break;
  ReleaseLarge(&heap);
  return Status();
}

void Report(const VersionCache& cache, const Query& q, const Executor& ex, bool sorted,
            QueryPlanInfo* info) {
  if (info == nullptr) return;
  info->plan = DescribePlan(cache.schema(), q, ex.plan(), sorted);
  info->scan = ex.plan().scan();
  info->examined = ex.examined();
}

}  // namespace

Status RunQuery(VersionCache& cache, const Query& q, FunctionRef<bool(const sluice_row_batch&)> fn,
                QueryPlanInfo* info) {
  Executor ex(cache, q);
  SLUICE_RETURN_IF_ERROR(ex.Open(/*for_count=*/false));
  bool sorted = !ex.plan().order_served || q.rank;
  Emitter out(fn);
  Status s;
  if (q.limit > 0) s = sorted ? SortTopK(ex, q, &out) : Stream(ex, q, &out);
  Report(cache, q, ex, sorted, info);
  if (s.ok()) out.Finish();
  return s;
}

Status CountQuery(VersionCache& cache, const Query& q, uint64_t* count, QueryPlanInfo* info) {
  Executor ex(cache, q);
  SLUICE_RETURN_IF_ERROR(ex.Open(/*for_count=*/true));
  const AccessPlan& plan = ex.plan();
  *count = 0;
  Status s;
  if (plan.scan() && plan.residual.empty() && !q.has_after) {  // the whole table
    CacheMeta meta;
    s = cache.ReadMeta(ex.snapshot(), &meta);
    *count = meta.rows;
  } else {
    s = ex.Walk(!plan.exact(q), false,
                [&](std::string_view, const std::vector<Value>&, bool*) { ++*count; });
  }
  Report(cache, q, ex, false, info);
  return s;
}

Status ScanMatching(VersionCache& cache, const Query& q,
                    FunctionRef<void(const std::vector<Value>& row)> fn, QueryPlanInfo* info) {
  Executor ex(cache, q);
  SLUICE_RETURN_IF_ERROR(ex.Open(/*for_count=*/true));
  std::vector<Value> row;
  Status bad;
  Status s =
      ex.Walk(true, false, [&](std::string_view bytes, const std::vector<Value>&, bool* stop) {
        std::string err = DecodeRow(cache.schema().schema, bytes, &row);
        if (!err.empty()) {
          bad = DataLoss("cache row does not match the schema: " + err);
          *stop = true;
          return;
        }
        fn(row);
      });
  Report(cache, q, ex, false, info);
  return s.ok() ? bad : s;
}

Status GetByKey(VersionCache& cache, std::string_view key_text, std::string* row) {
  std::string key;
  SLUICE_RETURN_IF_ERROR(ParseKeyText(cache.schema().schema, key_text, &key));
  Status s = cache.kv().Get(nullptr, VersionCache::PrimaryPrefix() + key, row);
  if (s.code() != Code::kNotFound) return s;
  std::string quoted;
  AppendJsonString(&quoted, key_text);
  return NotFound("no record with key " + quoted);
}

}  // namespace sluice::host
