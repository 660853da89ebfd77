// Calling a storage plugin from the host side: C++ objects (the interfaces
// of sluice/storage.h) that forward every call through a plugin's C
// function table. Header-only.
//
//   const auto* d = entry();  // sluice_plugin_entry of a loaded plugin
//   std::unique_ptr<sluice::StoragePlugin> storage;
//   sluice::Status s = sluice::client::CreateStorage(
//       static_cast<const sluice_storage_vtable*>(d->vtable), &host_c, options, &storage);
//   std::unique_ptr<sluice::Log> log;
//   if (s.ok()) s = storage->OpenLog("trips/v0001", dir, /*create=*/true, &log);
//
// Ownership: every proxy owns its C handle and frees it in its destructor
// (destroy, log_close, kv_close, kv_release_snapshot, kv_iter_free). Logs,
// stores, snapshots and iterators keep what they were created from alive
// through reference counts, so they may be destroyed in any order. The
// shared object that provides the table must stay loaded while any proxy
// lives. Callbacks passed to Read must not throw.
#ifndef SLUICE_CLIENT_STORAGE_CLIENT_H_
#define SLUICE_CLIENT_STORAGE_CLIENT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/host_services.h"
#include "sluice/status.h"
#include "sluice/storage.h"

namespace sluice::client {

namespace storage_internal {

inline sluice_bytes Bytes(std::string_view s) {
  return sluice_bytes{reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view View(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// A status buffer for one call; only the parts FromC reads are initialized.
struct CallStatus {
  CallStatus() { st.code = 0, st.reserved = 0, st.message[0] = '\0'; }
  Status Result(int32_t rc) const { return Status::FromC(rc, st); }
  sluice_status st;
};

// The plugin instance; destroyed when the last proxy that uses it goes.
struct Instance {
  Instance(const sluice_storage_vtable* t, void* h) : vt(t), handle(h) {}
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  ~Instance() { vt->destroy(handle); }
  const sluice_storage_vtable* const vt;
  void* const handle;
};

// One open kv store; closed when the last proxy that uses it goes.
struct KvHandle {
  KvHandle(std::shared_ptr<Instance> i, void* h) : inst(std::move(i)), handle(h) {}
  KvHandle(const KvHandle&) = delete;
  KvHandle& operator=(const KvHandle&) = delete;
  ~KvHandle() { inst->vt->kv_close(handle); }
  const sluice_storage_vtable* vt() const { return inst->vt; }
  const std::shared_ptr<Instance> inst;
  void* const handle;
};

class LogProxy : public Log {
 public:
  LogProxy(std::shared_ptr<Instance> inst, void* log) : inst_(std::move(inst)), log_(log) {}
  LogProxy(const LogProxy&) = delete;
  LogProxy& operator=(const LogProxy&) = delete;
  ~LogProxy() override { inst_->vt->log_close(log_); }

  Status Append(const std::string_view* records, size_t count, std::string_view checkpoint,
                bool sync, uint64_t* first_offset) override {
    std::vector<sluice_bytes> recs(count);
    for (size_t i = 0; i < count; ++i) recs[i] = Bytes(records[i]);
    uint64_t first = 0;
    CallStatus cs;
    int32_t rc = inst_->vt->log_append(log_, recs.data(), count, Bytes(checkpoint), sync ? 1 : 0,
                                       &first, &cs.st);
    if (rc == SLUICE_OK && first_offset != nullptr) *first_offset = first;
    return cs.Result(rc);
  }
  Status Read(uint64_t from, size_t max_records, RecordFn fn) override {
    CallStatus cs;
    internal::CallbackCtx<RecordFn> c{&fn};
    int32_t rc = inst_->vt->log_read(log_, from, max_records, &OnRecord, &c, &cs.st);
    c.Rethrow();
    return cs.Result(rc);
  }
  Status End(uint64_t* end) override {
    CallStatus cs;
    return cs.Result(inst_->vt->log_end(log_, end, &cs.st));
  }
  Status Checkpoint(std::string* out) override {
    CallStatus cs;
    out->clear();
    internal::CallbackCtx<std::string> c{out};
    int32_t rc = inst_->vt->log_checkpoint(log_, &OnCheckpoint, &c, &cs.st);
    c.Rethrow();
    return cs.Result(rc);
  }
  Status Truncate(uint64_t new_end, std::string_view checkpoint) override {
    CallStatus cs;
    return cs.Result(inst_->vt->log_truncate(log_, new_end, Bytes(checkpoint), &cs.st));
  }

 private:
  // The callbacks run the host's code, guarded (internal::CallbackCtx).
  static int32_t OnRecord(void* ctx, uint64_t offset, const uint8_t* data, size_t size) {
    return static_cast<internal::CallbackCtx<RecordFn>*>(ctx)->Run(
               [&](RecordFn& fn) { return fn(offset, View(data, size)); })
               ? 1
               : 0;
  }
  static void OnCheckpoint(void* ctx, const uint8_t* data, size_t size) {
    static_cast<internal::CallbackCtx<std::string>*>(ctx)->Run(
        [&](std::string& out) { out.assign(reinterpret_cast<const char*>(data), size); });
  }

  const std::shared_ptr<Instance> inst_;
  void* const log_;
};

class SnapshotProxy : public KvSnapshot {
 public:
  SnapshotProxy(std::shared_ptr<KvHandle> kv, void* snap) : kv_(std::move(kv)), snap_(snap) {}
  SnapshotProxy(const SnapshotProxy&) = delete;
  SnapshotProxy& operator=(const SnapshotProxy&) = delete;
  ~SnapshotProxy() override { kv_->vt()->kv_release_snapshot(kv_->handle, snap_); }
  const KvHandle* kv() const { return kv_.get(); }
  void* handle() const { return snap_; }

 private:
  const std::shared_ptr<KvHandle> kv_;
  void* const snap_;
};

class IteratorProxy : public KvIterator {
 public:
  IteratorProxy(std::shared_ptr<KvHandle> kv, void* it) : kv_(std::move(kv)), it_(it) {}
  IteratorProxy(const IteratorProxy&) = delete;
  IteratorProxy& operator=(const IteratorProxy&) = delete;
  ~IteratorProxy() override { kv_->vt()->kv_iter_free(it_); }

  Status Seek(std::string_view key) override {
    CallStatus cs;
    return cs.Result(kv_->vt()->kv_iter_seek(it_, Bytes(key), &cs.st));
  }
  Status Read(size_t max_entries, EntryFn fn, bool* exhausted) override {
    CallStatus cs;
    int32_t ex = 0;
    internal::CallbackCtx<EntryFn> c{&fn};
    int32_t rc = kv_->vt()->kv_iter_read(it_, max_entries, &OnEntry, &c, &ex, &cs.st);
    c.Rethrow();
    *exhausted = ex != 0;
    return cs.Result(rc);
  }

 private:
  static int32_t OnEntry(void* ctx, const uint8_t* k, size_t ks, const uint8_t* v, size_t vs) {
    return static_cast<internal::CallbackCtx<EntryFn>*>(ctx)->Run(
               [&](EntryFn& fn) { return fn(View(k, ks), View(v, vs)); })
               ? 1
               : 0;
  }

  const std::shared_ptr<KvHandle> kv_;
  void* const it_;
};

class KvStoreProxy : public KvStore {
 public:
  explicit KvStoreProxy(std::shared_ptr<KvHandle> kv) : kv_(std::move(kv)) {}

  Status Write(const KvOp* ops, size_t count, bool sync) override {
    std::vector<sluice_kv_op> c(count);
    for (size_t i = 0; i < count; ++i)
      c[i] =
          sluice_kv_op{static_cast<uint32_t>(ops[i].kind), Bytes(ops[i].key), Bytes(ops[i].value)};
    CallStatus cs;
    return cs.Result(kv_->vt()->kv_write(kv_->handle, c.data(), count, sync ? 1 : 0, &cs.st));
  }
  Status Get(const KvSnapshot* snapshot, std::string_view key, std::string* value) override {
    void* snap = nullptr;
    SLUICE_RETURN_IF_ERROR(Unwrap(snapshot, &snap));
    CallStatus cs;
    internal::CallbackCtx<std::string> c{value};
    int32_t rc = kv_->vt()->kv_get(kv_->handle, snap, Bytes(key), &OnValue, &c, &cs.st);
    c.Rethrow();
    return cs.Result(rc);
  }
  Status NewSnapshot(std::unique_ptr<KvSnapshot>* out) override {
    void* snap = nullptr;
    CallStatus cs;
    SLUICE_RETURN_IF_ERROR(cs.Result(kv_->vt()->kv_snapshot(kv_->handle, &snap, &cs.st)));
    *out = std::make_unique<SnapshotProxy>(kv_, snap);
    return Status();
  }
  Status NewIterator(const KvSnapshot* snapshot, std::string_view lower, std::string_view upper,
                     bool reverse, std::unique_ptr<KvIterator>* out) override {
    void* snap = nullptr;
    SLUICE_RETURN_IF_ERROR(Unwrap(snapshot, &snap));
    void* it = nullptr;
    CallStatus cs;
    SLUICE_RETURN_IF_ERROR(cs.Result(kv_->vt()->kv_iter_new(
        kv_->handle, snap, Bytes(lower), Bytes(upper), reverse ? 1 : 0, &it, &cs.st)));
    *out = std::make_unique<IteratorProxy>(kv_, it);
    return Status();
  }

 private:
  // The C handle of `snapshot` (nullptr stays nullptr); INVALID_ARGUMENT
  // when it was not made by this store.
  Status Unwrap(const KvSnapshot* snapshot, void** out) const {
    if (snapshot == nullptr) return Status();
    const auto* p = dynamic_cast<const SnapshotProxy*>(snapshot);
    if (p == nullptr || p->kv() != kv_.get())
      return InvalidArgument("kv snapshot was not created by this store");
    *out = p->handle();
    return Status();
  }
  static int32_t OnValue(void* ctx, const uint8_t*, size_t, const uint8_t* v, size_t vs) {
    return static_cast<internal::CallbackCtx<std::string>*>(ctx)->Run([&](std::string& out) {
      out.assign(reinterpret_cast<const char*>(v), vs);
      return 1;
    });
  }

  const std::shared_ptr<KvHandle> kv_;
};

class StorageProxy : public StoragePlugin {
 public:
  explicit StorageProxy(std::shared_ptr<Instance> inst) : inst_(std::move(inst)) {}

  Status OpenLog(const std::string& name, const std::string& dir, bool create,
                 std::unique_ptr<Log>* out) override {
    void* log = nullptr;
    CallStatus cs;
    SLUICE_RETURN_IF_ERROR(cs.Result(inst_->vt->log_open(inst_->handle, name.c_str(), dir.c_str(),
                                                         create ? 1 : 0, &log, &cs.st)));
    *out = std::make_unique<LogProxy>(inst_, log);
    return Status();
  }
  Status RemoveLog(const std::string& name, const std::string& dir) override {
    CallStatus cs;
    return cs.Result(inst_->vt->log_remove(inst_->handle, name.c_str(), dir.c_str(), &cs.st));
  }
  Status OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) override {
    void* kv = nullptr;
    CallStatus cs;
    SLUICE_RETURN_IF_ERROR(
        cs.Result(inst_->vt->kv_open(inst_->handle, dir.c_str(), create ? 1 : 0, &kv, &cs.st)));
    *out = std::make_unique<KvStoreProxy>(std::make_shared<KvHandle>(inst_, kv));
    return Status();
  }
  Status RemoveKv(const std::string& dir) override {
    CallStatus cs;
    return cs.Result(inst_->vt->kv_remove(inst_->handle, dir.c_str(), &cs.st));
  }

 private:
  const std::shared_ptr<Instance> inst_;
};

// The size a table must have to hold every function this header calls.
inline constexpr size_t kRequiredVtableSize =
    offsetof(sluice_storage_vtable, kv_remove) + sizeof(sluice_storage_vtable::kv_remove);

// FAILED_PRECONDITION naming the first missing function, or OK.
inline Status CheckVtable(const sluice_storage_vtable* vt) {
  if (vt == nullptr) return InvalidArgument("storage plugin function table is null");
  if (vt->struct_size < kRequiredVtableSize)
    return FailedPrecondition("storage plugin function table has " +
                              std::to_string(vt->struct_size) + " bytes, expected at least " +
                              std::to_string(kRequiredVtableSize) +
                              " — rebuild the plugin against this SDK");
  const std::pair<const char*, bool> fns[] = {
      {"create", vt->create != nullptr},
      {"destroy", vt->destroy != nullptr},
      {"log_open", vt->log_open != nullptr},
      {"log_close", vt->log_close != nullptr},
      {"log_append", vt->log_append != nullptr},
      {"log_read", vt->log_read != nullptr},
      {"log_end", vt->log_end != nullptr},
      {"log_checkpoint", vt->log_checkpoint != nullptr},
      {"log_truncate", vt->log_truncate != nullptr},
      {"log_remove", vt->log_remove != nullptr},
      {"kv_open", vt->kv_open != nullptr},
      {"kv_close", vt->kv_close != nullptr},
      {"kv_write", vt->kv_write != nullptr},
      {"kv_get", vt->kv_get != nullptr},
      {"kv_snapshot", vt->kv_snapshot != nullptr},
      {"kv_release_snapshot", vt->kv_release_snapshot != nullptr},
      {"kv_iter_new", vt->kv_iter_new != nullptr},
      {"kv_iter_seek", vt->kv_iter_seek != nullptr},
      {"kv_iter_read", vt->kv_iter_read != nullptr},
      {"kv_iter_free", vt->kv_iter_free != nullptr},
      {"kv_remove", vt->kv_remove != nullptr}};
  for (const auto& f : fns)
    if (!f.second)
      return FailedPrecondition(std::string("storage plugin function table lacks ") + f.first);
  return Status();
}

}  // namespace storage_internal

// Creates an instance of the storage plugin whose function table is `vt`,
// passing it `host` (may be null: the plugin then logs nothing; otherwise it
// must outlive every object created here) and `options`. On success *out is
// a StoragePlugin whose calls, and those of the logs, stores, snapshots and
// iterators it opens, go through `vt`. FAILED_PRECONDITION when the table
// is too small or lacks a function; otherwise the plugin's own status.
// Thread-safety is the plugin's (storage.h promises thread-safe instances).
inline Status CreateStorage(const sluice_storage_vtable* vt, const sluice_host_services* host,
                            const Options& options, std::unique_ptr<StoragePlugin>* out) {
  SLUICE_RETURN_IF_ERROR(storage_internal::CheckVtable(vt));
  OptionsView view(options);
  void* handle = nullptr;
  storage_internal::CallStatus cs;
  SLUICE_RETURN_IF_ERROR(cs.Result(vt->create(host, view.get(), &handle, &cs.st)));
  auto inst = std::make_shared<storage_internal::Instance>(vt, handle);
  *out = std::make_unique<storage_internal::StorageProxy>(std::move(inst));
  return Status();
}

}  // namespace sluice::client

#endif  // SLUICE_CLIENT_STORAGE_CLIENT_H_
