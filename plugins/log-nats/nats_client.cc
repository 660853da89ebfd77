#include "nats_client.h"

#include <chrono>
#include <cstring>
#include <thread>

namespace sluice::log_nats {
namespace {

using Clock = std::chrono::steady_clock;
constexpr jsErrCode kNoJsError = static_cast<jsErrCode>(0);

bool Transient(natsStatus s, jsErrCode jerr) {
  return s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS || s == NATS_CONNECTION_DISCONNECTED ||
         s == NATS_NOT_YET_CONNECTED || s == NATS_STALE_CONNECTION || jerr == JSClusterNotAvailErr;
}

std::string LastErrorText(natsStatus s) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  std::string out = natsStatus_GetText(s);
  if (text != nullptr && *text != '\0' && out != text) out += " (" + std::string(text) + ")";
  return out;
}

std::string MessageId(const std::string& stream, const Outgoing& m) {
  return stream + ":" + std::to_string(m.seq) + ":" + m.writer;
}

struct StreamInfoDeleter {
  void operator()(jsStreamInfo* si) const { jsStreamInfo_Destroy(si); }
};

}  // namespace

const char* Header(natsMsg* m, const char* key) {
  const char* v = nullptr;
  return natsMsgHeader_Get(m, key, &v) == NATS_OK ? v : nullptr;
}

Status FromNats(natsStatus s, jsErrCode jerr, const std::string& what) {
  if (s == NATS_OK) return Status();
  std::string msg = what + ": " + LastErrorText(s);
  if (jerr != 0) msg += " [jetstream error " + std::to_string(static_cast<int>(jerr)) + "]";
  if (Transient(s, jerr)) return Unavailable(std::move(msg));
  if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr || jerr == JSNoMessageFoundErr)
    return NotFound(std::move(msg));
  if (jerr == JSStreamNameExistErr) return AlreadyExists(std::move(msg));
  if (s == NATS_CONNECTION_AUTH_FAILED || s == NATS_NOT_PERMITTED)
    return PermissionDenied(std::move(msg));
  if (s == NATS_INVALID_ARG || s == NATS_INVALID_SUBJECT || s == NATS_MAX_PAYLOAD)
    return InvalidArgument(std::move(msg));
  if (s == NATS_NO_SERVER || s == NATS_CONNECTION_CLOSED) return Unavailable(std::move(msg));
  return Internal(std::move(msg));
}

Status NatsClient::Connect(const Settings& settings, const HostServices& host,
                           std::shared_ptr<NatsClient>* out) {
  std::shared_ptr<NatsClient> c(new NatsClient(settings, host));
  std::vector<const char*> urls;
  std::string list;
  for (const std::string& u : settings.servers) {
    urls.push_back(u.c_str());
    list += (list.empty() ? "" : ",") + u;
  }
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, settings.connect_timeout_ms);
  if (s == NATS_OK) s = natsOptions_SetName(opts, "sluice log-nats");
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);  // keep trying; writes time out
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
  if (s == NATS_OK) s = natsConnection_Connect(&c->conn_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK)
    return FromNats(s, kNoJsError, "cannot connect to NATS at " + list)
        .WithContext(
            "nats storage (check that nats-server runs with -js and that the "
            "'servers' option lists it)");
  jsOptions jo = c->RequestOptions();
  s = natsConnection_JetStream(&c->js_, c->conn_, &jo);
  if (s != NATS_OK) return FromNats(s, kNoJsError, "nats storage: JetStream context");
  int64_t max_payload = natsConnection_GetMaxPayload(c->conn_);
  c->message_limit_ = static_cast<size_t>(max_payload);
  if (settings.message_kb > 0)
    c->message_limit_ = std::min(c->message_limit_, static_cast<size_t>(settings.message_kb) << 10);
  *out = std::move(c);
  return Status();
}

NatsClient::~NatsClient() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (conn_ != nullptr) {
    natsConnection_Close(conn_);
    natsConnection_Destroy(conn_);
  }
}

jsOptions NatsClient::RequestOptions() const {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = settings_.request_timeout_ms;
  return jo;
}

Status NatsClient::Retry(const std::string& what, FunctionRef<Status()> attempt) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(settings_.retry_timeout_ms);
  auto pause = std::chrono::milliseconds(50);
  for (int tries = 1;; ++tries) {
    Status s = attempt();
    if (s.code() != Code::kUnavailable || Clock::now() + pause >= deadline) {
      if (!s.ok() && tries > 1)
        return s.WithContext(what + " (gave up after " + std::to_string(tries) + " attempts)");
      return s;
    }
    if (host_.Enabled(LogLevel::kDebug)) host_.Debug(what + ": retrying: " + s.message());
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

Status NatsClient::StreamInfo(const std::string& stream, StreamState* out) {
  return Retry("stream info " + stream, [&] {
    jsStreamInfo* raw = nullptr;
    jsErrCode jerr = kNoJsError;
    jsOptions jo = RequestOptions();
    natsStatus s = js_GetStreamInfo(&raw, js_, stream.c_str(), &jo, &jerr);
    std::unique_ptr<jsStreamInfo, StreamInfoDeleter> si(raw);
    if (s == NATS_OK && si == nullptr) s = NATS_NOT_FOUND;
    if (s != NATS_OK) return FromNats(s, jerr, "stream info " + stream);
    out->last_seq = si->State.LastSeq;
    out->msgs = si->State.Msgs;
    out->subject = si->Config->SubjectsLen > 0 ? si->Config->Subjects[0] : "";
    out->description = si->Config->Description ? si->Config->Description : "";
    out->replicas = si->Config->Replicas;
    out->created = si->Created;
    return Status();
  });
}

Status NatsClient::AddStream(const std::string& stream, const std::string& subject,
                             const std::string& description) {
  return Retry("create stream " + stream, [&] {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subjects[] = {subject.c_str()};
    cfg.Name = stream.c_str();
    cfg.Description = description.c_str();
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Retention = js_LimitsPolicy;
    cfg.Replicas = settings_.replicas;
    cfg.AllowDirect = true;
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = kNoJsError;
    jsOptions jo = RequestOptions();
    natsStatus s = js_AddStream(&si, js_, &cfg, &jo, &jerr);
    if (si != nullptr) jsStreamInfo_Destroy(si);
    return FromNats(
        s, jerr,
        "create stream " + stream + " (replicas " + std::to_string(settings_.replicas) + ")");
  });
}

Status NatsClient::DeleteStream(const std::string& stream) {
  return Retry("delete stream " + stream, [&] {
    jsErrCode jerr = kNoJsError;
    jsOptions jo = RequestOptions();
    return FromNats(js_DeleteStream(js_, stream.c_str(), &jo, &jerr), jerr,
                    "delete stream " + stream);
  });
}

Status NatsClient::PurgeBefore(const std::string& stream, uint64_t before) {
  return Retry("purge stream " + stream, [&] {
    jsErrCode jerr = kNoJsError;
    jsOptions jo = RequestOptions();
    jo.Stream.Purge.Sequence = before;
    return FromNats(js_PurgeStream(js_, stream.c_str(), &jo, &jerr), jerr,
                    "purge stream " + stream + " before " + std::to_string(before));
  });
}

Status NatsClient::DeleteMsg(const std::string& stream, uint64_t seq) {
  return Retry("delete message", [&] {
    jsErrCode jerr = kNoJsError;
    jsOptions jo = RequestOptions();
    return FromNats(js_DeleteMsg(js_, stream.c_str(), seq, &jo, &jerr), jerr,
                    "delete message " + std::to_string(seq) + " of stream " + stream);
  });
}

Status NatsClient::GetMsg(const std::string& stream, uint64_t seq, MsgPtr* out) {
  return Retry("get message", [&] {
    // Any replica may answer a direct get; one that lags behind answers
    // "not found", and then the leader is asked.
    natsMsg* raw = nullptr;
    jsOptions jo = RequestOptions();
    jsDirectGetMsgOptions dg;
    jsDirectGetMsgOptions_Init(&dg);
    dg.Sequence = seq;
    natsStatus s = js_DirectGetMsg(&raw, js_, stream.c_str(), &jo, &dg);
    jsErrCode jerr = kNoJsError;
    if (s == NATS_NOT_FOUND) s = js_GetMsg(&raw, js_, stream.c_str(), seq, &jo, &jerr);
    out->reset(raw);
    return FromNats(s, jerr, "get message " + std::to_string(seq) + " of stream " + stream);
  });
}

Status NatsClient::Publish(const std::string& stream, const Outgoing& m) {
  natsMsg* raw = nullptr;
  natsStatus s = natsMsg_Create(&raw, m.subject.c_str(), nullptr, m.payload.data(),
                                static_cast<int>(m.payload.size()));
  MsgPtr msg(raw);
  const std::string id = MessageId(stream, m);
  const std::string expected_last = std::to_string(m.seq - 1);
  if (s == NATS_OK) s = natsMsgHeader_Set(msg.get(), "Nats-Msg-Id", id.c_str());
  if (s == NATS_OK) s = natsMsgHeader_Set(msg.get(), "Nats-Expected-Stream", stream.c_str());
  if (s == NATS_OK)
    s = natsMsgHeader_Set(msg.get(), "Nats-Expected-Last-Sequence", expected_last.c_str());
  for (const auto& h : m.headers)
    if (s == NATS_OK) s = natsMsgHeader_Set(msg.get(), h.first.c_str(), h.second.c_str());
  if (s != NATS_OK) return FromNats(s, kNoJsError, "build message " + id);
  return Retry("publish " + id, [&] { return PublishOnce(stream, m, msg.get()); });
}

Status NatsClient::PublishOnce(const std::string& stream, const Outgoing& m, natsMsg* msg) {
  const std::string id = MessageId(stream, m);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = settings_.request_timeout_ms;
  jsPubAck* ack = nullptr;
  jsErrCode jerr = kNoJsError;
  natsStatus s = js_PublishMsg(&ack, js_, msg, &po, &jerr);
  if (s == NATS_OK) {
    uint64_t got = ack->Sequence;
    jsPubAck_Destroy(ack);
    if (got != m.seq)
      return Internal("publish " + id + ": stored as message " + std::to_string(got) +
                      ", expected " + std::to_string(m.seq));
    return Status();
  }
  if (jerr == JSStreamWrongLastSequenceErr) {
    // After a lost acknowledgement our own earlier attempt may be the
    // message in the way (once the deduplication window has passed).
    MsgPtr there;
    if (GetMsg(stream, m.seq, &there).ok()) {
      const char* there_id = Header(there.get(), "Nats-Msg-Id");
      if (there_id != nullptr && id == there_id) return Status();
    }
    return FailedPrecondition("publish " + id + ": stream " + stream +
                              " has messages this writer has not seen; another process "
                              "appended to or truncated the log. Only one process may write a "
                              "log; reopen it to continue");
  }
  return FromNats(s, jerr, "publish " + id);
}

Status NatsClient::ScanHeaders(const std::string& stream, const std::string& subject, uint64_t from,
                               uint64_t to, FunctionRef<Status(uint64_t, natsMsg*)> fn) {
  if (from > to) return Status();
  uint64_t next = from;
  return Retry("read headers of stream " + stream,
               [&] { return ScanOnce(stream, subject, &next, to, fn); });
}

Status NatsClient::ScanOnce(const std::string& stream, const std::string& subject, uint64_t* from,
                            uint64_t to, FunctionRef<Status(uint64_t, natsMsg*)> fn) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Ordered = true;
  so.Config.HeadersOnly = true;
  so.Config.DeliverPolicy = js_DeliverByStartSequence;
  so.Config.OptStartSeq = *from;
  jsOptions jo = RequestOptions();
  natsSubscription* sub = nullptr;
  jsErrCode jerr = kNoJsError;
  natsStatus s = js_SubscribeSync(&sub, js_, subject.c_str(), &jo, &so, &jerr);
  if (s != NATS_OK) return FromNats(s, jerr, "subscribe to stream " + stream);
  Status result;
  while (*from <= to) {
    natsMsg* raw = nullptr;
    s = natsSubscription_NextMsg(&raw, sub, settings_.request_timeout_ms);
    MsgPtr msg(raw);
    if (s != NATS_OK) {
      result =
          FromNats(s, kNoJsError,
                   "read headers of stream " + stream + " at message " + std::to_string(*from));
      break;
    }
    jsMsgMetaData* meta = nullptr;
    s = natsMsg_GetMetaData(&meta, msg.get());
    if (s != NATS_OK) {
      result = FromNats(s, kNoJsError, "metadata of a message of stream " + stream);
      break;
    }
    uint64_t seq = meta->Sequence.Stream, pending = meta->NumPending;
    jsMsgMetaData_Destroy(meta);
    if (seq < *from) continue;
    result = fn(seq, msg.get());
    if (!result.ok()) break;
    *from = seq + 1;
    if (pending == 0) break;  // the stream has nothing more (yet)
  }
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  return result;
}

}  // namespace sluice::log_nats
