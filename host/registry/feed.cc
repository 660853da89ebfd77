#include "registry/feed.h"

#include <algorithm>

#include "query/query_filter.h"
#include "sluice/row.h"

namespace sluice::host {
namespace {

// Log records one Next() call examines at most before it returns (with its
// position moved on), so that a filter matching little cannot hold a
// transport's thread for a whole log.
constexpr size_t kExamineBudget = 16384;
constexpr size_t kLogChunk = 1024;
// Room for batch references a reader keeps between reads (one per subscriber).
constexpr size_t kKeptBatches = 64;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::string Names(const Schema& schema, const Restriction* r) {
  std::string out;
  for (size_t i = 0; i < schema.fields.size(); ++i)
    if (r == nullptr || !r->masks || r->visible[i])
      out += (out.empty() ? "" : ", ") + schema.fields[i].name;
  return out;
}

}  // namespace

Status Feed::Open(Source source, const FeedOptions& options, const QueryLimits& limits,
                  Follow follow, std::unique_ptr<Feed>* out) {
  std::unique_ptr<Feed> f(new Feed());
  f->src_ = std::move(source);
  f->options_ = options;
  if (f->options_.max_lag == 0) f->options_.max_lag = kDefaultMaxLag;
  if (f->options_.max_lag_ms == 0) f->options_.max_lag_ms = kDefaultMaxLagMs;
  f->limits_ = limits;
  f->follow_ = std::move(follow);
  SLUICE_RETURN_IF_ERROR(f->Compile(limits));
  ServedVersion& sv = *f->src_.version;
  switch (options.from) {
    case SLUICE_FEED_FROM_START: f->next_ = 0; break;
    case SLUICE_FEED_FROM_AFTER: {
      uint64_t end = sv.log->end();
      if (options.after >= end)
        return OutOfRange(
            "offset " + std::to_string(options.after) + " is beyond the end of " +
            f->src_.endpoint + " v" + std::to_string(sv.meta.version) +
            "'s log (its last offset is " +
            (end == 0 ? std::string("none: the log is empty") : std::to_string(end - 1)) + ")");
      f->next_ = options.after + 1;
      break;
    }
    default: f->next_ = sv.feed.Peek().end; break;
  }
  f->Subscribe();
  *out = std::move(f);
  return Status();
}

Feed::~Feed() { Unsubscribe(); }

Status Feed::Compile(const QueryLimits& limits) {
  const TableSchema& table = src_.version->meta.table_schema;
  const Restriction* r = src_.restriction.get();
  std::string wrapped =
      options_.filter.empty() ? std::string("{}") : "{\"$filter\":" + options_.filter + "}";
  query_ = Query();
  SLUICE_RETURN_IF_ERROR(ParseQuery(wrapped, table, limits, &query_));
  if (r != nullptr) {
    Query hidden_check = query_;  // refuses a filter on a hidden field
    SLUICE_RETURN_IF_ERROR(Restrict(*r, table.schema, &hidden_check));
  }
  filtered_ = !options_.filter.empty();
  const Schema& visible = r != nullptr ? r->schema : table.schema;
  select_.clear();
  if (!options_.fields.empty()) {
    std::string_view rest = options_.fields;
    while (true) {
      size_t comma = rest.find(',');
      std::string name = Trim(rest.substr(0, comma));
      int i = visible.FieldIndex(name);
      if (i < 0 || (r != nullptr && r->masks && !r->visible[static_cast<size_t>(i)]))
        return InvalidArgument("unknown field \"" + name +
                               "\" in fields; fields: " + Names(visible, r));
      if (std::find(select_.begin(), select_.end(), static_cast<uint32_t>(i)) == select_.end())
        select_.push_back(static_cast<uint32_t>(i));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  schema_ = Schema();
  if (select_.empty()) {
    schema_ = visible;
  } else {
    for (uint32_t i : select_) schema_.fields.push_back(visible.fields[i]);
    for (uint32_t k : visible.primary_key) {
      auto at = std::find(select_.begin(), select_.end(), k);
      if (at == select_.end()) {
        schema_.primary_key.clear();  // the key is not all selected: none
        break;
      }
      schema_.primary_key.push_back(static_cast<uint32_t>(at - select_.begin()));
    }
  }
  c_schema_ = std::make_unique<SchemaView>(schema_);
  decode_ = r != nullptr || filtered_ || !select_.empty();
  // Feeds of the same version, filter and fields for callers who see
  // everything hand out the same events: transports may encode them once.
  group_ = r == nullptr ? src_.version->feed.Group(options_.filter + '\0' + options_.fields) : 0;
  return Status();
}

void Feed::Subscribe() {
  sub_.wake = &Feed::OnWake;
  sub_.wake_ctx = this;
  sub_.armed = false;
  live_ = behind_ = false;
  src_.version->feed.Add(&sub_);
  subscribed_ = true;
}

void Feed::Unsubscribe() {
  if (subscribed_) src_.version->feed.Remove(&sub_);
  subscribed_ = false;
}

void Feed::OnWake(void* self) {
  Feed* f = static_cast<Feed*>(self);
  {
    std::lock_guard<std::mutex> lock(f->mu_);
    f->woken_ = true;
  }
  f->cv_.notify_all();
  if (f->options_.wake != nullptr) f->options_.wake(f->options_.wake_ctx);
}

bool Feed::Offer(uint32_t op, uint64_t offset, std::string_view row,
                 FunctionRef<bool(const sluice_feed_event&)> fn, size_t* handed) {
  const TableSchema& table = src_.version->meta.table_schema;
  const Restriction* r = src_.restriction.get();
  // Rows are checked against the schema when ingested; a feed that
  // neither filters nor projects hands them on as they are.
  bool decodes = !decode_ || DecodeRow(table.schema, row, &decoded_).empty();
  // A row outside the caller's row filter is never sent, deletes included:
  // a delete carries the row as logged, and one the filter cannot be
  // checked on is not sent to a restricted caller.
  if (r != nullptr && (!decodes || !Admits(*r, decoded_))) return true;
  if (filtered_ && !(decodes && MatchesFilter(query_.filter, decoded_))) return true;
  if (!decodes && op != SLUICE_OP_DELETE) return true;
  if (!select_.empty() && decodes) {
    projected_.clear();
    RowWriter w(&projected_, static_cast<uint32_t>(select_.size()));
    for (uint32_t i : select_)
      if (r != nullptr && r->masks && !r->visible[i]) w.Null();
      else w.Put(decoded_[i]);
    row = projected_;
  } else if (r != nullptr && decodes && MaskRow(*r, decoded_, &masked_)) {
    row = masked_;
  }
  sluice_feed_event e{};
  e.struct_size = sizeof e;
  e.op = op;
  e.offset = offset;
  e.version = src_.version->meta.version;
  e.row = reinterpret_cast<const uint8_t*>(row.data());
  e.row_size = row.size();
  e.schema = c_schema_->get();
  e.group = group_;
  ++*handed;
  ++sent_;
  return fn(e);
}

Status Feed::Step(size_t max, FunctionRef<bool(const sluice_feed_event&)> fn, size_t* handed,
                  bool* stop, size_t* examined_total, ChangeFeed::Window* w) {
  ServedVersion& sv = *src_.version;
  sv.feed.Read(next_, &batches_, w, max);
  if (w->closed) return Status();
  size_t examined = 0;
  if (next_ < w->ring_start) {
    // Behind the ring: read the log itself, up to where the ring starts.
    uint64_t until = w->ring_start;
    while (next_ < until && *handed < max && !*stop && examined < kExamineBudget) {
      Status read_error;
      SLUICE_RETURN_IF_ERROR(
          sv.log->Read(next_, kLogChunk, [&](uint64_t off, const LogRecord& rec) {
            if (off >= until || *handed >= max || *stop) return false;
            ++examined;
            next_ = off + 1;
            if (rec.kind != RecordKind::kCommit &&
                !Offer(static_cast<uint32_t>(rec.kind), off, rec.payload, fn, handed))
              *stop = true;
            return true;
          }));
      if (examined == 0)
        return DataLoss(sv.log->name() + ": no record at offset " + std::to_string(next_) +
                        " before the applied end");
    }
  } else {
    for (const auto& b : batches_) {
      if (*handed >= max || *stop) break;
      for (const auto& c : b->changes) {
        if (c.offset < next_) continue;
        if (*handed >= max || *stop) break;
        ++examined;
        next_ = c.offset + 1;
        if (!Offer(c.op, c.offset, b->row(c), fn, handed)) *stop = true;
      }
      bool whole = b->changes.empty() || next_ > b->changes.back().offset;
      if (whole) next_ = std::max(next_, b->end);
    }
    batches_.clear();
    if (batches_.capacity() > kKeptBatches) batches_.shrink_to_fit();
  }
  if (next_ >= w->end) live_ = true;
  *examined_total += examined;
  return Status();
}

bool Feed::TooSlow() {
  ChangeFeed::Window w = src_.version->feed.Peek();
  if (!live_ || w.end <= next_ || w.end - next_ <= options_.max_lag) {
    behind_ = false;
    return false;
  }
  auto now = std::chrono::steady_clock::now();
  if (!behind_) {
    behind_ = true;
    behind_since_ = now;
    return false;
  }
  if (now - behind_since_ < std::chrono::milliseconds(options_.max_lag_ms)) return false;
  if (!cut_counted_) src_.version->feed.CountCut();
  cut_counted_ = true;
  return true;
}

Status Feed::Switch(FunctionRef<bool(const sluice_feed_event&)> fn, size_t* handed) {
  Source fresh;
  SLUICE_RETURN_IF_ERROR(follow_.acquire(&fresh));
  uint32_t from = src_.version->meta.version;
  if (sent_ > 0) src_.version->feed.CountSent(sent_);
  sent_ = 0;
  Unsubscribe();
  src_ = std::move(fresh);
  next_ = 0;  // the new version from its log's start
  SLUICE_RETURN_IF_ERROR(
      Compile(limits_).WithContext("the filter or fields no longer fit after the switch"));
  Subscribe();
  sluice_feed_event e{};
  e.struct_size = sizeof e;
  e.op = SLUICE_FEED_SWITCH;
  e.version = src_.version->meta.version;
  e.previous = from;
  e.schema = c_schema_->get();
  ++*handed;
  fn(e);
  return Status();
}

Status Feed::Next(size_t max, std::chrono::milliseconds timeout,
                  FunctionRef<bool(const sluice_feed_event&)> fn, sluice_feed_position* position) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t handed = 0;
  bool stop = false;
  Status s;
  auto report = [&] {
    if (position == nullptr) return;
    position->version = src_.version->meta.version;
    position->next = next_;
  };
  size_t examined = 0;
  for (;;) {
    if (TooSlow()) {
      s = ResourceExhausted(
          "this feed fell more than " + std::to_string(options_.max_lag) + " changes behind for " +
          std::to_string(options_.max_lag_ms) + " ms; resume after " +
          (next_ == 0 ? std::string("nothing (from the start)") : std::to_string(next_ - 1)));
      break;
    }
    if (max == 0) break;  // the caller only asks whether the feed ended
    if (options_.follow_current && follow_.current) {
      uint32_t current = follow_.current();
      if (current != 0 && current != src_.version->meta.version) {
        s = Switch(fn, &handed);
        break;
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = false;
    }
    sub_.armed = true;  // a publish from here on wakes
    ChangeFeed::Window w;
    s = Step(max, fn, &handed, &stop, &examined, &w);
    if (!s.ok()) break;
    if (w.closed && handed == 0) {
      s = Unavailable("the server is stopping or " + src_.endpoint + " v" +
                      std::to_string(src_.version->meta.version) + " is no longer served");
      break;
    }
    if (handed > 0 || stop) break;
    if (next_ < w.end) {
      if (examined >= kExamineBudget) break;  // the position moved on: report it
      continue;                               // past filtered-out changes: more to read
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return woken_; })) break;
  }
  report();
  if (sent_ > 0) src_.version->feed.CountSent(sent_);
  sent_ = 0;
  return s;
}

}  // namespace sluice::host
