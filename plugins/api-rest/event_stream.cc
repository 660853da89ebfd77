#include "event_stream.h"

#include <cstddef>
#include <utility>

#include "http_status.h"

namespace sluice::rest {
namespace {

// Changes one Pull asks the feed for at a time.
constexpr uint32_t kBatch = 256;

}  // namespace

const char* ChangeOpName(uint32_t op) {
  switch (op) {
    case SLUICE_OP_INSERT: return "insert";
    case SLUICE_OP_UPDATE: return "update";
    case SLUICE_OP_DELETE: return "delete";
    default: return "change";
  }
}

bool ResponseStream::PullChunks(size_t room, ChunkQueue* out) {
  std::string text;
  bool more = Pull(room, &text);
  out->Push(std::move(text));
  return more;
}

void WakeLatch::Start(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(mu_);
  wake_ = std::move(wake);
  if (early_) wake_();
}

void WakeLatch::Wake(void* latch) {
  auto* l = static_cast<WakeLatch*>(latch);
  std::lock_guard<std::mutex> lock(l->mu_);
  if (l->wake_) l->wake_();
  else l->early_ = true;
}

SseStream::SseStream(ApiHost::Request request, ApiHost::View view, bool versioned,
                     uint32_t heartbeat_ms)
    : request_(std::move(request)),
      view_(std::move(view)),
      versioned_(versioned),
      heartbeat_ms_(heartbeat_ms) {}

SseStream::~SseStream() {
  feed_.Close();
  if (counters_ != nullptr) counters_->Unsubscribed();
}

void SseStream::Start(std::function<void()> wake) { latch_.Start(std::move(wake)); }

void SseStream::AnnounceSwitch(uint32_t from, uint32_t to) {
  pending_ += "event: version\ndata: {\"op\":\"switch\",\"from\":" + std::to_string(from) +
              ",\"to\":" + std::to_string(to) + "}\n\n";
}

void SseStream::AppendId(uint32_t version, uint64_t offset, std::string* out) const {
  *out += "id: ";
  if (!versioned_) *out += std::to_string(version) + ":";
  *out += std::to_string(offset);
  *out += '\n';
}

void SseStream::Append(const sluice_feed_event& e, ChunkQueue* out) {
  if (e.op == SLUICE_FEED_SWITCH) {
    // No id: a client that reconnects before the new version's first event
    // names the old version and is told of the switch again.
    AnnounceSwitch(e.previous, e.version);
    out->Copy(pending_);
    pending_.clear();
    return;
  }
  uint64_t group =
      e.struct_size >= offsetof(sluice_feed_event, group) + sizeof e.group ? e.group : 0;
  if (group == 0) return Encode(e, out->OwnedTail());
  if (group != group_id_) {
    if (group_lock_.owns_lock()) group_lock_.unlock();
    group_ = SseGroup::Join(group, versioned_);
    group_id_ = group;
    group_cursor_ = 0;
  }
  if (!group_lock_.owns_lock()) group_lock_ = std::unique_lock<std::mutex>(group_->mu());
  SseGroup::Text text;
  if (group_->Find(e.version, e.offset, &group_cursor_, &text)) {
    out->Share(*text.block, text.text);
    return;
  }
  encoded_.clear();
  Encode(e, &encoded_);
  if (group_->Add(e.version, e.offset, encoded_, &group_cursor_, group_.use_count() > 1, &text))
    out->Share(*text.block, text.text);
  else out->Copy(encoded_);
}

void SseStream::Encode(const sluice_feed_event& e, std::string* out) {
  if (e.schema != schema_c_) {
    schema_c_ = e.schema;
    if (e.schema == nullptr || !Schema::FromC(*e.schema, &schema_)) schema_ = Schema();
    record_ = std::make_unique<RecordJson>(schema_);
  }
  AppendId(e.version, e.offset, out);
  *out += "event: ";
  *out += ChangeOpName(e.op);
  *out += "\ndata: {\"op\":\"";
  *out += ChangeOpName(e.op);
  *out += "\",\"version\":" + std::to_string(e.version) +
          ",\"offset\":" + std::to_string(e.offset) + ",\"record\":";
  size_t before = out->size();
  Status s =
      record_->Append(out, std::string_view(reinterpret_cast<const char*>(e.row), e.row_size));
  if (!s.ok()) {
    out->resize(before);
    *out += "null";
  }
  *out += "}\n\n";
}

void SseStream::AppendEnd(const Status& s, std::string* out) {
  if (counters_ != nullptr && s.code() == Code::kResourceExhausted) counters_->CutOff();
  const sluice_feed_position& p = feed_.position();
  if (p.next > id_next_ && p.next > 0) AppendId(p.version, p.next - 1, out);
  *out += "event: end\ndata: {\"code\":\"";
  *out += CodeName(s.code());
  *out += "\",\"message\":";
  AppendJsonString(out, s.message());
  *out += ",\"version\":" + std::to_string(p.version) + ",\"resume_after\":";
  if (p.next == 0) {
    *out += "null";
  } else {
    *out += '"';
    if (!versioned_) *out += std::to_string(p.version) + ":";
    *out += std::to_string(p.next - 1);
    *out += '"';
  }
  *out += "}\n\n";
}

bool SseStream::Pull(size_t room, std::string* out) {
  ChunkQueue q;
  bool more = PullChunks(room, &q);
  size_t at = out->size();
  out->resize(at + q.bytes());
  q.CopyOut(out->data() + at, q.bytes());
  return more;
}

bool SseStream::PullChunks(size_t room, ChunkQueue* out) {
  if (ended_) return false;
  size_t start = out->bytes();
  if (!pending_.empty() && room > 0) {
    out->Copy(pending_);
    pending_.clear();
  }
  Status s;
  uint64_t sent = 0;  // changes, whether encoded here or shared
  do {
    size_t handed = 0;
    s = feed_.Next(room == 0 ? 0 : kBatch, 0, [&](const sluice_feed_event& e) {
      ++handed;
      if (e.op != SLUICE_FEED_SWITCH) ++sent;
      Append(e, out);
      return out->bytes() - start < room;
    });
    if (!s.ok() || handed == 0) break;
    id_next_ = feed_.position().next;
  } while (out->bytes() - start < room);
  if (group_lock_.owns_lock()) group_lock_.unlock();
  if (counters_ != nullptr && sent > 0) counters_->Sent(sent);
  if (s.ok()) return true;
  AppendEnd(s, out->OwnedTail());
  ended_ = true;
  return false;
}

void SseStream::Heartbeat(std::string* out) {
  // The position moved past changes the filter left out: say so, so that
  // a reconnect resumes from there (an id with no data sets the client's
  // last event id without an event).
  const sluice_feed_position& p = feed_.position();
  if (p.next > id_next_ && p.next > 0) {
    AppendId(p.version, p.next - 1, out);
    *out += '\n';
    id_next_ = p.next;
  }
  *out += ": heartbeat\n\n";
}

void SseStream::Stop(std::string* out) {
  if (ended_) return;
  ended_ = true;
  AppendEnd(Unavailable("the server is stopping; reconnect to resume"), out);
}

}  // namespace sluice::rest
