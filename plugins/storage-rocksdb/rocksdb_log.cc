#include "rocksdb_log.h"

#include <limits>
#include <vector>

#include "log_format.h"

namespace sluice::storage_rocksdb {
namespace {

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }
rocksdb::Slice Sl(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

RocksDbLog::RocksDbLog(std::string name, std::string dir, std::shared_ptr<const Resources> res,
                       std::unique_ptr<rocksdb::DB> db)
    : name_(std::move(name)), dir_(std::move(dir)), res_(std::move(res)), db_(std::move(db)) {}

RocksDbLog::~RocksDbLog() {
  rocksdb::Status s = db_->Close();
  if (!s.ok())
    res_->host().Warn(FromRocksDb(s, "close", dir_).WithContext("log '" + name_ + "'").message());
}

Status RocksDbLog::Open(std::string name, std::string dir, std::shared_ptr<const Resources> res,
                        std::unique_ptr<rocksdb::DB> db, std::unique_ptr<RocksDbLog>* out) {
  std::unique_ptr<RocksDbLog> log(
      new RocksDbLog(std::move(name), std::move(dir), std::move(res), std::move(db)));
  SLUICE_RETURN_IF_ERROR(log->LoadMeta());
  *out = std::move(log);
  return Status();
}

Status RocksDbLog::Corrupt(uint64_t offset, const std::string& why) const {
  return DataLoss("log '" + name_ + "' (" + dir_ + "): offset " + std::to_string(offset) + ": " +
                  why);
}

Status RocksDbLog::LoadMeta() {
  std::string value;
  rocksdb::Status s = db_->Get(res_->ReadOpts(), Sl(kMetaKey), &value);
  if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(res_->ReadOpts()));
    it->SeekToFirst();
    uint64_t first = 0;
    if (it->Valid() && ParseChunkKey(View(it->key()), &first))
      return Corrupt(first, "a chunk exists but the meta key is missing");
    return FromRocksDb(it->status(), "scan", dir_);
  }
  SLUICE_RETURN_IF_ERROR(FromRocksDb(s, "get meta", dir_));
  LogMeta meta;
  Status m = DecodeMeta(value, &meta);
  if (!m.ok()) return DataLoss("log '" + name_ + "' (" + dir_ + "): " + m.message());
  std::lock_guard<std::mutex> lock(mu_);
  end_ = meta.end;
  checkpoint_ = std::move(meta.checkpoint);
  return Status();
}

Status RocksDbLog::Commit(rocksdb::WriteBatch* batch, uint64_t end, std::string_view checkpoint,
                          bool sync, const char* op) {
  rocksdb::Status put = batch->Put(Sl(kMetaKey), EncodeMeta(end, checkpoint));
  SLUICE_RETURN_IF_ERROR(FromRocksDb(put, op, dir_));
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  SLUICE_RETURN_IF_ERROR(FromRocksDb(db_->Write(wo, batch), op, dir_));
  std::lock_guard<std::mutex> lock(mu_);
  end_ = end;
  checkpoint_.assign(checkpoint.data(), checkpoint.size());
  return Status();
}

Status RocksDbLog::Append(const std::string_view* records, size_t count,
                          std::string_view checkpoint, bool sync, uint64_t* first_offset) {
  for (size_t i = 0; i < count; ++i)
    if (records[i].size() > std::numeric_limits<uint32_t>::max())
      return InvalidArgument("log '" + name_ + "': record " + std::to_string(i) +
                             " of the batch is " + std::to_string(records[i].size()) +
                             " bytes; the maximum is 4 GiB - 1");
  std::lock_guard<std::mutex> writer(write_mu_);
  const uint64_t first = end_;  // only writers change end_, and we hold write_mu_
  rocksdb::WriteBatch batch;
  std::string value;
  for (size_t i = 0; i < count;) {
    size_t j = i, bytes = 0;
    do bytes += records[j++].size();
    while (j < count && bytes + records[j].size() <= kMaxChunkPayload);
    value.clear();
    EncodeChunk(records + i, j - i, &value);
    SLUICE_RETURN_IF_ERROR(FromRocksDb(batch.Put(ChunkKey(first + i), value), "append", dir_));
    i = j;
  }
  SLUICE_RETURN_IF_ERROR(Commit(&batch, first + count, checkpoint, sync, "append"));
  if (first_offset != nullptr) *first_offset = first;
  return Status();
}

void RocksDbLog::SeekChunk(rocksdb::Iterator* it, uint64_t at) {
  it->SeekForPrev(ChunkKey(at));
  uint64_t first = 0;
  while (it->Valid() && !(ParseChunkKey(View(it->key()), &first) && first <= at)) it->Prev();
}

Status RocksDbLog::Read(uint64_t from, size_t max_records, RecordFn fn) {
  uint64_t end = 0;
  SLUICE_RETURN_IF_ERROR(End(&end));
  if (from > end)
    return OutOfRange("log '" + name_ + "': cannot read from offset " + std::to_string(from) +
                      ", the log ends at " + std::to_string(end));
  if (from == end || max_records == 0) return Status();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(res_->ReadOpts()));
  return ReadChunks(it.get(), from, max_records, fn);
}

Status RocksDbLog::ReadChunks(rocksdb::Iterator* it, uint64_t from, size_t max_records,
                              RecordFn fn) {
  SeekChunk(it, from);
  uint64_t first = 0;
  if (!it->Valid() || !ParseChunkKey(View(it->key()), &first)) {
    SLUICE_RETURN_IF_ERROR(FromRocksDb(it->status(), "read", dir_));
    return NoChunkAt(it, from);
  }
  ReadState st{from, max_records, first, 0, false};
  for (; it->Valid() && ParseChunkKey(View(it->key()), &first); it->Next()) {
    if (first != st.next)
      return Corrupt(st.next,
                     "records are missing (next chunk starts at " + std::to_string(first) + ")");
    SLUICE_RETURN_IF_ERROR(DeliverChunk(first, View(it->value()), fn, &st));
    if (st.done) return Status();
  }
  SLUICE_RETURN_IF_ERROR(FromRocksDb(it->status(), "read", dir_));
  LogMeta meta;  // `it` is at the meta key, which sorts after every chunk
  if (it->Valid() && DecodeMeta(View(it->value()), &meta).ok() && st.next < meta.end)
    return Corrupt(st.next,
                   "records are missing (the stream ends at " + std::to_string(meta.end) + ")");
  return Status();
}

Status RocksDbLog::DeliverChunk(uint64_t first, std::string_view value, RecordFn fn,
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

Status RocksDbLog::NoChunkAt(rocksdb::Iterator* it, uint64_t from) const {
  // A Truncate that committed after Read checked the end leaves nothing to
  // read; only a missing chunk below the stored end is corruption.
  LogMeta meta;
  it->SeekToLast();
  if (it->Valid() && View(it->key()) == kMetaKey && DecodeMeta(View(it->value()), &meta).ok() &&
      from >= meta.end)
    return Status();
  return Corrupt(from, "no stored chunk holds this offset");
}

Status RocksDbLog::End(uint64_t* end) {
  std::lock_guard<std::mutex> lock(mu_);
  *end = end_;
  return Status();
}

Status RocksDbLog::Checkpoint(std::string* out) {
  std::lock_guard<std::mutex> lock(mu_);
  *out = checkpoint_;
  return Status();
}

Status RocksDbLog::Truncate(uint64_t new_end, std::string_view checkpoint) {
  std::lock_guard<std::mutex> writer(write_mu_);
  if (new_end > end_)
    return OutOfRange("log '" + name_ + "': cannot truncate to offset " + std::to_string(new_end) +
                      ", beyond the end " + std::to_string(end_));
  rocksdb::WriteBatch batch;
  if (new_end < end_) SLUICE_RETURN_IF_ERROR(DropTail(new_end, &batch));
  return Commit(&batch, new_end, checkpoint, /*sync=*/true, "truncate");
}

Status RocksDbLog::DropTail(uint64_t new_end, rocksdb::WriteBatch* batch) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(res_->ReadOpts()));
  SeekChunk(it.get(), new_end);
  uint64_t first = 0;
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
      SLUICE_RETURN_IF_ERROR(FromRocksDb(batch->Put(it->key(), value), "truncate", dir_));
    }
  }
  SLUICE_RETURN_IF_ERROR(FromRocksDb(it->status(), "truncate", dir_));
  // Every chunk that starts at or after new_end, in one range tombstone.
  return FromRocksDb(batch->DeleteRange(ChunkKey(new_end), Sl(kChunksEnd)), "truncate", dir_);
}

}  // namespace sluice::storage_rocksdb
