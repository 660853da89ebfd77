#include "pg_conn.h"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace pgsrc {
namespace {

using sluice::Code;
using sluice::Status;

// Settings under which PostgreSQL's text output of every supported type
// has one documented form (pg_types.h parses exactly these forms).
constexpr const char* kSessionOptions =
    "-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c extra_float_digits=3 "
    "-c bytea_output=hex";
// A replication session copies whole tables and idles between changes:
// role defaults meant for interactive sessions must not end it.
constexpr const char* kReplicationOptions =
    " -c statement_timeout=0 -c idle_in_transaction_session_timeout=0";

// PostgreSQL messages end with a newline and may span lines: one line.
std::string OneLine(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  return s;
}

Code CodeFor(const char* sqlstate) {
  if (sqlstate == nullptr) return Code::kUnavailable;
  std::string_view s(sqlstate);
  if (s == "28P01" || s == "28000") return Code::kUnauthenticated;
  if (s == "42501") return Code::kPermissionDenied;
  if (s == "42P01" || s == "42704" || s == "3D000" || s == "3F000") return Code::kNotFound;
  // 23505: a unique violation, which is what a concurrent CREATE of the
  // same object (a publication two endpoints create at once) raises.
  if (s == "42710" || s == "42P07" || s == "23505") return Code::kAlreadyExists;
  if (s == "55006" || s == "55000" || s == "0A000") return Code::kFailedPrecondition;
  if (s == "53400" || s == "53300" || s == "53100" || s == "53200") return Code::kResourceExhausted;
  if (s.substr(0, 2) == "08" || s == "57P01" || s == "57P02" || s == "57P03" || s == "40001" ||
      s == "40P01")
    return Code::kUnavailable;
  if (s.substr(0, 2) == "22" || s.substr(0, 2) == "42") return Code::kInvalidArgument;
  return Code::kUnknown;
}

}  // namespace

std::string DescribeConninfo(const Conninfo& conninfo) {
  std::string out;
  for (const char* key : {"host", "hostaddr", "port", "dbname", "user"})
    for (const auto& [k, v] : conninfo)
      if (k == key) out += (out.empty() ? "" : " ") + k + "=" + v;
  return out.empty() ? "(libpq defaults)" : out;
}

Status PgConn::Connect(const Conninfo& conninfo, bool replication, std::unique_ptr<PgConn>* out) {
  std::vector<std::string> keys, values;
  std::string options = kSessionOptions;
  if (replication) options += kReplicationOptions;
  bool app_name = false, timeout = false;
  for (const auto& [k, v] : conninfo) {
    if (k == "options") {
      options = v + " " + options;  // ours last: they win
      continue;
    }
    if (k == "replication" || k == "client_encoding") continue;
    app_name = app_name || k == "application_name";
    timeout = timeout || k == "connect_timeout";
    keys.push_back(k), values.push_back(v);
  }
  keys.push_back("options"), values.push_back(options);
  keys.push_back("client_encoding"), values.push_back("UTF8");
  if (!app_name) keys.push_back("application_name"), values.push_back("sluice");
  if (!timeout) keys.push_back("connect_timeout"), values.push_back("10");
  if (replication) keys.push_back("replication"), values.push_back("database");
  std::vector<const char*> k, v;
  for (size_t i = 0; i < keys.size(); ++i)
    k.push_back(keys[i].c_str()), v.push_back(values[i].c_str());
  k.push_back(nullptr), v.push_back(nullptr);
  PGconn* c = PQconnectdbParams(k.data(), v.data(), 0);
  if (c == nullptr) return sluice::ResourceExhausted("libpq could not allocate a connection");
  std::unique_ptr<PgConn> conn(new PgConn(c));
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = OneLine(PQerrorMessage(c));
    Code code = Code::kUnavailable;
    if (msg.find("password authentication failed") != std::string::npos ||
        msg.find("no password supplied") != std::string::npos ||
        msg.find("authentication failed") != std::string::npos)
      code = Code::kUnauthenticated;
    else if (msg.find("no pg_hba.conf entry") != std::string::npos ||
             msg.find("permission denied") != std::string::npos ||
             msg.find("must have replication") != std::string::npos ||
             msg.find("must be superuser or replication role") != std::string::npos)
      code = Code::kPermissionDenied;
    else if (msg.find("does not exist") != std::string::npos) code = Code::kNotFound;
    return Status(code, std::string("cannot connect to PostgreSQL (") + DescribeConninfo(conninfo) +
                            (replication ? ", replication" : "") + "): " + msg);
  }
  *out = std::move(conn);
  return Status();
}

PgConn::~PgConn() {
  if (copy_buf_ != nullptr) PQfreemem(copy_buf_);
  PQfinish(c_);
}

Status PgConn::ErrorFrom(const PGresult* r, const std::string& what) const {
  if (r == nullptr || PQstatus(c_) != CONNECTION_OK) {
    const char* m = r ? PQresultErrorMessage(r) : nullptr;
    std::string msg = OneLine(m && *m ? m : PQerrorMessage(c_));
    return sluice::Unavailable(what + ": connection to PostgreSQL lost: " + msg);
  }
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string msg = OneLine(PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
  if (msg.empty()) msg = OneLine(PQresultErrorMessage(r));
  std::string hint = OneLine(PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
  if (!hint.empty()) msg += " (hint: " + hint + ")";
  return Status(CodeFor(state), what + ": " + msg);
}

Status PgConn::Exec(const std::string& sql, const std::string& what, PgResult* out) {
  PgResult r(PQexec(c_, sql.c_str()));
  ExecStatusType st = r.get() ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return ErrorFrom(r.get(), what);
  if (out != nullptr) *out = std::move(r);
  return Status();
}

Status PgConn::Query(const std::string& sql, const std::vector<std::string>& params,
                     const std::string& what, PgResult* out) {
  std::vector<const char*> p;
  for (const std::string& s : params) p.push_back(s.c_str());
  PgResult r(PQexecParams(c_, sql.c_str(), static_cast<int>(p.size()), nullptr, p.data(), nullptr,
                          nullptr, 0));
  ExecStatusType st = r.get() ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return ErrorFrom(r.get(), what);
  if (out != nullptr) *out = std::move(r);
  return Status();
}

Status PgConn::StartCopy(const std::string& sql, const std::string& what) {
  PgResult r(PQexec(c_, sql.c_str()));
  ExecStatusType st = r.get() ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COPY_OUT && st != PGRES_COPY_BOTH) return ErrorFrom(r.get(), what);
  return Status();
}

Status PgConn::WaitReadable(int timeout_ms, bool* readable) {
  *readable = false;
  pollfd p{PQsocket(c_), POLLIN, 0};
  if (p.fd < 0) return sluice::Unavailable("connection to PostgreSQL lost");
  int n = poll(&p, 1, timeout_ms);
  if (n < 0 && errno != EINTR)
    return sluice::Unavailable(std::string("poll on the PostgreSQL socket: ") + strerror(errno));
  *readable = n > 0;
  return Status();
}

Status PgConn::GetCopyData(int timeout_ms, std::string_view* data, bool* got, bool* done) {
  *got = false;
  *done = false;
  if (copy_buf_ != nullptr) PQfreemem(copy_buf_), copy_buf_ = nullptr;
  std::chrono::steady_clock::time_point deadline{};  // set once a wait is needed
  for (;;) {
    int n = PQgetCopyData(c_, &copy_buf_, 1);
    if (n > 0) {
      *data = std::string_view(copy_buf_, static_cast<size_t>(n));
      *got = true;
      return Status();
    }
    if (n == -1) {  // the copy ended: its final result says how
      *done = true;
      PgResult r(PQgetResult(c_));
      Status s;
      if (r.get() == nullptr || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
        s = ErrorFrom(r.get(), "the server ended the stream");
      while (PGresult* more = PQgetResult(c_)) PQclear(more);
      return s;
    }
    if (n == -2) return ErrorFrom(nullptr, "reading from PostgreSQL");
    const auto now = std::chrono::steady_clock::now();
    if (deadline == std::chrono::steady_clock::time_point{})
      deadline = now + std::chrono::milliseconds(timeout_ms);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    bool readable = false;
    SLUICE_RETURN_IF_ERROR(WaitReadable(left > 0 ? static_cast<int>(left) : 0, &readable));
    if (!readable) return Status();
    if (PQconsumeInput(c_) == 0) return ErrorFrom(nullptr, "reading from PostgreSQL");
  }
}

Status PgConn::PutCopyData(std::string_view data) {
  if (PQputCopyData(c_, data.data(), static_cast<int>(data.size())) != 1 || PQflush(c_) != 0)
    return ErrorFrom(nullptr, "sending to PostgreSQL");
  return Status();
}

std::string PgConn::Literal(std::string_view text) {
  char* e = PQescapeLiteral(c_, text.data(), text.size());
  if (e == nullptr) return "NULL";
  std::string s(e);
  PQfreemem(e);
  return s;
}

std::string PgConn::Identifier(std::string_view name) {
  char* e = PQescapeIdentifier(c_, name.data(), name.size());
  if (e == nullptr) return "\"\"";
  std::string s(e);
  PQfreemem(e);
  return s;
}

}  // namespace pgsrc
