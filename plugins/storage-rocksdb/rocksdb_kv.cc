#include "rocksdb_kv.h"

#include <rocksdb/write_batch.h>

namespace sluice::storage_rocksdb {
namespace {

rocksdb::Slice Sl(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

using RocksDbSnapshot = DbSnapshot<rocksdb::DB, rocksdb::Snapshot>;

// Walks [lower, upper) forward or backward. The bounds live here because
// RocksDB keeps pointers to them for the iterator's whole life.
class RocksDbIterator : public KvIterator {
 public:
  RocksDbIterator(std::string dir, rocksdb::DB* db, rocksdb::ReadOptions ro, std::string_view lower,
                  std::string_view upper, bool reverse)
      : dir_(std::move(dir)), lower_(lower), upper_(upper), reverse_(reverse) {
    lower_slice_ = Sl(lower_);
    upper_slice_ = Sl(upper_);
    if (!lower_.empty()) ro.iterate_lower_bound = &lower_slice_;
    if (!upper_.empty()) ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(ro));
    SeekToStart();
  }

  Status Seek(std::string_view key) override {
    if (!reverse_) {
      it_->Seek(Sl(key < lower_ ? std::string_view(lower_) : key));
    } else if (!upper_.empty() && key >= upper_) {
      SeekToStart();
    } else {
      it_->SeekForPrev(Sl(key));
    }
    return Check();
  }

  // The state of the underlying RocksDB iterator (I/O or corruption errors).
  Status status() const { return Check(); }

  Status Read(size_t max_entries, EntryFn fn, bool* exhausted) override {
    for (size_t n = 0; n < max_entries && it_->Valid(); ++n) {
      bool more = fn(View(it_->key()), View(it_->value()));
      reverse_ ? it_->Prev() : it_->Next();
      if (!more) break;
    }
    *exhausted = !it_->Valid();
    return Check();
  }

 private:
  // RocksDB honours the bounds: Seek/SeekToFirst stay >= lower, SeekToLast
  // lands on the last key < upper, and iteration stops at either bound.
  void SeekToStart() { reverse_ ? it_->SeekToLast() : it_->SeekToFirst(); }
  Status Check() const { return FromRocksDb(it_->status(), "iterate", dir_); }

  const std::string dir_;
  const std::string lower_;
  const std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  const bool reverse_;
  std::unique_ptr<rocksdb::Iterator> it_;  // declared last: destroyed before the bounds
};

}  // namespace

RocksDbKv::RocksDbKv(std::string dir, std::shared_ptr<const Resources> res,
                     std::unique_ptr<rocksdb::DB> db)
    : dir_(std::move(dir)), res_(std::move(res)), db_(std::move(db)) {}

RocksDbKv::~RocksDbKv() {
  rocksdb::Status s = db_->Close();
  if (!s.ok()) res_->host().Warn(FromRocksDb(s, "close", dir_).WithContext("kv store").message());
}

Status RocksDbKv::Write(const KvOp* ops, size_t count, bool sync) {
  // Sized once up front (12-byte header; per op a tag and two varint
  // lengths of at most 5 bytes each), so that a cache build's multi-megabyte
  // batches are not regrown and copied as they fill.
  SLUICE_RETURN_IF_ERROR(CheckKvOps(ops, count, dir_));
  size_t bytes = 12;
  for (size_t i = 0; i < count; ++i) bytes += 11 + ops[i].key.size() + ops[i].value.size();
  rocksdb::WriteBatch batch(bytes);
  for (size_t i = 0; i < count; ++i) {
    rocksdb::Status s = ops[i].kind == KvOp::kPut ? batch.Put(Sl(ops[i].key), Sl(ops[i].value))
                                                  : batch.Delete(Sl(ops[i].key));
    SLUICE_RETURN_IF_ERROR(FromRocksDb(s, "write", dir_));
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return FromRocksDb(db_->Write(wo, &batch), "write", dir_);
}

Status RocksDbKv::ReadOpts(const KvSnapshot* snapshot, rocksdb::ReadOptions* out) const {
  *out = res_->ReadOpts();
  return RocksDbSnapshot::Unwrap(snapshot, db_.get(), dir_, &out->snapshot);
}

Status RocksDbKv::Get(const KvSnapshot* snapshot, std::string_view key, std::string* value) {
  rocksdb::ReadOptions ro;
  SLUICE_RETURN_IF_ERROR(ReadOpts(snapshot, &ro));
  rocksdb::Status s = db_->Get(ro, Sl(key), value);
  if (s.IsNotFound()) return NotFound("kv " + dir_ + ": key not found");
  return FromRocksDb(s, "get", dir_);
}

Status RocksDbKv::NewSnapshot(std::unique_ptr<KvSnapshot>* out) {
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  if (snap == nullptr) return Internal("kv " + dir_ + ": rocksdb returned no snapshot");
  *out = std::make_unique<RocksDbSnapshot>(db_.get(), snap);
  return Status();
}

Status RocksDbKv::NewIterator(const KvSnapshot* snapshot, std::string_view lower,
                              std::string_view upper, bool reverse,
                              std::unique_ptr<KvIterator>* out) {
  rocksdb::ReadOptions ro;
  SLUICE_RETURN_IF_ERROR(ReadOpts(snapshot, &ro));
  auto iter = std::make_unique<RocksDbIterator>(dir_, db_.get(), ro, lower, upper, reverse);
  SLUICE_RETURN_IF_ERROR(iter->status());
  *out = std::move(iter);
  return Status();
}

}  // namespace sluice::storage_rocksdb
