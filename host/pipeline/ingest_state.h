// IngestBoard: what every endpoint's ingest is doing, for people and
// probes: its state (running, caught up, waiting, failed, schema changed),
// since when, and its last error with where it happened (file, line,
// column). The process that ingests fills it; `GET /`, `/ready`, `/metrics`,
// 503 answers and `sluice migrations` read it (docs/operations.md,
// "Ingest state").
//
//   IngestBoard board;
//   board.Set("trips", 2, IngestPhase::kFailed, "t.csv:12: column 3 ...");
//   IngestStatus st = board.Get("trips");     // st.error.line == 12
//
// Thread-safe. Phase changes are persisted to a file per endpoint when a
// directory is given (so commands run beside the server can read them).
#ifndef SLUICE_HOST_PIPELINE_INGEST_STATE_H_
#define SLUICE_HOST_PIPELINE_INGEST_STATE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::host {

enum class IngestPhase {
  kStarting,       // not reading yet (planning, opening the source)
  kRunning,        // reading rows
  kCaughtUp,       // at the end of the input; following it
  kWaiting,        // cannot go on yet for a reason that may resolve itself
                   // (an empty table, an incomplete last line)
  kFailed,         // stopped on an error; retried with backoff
  kSchemaChanged,  // the source's schema changed: a new version is needed
  kStorageError,   // the log refused a write (a full disk: ENOSPC); retried with
                   // backoff, the log reopened, until writes succeed again
  kLogDamaged,     // the version's log does not read back (storage/version_log.h):
                   // ingest stopped until `sluice repair`
};

// "starting", "running", "caught_up", "waiting", "failed", "schema_changed",
// "storage_error", "log_damaged".
const char* IngestPhaseName(IngestPhase phase);
// Failed, schema changed, storage error or log damaged: ingest is stopped until something
// changes.
bool IngestStopped(IngestPhase phase);

// Where an error happened, when its message says so ("FILE:LINE: column N
// ..."): the convention source plugins follow (sluice/abi_source.h).
struct ErrorPlace {
  std::string file;
  uint64_t line = 0;    // 0 = unknown
  uint32_t column = 0;  // 0 = unknown
};
ErrorPlace ParseErrorPlace(std::string_view message);

struct IngestError {
  std::string message;  // empty: no error yet
  ErrorPlace place;
  int64_t at_ms = 0;  // unix time in milliseconds
};

struct IngestStatus {
  IngestPhase phase = IngestPhase::kStarting;
  uint32_t version = 0;         // the version being written, 0 = none yet
  std::string detail;           // why waiting / the error, for the current phase
  int64_t since_ms = 0;         // when the current phase began
  IngestError last_error;       // kept after a recovery
  uint64_t errors = 0;          // times the ingest failed or stopped on a schema change
  uint64_t duplicate_keys = 0;  // rows whose key an earlier row had (on_duplicate)
  std::string first_duplicate;  // where the first one was, as a message
};

class IngestBoard {
 public:
  // `state_dir` (may be empty: nothing persisted) receives one file per
  // endpoint, `<endpoint>.json`, rewritten atomically on each phase change.
  explicit IngestBoard(std::filesystem::path state_dir = {});
  IngestBoard(const IngestBoard&) = delete;
  IngestBoard& operator=(const IngestBoard&) = delete;

  // Moves `endpoint` to `phase` (detail: the waiting reason or the error).
  // Entering a stopped phase (IngestStopped) with a new error counts it and
  // records it as last_error. Listeners run when the phase, version or
  // detail changed.
  void Set(const std::string& endpoint, uint32_t version, IngestPhase phase,
           const std::string& detail = {});
  // Counts a duplicate key; `where` describes the first one (kept).
  void AddDuplicates(const std::string& endpoint, uint64_t n, const std::string& where);

  // The status of `endpoint`; a default (starting) one when unknown.
  IngestStatus Get(const std::string& endpoint) const;
  bool Has(const std::string& endpoint) const;
  std::map<std::string, IngestStatus> All() const;

  // fn() runs after every change (on the changing thread, without locks held).
  void AddListener(std::function<void()> fn);

  // The persisted status of `endpoint` in `state_dir`, for readers in
  // another process. NOT_FOUND when there is none.
  static Status Read(const std::filesystem::path& state_dir, const std::string& endpoint,
                     IngestStatus* out);
  // The JSON object of a status (also the persisted form).
  static std::string ToJson(const IngestStatus& status);

 private:
  void Persist(const std::string& endpoint, const IngestStatus& status) const;
  std::filesystem::path dir_;
  mutable std::mutex mu_;
  std::map<std::string, IngestStatus> status_;
  std::vector<std::function<void()>> listeners_;
};

// Unix time now, in milliseconds.
int64_t UnixMillis();

}  // namespace sluice::host

#endif  // SLUICE_HOST_PIPELINE_INGEST_STATE_H_
