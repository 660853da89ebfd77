// sluice::Log on one JetStream stream. Each Append is published as one or
// more messages (message_format.h); the last one commits the records and
// the checkpoint together. Offsets are found through a ChunkIndex built
// from the messages' headers when the log is opened and kept up to date
// by this process's own writes and by catching up with the stream.
#ifndef SLUICE_PLUGINS_LOG_NATS_NATS_LOG_H_
#define SLUICE_PLUGINS_LOG_NATS_NATS_LOG_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "chunk_index.h"
#include "nats_client.h"
#include "sluice/storage.h"

namespace sluice::log_nats {

// Where a log lives.
struct StreamId {
  std::string name;     // the log's name, "trips/v0001"
  std::string stream;   // the JetStream stream, "sluice_trips_v0001"
  std::string subject;  // its subject, "sluice.trips.v0001"
};

// Safe for one appender (Append, Truncate) and any number of concurrent
// readers (Read, End, Checkpoint). Other processes may read the same
// stream; only one may write it (a second writer is refused).
class NatsLog : public Log {
 public:
  // Reads the headers of every message of the (existing) stream to build
  // the index. DATA_LOSS when a message's headers are malformed.
  static Status Open(std::shared_ptr<NatsClient> client, StreamId id, int64_t created,
                     std::unique_ptr<NatsLog>* out);
  NatsLog(const NatsLog&) = delete;
  NatsLog& operator=(const NatsLog&) = delete;
  ~NatsLog() override = default;

  // Returns once every message is acknowledged, i.e. stored by a majority
  // of the stream's replicas; `sync` adds nothing (see docs/log-nats.md).
  // FAILED_PRECONDITION when another process wrote the stream meanwhile.
  // After an error the append may or may not be in the log (a lost
  // acknowledgement); the next call catches up with the stream first.
  Status Append(const std::string_view* records, size_t count, std::string_view checkpoint,
                bool sync, uint64_t* first_offset) override;
  // DATA_LOSS names the stream and offset of a corrupt or missing chunk.
  // Reading past End() first catches up with appends of other processes.
  Status Read(uint64_t from, size_t max_records, RecordFn fn) override;
  // Both catch up with the stream first (one request to the server, more
  // when another process appended).
  Status End(uint64_t* end) override;
  Status Checkpoint(std::string* out) override;
  // Publishes the kept head of the chunk that straddles new_end as a new
  // append starting at that chunk (so it replaces everything after it),
  // then deletes the messages it superseded. OUT_OF_RANGE if new_end > End().
  Status Truncate(uint64_t new_end, std::string_view checkpoint) override;

 private:
  NatsLog(std::shared_ptr<NatsClient> client, StreamId id, int64_t created)
      : client_(std::move(client)), id_(std::move(id)), writer_(NewWriterId()), created_(created) {}
  static std::string NewWriterId();

  // Largest payload of one message (the client's limit minus header room).
  size_t PayloadLimit() const;
  // Applies the messages of the stream this process has not seen yet.
  Status Refresh();
  Status RefreshOnce();  // one scan; Refresh confirms a short first scan
  // Publishes records as an append that starts at offset `first` (<= end).
  Status Publish(uint64_t first, const std::string_view* records, size_t count,
                 std::string_view checkpoint);
  Status PublishChunk(uint64_t start, uint64_t first, const std::string_view* records, size_t count,
                      bool commit, std::string_view checkpoint, uint64_t* seq);
  // Fetches and verifies chunk `c` into *bytes; *out points into *bytes.
  Status FetchChunk(const ChunkRef& c, std::string* bytes, DecodedChunk* out);
  // Delivers records from offset start + *delivered on, counting them in
  // *delivered; *stop when fn said stop or max_records were delivered;
  // *gone when a chunk was not found (deleted by a truncation elsewhere).
  Status ReadFrom(uint64_t start, size_t max_records, RecordFn fn, bool* gone, size_t* delivered,
                  bool* stop);
  // Deletes what the last truncation superseded. Best effort.
  void DropSuperseded();
  Status Corrupt(uint64_t offset, const std::string& why) const;

  const std::shared_ptr<NatsClient> client_;
  const StreamId id_;
  const std::string writer_;  // random; tells this writer's messages apart
  int64_t created_;

  std::mutex write_mu_;    // serializes Append and Truncate; guards stale_
  bool stale_ = false;     // a write failed: catch up before the next one
  std::mutex refresh_mu_;  // one catch-up at a time; guards created_
  mutable std::mutex mu_;  // guards index_, checkpoint_, checkpoint_seq_
  ChunkIndex index_;
  std::string checkpoint_;       // of the commit at checkpoint_seq_
  uint64_t checkpoint_seq_ = 0;  // 0: not loaded
};

}  // namespace sluice::log_nats

#endif  // SLUICE_PLUGINS_LOG_NATS_NATS_LOG_H_
