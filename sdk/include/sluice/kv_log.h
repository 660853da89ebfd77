// sluice::KvLog: the log facet (sluice::Log) on any ordered key/value store
// (sluice::KvStore). A storage plugin whose engine gives a KvStore gets its
// logs from it: open a store of its own for the stream and wrap it.
//
//   Status MyStorage::OpenLog(const std::string& name, const std::string& dir, bool create,
//                             std::unique_ptr<sluice::Log>* out) {
//     std::unique_ptr<sluice::KvStore> kv;
//     SLUICE_RETURN_IF_ERROR(OpenMyStore(dir, create, &kv));   // one store per stream
//     return sluice::KvLog::Open(name, dir, std::move(kv), out);
//   }
//
// Each append is one KvStore::Write of its chunk(s) and the stream's meta,
// so an append and its checkpoint are as atomic and durable as the store's
// writes are. Keys only ever grow (the meta is written right after the
// append's last chunk), so an LSM engine never merges overlapping tables
// while a log is being written. The layout is sluice/kv_log_format.h and
// docs/formats.md "Chunk logs"; legacy streams are read and appended to in
// the layout they were written in. Header-only.
//
// What it needs from the store: atomic, ordered Write; NewSnapshot; bounded
// forward and reverse iterators (the KvStore contract), and that nothing
// else writes to the store while the log is open.
#ifndef SLUICE_KV_LOG_H_
#define SLUICE_KV_LOG_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/kv_log_format.h"
#include "sluice/status.h"
#include "sluice/storage.h"

namespace sluice {

// Safe for one appender (Append, Truncate) and any number of concurrent
// readers (Read, End, Checkpoint); writers are also serialized internally.
class KvLog final : public Log {
 public:
  // Opens stream `name` kept in `kv` (a store of its own; `dir` names it in
  // messages), loading its meta from the store's last key. An empty store
  // is a new stream. DATA_LOSS naming the stream when the meta is corrupt,
  // missing while chunks exist, or of an unknown format; then `kv` is
  // closed.
  static Status Open(std::string name, std::string dir, std::unique_ptr<KvStore> kv,
                     std::unique_ptr<Log>* out) {
    std::unique_ptr<KvLog> log(new KvLog(std::move(name), std::move(dir), std::move(kv)));
    SLUICE_RETURN_IF_ERROR(log->LoadMeta());
    *out = std::move(log);
    return Status();
  }

  KvLog(const KvLog&) = delete;
  KvLog& operator=(const KvLog&) = delete;
  ~KvLog() override = default;

  // How the stream is written (kvlog::Layout{} for every new stream).
  const kvlog::Layout& layout() const { return layout_; }

  // INVALID_ARGUMENT if a record is 4 GiB or larger.
  Status Append(const std::string_view* records, size_t count, std::string_view checkpoint,
                bool sync, uint64_t* first_offset) override {
    for (size_t i = 0; i < count; ++i)
      if (records[i].size() > std::numeric_limits<uint32_t>::max())
        return InvalidArgument("log '" + name_ + "': record " + std::to_string(i) +
                               " of the batch is " + std::to_string(records[i].size()) +
                               " bytes; the maximum is 4 GiB - 1");
    std::lock_guard<std::mutex> writer(write_mu_);
    const uint64_t first = end_;  // only writers change end_, and we hold write_mu_
    Batch& batch = batch_;
    batch.Clear();
    batch.buf.reserve(kvlog::ChunkSize(records, count) + 64);  // one chunk, its key, the meta
    uint64_t tail = tail_first_;  // an append of no records rewrites the current meta
    for (size_t i = 0; i < count;) {
      size_t j = i, bytes = 0;
      do bytes += records[j++].size();
      while (j < count && bytes + records[j].size() <= kvlog::kMaxChunkPayload);
      size_t key = batch.buf.size();
      kvlog::AppendChunkKey(first + i, &batch.buf);
      size_t value = batch.buf.size();
      kvlog::EncodeChunk(records + i, j - i, layout_.masked, &batch.buf);
      batch.puts.push_back({key, value, batch.buf.size()});
      tail = first + i;
      i = j;
    }
    SLUICE_RETURN_IF_ERROR(Commit(&batch, tail, first + count, checkpoint, sync, "append"));
    if (first_offset != nullptr) *first_offset = first;
    return Status();
  }

  // Delivers records below End() as of the call. Verifies the checksum of
  // every chunk it touches; DATA_LOSS names the stream, its directory and
  // the offset of a bad or missing chunk.
  Status Read(uint64_t from, size_t max_records, RecordFn fn) override {
    uint64_t end = 0;
    SLUICE_RETURN_IF_ERROR(End(&end));
    if (from > end)
      return OutOfRange("log '" + name_ + "': cannot read from offset " + std::to_string(from) +
                        ", the log ends at " + std::to_string(end));
    if (from == end || max_records == 0) return Status();
    // Nothing at or past `end`: the snapshot below may already hold an
    // append whose Append has not returned, and a reader that got ahead of
    // End() would then be refused its next read.
    if (max_records > end - from) max_records = static_cast<size_t>(end - from);
    std::unique_ptr<KvSnapshot> snap;  // the lookup and the walk see one state
    SLUICE_RETURN_IF_ERROR(Store(kv_->NewSnapshot(&snap), "snapshot"));
    uint64_t first = 0;
    bool found = false;
    SLUICE_RETURN_IF_ERROR(FindChunk(snap.get(), from, &first, &found, nullptr));
    if (!found) return NoChunkAt(snap.get(), from);
    return Walk(snap.get(), first, from, max_records, fn);
  }

  Status End(uint64_t* end) override {
    std::lock_guard<std::mutex> lock(mu_);
    *end = end_;
    return Status();
  }
  Status Checkpoint(std::string* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    *out = checkpoint_;
    return Status();
  }

  // Always synced. OUT_OF_RANGE if new_end > End(). DATA_LOSS if the chunk
  // that straddles new_end is corrupt (truncate to its first offset, which
  // the read error names, to drop it whole).
  Status Truncate(uint64_t new_end, std::string_view checkpoint) override {
    std::lock_guard<std::mutex> writer(write_mu_);
    if (new_end > end_)
      return OutOfRange("log '" + name_ + "': cannot truncate to offset " +
                        std::to_string(new_end) + ", beyond the end " + std::to_string(end_));
    batch_.Clear();
    uint64_t tail = tail_first_;
    if (new_end < end_) SLUICE_RETURN_IF_ERROR(DropTail(new_end, &batch_, &tail));
    return Commit(&batch_, tail, new_end, checkpoint, /*sync=*/true, "truncate");
  }

 private:
  // The ops of one write: puts of keys and values laid out in `buf`, and
  // deletes of the keys in `deletes`. One per log, reused by every write.
  struct Batch {
    struct Put {
      size_t key, value, end;  // buf[key, value) is the key, buf[value, end) the value
    };
    std::string buf;
    std::vector<Put> puts;
    std::vector<std::string> deletes;
    std::vector<KvOp> ops;
    void Clear() {
      buf.clear();
      puts.clear();
      deletes.clear();
      ops.clear();
    }
  };
  // The most buffer a log keeps between writes.
  static constexpr size_t kKeptBytes = kvlog::kMaxChunkPayload;
  // Progress of one Read across chunks.
  struct ReadState {
    uint64_t from;
    size_t max;
    uint64_t next;     // offset of the next record in the stream
    size_t delivered;  // records given to fn so far
    bool done;         // max reached or fn asked to stop
  };

  KvLog(std::string name, std::string dir, std::unique_ptr<KvStore> kv)
      : name_(std::move(name)), dir_(std::move(dir)), kv_(std::move(kv)) {}

  Status Corrupt(uint64_t offset, const std::string& why) const {
    return DataLoss("log '" + name_ + "' (" + dir_ + "): offset " + std::to_string(offset) + ": " +
                    why);
  }
  Status Store(const Status& s, const char* op) const {
    return s.WithContext("log '" + name_ + "' " + op);
  }
  static bool IsMetaKey(std::string_view key) {
    uint64_t first = 0;
    return key == kvlog::kSingleMetaKey || kvlog::ParseTailMetaKey(key, &first);
  }

  // Reads the store's last key: a meta key (the stream's state), or nothing.
  Status LoadMeta() {
    std::string key, value;
    bool any = false;
    SLUICE_RETURN_IF_ERROR(LastEntry(nullptr, &key, &value, &any));
    if (!any) return Status();  // a new stream
    uint64_t first = 0;
    bool single = key == kvlog::kSingleMetaKey;
    if (!single && !kvlog::ParseTailMetaKey(key, &first)) {
      if (kvlog::ParseChunkKey(key, &first))
        return Corrupt(first, "a chunk exists but the meta key is missing");
      return DataLoss("log '" + name_ + "' (" + dir_ + "): unexpected last key (not a log store?)");
    }
    kvlog::Meta meta;
    Status m = kvlog::DecodeMeta(value, &meta);
    if (m.ok() && single && meta.format != kvlog::kLegacyFormat)
      m = DataLoss("meta format " + std::to_string(meta.format) + " under the single meta key");
    if (!m.ok()) return DataLoss("log '" + name_ + "' (" + dir_ + "): " + m.message());
    layout_ = kvlog::Layout{meta.format, meta.masked, single};
    tail_first_ = first;
    std::lock_guard<std::mutex> lock(mu_);
    end_ = meta.end;
    checkpoint_ = std::move(meta.checkpoint);
    return Status();
  }

  // The last entry of the store as of `snap`; *any false when it is empty.
  Status LastEntry(const KvSnapshot* snap, std::string* key, std::string* value, bool* any) {
    std::unique_ptr<KvIterator> it;
    SLUICE_RETURN_IF_ERROR(Store(kv_->NewIterator(snap, {}, {}, /*reverse=*/true, &it), "scan"));
    bool exhausted = false;
    *any = false;
    return Store(it->Read(
                     1,
                     [&](std::string_view k, std::string_view v) {
                       key->assign(k.data(), k.size());
                       value->assign(v.data(), v.size());
                       *any = true;
                       return true;
                     },
                     &exhausted),
                 "scan");
  }

  // Finds the chunk that holds offset `at` as of `snap`: the last chunk key
  // <= ChunkKey(at). Sets *found, *first and, when `value` is given, copies
  // the chunk into it.
  Status FindChunk(const KvSnapshot* snap, uint64_t at, uint64_t* first, bool* found,
                   std::string* value) {
    std::string upper = kvlog::ChunkKey(at);
    upper.push_back('\0');  // the first key after ChunkKey(at)
    std::unique_ptr<KvIterator> it;
    SLUICE_RETURN_IF_ERROR(Store(
        kv_->NewIterator(snap, std::string_view(&kvlog::kChunkTag, 1), upper, true, &it), "read"));
    bool exhausted = false;
    *found = false;
    return Store(it->Read(
                     std::numeric_limits<size_t>::max(),
                     [&](std::string_view k, std::string_view v) {
                       *found = kvlog::ParseChunkKey(k, first);  // else a tail meta key
                       if (*found && value != nullptr) value->assign(v.data(), v.size());
                       return !*found;
                     },
                     &exhausted),
                 "read");
  }

  // Walks the chunks from the one starting at `first`, delivering records
  // from offset `from` on.
  Status Walk(const KvSnapshot* snap, uint64_t first, uint64_t from, size_t max_records,
              RecordFn fn) {
    std::unique_ptr<KvIterator> it;
    std::string lower = kvlog::ChunkKey(first);
    SLUICE_RETURN_IF_ERROR(Store(kv_->NewIterator(snap, lower, {}, false, &it), "read"));
    ReadState st{from, max_records, first, 0, false};
    kvlog::Meta meta;  // the last meta walked past: at the end, the stream's
    bool have_meta = false;
    Status error;
    bool exhausted = false;
    Status s = it->Read(
        std::numeric_limits<size_t>::max(),
        [&](std::string_view key, std::string_view value) {
          uint64_t f = 0;
          if (kvlog::ParseChunkKey(key, &f)) {
            if (f != st.next)
              error = Corrupt(
                  st.next, "records are missing (next chunk starts at " + std::to_string(f) + ")");
            if (error.ok()) error = DeliverChunk(f, value, fn, &st);
            return error.ok() && !st.done;
          }
          if (!IsMetaKey(key)) return false;  // not a log key: the stream ended before it
          if (kvlog::DecodeMeta(value, &meta).ok()) have_meta = true;
          return key != kvlog::kSingleMetaKey;  // it sorts after every chunk
        },
        &exhausted);
    SLUICE_RETURN_IF_ERROR(Store(s, "read"));
    SLUICE_RETURN_IF_ERROR(error);
    if (!st.done && have_meta && st.next < meta.end)
      return Corrupt(st.next,
                     "records are missing (the stream ends at " + std::to_string(meta.end) + ")");
    return Status();
  }

  // Verifies one chunk (first offset `first`) and hands its records at
  // offsets >= st->from to fn, advancing *st.
  Status DeliverChunk(uint64_t first, std::string_view value, RecordFn fn, ReadState* st) const {
    kvlog::ChunkReader chunk;
    Status s = chunk.Open(value, layout_.masked);
    for (bool more = s.ok(); more;) {
      std::string_view record;
      s = chunk.Next(&record, &more);
      if (!s.ok() || !more) break;
      if (st->next >= st->from && (!fn(st->next, record) || ++st->delivered == st->max)) {
        st->done = true;
        return Status();
      }
      ++st->next;
    }
    return s.ok() ? Status() : Corrupt(first, "chunk " + s.message());
  }

  // No chunk holds `from` as of `snap`. A Truncate that committed after
  // Read checked the end leaves nothing to read; only a missing chunk below
  // the stored end is corruption.
  Status NoChunkAt(const KvSnapshot* snap, uint64_t from) {
    std::string key, value;
    bool any = false;
    SLUICE_RETURN_IF_ERROR(LastEntry(snap, &key, &value, &any));
    kvlog::Meta meta;
    if (any && IsMetaKey(key) && kvlog::DecodeMeta(value, &meta).ok() && from >= meta.end)
      return Status();
    return Corrupt(from, "no stored chunk holds this offset");
  }

  // Adds to *batch what cuts the stream at new_end: the chunk straddling
  // new_end rewritten with its first records, and deletes of every chunk
  // and tail meta key from new_end on. *tail receives the first offset of
  // the chunk the new meta key follows.
  Status DropTail(uint64_t new_end, Batch* batch, uint64_t* tail) {
    bool found = false;
    *tail = 0;
    if (new_end > 0) SLUICE_RETURN_IF_ERROR(FindChunk(nullptr, new_end - 1, tail, &found, nullptr));
    if (!found) *tail = 0;
    uint64_t first = 0;
    std::string value;
    SLUICE_RETURN_IF_ERROR(FindChunk(nullptr, new_end, &first, &found, &value));
    if (found && first < new_end) {
      kvlog::ChunkReader chunk;
      Status s = chunk.Open(value, layout_.masked);
      std::vector<std::string_view> keep;
      for (bool more = true; s.ok() && more && first + keep.size() < new_end;) {
        std::string_view record;
        s = chunk.Next(&record, &more);
        if (s.ok() && more) keep.push_back(record);
      }
      if (!s.ok())
        return Corrupt(first, "cannot rewrite the chunk that straddles the new end " +
                                  std::to_string(new_end) + ": chunk " + s.message());
      if (keep.size() < chunk.count()) {
        size_t key = batch->buf.size();
        kvlog::AppendChunkKey(first, &batch->buf);
        size_t at = batch->buf.size();
        kvlog::EncodeChunk(keep.data(), keep.size(), layout_.masked, &batch->buf);
        batch->puts.push_back({key, at, batch->buf.size()});
      }
    }
    std::unique_ptr<KvIterator> it;
    std::string lower = kvlog::ChunkKey(new_end);
    SLUICE_RETURN_IF_ERROR(
        Store(kv_->NewIterator(nullptr, lower, kvlog::kChunksEnd, false, &it), "truncate"));
    bool exhausted = false;
    return Store(it->Read(
                     std::numeric_limits<size_t>::max(),
                     [&](std::string_view k, std::string_view) {
                       batch->deletes.emplace_back(k);  // chunks and tail metas
                       return true;
                     },
                     &exhausted),
                 "truncate");
  }

  // Adds the meta (after the chunk starting at `tail`) to *batch, writes it
  // and publishes the new end and checkpoint.
  Status Commit(Batch* batch, uint64_t tail, uint64_t end, std::string_view checkpoint, bool sync,
                const char* op) {
    size_t key = batch->buf.size();
    kvlog::AppendMetaKey(layout_, tail, &batch->buf);
    size_t value = batch->buf.size();
    kvlog::AppendMeta(layout_.format, layout_.masked, end, checkpoint, &batch->buf);
    batch->puts.push_back({key, value, batch->buf.size()});
    std::vector<KvOp>& ops = batch->ops;
    for (const std::string& k : batch->deletes) ops.push_back({KvOp::kDelete, k, {}});
    std::string_view buf = batch->buf;
    for (const Batch::Put& p : batch->puts)
      ops.push_back(
          {KvOp::kPut, buf.substr(p.key, p.value - p.key), buf.substr(p.value, p.end - p.value)});
    Status written = Store(kv_->Write(ops.data(), ops.size(), sync), op);
    if (batch->buf.capacity() > kKeptBytes) std::string().swap(batch->buf);  // a large append
    SLUICE_RETURN_IF_ERROR(written);
    tail_first_ = tail;
    std::lock_guard<std::mutex> lock(mu_);
    end_ = end;
    checkpoint_.assign(checkpoint.data(), checkpoint.size());
    return Status();
  }

  const std::string name_;
  const std::string dir_;
  const std::unique_ptr<KvStore> kv_;

  kvlog::Layout layout_;     // set by LoadMeta, before the log is shared
  std::mutex write_mu_;      // serializes Append and Truncate
  Batch batch_;              // the write being made (under write_mu_)
  uint64_t tail_first_ = 0;  // first offset of the chunk the meta key follows (under write_mu_)
  mutable std::mutex mu_;    // guards end_ and checkpoint_
  uint64_t end_ = 0;
  std::string checkpoint_;
};

}  // namespace sluice

#endif  // SLUICE_KV_LOG_H_
