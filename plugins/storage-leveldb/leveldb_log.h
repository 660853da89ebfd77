// sluice::Log on one LevelDB database: each Append is one chunk value (see
// log_format.h) written together with the stream's meta in one WriteBatch.
#ifndef SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_LOG_H_
#define SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_LOG_H_

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "log_format.h"
#include "settings.h"
#include "sluice/storage.h"

namespace sluice::storage_leveldb {

// Safe for one appender (Append, Truncate) and any number of concurrent
// readers (Read, End, Checkpoint); writers are also serialized internally.
class LevelDbLog : public Log {
 public:
  // Wraps the open database `db` (at `dir`) of stream `name`, loading its
  // meta. DATA_LOSS when the meta is corrupt or missing while chunks exist.
  static Status Open(std::string name, std::string dir, std::shared_ptr<const Resources> res,
                     std::unique_ptr<leveldb::DB> db, std::unique_ptr<LevelDbLog>* out);

  LevelDbLog(const LevelDbLog&) = delete;
  LevelDbLog& operator=(const LevelDbLog&) = delete;
  ~LevelDbLog() override = default;

  // INVALID_ARGUMENT if a record is 4 GiB or larger.
  Status Append(const std::string_view* records, size_t count, std::string_view checkpoint,
                bool sync, uint64_t* first_offset) override;
  // Verifies the checksum of every chunk it touches; DATA_LOSS names the
  // stream, directory and offset of a bad or missing chunk.
  Status Read(uint64_t from, size_t max_records, RecordFn fn) override;
  Status End(uint64_t* end) override;
  Status Checkpoint(std::string* out) override;
  // Always synced. OUT_OF_RANGE if new_end > End(). DATA_LOSS if the chunk
  // that straddles new_end is corrupt (truncate to an earlier offset).
  Status Truncate(uint64_t new_end, std::string_view checkpoint) override;

 private:
  LevelDbLog(std::string name, std::string dir, std::shared_ptr<const Resources> res,
             std::unique_ptr<leveldb::DB> db);

  Status LoadMeta();
  // Decodes the meta at `it` (the legacy "M" key or a tail meta key) into
  // *meta. False when `it` is at no meta key or its value does not decode.
  static bool MetaAt(leveldb::Iterator* it, LogMeta* meta);
  // Writes the meta in `batch` (after the chunk whose first offset is
  // `tail_first`, unless the stream uses the legacy key) and applies it.
  Status Commit(leveldb::WriteBatch* batch, uint64_t tail_first, uint64_t end,
                std::string_view checkpoint, bool sync, const char* op);
  // Positions `it` at the chunk that holds offset `at` (the last chunk key
  // <= ChunkKey(at)); leaves it invalid when there is none.
  static void SeekChunk(leveldb::Iterator* it, uint64_t at);
  // Progress of one Read across chunks.
  struct ReadState {
    uint64_t from;
    size_t max;
    uint64_t next;     // offset of the next record in the stream
    size_t delivered;  // records given to fn so far
    bool done;         // max reached or fn asked to stop
  };
  Status ReadChunks(leveldb::Iterator* it, uint64_t from, size_t max_records, RecordFn fn);
  // Verifies one chunk (first offset `first`) and hands its records at
  // offsets >= st->from to fn, advancing *st.
  Status DeliverChunk(uint64_t first, std::string_view value, RecordFn fn, ReadState* st) const;
  Status NoChunkAt(leveldb::Iterator* it, uint64_t from) const;
  // Adds to `batch` what cuts the stream at new_end; *tail receives the first
  // offset of the chunk the new meta key must follow.
  Status DropTail(uint64_t new_end, leveldb::WriteBatch* batch, uint64_t* tail);
  Status Corrupt(uint64_t offset, const std::string& why) const;
  leveldb::ReadOptions ReadOpts() const;

  const std::string name_;
  const std::string dir_;
  const std::shared_ptr<const Resources> res_;  // declared before db_: outlives it
  const std::unique_ptr<leveldb::DB> db_;

  std::mutex write_mu_;    // serializes Append and Truncate
  mutable std::mutex mu_;  // guards end_ and checkpoint_
  uint64_t end_ = 0;
  std::string checkpoint_;
  // Written under write_mu_ only (read by Commit, under write_mu_ too).
  bool legacy_meta_ = false;  // the stream keeps its meta under kMetaKey
  uint64_t tail_first_ = 0;   // first offset of the chunk the meta key follows
};

}  // namespace sluice::storage_leveldb

#endif  // SLUICE_PLUGINS_STORAGE_LEVELDB_LEVELDB_LOG_H_
