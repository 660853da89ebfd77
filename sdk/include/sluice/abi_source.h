/* sluice plugin ABI: source plugins (tables that rows are read from).
 * Included by sluice/abi.h; see the conventions there. */
#ifndef SLUICE_ABI_SOURCE_H_
#define SLUICE_ABI_SOURCE_H_

#ifdef __cplusplus
extern "C" {
#endif

/* Receives the schema found by describe(). Called once. */
typedef void (*sluice_schema_fn)(void* ctx, const sluice_schema* schema);

/* The endpoint version a reader fills (since 1.2). A source that keeps
 * state on a server for a reader (a replication slot, a consumer group, a
 * durable subscription) names that state after its scope, so that the same
 * endpoint version finds it again after a restart, and `release` can remove
 * it when the version is deleted. endpoint + version is unique within one
 * home; sources shared by several homes need a per-home prefix of their
 * own (an option). */
typedef struct sluice_reader_scope {
  uint32_t struct_size;
  const char* endpoint; /* the endpoint's name in the config */
  uint32_t version;     /* the endpoint version: 1, 2, ... */
} sluice_reader_scope;

/* Receives one statistic from stats(): a name ([a-z0-9_]+) and its value. */
typedef void (*sluice_stat_fn)(void* ctx, const char* name, double value);

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
   * good rows before it are delivered by an earlier call. Messages about a
   * place in the input start with it: "FILE:LINE: column N ..." (the host
   * shows file, line and column separately when they are given so).
   *
   * Transactions (since 1.2): a row whose offset is empty has no resume
   * point after it: it continues a transaction that a later row with a
   * non-empty offset closes. The host commits rows to its log only up to a
   * row with a non-empty offset, so a transaction is committed (and shown
   * to readers) whole or not at all, however many batches it spans; a
   * reader sets at_end only after such a row. (From plugins built for ABI
   * 1.0 or 1.1, an empty offset means "from the beginning", as before.)
   *
   * SLUICE_ABORTED (since 1.2) means the table's schema changed at this
   * point of the input (e.g. a new column): every row before the change was
   * delivered by earlier calls, none after it will be, and the message says
   * what changed and to run `sluice migrate` (the new version reads the
   * table anew). The host stops ingesting this endpoint version and reports
   * the state schema_changed. */
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
  /* reader_open, told the endpoint version the reader fills. The host calls
   * it instead of reader_open when present. */
  int32_t (*reader_open_scoped)(void* connection, const char* table,
                                const sluice_options* table_options, const sluice_schema* schema,
                                sluice_bytes offset, const sluice_reader_scope* scope,
                                void** reader, sluice_status* status);
  /* Every row up to and including the one whose offset is `offset` is
   * durable in the host's log: a restart resumes after it. Called after log
   * commits with the newest committed offset (one call may cover several
   * commits; offsets only move forward), on the thread that calls
   * reader_next and never during a reader_next or reader_wait call (so
   * possibly a little later than the commit). A source may now acknowledge those rows to its
   * server or drop what it kept to replay them. An error stops ingestion. */
  int32_t (*reader_committed)(void* reader, sluice_bytes offset, sluice_status* status);
  /* Blocks until new rows may be available or timeout_ms passes, whichever
   * comes first, then returns (OK either way: the host calls reader_next
   * next). The host calls it after a batch with at_end = 1, instead of
   * sleeping ingest.poll_interval_ms, with a timeout short enough to keep
   * its shutdown prompt: return at the timeout. UNIMPLEMENTED makes the host
   * sleep instead (the C++ wrapper's default). Another error stops
   * ingestion. */
  int32_t (*reader_wait)(void* reader, uint32_t timeout_ms, sluice_status* status);
  /* The endpoint version `scope` is being deleted (`sluice prune`), or its
   * endpoint was removed from the config: free whatever the source keeps
   * for its reader (a replication slot). `offset` is the last offset its log
   * committed (empty when none); `table_options` are empty when the endpoint
   * is no longer configured. Called with no reader of that scope open;
   * idempotent (releasing what is already gone is OK). An error keeps the
   * version, so that the release can be retried. Thread-safe. */
  int32_t (*release)(void* connection, const char* table, const sluice_options* table_options,
                     const sluice_reader_scope* scope, sluice_bytes offset, sluice_status* status);
  /* Statistics of what the source keeps for the reader of `scope`, one
   * fn call each, e.g. "lag_bytes": bytes of input the source's server
   * retains for it. The host shows them in `sluice migrations` and exports
   * them as the gauge sluice_source_<name>{endpoint,version}. Called from
   * any thread, at every metrics scrape: answer quickly. UNIMPLEMENTED
   * when the source keeps nothing worth reporting. */
  int32_t (*stats)(void* connection, const char* table, const sluice_options* table_options,
                   const sluice_reader_scope* scope, sluice_stat_fn fn, void* ctx,
                   sluice_status* status);
} sluice_source_vtable;

/* The size of the table in ABI 1.0 and 1.1: every function up to reader_close. */
#define SLUICE_SOURCE_VTABLE_SIZE_1_1 \
  (offsetof(sluice_source_vtable, reader_close) + sizeof(void (*)(void*)))

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_ABI_SOURCE_H_ */
