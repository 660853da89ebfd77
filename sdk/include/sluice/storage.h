// Writing a storage plugin: implement sluice::StoragePlugin (a log backend
// and an ordered key/value store) and export it with SLUICE_PLUGIN().
//
//   class MyStorage : public sluice::StoragePlugin {
//    public:
//     static sluice::Status Create(const sluice::HostServices& host,
//                                  const sluice::Options& options,
//                                  std::unique_ptr<MyStorage>* out);
//     ... the pure virtual functions below ...
//   };
//   SLUICE_PLUGIN(MyStorage, "mystore", "1.0.0", "my storage backend")
//
// Every function returns a Status; exceptions are caught at the boundary
// and reported as INTERNAL, but a well-behaved plugin does not throw.
#ifndef SLUICE_STORAGE_H_
#define SLUICE_STORAGE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sluice/function_ref.h"
#include "sluice/host_services.h"
#include "sluice/status.h"

namespace sluice {

// Return true to continue, false to stop.
using RecordFn = FunctionRef<bool(uint64_t offset, std::string_view record)>;
using EntryFn = FunctionRef<bool(std::string_view key, std::string_view value)>;

// One named append-only stream of records with dense offsets 0, 1, 2, ...
// Safe for one appender and concurrent readers.
class Log {
 public:
  virtual ~Log() = default;
  // Appends records[0..count) and sets the checkpoint, atomically (all or
  // nothing after a crash). With `sync`, durable on return. *first_offset
  // receives the offset of records[0]. A failed append may leave the log
  // refusing every later append (with the same code) until it is closed and
  // opened again: the host reopens it before writing again. A full disk
  // is RESOURCE_EXHAUSTED; messages name the path and the system's error.
  virtual Status Append(const std::string_view* records, size_t count, std::string_view checkpoint,
                        bool sync, uint64_t* first_offset) = 0;
  // Calls fn for up to max_records records from offset `from` on.
  // OUT_OF_RANGE if from > End(); DATA_LOSS if a stored record is corrupt.
  virtual Status Read(uint64_t from, size_t max_records, RecordFn fn) = 0;
  // The offset the next appended record will get.
  virtual Status End(uint64_t* end) = 0;
  // The checkpoint of the last append (empty if none).
  virtual Status Checkpoint(std::string* out) = 0;
  // Drops records at offsets >= new_end and sets the checkpoint, atomically.
  virtual Status Truncate(uint64_t new_end, std::string_view checkpoint) = 0;
};

// A consistent read view of a KvStore. Destroying it releases it; it must
// not outlive its store.
class KvSnapshot {
 public:
  virtual ~KvSnapshot() = default;
};

// Walks a key range in one direction. Not thread-safe; one user at a time.
class KvIterator {
 public:
  virtual ~KvIterator() = default;
  // Forward: first key >= key. Reverse: last key <= key.
  virtual Status Seek(std::string_view key) = 0;
  // Delivers up to max_entries entries, advancing past each one delivered.
  // *exhausted is set when the range has no more entries.
  virtual Status Read(size_t max_entries, EntryFn fn, bool* exhausted) = 0;
};

struct KvOp {
  enum Kind : uint32_t { kPut = SLUICE_KV_PUT, kDelete = SLUICE_KV_DELETE };
  Kind kind;
  std::string_view key;
  std::string_view value;
};

// Ordered key/value store (bytewise key order). Thread-safe.
class KvStore {
 public:
  virtual ~KvStore() = default;
  // Applies ops[0..count) atomically and in order. A failed write may
  // leave the store refusing every later write (with the same code) until
  // it is closed and opened again (reads go on): the host reopens it. A
  // full disk is RESOURCE_EXHAUSTED; messages name the path.
  virtual Status Write(const KvOp* ops, size_t count, bool sync) = 0;
  // Copies the value of `key` as of `snapshot` (nullptr = latest) into
  // *value; NOT_FOUND when absent.
  virtual Status Get(const KvSnapshot* snapshot, std::string_view key, std::string* value) = 0;
  virtual Status NewSnapshot(std::unique_ptr<KvSnapshot>* out) = 0;
  // Iterator over [lower, upper) (empty upper = unbounded) as of snapshot,
  // positioned at the first entry in its direction.
  virtual Status NewIterator(const KvSnapshot* snapshot, std::string_view lower,
                             std::string_view upper, bool reverse,
                             std::unique_ptr<KvIterator>* out) = 0;
};

// The plugin instance. Thread-safe.
class StoragePlugin {
 public:
  virtual ~StoragePlugin() = default;
  // Opens stream `name` ("trips/v0001"), keeping local files under `dir`.
  // NOT_FOUND if absent and !create.
  virtual Status OpenLog(const std::string& name, const std::string& dir, bool create,
                         std::unique_ptr<Log>* out) = 0;
  // Deletes a stream that nobody has open.
  virtual Status RemoveLog(const std::string& name, const std::string& dir) = 0;
  // Opens the store under `dir`. NOT_FOUND if absent and !create.
  virtual Status OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) = 0;
  // Deletes a store that nobody has open.
  virtual Status RemoveKv(const std::string& dir) = 0;
};

}  // namespace sluice

#endif  // SLUICE_STORAGE_H_
