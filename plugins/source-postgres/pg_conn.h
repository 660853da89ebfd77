// A libpq connection as the plugin uses it: plain SQL (catalog queries,
// TOAST look-ups, slot administration) or a logical replication session
// (replication=database: CREATE_REPLICATION_SLOT, COPY, START_REPLICATION).
// Every session runs with settings that make PostgreSQL's text output
// unambiguous (UTC, ISO dates, shortest exact floats, hex bytea, UTF-8).
// Errors become Status codes chosen from the SQLSTATE, with PostgreSQL's
// message.
#ifndef SLUICE_SOURCE_POSTGRES_PG_CONN_H_
#define SLUICE_SOURCE_POSTGRES_PG_CONN_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/status.h"

namespace pgsrc {

using Conninfo = std::vector<std::pair<std::string, std::string>>;

// Owns a PGresult.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r) {}
  ~PgResult() { PQclear(r_); }
  PgResult(PgResult&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  PgResult& operator=(PgResult&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  PGresult* get() const { return r_; }
  int rows() const { return PQntuples(r_); }
  bool null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string_view text(int row, int col) const {
    return std::string_view(PQgetvalue(r_, row, col),
                            static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  std::string str(int row, int col) const { return std::string(text(row, col)); }

 private:
  PGresult* r_ = nullptr;
};

class PgConn {
 public:
  // Connects with `conninfo` (keyword/value pairs; the session settings
  // above are added to `options`). `replication` opens a logical
  // replication session. UNAVAILABLE when the server cannot be reached,
  // UNAUTHENTICATED / PERMISSION_DENIED when it refuses us.
  static sluice::Status Connect(const Conninfo& conninfo, bool replication,
                                std::unique_ptr<PgConn>* out);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  PGconn* raw() { return c_; }
  // False once the connection broke.
  bool ok() const { return PQstatus(c_) == CONNECTION_OK; }
  int server_version() const { return PQserverVersion(c_); }

  // Runs one statement with the simple protocol (the only one a
  // replication session speaks); *out holds the rows. `what` names the step
  // in errors.
  sluice::Status Exec(const std::string& sql, const std::string& what, PgResult* out = nullptr);
  // Runs one statement with text parameters ($1, ...): not in replication sessions.
  sluice::Status Query(const std::string& sql, const std::vector<std::string>& params,
                       const std::string& what, PgResult* out = nullptr);
  // Starts COPY ... TO STDOUT or START_REPLICATION: the result must be
  // COPY_OUT / COPY_BOTH; then read with GetCopyData.
  sluice::Status StartCopy(const std::string& sql, const std::string& what);
  // Next CopyData message, waiting up to timeout_ms (0: only what has
  // arrived). *got false when none arrived; *done when the copy ended
  // (the command's final status is then the return value).
  sluice::Status GetCopyData(int timeout_ms, std::string_view* data, bool* got, bool* done);
  // Sends one CopyData message (replication feedback) and flushes it.
  sluice::Status PutCopyData(std::string_view data);
  // Waits up to timeout_ms for the socket to become readable.
  sluice::Status WaitReadable(int timeout_ms, bool* readable);

  // 'text' as an SQL literal / identifier (libpq's escaping).
  std::string Literal(std::string_view text);
  std::string Identifier(std::string_view name);

  // The status for a failed result (SQLSTATE -> code) or connection.
  sluice::Status ErrorFrom(const PGresult* r, const std::string& what) const;

 private:
  explicit PgConn(PGconn* c) : c_(c) {}
  PGconn* c_;
  char* copy_buf_ = nullptr;
};

// The dsn as shown in messages: host, port, dbname and user, never secrets.
std::string DescribeConninfo(const Conninfo& conninfo);

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_CONN_H_
