/* sluice plugin ABI: source plugins (tables that rows are read from).
 * Included by sluice/abi.h; see the conventions there. */
#ifndef SLUICE_ABI_SOURCE_H_
#define SLUICE_ABI_SOURCE_H_

#ifdef __cplusplus
extern "C" {
#endif

/* Receives the schema found by describe(). Called once. */
typedef void (*sluice_schema_fn)(void* ctx, const sluice_schema* schema);

typedef struct sluice_source_vtable {
  uint32_t struct_size;

  /* A connection: one `connections:` entry of the config. */
  int32_t (*create)(const sluice_host_services* host, const sluice_options* options,
                    void** connection, sluice_status* status);
  void (*destroy)(void* connection);

  /* Computes the schema `table` has today (fields in order, types,
   * nullability; primary_key_count may be 0: the host applies the key from
   * config). `table_options` carries the endpoint's source options (e.g.
   * type overrides). Calls fn once on success. */
  int32_t (*describe)(void* connection, const char* table, const sluice_options* table_options,
                      sluice_schema_fn fn, void* ctx, sluice_status* status);

  /* Opens a reader of `table` producing rows of exactly `schema` (as
   * returned by describe earlier, possibly in another process), resuming
   * after `offset` (a per-row offset from an earlier batch; empty = from the
   * beginning). */
  int32_t (*reader_open)(void* connection, const char* table, const sluice_options* table_options,
                         const sluice_schema* schema, sluice_bytes offset, void** reader,
                         sluice_status* status);
  /* Fills *batch with up to max_rows rows. Memory behind *batch belongs to
   * the reader and stays valid until the next call on it. A batch may be
   * empty with at_end = 1 (nothing new now; the host polls again later).
   * A bad row under a fail policy returns INVALID_ARGUMENT naming file,
   * line and column, from the call whose first row would be the bad one:
   * good rows before it are delivered by an earlier call. */
  int32_t (*reader_next)(void* reader, uint32_t max_rows, sluice_row_batch* batch,
                         sluice_status* status);
  void (*reader_close)(void* reader);
} sluice_source_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_ABI_SOURCE_H_ */
