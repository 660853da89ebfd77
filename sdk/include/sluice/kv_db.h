// A sluice::KvStore on one database of an embedded engine with LevelDB's
// C++ interface (leveldb::DB, rocksdb::DB): what is the same on all of them
// is here (point reads, snapshots and the check that a snapshot handed to a
// store is one of its own, iterators over [lower, upper) in both
// directions, op checks, status mapping); a plugin derives from DbKvStore
// and adds Write, which engines do differently (how a batch is built), and
// may hand an iterator's bounds to an engine that can stop at them.
// Header-only; it names no engine: the engine's types are template
// arguments.
//
//   class MyKv : public sluice::DbKvStore<mydb::DB, mydb::ReadOptions> {
//    public:
//     MyKv(std::string dir, std::shared_ptr<const Res> res, std::unique_ptr<mydb::DB> db)
//         : DbKvStore(std::move(dir), res, std::move(db), res->ReadOpts()) {}
//     sluice::Status Write(const sluice::KvOp* ops, size_t count, bool sync) override;
//    protected:
//     sluice::Status FromEngine(const mydb::Status& s, std::string_view op) const override;
//   };
#ifndef SLUICE_KV_DB_H_
#define SLUICE_KV_DB_H_

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "sluice/status.h"
#include "sluice/storage.h"

namespace sluice {

// INVALID_ARGUMENT naming `store` and the first op whose kind is neither
// kPut nor kDelete; a KvStore::Write checks its ops with it before applying
// any.
inline Status CheckKvOps(const KvOp* ops, size_t count, const std::string& store) {
  for (size_t i = 0; i < count; ++i)
    if (ops[i].kind != KvOp::kPut && ops[i].kind != KvOp::kDelete)
      return InvalidArgument("kv write " + store + ": op " + std::to_string(i) + " has kind " +
                             std::to_string(static_cast<uint32_t>(ops[i].kind)) +
                             "; expected 1 (put) or 2 (delete)");
  return Status();
}

namespace internal {
// RocksDB's statuses say "no space" themselves (IsNoSpace()).
template <class S>
auto StatusSaysNoSpace(const S& s, int) -> decltype(static_cast<bool>(s.IsNoSpace())) {
  return s.IsNoSpace();
}
template <class S>
bool StatusSaysNoSpace(const S&, long) {
  return false;
}
}  // namespace internal

// True when an engine status with LevelDB's interface reports a full disk
// or quota: IsNoSpace() where the engine has it (RocksDB), else the
// system's text for ENOSPC or EDQUOT in its message (LevelDB keeps no errno,
// only strerror's text).
template <class EngineStatus>
bool EngineNoSpace(const EngineStatus& s) {
  if (s.ok()) return false;
  if (internal::StatusSaysNoSpace(s, 0)) return true;
  std::string text = s.ToString();
  return text.find(std::strerror(ENOSPC)) != std::string::npos ||
         text.find(std::strerror(EDQUOT)) != std::string::npos;
}

// The sluice status for an engine status with LevelDB's interface (ok(),
// ToString(), IsCorruption(), IsNotFound(), IsInvalidArgument()), whose
// message names the engine, the operation and the path: "leveldb open
// /x/log: IO error: ...". A full disk (EngineNoSpace) is
// RESOURCE_EXHAUSTED, corruption DATA_LOSS, not found NOT_FOUND, invalid
// argument INVALID_ARGUMENT, anything else `other`.
template <class EngineStatus>
Status FromEngineStatus(const EngineStatus& s, std::string_view engine, std::string_view op,
                        std::string_view path, Code other = Code::kInternal) {
  if (s.ok()) return Status();
  std::string msg =
      std::string(engine) + " " + std::string(op) + " " + std::string(path) + ": " + s.ToString();
  if (EngineNoSpace(s)) return ResourceExhausted(std::move(msg));
  if (s.IsCorruption()) return DataLoss(std::move(msg));
  if (s.IsNotFound()) return NotFound(std::move(msg));
  if (s.IsInvalidArgument()) return InvalidArgument(std::move(msg));
  return Status(other, std::move(msg));
}

// Point reads and snapshots of one database `DB` read with `ReadOptions`.
// Thread-safe when the engine is. Snapshots and iterators it makes must be
// destroyed before it.
template <class DB, class ReadOptions>
class DbKvStore : public KvStore {
 public:
  // The engine's types, as its DB's calls give them.
  using Slice =
      decltype(std::declval<DB&>().NewIterator(std::declval<const ReadOptions&>())->key());
  using Snapshot =
      std::remove_const_t<std::remove_pointer_t<decltype(std::declval<DB&>().GetSnapshot())>>;
  using EngineStatus =
      decltype(std::declval<DB&>().Get(std::declval<const ReadOptions&>(),
                                       std::declval<const Slice&>(), std::declval<std::string*>()));
  using EngineIterator = std::remove_pointer_t<decltype(std::declval<DB&>().NewIterator(
      std::declval<const ReadOptions&>()))>;

  DbKvStore(const DbKvStore&) = delete;
  DbKvStore& operator=(const DbKvStore&) = delete;

  // NOT_FOUND when absent; a snapshot of another store is INVALID_ARGUMENT.
  Status Get(const KvSnapshot* snapshot, std::string_view key, std::string* value) override {
    ReadOptions ro;
    SLUICE_RETURN_IF_ERROR(ReadOpts(snapshot, &ro));
    EngineStatus s = db_->Get(ro, Slice(key.data(), key.size()), value);
    if (s.IsNotFound()) return NotFound("kv " + dir_ + ": key not found");
    return FromEngine(s, "get");
  }
  Status NewSnapshot(std::unique_ptr<KvSnapshot>* out) override {
    const Snapshot* snap = db_->GetSnapshot();
    if (snap == nullptr) return Internal("kv " + dir_ + ": the engine returned no snapshot");
    *out = std::make_unique<OwnSnapshot>(db_.get(), snap);
    return Status();
  }
  // Forward: starts at the first key >= lower, Seek(k) goes to the first
  // key >= max(k, lower). Reverse: starts at the last key < upper, Seek(k)
  // goes to the last key <= k (and < upper). Used by one thread at a time.
  Status NewIterator(const KvSnapshot* snapshot, std::string_view lower, std::string_view upper,
                     bool reverse, std::unique_ptr<KvIterator>* out) override {
    ReadOptions ro;
    SLUICE_RETURN_IF_ERROR(ReadOpts(snapshot, &ro));
    auto it = std::make_unique<Iterator>(this, lower, upper, reverse);
    it->Start(NewEngineIterator(ro, it->lower(), it->upper()));
    SLUICE_RETURN_IF_ERROR(it->Check());
    *out = std::move(it);
    return Status();
  }

 protected:
  // Takes `db`, kept in `dir` (named in messages). `keep` (the engine
  // objects the database uses: a shared block cache, ...) is released
  // after `db` is deleted; `read` are the read options of every read.
  DbKvStore(std::string dir, std::shared_ptr<const void> keep, std::unique_ptr<DB> db,
            ReadOptions read)
      : dir_(std::move(dir)), keep_(std::move(keep)), read_(read), db_(std::move(db)) {}

  // The read options for `snapshot` (nullptr: the latest state).
  // INVALID_ARGUMENT when it is not a snapshot of this store (of another
  // store, or not made here at all).
  Status ReadOpts(const KvSnapshot* snapshot, ReadOptions* out) const {
    *out = read_;
    if (snapshot == nullptr) return Status();
    const auto* own = dynamic_cast<const OwnSnapshot*>(snapshot);
    if (own == nullptr || own->db != db_.get())
      return InvalidArgument("kv " + dir_ + ": the snapshot belongs to another store");
    out->snapshot = own->snap;
    return Status();
  }
  // The sluice status for the engine's `s` of operation `op` on this store.
  virtual Status FromEngine(const EngineStatus& s, std::string_view op) const = 0;

  // The write gate every Write goes through: BeginWrite() before the
  // engine's write, EndWrite() with its result. After one failed write the
  // store refuses every later one with that error, until it is closed and
  // opened again: an engine's write-ahead log is in an unknown state after a
  // failed write or sync (LevelDB keeps appending at an offset its file
  // never reached, so the next records would be unreadable; both engines
  // refuse writes after a failed sync). Reads go on. Thread-safe.
  Status BeginWrite() const {
    std::lock_guard<std::mutex> lock(write_mu_);
    if (write_failed_.ok()) return Status();
    return Status(write_failed_.code(), "kv " + dir_ + ": an earlier write failed (" +
                                            write_failed_.message() +
                                            "); the store takes writes again once it is reopened");
  }
  Status EndWrite(Status s) {
    if (!s.ok() && s.code() != Code::kInvalidArgument) {
      std::lock_guard<std::mutex> lock(write_mu_);
      if (write_failed_.ok()) write_failed_ = s;
    }
    return s;
  }
  // A new engine iterator reading with `ro`. The iterator keeps to its
  // bounds itself; an engine that can stop at them may be handed `lower`
  // and `upper` (null when unbounded), which live as long as the iterator.
  virtual EngineIterator* NewEngineIterator(ReadOptions ro, const Slice* /*lower*/,
                                            const Slice* /*upper*/) const {
    return db_->NewIterator(ro);
  }

  DB* db() const { return db_.get(); }
  const std::string& dir() const { return dir_; }

 private:
  // Releases the engine snapshot when destroyed.
  struct OwnSnapshot final : KvSnapshot {
    OwnSnapshot(DB* d, const Snapshot* s) : db(d), snap(s) {}
    ~OwnSnapshot() override { db->ReleaseSnapshot(snap); }
    DB* const db;
    const Snapshot* const snap;
  };

  // Walks [lower, upper) of an engine iterator in one direction.
  class Iterator final : public KvIterator {
   public:
    Iterator(const DbKvStore* store, std::string_view lower, std::string_view upper, bool reverse)
        : store_(store), lower_(lower), upper_(upper), reverse_(reverse) {
      lower_slice_ = Slice(lower_.data(), lower_.size());
      upper_slice_ = Slice(upper_.data(), upper_.size());
    }
    const Slice* lower() const { return lower_.empty() ? nullptr : &lower_slice_; }
    const Slice* upper() const { return upper_.empty() ? nullptr : &upper_slice_; }
    // Takes the engine iterator and goes to the first entry.
    void Start(EngineIterator* it) {
      it_.reset(it);
      SeekToStart();
    }
    // The engine iterator's state (I/O or corruption errors).
    Status Check() const { return store_->FromEngine(it_->status(), "iterate"); }

    Status Seek(std::string_view key) override {
      step_due_ = false;
      if (!reverse_) {
        it_->Seek(key < lower_ ? lower_slice_ : Slice(key.data(), key.size()));
      } else if (!upper_.empty() && key >= upper_) {
        SeekToStart();
      } else {
        it_->Seek(Slice(key.data(), key.size()));  // then back to the last key <= key
        if (!it_->Valid()) {
          it_->SeekToLast();
        } else if (View(it_->key()) != key) {
          it_->Prev();
        }
      }
      return Check();
    }
    // When fn stops the walk, the step past its entry is taken by the next
    // Read (then *exhausted is false): an engine step may read the next
    // block, which a caller that stopped does not need (and which may be
    // damaged: sluice::KvLog reads the whole records before a damaged
    // chunk).
    Status Read(size_t max_entries, EntryFn fn, bool* exhausted) override {
      if (step_due_) Step();
      step_due_ = false;
      for (size_t n = 0; n < max_entries && InRange(); ++n) {
        if (!fn(View(it_->key()), View(it_->value()))) {
          step_due_ = true;
          *exhausted = false;
          return Check();
        }
        Step();
      }
      *exhausted = !InRange();
      return Check();
    }

   private:
    static std::string_view View(const Slice& s) { return std::string_view(s.data(), s.size()); }
    void Step() {
      if (reverse_) {
        it_->Prev();
      } else {
        it_->Next();
      }
    }
    void SeekToStart() {
      if (!reverse_) {
        it_->Seek(lower_slice_);
      } else if (upper_.empty()) {
        it_->SeekToLast();
      } else {
        it_->Seek(upper_slice_);
        if (it_->Valid()) {
          it_->Prev();
        } else {
          it_->SeekToLast();
        }
      }
    }
    bool InRange() const {
      if (!it_->Valid()) return false;
      std::string_view k = View(it_->key());
      return reverse_ ? k >= lower_ : (upper_.empty() || k < upper_);
    }

    const DbKvStore* const store_;  // outlives its iterators
    const std::string lower_;
    const std::string upper_;
    Slice lower_slice_;
    Slice upper_slice_;
    const bool reverse_;
    bool step_due_ = false;               // the last Read stopped on an entry not stepped past
    std::unique_ptr<EngineIterator> it_;  // declared last: destroyed before the bounds
  };

  const std::string dir_;
  mutable std::mutex write_mu_;             // guards write_failed_
  Status write_failed_;                     // the first failed write's error
  const std::shared_ptr<const void> keep_;  // declared before db_: outlives it
  const ReadOptions read_;
  std::unique_ptr<DB> db_;
};

}  // namespace sluice

#endif  // SLUICE_KV_DB_H_
