// CacheBatch: the key/value ops of one atomic cache write (rows, index
// entries, meta), encoded straight from the log records' bytes into one
// reusable buffer. Row values are not copied: each put's value views the
// log record it came from, so the batch is valid only while those records
// are.
//
//   CacheBatch b;                         // keep it: buffers are reused
//   b.Reset();
//   b.BeginKey()->append(key);  b.EndPut(row_view);  // key copied, value viewed
//   b.BeginKey()->append(old);  b.EndDelete();
//   kv.Write(b.Ops(), b.size(), true);
//
// Not thread-safe; one user at a time.
#ifndef SLUICE_HOST_CACHE_CACHE_BATCH_H_
#define SLUICE_HOST_CACHE_CACHE_BATCH_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/storage.h"

namespace sluice::host {

class CacheBatch {
 public:
  CacheBatch() = default;
  CacheBatch(const CacheBatch&) = delete;
  CacheBatch& operator=(const CacheBatch&) = delete;

  // Forgets every op; keeps the buffers' capacity.
  void Reset();
  // Forgets every op and frees the buffers.
  void Release();

  // The buffer the next key is appended to; close it with EndPut/EndDelete.
  // Nothing else may be added in between.
  std::string* BeginKey();
  // Closes the key begun with BeginKey() as a put of `value`, which must
  // stay valid until the batch is written. Returns the op's index.
  size_t EndPut(std::string_view value);
  void EndDelete();

  // Key bytes of op `i` (valid until the next op is added).
  std::string_view Key(size_t i) const {
    return std::string_view(keys_).substr(ops_[i].key_at, ops_[i].key_size);
  }
  std::string_view Value(size_t i) const { return ops_[i].value; }

  size_t size() const { return ops_.size(); }
  // The ops in order, ready for KvStore::Write. Valid until the next change.
  const KvOp* Ops();

 private:
  struct Op {
    KvOp::Kind kind;
    size_t key_at, key_size;
    std::string_view value;
  };
  std::string keys_;  // every key, back to back
  size_t key_begin_ = 0;
  std::vector<Op> ops_;
  std::vector<KvOp> out_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CACHE_CACHE_BATCH_H_
