// VersionLog: the log of one endpoint version as the host sees it: row
// records grouped into commits, each commit appended atomically with its
// checkpoint (log_format.h), on any storage plugin's log backend.
//
// Opening recovers: records after the last commit (an append that never
// completed) are cut (or, for a host that only reads, skipped), so readers
// only ever see whole commits. Damage is not a torn tail: a record before
// the last commit that does not read back, or a checkpoint that does not
// match its commit, marks the log damaged (damage()): it is kept as it is,
// serves the reads that still succeed and takes no commits until `sluice
// repair` cuts it (Verify, CutAt). The writer's open reads every record,
// except after a clean stop: then the watermark the stop left
// (storage/log_watermark.h) is checked against the last commit alone, and
// the rest is read on a background thread at low priority, which marks the
// log damaged when it finds damage (so does any read that reaches it).
#ifndef SLUICE_HOST_STORAGE_VERSION_LOG_H_
#define SLUICE_HOST_STORAGE_VERSION_LOG_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "sluice/function_ref.h"
#include "sluice/storage.h"
#include "storage/log_format.h"

namespace sluice::host {

// Rows of one commit, encoded as log records. Reusable (Clear()).
class CommitBuilder {
 public:
  void AddRow(sluice_op op, std::string_view row);
  size_t rows() const { return ends_.size(); }
  size_t bytes() const { return buf_.size(); }
  void Clear() { buf_.clear(), ends_.clear(); }
  // Keeps the first `rows` rows only (rows <= rows()).
  void Truncate(size_t rows) {
    buf_.resize(rows == 0 ? 0 : ends_[rows - 1]);
    ends_.resize(rows);
  }

 private:
  friend class VersionLog;
  std::string buf_;
  std::vector<size_t> ends_;
};

// What opening a log does with records after its last complete commit.
enum class TailPolicy {
  kRepair,  // cut them (the writer's open: the app resumes from a clean end)
  kReport,  // FAILED_PRECONDITION, nothing changed (inspection, `migrate --dry-run`)
  kIgnore,  // leave them and read up to the last complete commit (a host that
            // only reads a log another host writes: the writer repairs)
};

// What a read of every record of a log found (VersionLog::Verify).
struct LogCheck {
  bool opened = true;     // false: the backend could not open the stream at all
  uint64_t end = 0;       // the backend's end
  Checkpoint checkpoint;  // what the backend's checkpoint says (if it decodes)
  bool checkpoint_ok = false;
  Checkpoint last_good;     // the last commit that reads back with every record before it
  uint64_t good_rows = 0;   // row records up to last_good
  bool damaged = false;     // a record up to the checkpoint's commit does not read back
  uint64_t bad_offset = 0;  // the first one, when damaged
  std::string why;          // what is wrong, when damaged
};

class VersionLog {
 public:
  // Opens stream `name` (files under `dir`) on `storage` and recovers its
  // tail as `tail` says. NOT_FOUND when absent and !create. `storage`
  // outlives the log.
  static Status Open(StoragePlugin& storage, const std::string& name,
                     const std::filesystem::path& dir, bool create,
                     std::unique_ptr<VersionLog>* out, TailPolicy tail = TailPolicy::kRepair);
  VersionLog(const VersionLog&) = delete;
  VersionLog& operator=(const VersionLog&) = delete;
  // Stops the background check. A writer's log (TailPolicy::kRepair) that
  // is whole (not broken, not damaged, checked()) leaves its clean-stop watermark
  // (storage/log_watermark.h), so that the next open checks the last commit
  // instead of every record.
  ~VersionLog();

  // Whether the background check that follows an open trusting the
  // watermark has read every record up to the end at open (true when
  // there was none to make). Thread-safe.
  bool checked() const { return checked_.load(std::memory_order_acquire); }

  // Appends the rows of `rows` and a commit record carrying the source
  // offset and flags, atomically and durably. One writer at a time. When
  // the backend fails the append (a full disk: RESOURCE_EXHAUSTED), the log
  // is broken(): Reopen() it before the next commit.
  Status Commit(const CommitBuilder& rows, const std::string& source_offset, uint64_t flags);

  // A commit failed since the log was (re)opened: the backend may refuse
  // writes until it is reopened (sluice/storage.h, Log::Append).
  bool broken() const { return broken_.load(std::memory_order_acquire); }
  // Closes the backend's handle and opens the stream again, recovering its
  // tail as Open() did; end() and checkpoint() then say what is durable
  // (a commit whose append failed may turn out to be there: its sync
  // failed after its write). Waits for reads in progress; reads made while
  // the reopen fails are UNAVAILABLE. Thread-safe; not during a Commit.
  Status Reopen();

  // Offset after the last commit, and that commit's checkpoint.
  uint64_t end() const { return end_.load(std::memory_order_acquire); }
  Checkpoint checkpoint() const;

  // Calls fn for up to `max` verified records from offset `from`.
  // DATA_LOSS names the stream and offset of a corrupt record.
  Status Read(uint64_t from, size_t max, FunctionRef<bool(uint64_t, const LogRecord&)> fn);

  // Picks up commits another process appended (shared log backends, e.g.
  // several API hosts following one writer): re-reads the backend's
  // checkpoint and moves end() to it when it grew. Cheap; safe to poll.
  Status Refresh();

  // Blocks until end() > from, Wake() is called, or `timeout` passes.
  // Returns whether end() > from.
  bool WaitForData(uint64_t from, std::chrono::milliseconds timeout);
  // Wakes every WaitForData (used at shutdown).
  void Wake();

  const std::string& name() const { return name_; }

  // OK, or DATA_LOSS saying where the log is damaged (found when it was
  // opened, or since by a read): such a log refuses Commit() and is
  // repaired offline (`sluice repair`). Thread-safe.
  Status damage() const;

  // Reads every record from offset 0 and reports what reads back
  // (LogCheck). Errors other than damage (I/O) are returned as they are.
  Status Verify(LogCheck* out);
  // Cuts the log after `good` (a commit Verify found: everything after it
  // is dropped) and clears the damage. One writer; nothing else may use
  // the log meanwhile.
  Status CutAt(const Checkpoint& good);
  // Marks the log damaged (DATA_LOSS saying `why`; the first damage found
  // is kept): used by whoever finds committed records missing, e.g. a
  // cache that holds more than the log. Thread-safe.
  void SetDamage(const std::string& why);

 private:
  VersionLog(std::unique_ptr<Log> log, std::string name)
      : log_(std::move(log)), name_(std::move(name)) {}
  // The backend's handle, or UNAVAILABLE while a reopen failed. REQUIRES:
  // handle_mu_ held (shared or not).
  Status Handle(Log** out) const;
  Status Recover(TailPolicy tail);
  // Whether the watermark left by the last clean stop (removed here either
  // way) matches the backend's end `end` and checkpoint `raw` and the last
  // commit reads back with the CRC it recorded.
  Status TrustWatermark(uint64_t end, const std::string& raw, const Checkpoint& cp, bool* trusted);
  void LeaveWatermark();
  // Reads every record below `end` on a thread of its own (lowered
  // priority), marking the log damaged if one does not read back.
  void CheckInBackground(uint64_t end);
  Status VerifyTail(const Checkpoint& cp, bool* ok);

  std::unique_ptr<Log> log_;  // null while a reopen failed
  std::string name_;
  // Where it was opened from, for Reopen().
  StoragePlugin* storage_ = nullptr;
  std::string dir_;
  TailPolicy tail_ = TailPolicy::kRepair;
  mutable std::shared_mutex handle_mu_;  // exclusive: Reopen(); shared: uses of log_
  std::atomic<bool> broken_{false};
  Status reopen_error_;  // why the last reopen failed (under handle_mu_)
  std::atomic<uint64_t> end_{0};
  mutable std::mutex mu_;  // guards cp_, wakes, damage_
  std::condition_variable cv_;
  Checkpoint cp_;
  Status damage_;
  uint64_t wakes_ = 0;
  std::vector<std::string_view> scratch_;
  std::thread checker_;  // CheckInBackground's
  std::atomic<bool> stop_check_{false};
  std::atomic<bool> checked_{true};
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_STORAGE_VERSION_LOG_H_
