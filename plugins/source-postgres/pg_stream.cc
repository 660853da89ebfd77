#include "pg_stream.h"

namespace pgsrc {

using sluice::Status;

Status ReplicationStream::Start(const Conninfo& conninfo, const std::string& slot, uint64_t lsn,
                                const std::string& publication,
                                std::unique_ptr<ReplicationStream>* out) {
  std::unique_ptr<PgConn> conn;
  SLUICE_RETURN_IF_ERROR(PgConn::Connect(conninfo, /*replication=*/true, &conn));
  // publication_names is a list of identifiers inside a string literal.
  std::string names = conn->Identifier(publication);
  std::string quoted;
  for (char c : names) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  Status s = conn->StartCopy("START_REPLICATION SLOT " + slot + " LOGICAL " + FormatLsn(lsn) +
                                 " (proto_version '1', publication_names '" + quoted + "')",
                             "stream replication slot " + slot);
  // Another session reads the slot: the one of a process that just died
  // (its server process has not noticed yet), or a second reader. Retried:
  // exactly one reader streams a slot, the other waits for it to let go.
  if (s.code() == sluice::Code::kFailedPrecondition &&
      s.message().find("is active") != std::string::npos)
    return sluice::Unavailable(s.message() +
                               " (exactly one reader per slot; waiting for the other to stop: is "
                               "a second sluice running on a copy of this home?)");
  SLUICE_RETURN_IF_ERROR(s);
  out->reset(new ReplicationStream(std::move(conn)));
  (*out)->confirmed_ = (*out)->sent_ = 0;
  return Status();
}

Status ReplicationStream::Read(int timeout_ms, StreamMessage* msg, bool* got) {
  std::string_view data;
  bool done = false;
  SLUICE_RETURN_IF_ERROR(conn_->GetCopyData(timeout_ms, &data, got, &done));
  if (done) return sluice::Unavailable("the server ended the replication stream");
  if (!*got) return Status();
  last_heard_ = std::chrono::steady_clock::now();
  SLUICE_RETURN_IF_ERROR(DecodeStreamMessage(data, msg));
  if (msg->kind == StreamMessage::kKeepalive && msg->reply_requested)
    SLUICE_RETURN_IF_ERROR(Send(false));
  return Status();
}

Status ReplicationStream::Confirm(uint64_t lsn, bool ping) {
  if (lsn > confirmed_) confirmed_ = lsn;
  if (confirmed_ == sent_ && !ping) return Status();
  return Send(ping);
}

Status ReplicationStream::Send(bool reply) {
  sent_ = confirmed_;
  return conn_->PutCopyData(
      EncodeStatusUpdate(confirmed_, confirmed_, confirmed_, PgNowMicros(), reply));
}

}  // namespace pgsrc
