// The "nats" storage plugin: a log backend on NATS JetStream, one stream
// per log, shared by every host that points at the same servers. It has no
// key/value store: configure the cache with leveldb or rocksdb.
//
//   std::unique_ptr<NatsStorage> storage;
//   Status s = NatsStorage::Create(host, options, &storage);  // connects
//   std::unique_ptr<sluice::Log> log;
//   s = storage->OpenLog("trips/v0001", dir, /*create=*/true, &log);
#ifndef SLUICE_PLUGINS_LOG_NATS_NATS_STORAGE_H_
#define SLUICE_PLUGINS_LOG_NATS_NATS_STORAGE_H_

#include <memory>
#include <string>
#include <vector>

#include "nats_client.h"
#include "nats_log.h"
#include "settings.h"
#include "sluice/storage.h"

namespace sluice::log_nats {

// Where log `name` ("trips/v0001": tokens of [A-Za-z0-9_-] joined by '/')
// lives under `prefix`: stream "<prefix>_trips_v0001", subject
// "<prefix>.trips.v0001". INVALID_ARGUMENT for any other name.
Status StreamIdFor(const std::string& prefix, const std::string& name, StreamId* out);

// Thread-safe. Logs it opens may outlive it (they share the connection).
class NatsStorage : public StoragePlugin {
 public:
  static constexpr const auto& kOptions = kNatsOptions;
  // What the declarations cannot say (SettingsProblems), before anything runs.
  static void CheckOptions(const Options& options, OptionScope, uint32_t,
                           std::vector<OptionProblem>* problems) {
    SettingsProblems(options, problems);
  }
  // Validates `options` (settings.h) and connects. INVALID_ARGUMENT naming
  // a bad or unknown key; UNAVAILABLE when no server answers.
  static Status Create(const HostServices& host, const Options& options,
                       std::unique_ptr<NatsStorage>* out);

  // The log lives in its stream on the servers, not in `dir`. With
  // `create`, makes the stream (Settings::replicas) when it is missing and
  // writes `dir`/NATS_STREAM saying where the log lives (for operators;
  // never read). FAILED_PRECONDITION when the stream holds another log.
  // Opening without `create` needs no local directory (hosts that only
  // read the log have none).
  Status OpenLog(const std::string& name, const std::string& dir, bool create,
                 std::unique_ptr<Log>* out) override;
  // Deletes the stream (OK when there is none), and `dir`/NATS_STREAM.
  Status RemoveLog(const std::string& name, const std::string& dir) override;
  // UNIMPLEMENTED: this plugin provides a log only.
  Status OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) override;
  Status RemoveKv(const std::string& dir) override;

 private:
  explicit NatsStorage(std::shared_ptr<NatsClient> client) : client_(std::move(client)) {}
  // Makes sure the stream exists and holds `id.name`; *created its time.
  Status EnsureStream(const StreamId& id, bool create, int64_t* created);

  const std::shared_ptr<NatsClient> client_;
};

}  // namespace sluice::log_nats

#endif  // SLUICE_PLUGINS_LOG_NATS_NATS_STORAGE_H_
