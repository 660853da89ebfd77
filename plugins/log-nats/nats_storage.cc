#include "nats_storage.h"

#include <filesystem>
#include <fstream>
#include <system_error>

namespace sluice::log_nats {
namespace {

constexpr const char* kMarkerFile = "NATS_STREAM";

// Leaves a note in the host's directory for the log saying where it lives.
Status WriteMarker(const std::string& dir, const StreamId& id, const std::string& servers) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Internal("log '" + id.name + "': cannot create directory " + dir + ": " + ec.message());
  std::ofstream out(dir + "/" + kMarkerFile, std::ios::trunc);
  out << "log " << id.name << "\nstream " << id.stream << "\nsubject " << id.subject << "\nservers "
      << servers << "\n";
  if (!out) return Internal("log '" + id.name + "': cannot write " + dir + "/" + kMarkerFile);
  return Status();
}

std::string Description(const std::string& name) { return "sluice log '" + name + "'"; }

std::string ServerList(const Settings& s) {
  std::string out;
  for (const std::string& u : s.servers) out += (out.empty() ? "" : ",") + u;
  return out;
}

}  // namespace

Status StreamIdFor(const std::string& prefix, const std::string& name, StreamId* out) {
  StreamId id{name, prefix, prefix};
  size_t at = 0;
  for (;;) {
    size_t slash = name.find('/', at);
    std::string token =
        name.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
    if (!IsToken(token))
      return InvalidArgument("log name '" + name +
                             "': expected names of letters, digits, '_' and '-' joined by '/' "
                             "(like 'trips/v0001')");
    id.stream += "_" + token;
    id.subject += "." + token;
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  *out = std::move(id);
  return Status();
}

Status NatsStorage::Create(const HostServices& host, const Options& options,
                           std::unique_ptr<NatsStorage>* out) {
  Settings settings;
  SLUICE_RETURN_IF_ERROR(ParseSettings(options, &settings));
  std::shared_ptr<NatsClient> client;
  SLUICE_RETURN_IF_ERROR(NatsClient::Connect(settings, host, &client));
  out->reset(new NatsStorage(std::move(client)));
  return Status();
}

Status NatsStorage::EnsureStream(const StreamId& id, bool create, int64_t* created) {
  const std::string what = "log '" + id.name + "'";
  StreamState st;
  Status s = client_->StreamInfo(id.stream, &st);
  if (s.code() == Code::kNotFound) {
    if (!create)
      return NotFound(what + ": no JetStream stream " + id.stream + " on " +
                      ServerList(client_->settings()) + " (open with create to make one)");
    s = client_->AddStream(id.stream, id.subject, Description(id.name));
    if (!s.ok() && s.code() != Code::kAlreadyExists) return s.WithContext(what);
    s = client_->StreamInfo(id.stream, &st);  // another process may have made it first
  }
  SLUICE_RETURN_IF_ERROR(s.WithContext(what));
  if (st.description != Description(id.name) || st.subject != id.subject)
    return FailedPrecondition(what + ": stream " + id.stream + " exists but holds '" +
                              st.description + "' on subject '" + st.subject + "', expected '" +
                              Description(id.name) + "' on '" + id.subject +
                              "'; choose another stream_prefix");
  if (st.replicas != client_->settings().replicas)
    client_->host().Warn(what + ": stream " + id.stream + " has " + std::to_string(st.replicas) +
                         " replicas, the replicas option asks for " +
                         std::to_string(client_->settings().replicas) +
                         "; existing streams are not changed");
  *created = st.created;
  return Status();
}

Status NatsStorage::OpenLog(const std::string& name, const std::string& dir, bool create,
                            std::unique_ptr<Log>* out) {
  StreamId id;
  SLUICE_RETURN_IF_ERROR(StreamIdFor(client_->settings().stream_prefix, name, &id));
  int64_t created = 0;
  SLUICE_RETURN_IF_ERROR(EnsureStream(id, create, &created));
  if (create && !dir.empty())
    SLUICE_RETURN_IF_ERROR(WriteMarker(dir, id, ServerList(client_->settings())));
  std::unique_ptr<NatsLog> log;
  SLUICE_RETURN_IF_ERROR(NatsLog::Open(client_, id, created, &log));
  if (client_->host().Enabled(LogLevel::kDebug)) {
    uint64_t end = 0;
    if (log->End(&end).ok())
      client_->host().Debug("opened log '" + name + "' on stream " + id.stream + " (end " +
                            std::to_string(end) + ")");
  }
  *out = std::move(log);
  return Status();
}

Status NatsStorage::RemoveLog(const std::string& name, const std::string& dir) {
  StreamId id;
  SLUICE_RETURN_IF_ERROR(StreamIdFor(client_->settings().stream_prefix, name, &id));
  Status s = client_->DeleteStream(id.stream);
  if (!s.ok() && s.code() != Code::kNotFound) return s.WithContext("log '" + name + "'");
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::remove(dir + "/" + kMarkerFile, ec);
    std::filesystem::remove(dir, ec);  // only when empty
  }
  return Status();
}

Status NatsStorage::OpenKv(const std::string& dir, bool, std::unique_ptr<KvStore>*) {
  return Unimplemented("kv store " + dir +
                       ": the nats plugin provides a log only; configure storage.cache with "
                       "leveldb or rocksdb");
}

Status NatsStorage::RemoveKv(const std::string& dir) {
  return Unimplemented("kv store " + dir +
                       ": the nats plugin provides a log only; configure storage.cache with "
                       "leveldb or rocksdb");
}

}  // namespace sluice::log_nats
