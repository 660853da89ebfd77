#include "leveldb_kv.h"

#include <leveldb/write_batch.h>

namespace sluice::storage_leveldb {
namespace {

// A thread keeps its write batch's buffer for the next write while its
// batches are large (a cache build), up to kMaxKeptBatchBytes, and frees it
// at the first small one.
constexpr size_t kMaxKeptBatchBytes = 64u << 20;
constexpr size_t kSmallBatchBytes = 1u << 20;

leveldb::Slice Sl(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }
std::string_view View(const leveldb::Slice& s) { return std::string_view(s.data(), s.size()); }

using LevelDbSnapshot = DbSnapshot<leveldb::DB, leveldb::Snapshot>;

// Walks [lower, upper) forward or backward over a LevelDB iterator.
class LevelDbIterator : public KvIterator {
 public:
  LevelDbIterator(std::string dir, std::unique_ptr<leveldb::Iterator> it, std::string_view lower,
                  std::string_view upper, bool reverse)
      : dir_(std::move(dir)), it_(std::move(it)), lower_(lower), upper_(upper), reverse_(reverse) {
    SeekToStart();
  }

  Status Seek(std::string_view key) override {
    if (!reverse_) {
      it_->Seek(Sl(key < lower_ ? std::string_view(lower_) : key));
    } else if (!upper_.empty() && key >= upper_) {
      SeekToStart();
    } else {
      it_->Seek(Sl(key));
      if (!it_->Valid()) {
        it_->SeekToLast();
      } else if (View(it_->key()) != key) {
        it_->Prev();
      }
    }
    return Check();
  }

  // The state of the underlying LevelDB iterator (I/O or corruption errors).
  Status status() const { return Check(); }

  Status Read(size_t max_entries, EntryFn fn, bool* exhausted) override {
    for (size_t n = 0; n < max_entries && InRange(); ++n) {
      bool more = fn(View(it_->key()), View(it_->value()));
      Advance();
      if (!more) break;
    }
    *exhausted = !InRange();
    return Check();
  }

 private:
  void SeekToStart() {
    if (!reverse_) {
      it_->Seek(Sl(lower_));
    } else if (upper_.empty()) {
      it_->SeekToLast();
    } else {
      it_->Seek(Sl(upper_));
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
  void Advance() { reverse_ ? it_->Prev() : it_->Next(); }
  Status Check() const { return FromLevelDb(it_->status(), "iterate", dir_); }

  const std::string dir_;
  const std::unique_ptr<leveldb::Iterator> it_;
  const std::string lower_;
  const std::string upper_;
  const bool reverse_;
};

}  // namespace

LevelDbKv::LevelDbKv(std::string dir, std::shared_ptr<const Resources> res,
                     std::unique_ptr<leveldb::DB> db)
    : dir_(std::move(dir)), res_(std::move(res)), db_(std::move(db)) {}

Status LevelDbKv::Write(const KvOp* ops, size_t count, bool sync) {
  // One batch per thread, cleared and reused: a cache build writes batches
  // of megabytes, and growing a fresh one each time costs as much as
  // filling it.
  SLUICE_RETURN_IF_ERROR(CheckKvOps(ops, count, dir_));
  thread_local leveldb::WriteBatch batch;
  thread_local bool grown = false;  // batch holds a buffer of a large batch
  batch.Clear();
  for (size_t i = 0; i < count; ++i) {
    if (ops[i].kind == KvOp::kPut) {
      batch.Put(Sl(ops[i].key), Sl(ops[i].value));
    } else {
      batch.Delete(Sl(ops[i].key));
    }
  }
  leveldb::WriteOptions wo;
  wo.sync = sync;
  Status s = FromLevelDb(db_->Write(wo, &batch), "write", dir_);
  size_t size = batch.ApproximateSize();
  if (size > kMaxKeptBatchBytes || (grown && size < kSmallBatchBytes)) {
    batch = leveldb::WriteBatch();
    grown = false;
  } else if (size >= kSmallBatchBytes) {
    grown = true;
  }
  return s;
}

Status LevelDbKv::ReadOpts(const KvSnapshot* snapshot, leveldb::ReadOptions* out) const {
  out->verify_checksums = res_->settings().paranoid_checks;
  return LevelDbSnapshot::Unwrap(snapshot, db_.get(), dir_, &out->snapshot);
}

Status LevelDbKv::Get(const KvSnapshot* snapshot, std::string_view key, std::string* value) {
  leveldb::ReadOptions ro;
  SLUICE_RETURN_IF_ERROR(ReadOpts(snapshot, &ro));
  leveldb::Status s = db_->Get(ro, Sl(key), value);
  if (s.IsNotFound()) return NotFound("kv " + dir_ + ": key not found");
  return FromLevelDb(s, "get", dir_);
}

Status LevelDbKv::NewSnapshot(std::unique_ptr<KvSnapshot>* out) {
  *out = std::make_unique<LevelDbSnapshot>(db_.get(), db_->GetSnapshot());
  return Status();
}

Status LevelDbKv::NewIterator(const KvSnapshot* snapshot, std::string_view lower,
                              std::string_view upper, bool reverse,
                              std::unique_ptr<KvIterator>* out) {
  leveldb::ReadOptions ro;
  SLUICE_RETURN_IF_ERROR(ReadOpts(snapshot, &ro));
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(ro));
  auto iter = std::make_unique<LevelDbIterator>(dir_, std::move(it), lower, upper, reverse);
  SLUICE_RETURN_IF_ERROR(iter->status());
  *out = std::move(iter);
  return Status();
}

}  // namespace sluice::storage_leveldb
