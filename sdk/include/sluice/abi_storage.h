/* sluice plugin ABI: storage plugins (log backend + ordered key/value store).
 * Included by sluice/abi.h; see the conventions there. */
#ifndef SLUICE_ABI_STORAGE_H_
#define SLUICE_ABI_STORAGE_H_

#ifdef __cplusplus
extern "C" {
#endif

/* Called once per record by log_read, in offset order. Return nonzero to
 * continue, zero to stop early. */
typedef int32_t (*sluice_record_fn)(void* ctx, uint64_t offset, const uint8_t* data, size_t size);

/* Called once per entry by kv_get and kv_iter_read. Return nonzero to
 * continue, zero to stop early. */
typedef int32_t (*sluice_entry_fn)(void* ctx, const uint8_t* key, size_t key_size,
                                   const uint8_t* value, size_t value_size);

typedef enum sluice_kv_op_kind { SLUICE_KV_PUT = 1, SLUICE_KV_DELETE = 2 } sluice_kv_op_kind;

typedef struct sluice_kv_op {
  uint32_t kind; /* sluice_kv_op_kind */
  sluice_bytes key;
  sluice_bytes value; /* ignored for DELETE */
} sluice_kv_op;

typedef struct sluice_storage_vtable {
  uint32_t struct_size;

  /* Instance lifetime. `host` outlives the instance. */
  int32_t (*create)(const sluice_host_services* host, const sluice_options* options, void** storage,
                    sluice_status* status);
  void (*destroy)(void* storage);

  /* ---- log facet: named append-only streams of records ----
   * Offsets are dense: the first record is 0, each record the next integer.
   * A log handle is safe for one appender and concurrent readers. */

  /* Opens stream `name` (e.g. "trips/v0001") whose local files, if the
   * backend keeps any, live under `dir`. NOT_FOUND if absent and
   * !create_if_missing. */
  int32_t (*log_open)(void* storage, const char* name, const char* dir, int32_t create_if_missing,
                      void** log, sluice_status* status);
  void (*log_close)(void* log);
  /* Appends `count` records and sets the stream's checkpoint to
   * `checkpoint`, atomically: after a crash either all of it is there or
   * none. With `sync`, durable before returning. Sets *first_offset to the
   * offset given to records[0]. After a failure the handle may refuse every
   * later append with the same code until the host closes and reopens it
   * (log_close, log_open), which it does before writing again; reads go on.
   * A full disk or quota is SLUICE_RESOURCE_EXHAUSTED; the message names the
   * path and the system's error. */
  int32_t (*log_append)(void* log, const sluice_bytes* records, size_t count,
                        sluice_bytes checkpoint, int32_t sync, uint64_t* first_offset,
                        sluice_status* status);
  /* Calls fn for records from `from` on, at most max_records of them.
   * OUT_OF_RANGE if from > end. DATA_LOSS if a stored record is corrupt. */
  int32_t (*log_read)(void* log, uint64_t from, size_t max_records, sluice_record_fn fn, void* ctx,
                      sluice_status* status);
  /* Sets *end to the offset the next appended record will get. */
  int32_t (*log_end)(void* log, uint64_t* end, sluice_status* status);
  /* Calls fn(ctx, data, size) once with the checkpoint of the last append
   * (empty when nothing was appended). */
  int32_t (*log_checkpoint)(void* log, void (*fn)(void* ctx, const uint8_t* data, size_t size),
                            void* ctx, sluice_status* status);
  /* Drops every record at offset >= new_end and sets the checkpoint,
   * atomically. Used to cut a corrupt or incomplete tail. */
  int32_t (*log_truncate)(void* log, uint64_t new_end, sluice_bytes checkpoint,
                          sluice_status* status);
  /* Deletes stream `name` and everything it stored. Not open anywhere. */
  int32_t (*log_remove)(void* storage, const char* name, const char* dir, sluice_status* status);

  /* ---- key/value facet: ordered by bytewise key comparison ----
   * A kv handle and its snapshots are safe for concurrent use. */

  int32_t (*kv_open)(void* storage, const char* dir, int32_t create_if_missing, void** kv,
                     sluice_status* status);
  void (*kv_close)(void* kv);
  /* Applies every op atomically, in order. With `sync`, durable on return.
   * Failures as log_append: the handle may refuse later writes until it is
   * reopened (kv_close, kv_open); a full disk is SLUICE_RESOURCE_EXHAUSTED. */
  int32_t (*kv_write)(void* kv, const sluice_kv_op* ops, size_t count, int32_t sync,
                      sluice_status* status);
  /* Calls fn once with the value of `key` as of `snapshot` (NULL = latest).
   * NOT_FOUND when absent (fn not called). */
  int32_t (*kv_get)(void* kv, void* snapshot, sluice_bytes key, sluice_entry_fn fn, void* ctx,
                    sluice_status* status);
  /* A consistent read view; release it with kv_release_snapshot. */
  int32_t (*kv_snapshot)(void* kv, void** snapshot, sluice_status* status);
  void (*kv_release_snapshot)(void* kv, void* snapshot);
  /* An iterator over [lower, upper) (empty upper = unbounded) as of
   * `snapshot` (NULL = latest). `reverse` walks from the top down. Starts
   * at the first entry in its direction. */
  int32_t (*kv_iter_new)(void* kv, void* snapshot, sluice_bytes lower, sluice_bytes upper,
                         int32_t reverse, void** iter, sluice_status* status);
  /* Repositions: forward, at the first key >= key; reverse, at the last key
   * <= key. */
  int32_t (*kv_iter_seek)(void* iter, sluice_bytes key, sluice_status* status);
  /* Calls fn for up to max_entries entries, advancing past each delivered
   * one. Sets *exhausted to 1 when the range has no more entries. */
  int32_t (*kv_iter_read)(void* iter, size_t max_entries, sluice_entry_fn fn, void* ctx,
                          int32_t* exhausted, sluice_status* status);
  void (*kv_iter_free)(void* iter);
  /* Deletes the store under `dir`. Not open anywhere. */
  int32_t (*kv_remove)(void* storage, const char* dir, sluice_status* status);
} sluice_storage_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_ABI_STORAGE_H_ */
