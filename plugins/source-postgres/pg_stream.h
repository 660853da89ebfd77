// The streaming phase's session: START_REPLICATION of a slot with the
// pgoutput plugin, reading its messages, and the client's side of the
// protocol: standby status updates that confirm what is durable
// (confirmed_flush_lsn), answers to keepalives, and pings when quiet.
#ifndef SLUICE_SOURCE_POSTGRES_PG_STREAM_H_
#define SLUICE_SOURCE_POSTGRES_PG_STREAM_H_

#include <chrono>
#include <memory>
#include <string>

#include "pg_conn.h"
#include "pgoutput.h"
#include "sluice/status.h"

namespace pgsrc {

class ReplicationStream {
 public:
  // Streams `slot` from `lsn` (the server starts at its confirmed position
  // if that is later), publishing `publication`. NOT_FOUND when the slot
  // is gone; UNAVAILABLE when another session streams it (retry later).
  static sluice::Status Start(const Conninfo& conninfo, const std::string& slot, uint64_t lsn,
                              const std::string& publication,
                              std::unique_ptr<ReplicationStream>* out);

  // The next message, waiting up to timeout_ms; *got false when none came.
  // Keepalives are answered here (with the last confirmed position) and
  // still returned, so the caller learns the server's position.
  // UNAVAILABLE when the connection broke.
  sluice::Status Read(int timeout_ms, StreamMessage* msg, bool* got);
  // Confirms everything up to `lsn` (monotonic: a lower one is ignored);
  // sent at once when it moved or `ping` asks for the server's position.
  sluice::Status Confirm(uint64_t lsn, bool ping);
  uint64_t confirmed() const { return confirmed_; }
  // Waits up to timeout_ms for the server to send something.
  sluice::Status WaitReadable(int timeout_ms, bool* readable) {
    return conn_->WaitReadable(timeout_ms, readable);
  }
  // Time since the last message from the server.
  std::chrono::steady_clock::duration Quiet() const {
    return std::chrono::steady_clock::now() - last_heard_;
  }

 private:
  explicit ReplicationStream(std::unique_ptr<PgConn> conn) : conn_(std::move(conn)) {}
  sluice::Status Send(bool reply);

  std::unique_ptr<PgConn> conn_;
  uint64_t confirmed_ = 0;
  uint64_t sent_ = 0;
  std::chrono::steady_clock::time_point last_heard_ = std::chrono::steady_clock::now();
};

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_STREAM_H_
