#include "leveldb_log.h"

#include <limits>
#include <vector>

#include "log_format.h"

namespace sluice::storage_leveldb {
namespace {

std::string_view View(const leveldb::Slice& s) { return std::string_view(s.data(), s.size()); }

}  // namespace

LevelDbLog::LevelDbLog(std::string name, std::string dir, std::shared_ptr<const Resources> res,
                       std::unique_ptr<leveldb::DB> db)
    : name_(std::move(name)), dir_(std::move(dir)), res_(std::move(res)), db_(std::move(db)) {}

Status LevelDbLog::Open(std::string name, std::string dir, std::shared_ptr<const Resources> res,
                        std::unique_ptr<leveldb::DB> db, std::unique_ptr<LevelDbLog>* out) {
  std::unique_ptr<LevelDbLog> log(
      new LevelDbLog(std::move(name), std::move(dir), std::move(res), std::move(db)));
  SLUICE_RETURN_IF_ERROR(log->LoadMeta());
  *out = std::move(log);
  return Status();
}

leveldb::ReadOptions LevelDbLog::ReadOpts() const {
  leveldb::ReadOptions o;
  o.verify_checksums = res_->settings().paranoid_checks;
  return o;
}

Status LevelDbLog::Corrupt(uint64_t offset, const std::string& why) const {
  return DataLoss("log '" + name_ + "' (" + dir_ + "): offset " + std::to_string(offset) + ": " +
                  why);
}

bool LevelDbLog::MetaAt(leveldb::Iterator* it, LogMeta* meta) {
  uint64_t first = 0;
  if (!it->Valid() || !(View(it->key()) == kMetaKey || ParseTailMetaKey(View(it->key()), &first)))
    return false;
  return DecodeMeta(View(it->value()), meta).ok();
}

Status LevelDbLog::LoadMeta() {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ReadOpts()));
  it->SeekToLast();
  SLUICE_RETURN_IF_ERROR(FromLevelDb(it->status(), "scan", dir_));
  if (!it->Valid()) return Status();  // a new stream
  uint64_t first = 0;
  std::string_view key = View(it->key());
  legacy_meta_ = key == kMetaKey;
  if (!legacy_meta_ && !ParseTailMetaKey(key, &first)) {
    if (ParseChunkKey(key, &first))
      return Corrupt(first, "a chunk exists but the meta key is missing");
    return DataLoss("log '" + name_ + "' (" + dir_ +
                    "): unexpected last key (not a log database?)");
  }
  LogMeta meta;
  Status m = DecodeMeta(View(it->value()), &meta);
  if (!m.ok()) return DataLoss("log '" + name_ + "' (" + dir_ + "): " + m.message());
  std::lock_guard<std::mutex> lock(mu_);
  end_ = meta.end;
  checkpoint_ = std::move(meta.checkpoint);
  tail_first_ = first;
  return Status();
}

Status LevelDbLog::Commit(leveldb::WriteBatch* batch, uint64_t tail_first, uint64_t end,
                          std::string_view checkpoint, bool sync, const char* op) {
  std::string key = legacy_meta_ ? std::string(kMetaKey) : TailMetaKey(tail_first);
  batch->Put(key, EncodeMeta(end, checkpoint));
  leveldb::WriteOptions wo;
  wo.sync = sync;
  SLUICE_RETURN_IF_ERROR(FromLevelDb(db_->Write(wo, batch), op, dir_));
  tail_first_ = tail_first;
  std::lock_guard<std::mutex> lock(mu_);
  end_ = end;
  checkpoint_.assign(checkpoint.data(), checkpoint.size());
  return Status();
}

Status LevelDbLog::Append(const std::string_view* records, size_t count,
                          std::string_view checkpoint, bool sync, uint64_t* first_offset) {
  for (size_t i = 0; i < count; ++i)
    if (records[i].size() > std::numeric_limits<uint32_t>::max())
      return InvalidArgument("log '" + name_ + "': record " + std::to_string(i) +
                             " of the batch is " + std::to_string(records[i].size()) +
                             " bytes; the maximum is 4 GiB - 1");
  std::lock_guard<std::mutex> writer(write_mu_);
  const uint64_t first = end_;  // only writers change end_, and we hold write_mu_
  leveldb::WriteBatch batch;
  std::string value;
  uint64_t tail = tail_first_;  // an empty append rewrites the current meta key
  for (size_t i = 0; i < count;) {
    size_t j = i, bytes = 0;
    do bytes += records[j++].size();
    while (j < count && bytes + records[j].size() <= kMaxChunkPayload);
    value.clear();
    EncodeChunk(records + i, j - i, &value);
    batch.Put(ChunkKey(first + i), value);
    tail = first + i;
    i = j;
  }
  SLUICE_RETURN_IF_ERROR(Commit(&batch, tail, first + count, checkpoint, sync, "append"));
  if (first_offset != nullptr) *first_offset = first;
  return Status();
}

void LevelDbLog::SeekChunk(leveldb::Iterator* it, uint64_t at) {
  it->Seek(ChunkKey(at));
  if (!it->Valid()) it->SeekToLast();
  uint64_t first = 0;
  while (it->Valid() && !(ParseChunkKey(View(it->key()), &first) && first <= at)) it->Prev();
}

Status LevelDbLog::Read(uint64_t from, size_t max_records, RecordFn fn) {
  uint64_t end = 0;
  SLUICE_RETURN_IF_ERROR(End(&end));
  if (from > end)
    return OutOfRange("log '" + name_ + "': cannot read from offset " + std::to_string(from) +
                      ", the log ends at " + std::to_string(end));
  if (from == end || max_records == 0) return Status();
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ReadOpts()));
  return ReadChunks(it.get(), from, max_records, fn);
}

Status LevelDbLog::ReadChunks(leveldb::Iterator* it, uint64_t from, size_t max_records,
                              RecordFn fn) {
  SeekChunk(it, from);
  uint64_t first = 0;
  if (!it->Valid() || !ParseChunkKey(View(it->key()), &first)) {
    SLUICE_RETURN_IF_ERROR(FromLevelDb(it->status(), "read", dir_));
    return NoChunkAt(it, from);
  }
  ReadState st{from, max_records, first, 0, false};
  LogMeta meta;  // the last meta walked past: at the end, the stream's
  bool have_meta = false;
  for (; it->Valid(); it->Next()) {
    if (!ParseChunkKey(View(it->key()), &first)) {
      if (!MetaAt(it, &meta)) break;
      have_meta = true;
      if (View(it->key()) == kMetaKey) break;  // the legacy meta sorts after every chunk
      continue;
    }
    if (first != st.next)
      return Corrupt(st.next,
                     "records are missing (next chunk starts at " + std::to_string(first) + ")");
    SLUICE_RETURN_IF_ERROR(DeliverChunk(first, View(it->value()), fn, &st));
    if (st.done) return Status();
  }
  SLUICE_RETURN_IF_ERROR(FromLevelDb(it->status(), "read", dir_));
  if (have_meta && st.next < meta.end)
    return Corrupt(st.next,
                   "records are missing (the stream ends at " + std::to_string(meta.end) + ")");
  return Status();
}

Status LevelDbLog::DeliverChunk(uint64_t first, std::string_view value, RecordFn fn,
                                ReadState* st) const {
  ChunkReader chunk;
  Status s = chunk.Open(value);
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

Status LevelDbLog::NoChunkAt(leveldb::Iterator* it, uint64_t from) const {
  // A Truncate that committed after Read checked the end leaves nothing to
  // read; only a missing chunk below the stored end is corruption.
  LogMeta meta;
  it->SeekToLast();
  if (MetaAt(it, &meta) && from >= meta.end) return Status();
  return Corrupt(from, "no stored chunk holds this offset");
}

Status LevelDbLog::End(uint64_t* end) {
  std::lock_guard<std::mutex> lock(mu_);
  *end = end_;
  return Status();
}

Status LevelDbLog::Checkpoint(std::string* out) {
  std::lock_guard<std::mutex> lock(mu_);
  *out = checkpoint_;
  return Status();
}

Status LevelDbLog::Truncate(uint64_t new_end, std::string_view checkpoint) {
  std::lock_guard<std::mutex> writer(write_mu_);
  if (new_end > end_)
    return OutOfRange("log '" + name_ + "': cannot truncate to offset " + std::to_string(new_end) +
                      ", beyond the end " + std::to_string(end_));
  leveldb::WriteBatch batch;
  uint64_t tail = tail_first_;
  if (new_end < end_) SLUICE_RETURN_IF_ERROR(DropTail(new_end, &batch, &tail));
  return Commit(&batch, tail, new_end, checkpoint, /*sync=*/true, "truncate");
}

Status LevelDbLog::DropTail(uint64_t new_end, leveldb::WriteBatch* batch, uint64_t* tail) {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ReadOpts()));
  uint64_t first = 0;
  // The new meta follows the chunk that will hold the last record kept.
  *tail = 0;
  if (new_end > 0) {
    SeekChunk(it.get(), new_end - 1);
    if (it->Valid() && ParseChunkKey(View(it->key()), &first)) *tail = first;
  }
  SeekChunk(it.get(), new_end);
  if (it->Valid() && ParseChunkKey(View(it->key()), &first) && first < new_end) {
    ChunkReader chunk;
    Status s = chunk.Open(View(it->value()));
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
      std::string value;
      EncodeChunk(keep.data(), keep.size(), &value);
      batch->Put(it->key(), value);
    }
  }
  // Chunks and tail meta keys from new_end on (not the legacy meta key).
  for (it->Seek(ChunkKey(new_end)); it->Valid() && (ParseChunkKey(View(it->key()), &first) ||
                                                    ParseTailMetaKey(View(it->key()), &first));
       it->Next())
    batch->Delete(it->key());
  return FromLevelDb(it->status(), "truncate", dir_);
}

}  // namespace sluice::storage_leveldb
