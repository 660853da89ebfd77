#include "nats_log.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <random>
#include <thread>
#include <vector>

namespace sluice::log_nats {
namespace {

// Room left in every message for its headers.
size_t HeaderRoom(const StreamId& id) { return 512 + 2 * id.stream.size(); }

Status ParseMsgHeaders(natsMsg* m, MessageHeaders* h) {
  return ParseHeaders(Header(m, kStartHeader), Header(m, kFirstHeader), Header(m, kCountHeader),
                      Header(m, kFragHeader), Header(m, kCommitHeader), h);
}

}  // namespace

std::string NatsLog::NewWriterId() {
  std::random_device rd;
  uint64_t v = (uint64_t{rd()} << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

size_t NatsLog::PayloadLimit() const {
  size_t limit = client_->message_limit();
  return limit - std::min(limit / 2, HeaderRoom(id_));
}

Status NatsLog::Open(std::shared_ptr<NatsClient> client, StreamId id, int64_t created,
                     std::unique_ptr<NatsLog>* out) {
  std::unique_ptr<NatsLog> log(new NatsLog(std::move(client), std::move(id), created));
  SLUICE_RETURN_IF_ERROR(log->Refresh());
  *out = std::move(log);
  return Status();
}

// The end of the message of a first scan that came up short (Refresh).
constexpr char kShortScan[] = "a message it stores does not read back (damaged)";

Status NatsLog::Corrupt(uint64_t offset, const std::string& why) const {
  return DataLoss("log '" + id_.name + "' (stream " + id_.stream + "): offset " +
                  std::to_string(offset) + ": " + why);
}

Status NatsLog::Refresh() {
  std::lock_guard<std::mutex> refresh(refresh_mu_);
  // A first scan that comes up short may also be a replica still catching
  // up (right after a node of a cluster restarted): damage is only what a
  // few scans, a moment apart, all find.
  Status s;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
      std::lock_guard<std::mutex> lock(mu_);
      index_.Reset();
      checkpoint_seq_ = 0;
    }
    s = RefreshOnce();
    if (s.code() != Code::kDataLoss || s.message().find(kShortScan) == std::string::npos) return s;
  }
  return s;
}

Status NatsLog::RefreshOnce() {
  StreamState st;
  Status s = client_->StreamInfo(id_.stream, &st);
  if (s.code() == Code::kNotFound)
    return NotFound("log '" + id_.name + "': its stream " + id_.stream +
                    " no longer exists (removed by another process?)");
  SLUICE_RETURN_IF_ERROR(s);
  uint64_t applied = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (st.created != created_) {  // deleted and created again: start over
      index_.Reset();
      checkpoint_seq_ = 0;
      created_ = st.created;
    }
    applied = index_.applied_seq();
  }
  if (st.last_seq <= applied) return Status();
  uint64_t delivered = 0, last = 0;
  SLUICE_RETURN_IF_ERROR(client_->ScanHeaders(
      id_.stream, id_.subject, applied + 1, st.last_seq, [&](uint64_t seq, natsMsg* m) {
        ++delivered;
        last = seq;
        MessageHeaders h;
        Status p = ParseMsgHeaders(m, &h);
        if (!p.ok())
          return DataLoss("log '" + id_.name + "' (stream " + id_.stream + "): message " +
                          std::to_string(seq) + ": " + p.message());
        std::lock_guard<std::mutex> lock(mu_);
        return index_.Apply(seq, h).WithContext("log '" + id_.name + "'");
      }));
  // The server hides a stored message that fails its own checksum (a get
  // answers "no message found", a scan skips it), as it does a deleted
  // one; only a deleted one leaves the stream's message count. A first
  // scan that got fewer messages than the stream stores, or stopped short
  // of its last one, met damage: every later append would be built on it.
  if (applied == 0 && (delivered < st.msgs || last < st.last_seq))
    return DataLoss("log '" + id_.name + "' (stream " + id_.stream + "): the server stores " +
                    std::to_string(st.msgs) + " messages up to sequence " +
                    std::to_string(st.last_seq) + " but delivers " + std::to_string(delivered) +
                    (delivered > 0 ? " (the last " + std::to_string(last) + ")" : "") + ": " +
                    kShortScan);
  return Status();
}

Status NatsLog::Append(const std::string_view* records, size_t count, std::string_view checkpoint,
                       bool /*sync: every acknowledged message is stored*/,
                       uint64_t* first_offset) {
  for (size_t i = 0; i < count; ++i)
    if (records[i].size() > std::numeric_limits<uint32_t>::max())
      return InvalidArgument("log '" + id_.name + "': record " + std::to_string(i) +
                             " of the batch is " + std::to_string(records[i].size()) +
                             " bytes; the maximum is 4 GiB - 1");
  std::lock_guard<std::mutex> writer(write_mu_);
  if (stale_) SLUICE_RETURN_IF_ERROR(Refresh());
  stale_ = false;
  uint64_t first = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    first = index_.end();
  }
  SLUICE_RETURN_IF_ERROR(Publish(first, records, count, checkpoint));
  if (first_offset != nullptr) *first_offset = first;
  return Status();
}

Status NatsLog::Publish(uint64_t first, const std::string_view* records, size_t count,
                        std::string_view checkpoint) {
  const size_t limit = PayloadLimit();
  uint64_t seq = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seq = index_.applied_seq() + 1;
  }
  const uint64_t start = seq;
  std::vector<ChunkPlan> plan = PlanChunks(records, count, limit);
  for (size_t k = 0; k < plan.size(); ++k) {
    Status s = PublishChunk(start, first + plan[k].begin, records + plan[k].begin,
                            plan[k].end - plan[k].begin, k + 1 == plan.size(), checkpoint, &seq);
    if (!s.ok()) {
      stale_ = true;
      return s.WithContext("log '" + id_.name + "'");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  checkpoint_.assign(checkpoint.data(), checkpoint.size());
  checkpoint_seq_ = index_.commit().seq;
  return Status();
}

Status NatsLog::PublishChunk(uint64_t start, uint64_t first, const std::string_view* records,
                             size_t count, bool commit, std::string_view checkpoint,
                             uint64_t* seq) {
  const size_t limit = PayloadLimit();
  std::string bytes;
  EncodeChunk(first, records, count, commit, checkpoint, &bytes);
  const size_t frags = std::max<size_t>(1, (bytes.size() + limit - 1) / limit);
  for (size_t i = 1; i <= frags; ++i, ++*seq) {
    MessageHeaders h{start,
                     first,
                     static_cast<uint32_t>(count),
                     static_cast<uint32_t>(i),
                     static_cast<uint32_t>(frags),
                     commit && i == frags};
    Outgoing m;
    m.subject = id_.subject;
    m.seq = *seq;
    m.writer = writer_;
    m.headers = {{kStartHeader, std::to_string(start)},
                 {kFirstHeader, std::to_string(first)},
                 {kCountHeader, std::to_string(count)}};
    if (frags > 1)
      m.headers.emplace_back(kFragHeader, std::to_string(i) + "/" + std::to_string(frags));
    if (h.commit) m.headers.emplace_back(kCommitHeader, "1");
    size_t at = (i - 1) * limit;
    m.payload = std::string_view(bytes).substr(at, std::min(limit, bytes.size() - at));
    SLUICE_RETURN_IF_ERROR(client_->Publish(id_.stream, m));
    std::lock_guard<std::mutex> lock(mu_);
    Status s = index_.Apply(*seq, h);
    if (!s.ok()) return Internal("applying message just published: " + s.message());
  }
  return Status();
}

Status NatsLog::FetchChunk(const ChunkRef& c, std::string* bytes, DecodedChunk* out) {
  bytes->clear();
  for (uint32_t k = 0; k < c.msgs; ++k) {
    MsgPtr m;
    SLUICE_RETURN_IF_ERROR(client_->GetMsg(id_.stream, c.seq + k, &m));
    MessageHeaders h;
    Status p = ParseMsgHeaders(m.get(), &h);
    if (!p.ok())
      return Corrupt(c.first, "message " + std::to_string(c.seq + k) + ": " + p.message());
    if (h.first != c.first || h.count != c.count || h.frag != k + 1)
      return Corrupt(c.first, "message " + std::to_string(c.seq + k) + " holds offset " +
                                  std::to_string(h.first) + " fragment " + std::to_string(h.frag) +
                                  ", not what the index expects");
    bytes->append(natsMsg_GetData(m.get()), static_cast<size_t>(natsMsg_GetDataLength(m.get())));
  }
  Status d = DecodeChunk(*bytes, out);
  if (!d.ok())
    return Corrupt(c.first, "chunk in message " + std::to_string(c.seq) + ": " + d.message());
  if (out->first != c.first || out->records.size() != c.count)
    return Corrupt(c.first, "chunk in message " + std::to_string(c.seq) + " starts at " +
                                std::to_string(out->first) + " with " +
                                std::to_string(out->records.size()) + " records; its headers say " +
                                std::to_string(c.first) + " with " + std::to_string(c.count));
  return Status();
}

Status NatsLog::Read(uint64_t from, size_t max_records, RecordFn fn) {
  uint64_t end = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    end = index_.end();
  }
  if (from > end) SLUICE_RETURN_IF_ERROR(End(&end));  // appended by another process?
  if (from > end)
    return OutOfRange("log '" + id_.name + "': cannot read from offset " + std::to_string(from) +
                      ", the log ends at " + std::to_string(end));
  size_t delivered = 0;
  for (int attempt = 0;; ++attempt) {
    bool gone = false, stop = false;
    Status s = ReadFrom(from, max_records, fn, &gone, &delivered, &stop);
    if (!gone || stop || attempt == 3) return s;
    // A chunk vanished: another process truncated the log. Catch up and go
    // on from the first record not delivered yet.
    SLUICE_RETURN_IF_ERROR(Refresh());
    uint64_t next = from + delivered;
    std::lock_guard<std::mutex> lock(mu_);
    if (next >= index_.end()) return Status();
  }
}

Status NatsLog::ReadFrom(uint64_t start, size_t max_records, RecordFn fn, bool* gone,
                         size_t* delivered, bool* stop) {
  const uint64_t from = start + *delivered;
  std::vector<ChunkRef> refs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (from >= index_.end() || max_records == 0) return Status();
    size_t i = index_.Find(from);
    if (i == ChunkIndex::kNone) return Corrupt(from, "no chunk holds this offset");
    const auto& chunks = index_.chunks();
    for (uint64_t covered = *delivered; i < chunks.size() && covered < max_records; ++i) {
      refs.push_back(chunks[i]);
      covered += chunks[i].first + chunks[i].count - std::max(from, chunks[i].first);
    }
  }
  std::string bytes;
  DecodedChunk chunk;
  for (const ChunkRef& c : refs) {
    Status s = FetchChunk(c, &bytes, &chunk);
    if (s.code() == Code::kNotFound) *gone = true;
    if (!s.ok()) return s.code() == Code::kNotFound ? Corrupt(c.first, s.message()) : s;
    for (size_t k = from > c.first ? from - c.first : 0; k < chunk.records.size(); ++k) {
      bool more = fn(c.first + k, chunk.records[k]);
      if (!more || ++*delivered == max_records) {
        *stop = true;
        return Status();
      }
    }
  }
  return Status();
}

Status NatsLog::End(uint64_t* end) {
  SLUICE_RETURN_IF_ERROR(Refresh());
  std::lock_guard<std::mutex> lock(mu_);
  *end = index_.end();
  return Status();
}

Status NatsLog::Checkpoint(std::string* out) {
  SLUICE_RETURN_IF_ERROR(Refresh());
  ChunkRef commit;
  {
    std::lock_guard<std::mutex> lock(mu_);
    commit = index_.commit();
    if (commit.msgs == 0) {
      out->clear();
      return Status();
    }
    if (commit.seq == checkpoint_seq_) {
      *out = checkpoint_;
      return Status();
    }
  }
  std::string bytes;
  DecodedChunk chunk;
  SLUICE_RETURN_IF_ERROR(FetchChunk(commit, &bytes, &chunk));
  if (!chunk.commit) return Corrupt(commit.first, "the last committed chunk has no commit flag");
  out->assign(chunk.checkpoint.data(), chunk.checkpoint.size());
  std::lock_guard<std::mutex> lock(mu_);
  if (index_.commit().seq == commit.seq) checkpoint_ = *out, checkpoint_seq_ = commit.seq;
  return Status();
}

Status NatsLog::Truncate(uint64_t new_end, std::string_view checkpoint) {
  std::lock_guard<std::mutex> writer(write_mu_);
  if (stale_) SLUICE_RETURN_IF_ERROR(Refresh());
  stale_ = false;
  ChunkRef straddle;
  uint64_t end = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    end = index_.end();
    size_t i = new_end < end ? index_.Find(new_end) : ChunkIndex::kNone;
    if (i != ChunkIndex::kNone) straddle = index_.chunks()[i];
  }
  if (new_end > end)
    return OutOfRange("log '" + id_.name + "': cannot truncate to offset " +
                      std::to_string(new_end) + ", beyond the end " + std::to_string(end));
  std::string bytes;
  DecodedChunk chunk;
  uint64_t first = new_end;
  if (straddle.msgs > 0 && straddle.first < new_end) {
    Status s = FetchChunk(straddle, &bytes, &chunk);
    if (!s.ok())
      return s.WithContext("cannot rewrite the chunk that straddles the new end " +
                           std::to_string(new_end));
    first = straddle.first;
    chunk.records.resize(new_end - first);
  }
  size_t kept = first == new_end ? 0 : chunk.records.size();
  SLUICE_RETURN_IF_ERROR(Publish(first, chunk.records.data(), kept, checkpoint));
  DropSuperseded();
  return Status();
}

void NatsLog::DropSuperseded() {
  std::vector<ChunkRef> dropped;
  ChunkRef commit;
  bool empty = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dropped = index_.TakeSuperseded();
    commit = index_.commit();
    empty = index_.chunks().empty();
  }
  Status s;
  if (empty) {
    s = client_->PurgeBefore(id_.stream, commit.seq);  // only the commit is left
  } else {
    for (const ChunkRef& c : dropped)
      for (uint32_t k = 0; k < c.msgs && (s.ok() || s.code() == Code::kNotFound); ++k)
        s = client_->DeleteMsg(id_.stream, c.seq + k);
  }
  if (!s.ok() && s.code() != Code::kNotFound)
    client_->host().Warn("log '" + id_.name + "': truncated, but could not delete the " +
                         "messages it replaced (they are ignored; space is reclaimed only "
                         "when the log is removed): " +
                         s.message());
}

}  // namespace sluice::log_nats
