// Internal: the sluice_storage_vtable that forwards C calls to a
// sluice::StoragePlugin. Used by SLUICE_PLUGIN().
#ifndef SLUICE_INTERNAL_STORAGE_ADAPTER_H_
#define SLUICE_INTERNAL_STORAGE_ADAPTER_H_

#include <memory>
#include <string>
#include <vector>

#include "sluice/internal/common.h"
#include "sluice/storage.h"

namespace sluice::internal {

inline std::string_view View(sluice_bytes b) {
  return std::string_view(reinterpret_cast<const char*>(b.data), b.size);
}

template <class T>
struct StorageAdapter {
  static StoragePlugin* P(void* s) { return static_cast<StoragePlugin*>(s); }
  static Log* L(void* l) { return static_cast<Log*>(l); }
  static KvStore* K(void* k) { return static_cast<KvStore*>(k); }

  static int32_t Create(const sluice_host_services* host, const sluice_options* options, void** out,
                        sluice_status* st) {
    return Guard(st, "create", [&] {
      std::unique_ptr<T> p;
      Status s = T::Create(MakeHost(host), Options(options), &p);
      if (s.ok()) *out = static_cast<StoragePlugin*>(p.release());
      return s;
    });
  }
  static void Destroy(void* s) {
    GuardVoid([&] { delete P(s); });
  }

  static int32_t LogOpen(void* s, const char* name, const char* dir, int32_t create, void** out,
                         sluice_status* st) {
    return Guard(st, "log_open", [&] {
      std::unique_ptr<Log> log;
      Status r = P(s)->OpenLog(Str(name), Str(dir), create != 0, &log);
      if (r.ok()) *out = log.release();
      return r;
    });
  }
  static void LogClose(void* l) {
    GuardVoid([&] { delete L(l); });
  }
  static int32_t LogAppend(void* l, const sluice_bytes* recs, size_t n, sluice_bytes cp,
                           int32_t sync, uint64_t* first, sluice_status* st) {
    return Guard(st, "log_append", [&] {
      std::vector<std::string_view> v(n);
      for (size_t i = 0; i < n; ++i) v[i] = View(recs[i]);
      return L(l)->Append(v.data(), n, View(cp), sync != 0, first);
    });
  }
  static int32_t LogRead(void* l, uint64_t from, size_t max, sluice_record_fn fn, void* ctx,
                         sluice_status* st) {
    return Guard(st, "log_read", [&] {
      return L(l)->Read(from, max, [&](uint64_t off, std::string_view rec) {
        return fn(ctx, off, reinterpret_cast<const uint8_t*>(rec.data()), rec.size()) != 0;
      });
    });
  }
  static int32_t LogEnd(void* l, uint64_t* end, sluice_status* st) {
    return Guard(st, "log_end", [&] { return L(l)->End(end); });
  }
  static int32_t LogCheckpoint(void* l, void (*fn)(void*, const uint8_t*, size_t), void* ctx,
                               sluice_status* st) {
    return Guard(st, "log_checkpoint", [&] {
      std::string cp;
      Status r = L(l)->Checkpoint(&cp);
      if (r.ok()) fn(ctx, reinterpret_cast<const uint8_t*>(cp.data()), cp.size());
      return r;
    });
  }
  static int32_t LogTruncate(void* l, uint64_t end, sluice_bytes cp, sluice_status* st) {
    return Guard(st, "log_truncate", [&] { return L(l)->Truncate(end, View(cp)); });
  }
  static int32_t LogRemove(void* s, const char* name, const char* dir, sluice_status* st) {
    return Guard(st, "log_remove", [&] { return P(s)->RemoveLog(Str(name), Str(dir)); });
  }

  static int32_t KvOpen(void* s, const char* dir, int32_t create, void** out, sluice_status* st) {
    return Guard(st, "kv_open", [&] {
      std::unique_ptr<KvStore> kv;
      Status r = P(s)->OpenKv(Str(dir), create != 0, &kv);
      if (r.ok()) *out = kv.release();
      return r;
    });
  }
  static void KvClose(void* k) {
    GuardVoid([&] { delete K(k); });
  }
  static int32_t KvWrite(void* k, const sluice_kv_op* ops, size_t n, int32_t sync,
                         sluice_status* st) {
    return Guard(st, "kv_write", [&] {
      std::vector<KvOp> v(n);
      for (size_t i = 0; i < n; ++i)
        v[i] = KvOp{static_cast<KvOp::Kind>(ops[i].kind), View(ops[i].key), View(ops[i].value)};
      return K(k)->Write(v.data(), n, sync != 0);
    });
  }
  static int32_t KvGet(void* k, void* snap, sluice_bytes key, sluice_entry_fn fn, void* ctx,
                       sluice_status* st) {
    return Guard(st, "kv_get", [&] {
      std::string value;
      Status r = K(k)->Get(static_cast<KvSnapshot*>(snap), View(key), &value);
      if (r.ok())
        fn(ctx, key.data, key.size, reinterpret_cast<const uint8_t*>(value.data()), value.size());
      return r;
    });
  }
  static int32_t KvSnapshotNew(void* k, void** out, sluice_status* st) {
    return Guard(st, "kv_snapshot", [&] {
      std::unique_ptr<KvSnapshot> s;
      Status r = K(k)->NewSnapshot(&s);
      if (r.ok()) *out = s.release();
      return r;
    });
  }
  static void KvSnapshotRelease(void*, void* snap) {
    GuardVoid([&] { delete static_cast<KvSnapshot*>(snap); });
  }
  static int32_t KvIterNew(void* k, void* snap, sluice_bytes lo, sluice_bytes hi, int32_t rev,
                           void** out, sluice_status* st) {
    return Guard(st, "kv_iter_new", [&] {
      std::unique_ptr<KvIterator> it;
      Status r =
          K(k)->NewIterator(static_cast<KvSnapshot*>(snap), View(lo), View(hi), rev != 0, &it);
      if (r.ok()) *out = it.release();
      return r;
    });
  }
  static int32_t KvIterSeek(void* it, sluice_bytes key, sluice_status* st) {
    return Guard(st, "kv_iter_seek", [&] { return static_cast<KvIterator*>(it)->Seek(View(key)); });
  }
  static int32_t KvIterRead(void* it, size_t max, sluice_entry_fn fn, void* ctx, int32_t* exhausted,
                            sluice_status* st) {
    return Guard(st, "kv_iter_read", [&] {
      bool ex = false;
      Status r = static_cast<KvIterator*>(it)->Read(
          max,
          [&](std::string_view k, std::string_view v) {
            return fn(ctx, reinterpret_cast<const uint8_t*>(k.data()), k.size(),
                      reinterpret_cast<const uint8_t*>(v.data()), v.size()) != 0;
          },
          &ex);
      *exhausted = ex ? 1 : 0;
      return r;
    });
  }
  static void KvIterFree(void* it) {
    GuardVoid([&] { delete static_cast<KvIterator*>(it); });
  }
  static int32_t KvRemove(void* s, const char* dir, sluice_status* st) {
    return Guard(st, "kv_remove", [&] { return P(s)->RemoveKv(Str(dir)); });
  }

  static const sluice_storage_vtable* Vtable() {
    static const sluice_storage_vtable v = {sizeof(sluice_storage_vtable),
                                            &Create,
                                            &Destroy,
                                            &LogOpen,
                                            &LogClose,
                                            &LogAppend,
                                            &LogRead,
                                            &LogEnd,
                                            &LogCheckpoint,
                                            &LogTruncate,
                                            &LogRemove,
                                            &KvOpen,
                                            &KvClose,
                                            &KvWrite,
                                            &KvGet,
                                            &KvSnapshotNew,
                                            &KvSnapshotRelease,
                                            &KvIterNew,
                                            &KvIterSeek,
                                            &KvIterRead,
                                            &KvIterFree,
                                            &KvRemove};
    return &v;
  }
};

}  // namespace sluice::internal

#endif  // SLUICE_INTERNAL_STORAGE_ADAPTER_H_
