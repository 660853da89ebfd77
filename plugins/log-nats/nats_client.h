// NatsClient: one NATS connection with its JetStream context, and the few
// JetStream operations the log needs, each returning a sluice Status and
// retrying through failover (a leader election, a server restarting) for
// up to Settings::retry_timeout_ms.
//
//   std::shared_ptr<NatsClient> client;
//   Status s = NatsClient::Connect(settings, host, &client);
//   StreamState st;
//   s = client->StreamInfo("sluice_trips_v0001", &st);   // NOT_FOUND if absent
#ifndef SLUICE_PLUGINS_LOG_NATS_NATS_CLIENT_H_
#define SLUICE_PLUGINS_LOG_NATS_NATS_CLIENT_H_

#include <nats/nats.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "settings.h"
#include "sluice/function_ref.h"
#include "sluice/host_services.h"
#include "sluice/status.h"

namespace sluice::log_nats {

struct MsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};
using MsgPtr = std::unique_ptr<natsMsg, MsgDeleter>;

// Header value of `m`, or nullptr when absent.
const char* Header(natsMsg* m, const char* key);

struct StreamState {
  uint64_t last_seq = 0;
  uint64_t msgs = 0;        // messages stored (not deleted or purged)
  std::string subject;      // its only subject
  std::string description;  // names the log it holds
  int64_t replicas = 0;
  int64_t created = 0;  // creation time (ns); changes when it is recreated
};

// What a published message carries besides its payload.
struct Outgoing {
  std::string subject;
  uint64_t seq = 0;    // the sequence it must get (the stream's last + 1)
  std::string writer;  // random per writer: tells writers apart in message ids
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view payload;
};

// Thread-safe (the NATS C client is). Destroying it closes the connection.
class NatsClient {
 public:
  // Connects to one of settings.servers. UNAVAILABLE naming the servers
  // when none answers; FAILED_PRECONDITION when JetStream is not enabled.
  static Status Connect(const Settings& settings, const HostServices& host,
                        std::shared_ptr<NatsClient>* out);
  NatsClient(const NatsClient&) = delete;
  NatsClient& operator=(const NatsClient&) = delete;
  ~NatsClient();

  const Settings& settings() const { return settings_; }
  const HostServices& host() const { return host_; }
  // Largest payload+headers a message may have (the server's max_payload,
  // or message_kb when set).
  size_t message_limit() const { return message_limit_; }

  // NOT_FOUND when the stream does not exist.
  Status StreamInfo(const std::string& stream, StreamState* out);
  // Creates a file-backed stream with one subject; ALREADY_EXISTS if a
  // stream of that name exists.
  Status AddStream(const std::string& stream, const std::string& subject,
                   const std::string& description);
  // NOT_FOUND when absent.
  Status DeleteStream(const std::string& stream);
  // Removes every message with sequence < `before`.
  Status PurgeBefore(const std::string& stream, uint64_t before);
  // Removes one message; NOT_FOUND when it is already gone.
  Status DeleteMsg(const std::string& stream, uint64_t seq);
  // Message `seq` with its headers; NOT_FOUND when absent or deleted.
  Status GetMsg(const std::string& stream, uint64_t seq, MsgPtr* out);
  // Publishes `m` so that it becomes message m.seq: with Nats-Msg-Id
  // "<stream>:<seq>:<writer>" (a retry after a lost acknowledgement is
  // deduplicated by the server) and Nats-Expected-Last-Sequence m.seq - 1
  // (a message from another writer in between makes it fail).
  // FAILED_PRECONDITION when another writer got there first.
  Status Publish(const std::string& stream, const Outgoing& m);
  // Calls fn(seq, msg) with the headers (no payload) of messages from
  // sequence `from` on, in order, until `to` is reached or the stream has
  // no more. fn may stop the scan by returning an error.
  Status ScanHeaders(const std::string& stream, const std::string& subject, uint64_t from,
                     uint64_t to, FunctionRef<Status(uint64_t seq, natsMsg* msg)> fn);

 private:
  NatsClient(Settings settings, HostServices host)
      : settings_(std::move(settings)), host_(std::move(host)) {}
  // Runs attempt() until it returns something other than UNAVAILABLE or
  // retry_timeout_ms has passed.
  Status Retry(const std::string& what, FunctionRef<Status()> attempt);
  Status PublishOnce(const std::string& stream, const Outgoing& m, natsMsg* msg);
  Status ScanOnce(const std::string& stream, const std::string& subject, uint64_t* from,
                  uint64_t to, FunctionRef<Status(uint64_t, natsMsg*)> fn);
  jsOptions RequestOptions() const;

  const Settings settings_;
  const HostServices host_;
  natsConnection* conn_ = nullptr;
  jsCtx* js_ = nullptr;
  size_t message_limit_ = 0;
};

// A NATS status (and JetStream error code) as a sluice Status whose message
// starts with `what` and carries the client's error text. Timeouts and lost
// connections are UNAVAILABLE (retry later).
Status FromNats(natsStatus s, jsErrCode jerr, const std::string& what);

}  // namespace sluice::log_nats

#endif  // SLUICE_PLUGINS_LOG_NATS_NATS_CLIENT_H_
