/* sluice plugin ABI: API plugins (REST, gRPC, ...) and the query service
 * the host offers them. Included by sluice/abi.h; see the conventions there. */
#ifndef SLUICE_ABI_API_H_
#define SLUICE_ABI_API_H_

#ifdef __cplusplus
extern "C" {
#endif

/* One served version of an endpoint. */
typedef struct sluice_version_info {
  uint32_t struct_size;
  uint32_t version;      /* 1, 2, ... */
  uint32_t ready;        /* 1 when its cache has caught up with its log */
  uint64_t log_end;      /* offset after the last committed log record */
  uint64_t cache_offset; /* log offset the cache has applied up to */
  uint64_t rows;         /* rows in the cache */
  const sluice_schema* schema;
  /* ---- since 1.2: read only when struct_size covers it ---- */
  const char* created_at; /* when the version was created, ISO-8601 UTC; "" = unknown */
} sluice_version_info;

/* An endpoint's ingest as the process that ingests it sees it (since 1.2;
 * docs/operations.md, "Ingest state"). Strings are never NULL ("" = none). */
typedef struct sluice_ingest_info {
  uint32_t struct_size;
  /* "starting", "running", "caught_up", "waiting", "failed", "schema_changed",
   * "storage_error", "log_damaged" */
  const char* state;
  uint32_t version;            /* the version being written, 0 = none yet */
  int64_t since_ms;            /* unix time (ms) the state began */
  const char* detail;          /* why it waits, or the error that stopped it */
  uint64_t errors;             /* times it failed or stopped on a schema change */
  const char* last_error;      /* the last of those errors, kept after recovery */
  const char* last_error_file; /* where, when the error says: file, line, column (0 = unknown) */
  uint64_t last_error_line;
  uint32_t last_error_column;
  int64_t last_error_ms;       /* when */
  uint64_t duplicate_keys;     /* rows whose primary key an earlier row had */
  const char* first_duplicate; /* the first of them, described */
} sluice_ingest_info;

typedef struct sluice_endpoint_info {
  uint32_t struct_size;
  const char* name;         /* "trips" */
  const char* path;         /* "/trips" */
  uint32_t current_version; /* what unversioned routes serve; 0 = none yet */
  uint32_t pinned;          /* 1 when the config pins a version number */
  uint32_t version_count;
  const sluice_version_info* versions; /* ascending by version */
  /* ---- since 1.2: read only when struct_size covers it ---- */
  /* NULL when this process does not ingest the endpoint, and in view_info. */
  const sluice_ingest_info* ingest;
  /* Who pinned the version unversioned routes serve: "config" (its
   * `version:`), "admin" (set_current, kept across restarts) or "" (no pin:
   * latest). Never NULL. */
  const char* pin_source;
  uint32_t pin_version; /* the pinned version; 0 = latest (an admin's explicit unpin) */
  int64_t pin_since_ms; /* unix time (ms) an admin pinned it; 0 otherwise */
} sluice_endpoint_info;

/* Receives rows of a result, in batches (ops, offsets unused). Return
 * nonzero to continue, zero to stop. */
typedef int32_t (*sluice_rows_fn)(void* ctx, const sluice_row_batch* rows);

typedef void (*sluice_endpoint_fn)(void* ctx, const sluice_endpoint_info* endpoint);

/* ---- since 1.2: requests acting for a caller ---- */

/* What a request presents (sluice_api_host.begin_request). API plugins
 * only extract it from their protocol; the host decides what it is worth. */
typedef enum sluice_credential_kind {
  SLUICE_CREDENTIAL_NONE = 0,
  SLUICE_CREDENTIAL_API_KEY = 1, /* an API key (e.g. REST X-API-Key, gRPC x-api-key) */
  SLUICE_CREDENTIAL_BEARER = 2   /* "Authorization: Bearer": an API key or a JWT */
} sluice_credential_kind;

typedef struct sluice_credential {
  uint32_t struct_size;
  uint32_t kind;     /* sluice_credential_kind */
  const char* token; /* the key or token (token_size bytes; need not be NUL-terminated) */
  size_t token_size;
  const char* peer; /* the client's address as an IP literal; NULL or "" when unknown */
  /* 1 when the request arrived on a channel only the server's operators
   * reach (e.g. a REST admin unix socket): admin calls are allowed there. */
  uint32_t local;
  /* Bounds on the request's queries (read when struct_size covers them).
   * timeout_ms: 0 = the host's query.timeout_ms alone, else the tighter of
   * the two. cancelled: when non-NULL, the host polls it (with cancel_ctx)
   * while a query of the request runs; nonzero (the client left, the
   * server stops) ends the query with CANCELLED. It must stay callable
   * until the request ends. */
  uint32_t timeout_ms;
  int32_t (*cancelled)(void* cancel_ctx);
  void* cancel_ctx;
} sluice_credential;

/* What a request may be asked to do besides reading through views. */
typedef enum sluice_action {
  SLUICE_ACTION_READ = 1,   /* endpoint NULL: read anything at all; else read that endpoint */
  SLUICE_ACTION_ADMIN = 2,  /* set_current, prune */
  SLUICE_ACTION_METRICS = 3 /* metrics */
} sluice_action;

typedef enum sluice_principal_class {
  SLUICE_PRINCIPAL_ANONYMOUS = 0, /* no credential */
  SLUICE_PRINCIPAL_KEY = 1,       /* an API key */
  SLUICE_PRINCIPAL_TOKEN = 2      /* a verified JWT */
} sluice_principal_class;

/* Who a request acts for and the rate limit that binds it. The caller sets
 * struct_size; the host fills the fields that fit. Strings stay valid while
 * the request lives. */
typedef struct sluice_request_info {
  uint32_t struct_size;
  uint32_t principal_class; /* sluice_principal_class */
  const char* principal;    /* a name for logs: the key's name or the token's sub; "" */
  uint32_t rate_limited;    /* 1 when a rate limit applies (the fields below describe it) */
  uint32_t reset_ms;        /* until its bucket is full again */
  uint64_t limit;           /* the bucket's size */
  uint64_t remaining;       /* requests left in it now */
  uint32_t retry_after_ms;  /* when refused: until the next request may pass */
  uint32_t reserved;
} sluice_request_info;

/* A plugin the host has loaded (since 1.2; sluice_api_host.plugins).
 * Strings are never NULL. */
typedef struct sluice_loaded_plugin {
  uint32_t struct_size;
  const char* kind; /* "storage", "source" or "api" */
  const char* name;
  const char* version;
  const char* description;
  uint16_t abi_major; /* the ABI the plugin was built for */
  uint16_t abi_minor;
  const char* path; /* the file it was loaded from */
} sluice_loaded_plugin;

/* ---- since 1.2: change feeds (docs/realtime.md) ---- */

/* Where a change feed starts (sluice_feed_options.from). */
typedef enum sluice_feed_from {
  SLUICE_FEED_FROM_NOW = 0,   /* changes committed from now on */
  SLUICE_FEED_FROM_START = 1, /* every change in the log, then on */
  SLUICE_FEED_FROM_AFTER = 2  /* the changes after log offset `after` (a resume) */
} sluice_feed_from;

/* sluice_feed_event.op besides the sluice_op values: the endpoint's
 * current version switched (only on a feed that follows it). The event's
 * version is the new one, previous the old; the feed continues with every
 * change of the new version from its log's start. */
#define SLUICE_FEED_SWITCH 16u

typedef struct sluice_feed_options {
  uint32_t struct_size;
  uint32_t from;  /* sluice_feed_from */
  uint64_t after; /* SLUICE_FEED_FROM_AFTER: resume after this log offset */
  /* A $filter JSON object as in queries (docs/query.md); empty = every
   * change. Refused with the errors of a query's $filter. */
  const char* filter;
  size_t filter_size;
  /* Field names, comma-separated; empty = every field. Events then carry
   * rows of those fields only (sluice_feed_event.schema). */
  const char* fields;
  size_t fields_size;
  /* A feed that has caught up and then stays more than max_lag changes
   * behind the log for longer than max_lag_ms (a client that reads too
   * slowly or not at all) is cut off: feed_next returns
   * RESOURCE_EXHAUSTED. 0 = the host's defaults. */
  uint64_t max_lag;
  /* 1: the view was acquired as the endpoint's current version (version
   * 0) and the feed follows it: a switch is announced (SLUICE_FEED_SWITCH)
   * and the feed moves to the new version. */
  uint32_t follow_current;
  uint32_t max_lag_ms;
  /* Called from any thread, without locks the caller may hold, when
   * feed_next has something new (events, or the feed's end) after it last
   * returned none. Must be quick and must not call back into the host.
   * NULL: the caller polls (or blocks in feed_next). */
  void (*wake)(void* wake_ctx);
  void* wake_ctx;
} sluice_feed_options;

/* One change of a feed, valid during the callback. */
typedef struct sluice_feed_event {
  uint32_t struct_size;
  uint32_t op;       /* sluice_op, or SLUICE_FEED_SWITCH */
  uint64_t offset;   /* its log offset (unique and increasing within a version) */
  uint32_t version;  /* the version whose log holds it */
  uint32_t previous; /* SLUICE_FEED_SWITCH: the version switched from */
  /* The row (sluice/row.h) in `schema`: the inserted or updated record, or
   * for a delete the record as logged (at least its key fields). A key
   * never changes in place: a change of key is logged as a delete of the
   * old key and an insert of the new one. */
  const uint8_t* row;
  size_t row_size;
  const sluice_schema* schema; /* the rows' schema (the selected fields) */
  /* Nonzero when every feed handing out an event with the same group
   * value hands out the same event for the same offset (same op, row
   * bytes and schema contents): the same version, filter and fields, and a
   * caller without a row filter or hidden fields. A transport may then
   * encode such an event once and send the bytes to all those feeds' clients.
   * 0: no such promise. Read it only when struct_size covers it. */
  uint64_t group; /* since 1.2 */
} sluice_feed_event;

/* How far a feed has read (feed_next). */
typedef struct sluice_feed_position {
  uint32_t struct_size;
  uint32_t version; /* the version being read */
  /* The next log offset the feed reads: every change before it has been
   * handed out (or filtered out). A client resumes with after = next - 1
   * (next = 0: from the start). */
  uint64_t next;
} sluice_feed_position;

/* Query service of the host, handed to API plugins at create(). Every
 * function is thread-safe. A *view* pins one version of one endpoint: all
 * calls made through the same view see that version, however the current
 * version moves meanwhile (this is what makes a switch never mix versions
 * within one request). Views are cheap; take one per request.
 *
 * Access (since 1.2, docs/security.md): every call acts for a caller. The
 * table handed to create() acts for a caller without a credential: once
 * the server has credentials configured it reads nothing and may not
 * administer. To serve a client, open a request with begin_request (with
 * what the client presented) and make every call of that client through
 * the table it returns: the host then applies that caller's permissions,
 * row filters, field lists and rate limits itself, in acquire and in every
 * call through the views acquired there. Only the create() table's catalog
 * lists every endpoint: it is the plugin's own view for building routes
 * and services, never an answer to a client. */
typedef struct sluice_api_host {
  uint32_t struct_size;
  void* ctx;
  /* Calls fn once per endpoint, in config order. */
  int32_t (*catalog)(void* ctx, sluice_endpoint_fn fn, void* fn_ctx, sluice_status* status);
  /* Pins `version` of the endpoint named `endpoint` (or whose path it is,
   * when it starts with '/'); version 0 = the current one. NOT_FOUND for an
   * unknown endpoint or version; UNAVAILABLE when the version is not ready. */
  int32_t (*acquire)(void* ctx, const char* endpoint, uint32_t version, void** view,
                     sluice_status* status);
  void (*release)(void* ctx, void* view);
  /* Describes a pinned view: fn gets its endpoint and version (the
   * endpoint's versions array holds this one only). */
  int32_t (*view_info)(void* ctx, void* view,
                       void (*fn)(void* fn_ctx, const sluice_endpoint_info* endpoint,
                                  const sluice_version_info* version),
                       void* fn_ctx, sluice_status* status);
  /* Looks a record up by primary key written as text (docs/query.md, "Keys").
   * Calls fn with one row, or returns NOT_FOUND. */
  int32_t (*get)(void* ctx, void* view, const char* key, size_t key_size, sluice_rows_fn fn,
                 void* fn_ctx, sluice_status* status);
  /* Counts records matching a JSON query (docs/query.md). */
  int32_t (*count)(void* ctx, void* view, const char* query, size_t query_size, uint64_t* count,
                   sluice_status* status);
  /* Runs a JSON query; rows arrive in order through fn. */
  int32_t (*query)(void* ctx, void* view, const char* query, size_t query_size, sluice_rows_fn fn,
                   void* fn_ctx, sluice_status* status);
  /* Makes `version` the current version of `endpoint` and pins it (admin);
   * since 1.2, version 0 unpins: the endpoint follows its newest ready
   * version. The pin is kept across restarts and overrides the config's
   * `version:` until that is edited. Refuses with NOT_FOUND (no such
   * version) or FAILED_PRECONDITION (not ready). */
  int32_t (*set_current)(void* ctx, const char* endpoint, uint32_t version, sluice_status* status);

  /* ---- since ABI 1.1: check struct_size before calling these ---- */

  /* Like query, and also reports how the query ran, through info_fn as
   * key/value pairs: "plan" (human-readable access path), "scan" ("true" or
   * "false") and "examined" (rows looked at). Since 1.2, before the first
   * rows: "select" (only when the query has a $select: the field numbers
   * to write, comma-separated, in the order named; rows still carry every
   * field) and "cursor" (the field numbers of the query's total order, the
   * fields an $after cursor needs). */
  int32_t (*query_info)(void* ctx, void* view, const char* query, size_t query_size,
                        sluice_rows_fn fn, void* fn_ctx,
                        void (*info_fn)(void* info_ctx, const char* key, const char* value),
                        void* info_ctx, sluice_status* status);
  /* Streams the changes applied to the view's version from now on, in log
   * order, blocking the calling thread. fn receives each change matching
   * `filter` (a $filter JSON object as in queries; empty = every change):
   * its sluice_op, its log offset and the row (for a delete, the row as
   * logged). When nothing happens for about 500 ms fn is called with op 0
   * and no row (a heartbeat), so the caller can stop by returning 0.
   * Returns OK once fn returned 0, UNAVAILABLE when the server stops,
   * RESOURCE_EXHAUSTED when the caller fell too far behind the changes. */
  int32_t (*watch)(void* ctx, void* view, const char* filter, size_t filter_size,
                   int32_t (*fn)(void* fn_ctx, uint32_t op, uint64_t offset, const uint8_t* row,
                                 size_t row_size),
                   void* fn_ctx, sluice_status* status);
  /* Calls fn once with the host's metrics in Prometheus text format
   * (ingest counters, log and cache offsets and lag per version, plugin
   * load failures). API plugins append their own request metrics. */
  int32_t (*metrics)(void* ctx, void (*fn)(void* fn_ctx, const char* text, size_t size),
                     void* fn_ctx, sluice_status* status);
  /* Admin: deletes versions of `endpoint` (NULL or "" = every endpoint)
   * older than the newest `keep` that are neither current nor pinned, and
   * frees their log and cache. fn receives one line per version removed. */
  int32_t (*prune)(void* ctx, const char* endpoint, uint32_t keep,
                   void (*fn)(void* fn_ctx, const char* line), void* fn_ctx, sluice_status* status);

  /* ---- since ABI 1.2: check struct_size before calling these ---- */

  /* Opens a request for the caller presenting `credential` (NULL = none).
   * Call it on the table given to create(). *request receives a table of
   * this layout acting for that caller: its catalog lists only the
   * endpoints the caller may read (fields it may not see marked nullable);
   * its acquire refuses endpoints it may not read (PERMISSION_DENIED, or
   * UNAUTHENTICATED without a credential) and pins views whose get, count,
   * query, query_info and watch see only the caller's rows (a row outside
   * its row filter is NOT_FOUND to get) with hidden fields null;
   * set_current and prune need admin rights, metrics metrics rights.
   * When the host refuses the request (UNAUTHENTICATED: a key or token it
   * does not accept; RESOURCE_EXHAUSTED: a rate limit) it returns that
   * error and still sets *request: every call through it then fails with
   * the same error, and request_info says when to retry. Every *request
   * must be ended with end_request(request->ctx), after releasing the
   * views acquired through it. */
  int32_t (*begin_request)(void* ctx, const sluice_credential* credential,
                           const struct sluice_api_host** request, sluice_status* status);
  /* Ends a request (call it on the request's table); a no-op on the table
   * given to create(). */
  void (*end_request)(void* ctx);
  /* OK when the request may do `action` (sluice_action; `endpoint` names
   * an endpoint for SLUICE_ACTION_READ, or NULL); else UNAUTHENTICATED,
   * PERMISSION_DENIED, or the request's refusal. For answering early (e.g.
   * 401 before routing): the host checks again in the calls themselves. */
  int32_t (*authorize)(void* ctx, uint32_t action, const char* endpoint, sluice_status* status);
  /* Fills *info (its struct_size set by the caller) for the request. */
  int32_t (*request_info)(void* ctx, sluice_request_info* info, sluice_status* status);
  /* Opens a change feed (since 1.2) of the view's version for the
   * request's caller: its row filter and field list apply as to reads.
   * Changes are those the cache has applied (a client that gets one finds
   * it in queries), in log order, exactly once: a feed opened FROM_AFTER
   * reads the log from there and moves on to live changes without a gap
   * or a repeat, across server restarts. The view must outlive the feed.
   * INVALID_ARGUMENT for a bad filter or field, OUT_OF_RANGE for an
   * `after` beyond the log's end. */
  int32_t (*feed_open)(void* ctx, void* view, const sluice_feed_options* options, void** feed,
                       sluice_status* status); /* since 1.2 */
  /* Hands the feed's next changes (at most `max`) to fn in order, waiting
   * up to timeout_ms for the first (0: never waits). fn returns nonzero to
   * go on; zero stops (the change it was given counts as handed out).
   * *position (may be NULL) says how far the feed has read. OK with or
   * without events; else the feed has ended: RESOURCE_EXHAUSTED when it fell
   * behind (max_lag; resume from *position), UNAVAILABLE
   * when the server stops, or an error reading the log. Not thread-safe
   * per feed. */
  int32_t (*feed_next)(void* ctx, void* feed, uint32_t max, uint32_t timeout_ms,
                       int32_t (*fn)(void* fn_ctx, const sluice_feed_event* event), void* fn_ctx,
                       sluice_feed_position* position, sluice_status* status); /* since 1.2 */
  /* Closes a feed (before the view it reads is released). */
  void (*feed_close)(void* ctx, void* feed); /* since 1.2 */
  /* Runs an aggregate request (docs/aggregates.md: $group_by, $measures,
   * $filter, $limit, $after) on the view, for the request's caller (its
   * row filter applies; a hidden field is an unknown one). fn is called
   * once, on success, with the answer: a JSON array of group objects.
   * info_fn (may be NULL) gets "plan", "scan" and "examined" as for
   * query_info; the plan says whether maintained state answered
   * ("aggregate [f] maintained") or the rows were read ("aggregate ad
   * hoc: ..."). Errors as for query. */
  int32_t (*aggregate)(void* ctx, void* view, const char* request, size_t request_size,
                       void (*fn)(void* fn_ctx, const char* json, size_t size), void* fn_ctx,
                       void (*info_fn)(void* info_ctx, const char* key, const char* value),
                       void* info_ctx, sluice_status* status); /* since 1.2 */
  /* Admin (since 1.2): calls fn once per plugin the host has loaded, in
   * load order (docs/rest.md, GET /admin/plugins). Needs admin rights
   * (UNAUTHENTICATED, PERMISSION_DENIED otherwise). The entry's strings
   * are valid during the call only. */
  int32_t (*plugins)(void* ctx, void (*fn)(void* fn_ctx, const sluice_loaded_plugin* plugin),
                     void* fn_ctx, sluice_status* status); /* since 1.2 */
} sluice_api_host;

typedef struct sluice_api_vtable {
  uint32_t struct_size;

  /* Creates an instance; does not listen yet. `api` outlives it. */
  int32_t (*create)(const sluice_host_services* host, const sluice_options* options,
                    const sluice_api_host* api, void** instance, sluice_status* status);
  void (*destroy)(void* instance);
  /* Writes the artifacts this API derives from a version's schema (e.g.
   * openapi.json) into `dir`, which exists. Called by `migrate`. */
  int32_t (*write_artifacts)(void* instance, const char* endpoint, const char* path,
                             uint32_t version, const sluice_schema* schema, const char* dir,
                             sluice_status* status);
  /* Starts serving; returns once listening. fn receives each address it
   * listens on (e.g. "http://127.0.0.1:8080"). */
  int32_t (*start)(void* instance, void (*fn)(void* ctx, const char* address), void* fn_ctx,
                   sluice_status* status);
  /* Stops accepting, finishes requests in flight, returns. */
  void (*stop)(void* instance);
  /* The catalog changed (a version appeared, became ready or current). */
  void (*catalog_changed)(void* instance);

  /* ---- since ABI 1.2: optional; the host checks struct_size and NULL ---- */

  /* The host was told to reload (SIGHUP): re-read what the instance loads
   * from files while serving (e.g. TLS certificates and keys). On failure
   * the instance keeps serving with what it had and returns why; called
   * from a host thread while requests run. */
  int32_t (*reload)(void* instance, sluice_status* status); /* since 1.2 */
} sluice_api_vtable;

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_ABI_API_H_ */
