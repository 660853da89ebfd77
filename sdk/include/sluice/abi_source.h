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
   * type overrides). Calls fn once on success. UNAVAILABLE (since 1.2)
   * means the table cannot be described *yet* (e.g. it is empty or has no
   * complete row): the host reports the endpoint as waiting and asks again
   * later; other codes are errors the user must fix. */
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
   * good rows before it are delivered by an earlier call. ABORTED (since
   * 1.2) means the table's schema changed at this point of the input
   * (e.g. a new column): rows after it need a new version; deliver the rows
   * before it first, and say what changed in the message. Messages about a
   * place in the input start with it: "FILE:LINE: column N ..." (the host
   * shows file, line and column separately when they are given so). */
  int32_t (*reader_next)(void* reader, uint32_t max_rows, sluice_row_batch* batch,
                         sluice_status* status);
  void (*reader_close)(void* reader);

  /* ---- since 1.2: optional; check struct_size and NULL before calling ---- */

  /* describe, also reporting how the schema was found: note_fn gets one
   * line per fact worth showing in a migration plan (e.g. "types inferred
   * from the first 10000 rows; the table has more"), before fn. */
  int32_t (*describe_notes)(void* connection, const char* table,
                            const sluice_options* table_options, sluice_schema_fn fn,
                            void (*note_fn)(void* ctx, const char* note), void* ctx,
                            sluice_status* status);
  /* Says in words where the row after `offset` (a per-row offset as in
   * batches; empty = the table's first row) starts, e.g. "t.csv:1234", by
   * calling fn once. For messages about a row the host found wrong after
   * it was ingested (a duplicate key). UNIMPLEMENTED when the source cannot
   * tell. */
  int32_t (*describe_offset)(void* connection, const char* table,
                             const sluice_options* table_options, sluice_bytes offset,
                             void (*fn)(void* ctx, const char* text), void* ctx,
                             sluice_status* status);
  /* Checks that `table` is a name this source can have and `table_options`
   * are options it takes, without reading any data: the host calls it for
   * every endpoint before anything is written, and reports a failure as an
   * error of the config file (INVALID_ARGUMENT naming the option). */
  int32_t (*check_table)(void* connection, const char* table, const sluice_options* table_options,
                         sluice_status* status);
} sluice_source_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_ABI_SOURCE_H_ */
