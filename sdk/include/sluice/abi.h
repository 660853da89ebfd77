/* sluice plugin ABI: the binary boundary between the host and plugins.
 *
 * This header is plain C. Everything that crosses the boundary is declared
 * here: versioned structs, status codes with messages, opaque handles and
 * function tables. No exception, C++ standard library type or vtable ever
 * crosses it. Plugin authors normally do not use this file directly: they
 * write C++ against the header-only wrappers (sluice/storage.h,
 * sluice/source.h, sluice/api.h) and export with SLUICE_PLUGIN().
 *
 * History: 1.0 first release; 1.1 added PERMISSION_DENIED, UNAUTHENTICATED
 * and sluice_api_host.query_info / watch / metrics / prune; 1.2 added
 * sluice_row_batch.note; to sluice_source_vtable describe_notes,
 * describe_offset, check_table, reader_open_scoped, reader_committed,
 * reader_wait, release and stats; sluice_endpoint_info.ingest and the pin
 * fields; set_current(version 0) as an unpin;
 * transactions (empty row offsets), and the meanings of UNAVAILABLE from
 * describe and ABORTED from reader_next (sluice/abi_source.h); requests
 * acting for a caller (sluice_api_host.begin_request, end_request,
 * authorize, request_info; sluice_credential, sluice_request_info);
 * change feeds (sluice_api_host.feed_open, feed_next, feed_close;
 * sluice_feed_options, sluice_feed_event, sluice_feed_position);
 * sluice_api_vtable.reload;
 * declared options and their check (sluice_option_decl,
 * sluice_plugin_descriptor.options and .check_options).
 *
 * Evolution rules (see docs/plugin-guide.md):
 *  - Every extensible struct starts with `uint32_t struct_size`. Fields are
 *    only ever appended; a reader checks struct_size before touching a field
 *    added in a later minor version.
 *  - Adding fields or functions bumps SLUICE_ABI_MINOR. Anything else
 *    (removing, reordering, changing a meaning) bumps SLUICE_ABI_MAJOR.
 *  - The host loads a plugin when the majors are equal and the plugin's minor
 *    is not newer than the host's.
 *
 * Conventions for every function pointer below:
 *  - Returns a sluice_code; on failure it fills `status` (never NULL) with
 *    the same code and a one-line message.
 *  - Strings are NUL-terminated UTF-8 unless passed as sluice_bytes.
 *  - Memory handed to a callback is valid only during that callback.
 */
#ifndef SLUICE_ABI_H_
#define SLUICE_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SLUICE_ABI_MAJOR 1
#define SLUICE_ABI_MINOR 2

/* Name of the one symbol every plugin exports. */
#define SLUICE_ENTRY_SYMBOL "sluice_plugin_entry"

/* ---- status ------------------------------------------------------------ */

/* Canonical codes (numbering follows gRPC/Abseil). */
typedef enum sluice_code {
  SLUICE_OK = 0,
  SLUICE_CANCELLED = 1,
  SLUICE_UNKNOWN = 2,
  SLUICE_INVALID_ARGUMENT = 3,
  SLUICE_DEADLINE_EXCEEDED = 4,
  SLUICE_NOT_FOUND = 5,
  SLUICE_ALREADY_EXISTS = 6,
  SLUICE_PERMISSION_DENIED = 7, /* since 1.1 */
  SLUICE_RESOURCE_EXHAUSTED = 8,
  SLUICE_FAILED_PRECONDITION = 9,
  SLUICE_ABORTED = 10,
  SLUICE_OUT_OF_RANGE = 11,
  SLUICE_UNIMPLEMENTED = 12,
  SLUICE_INTERNAL = 13,
  SLUICE_UNAVAILABLE = 14,
  SLUICE_DATA_LOSS = 15,
  SLUICE_UNAUTHENTICATED = 16 /* since 1.1 */
} sluice_code;

/* Frozen layout (never extended): caller allocates, callee fills on error. */
typedef struct sluice_status {
  int32_t code;
  uint32_t reserved;
  char message[1016];
} sluice_status;

/* ---- plain data -------------------------------------------------------- */

typedef struct sluice_bytes {
  const uint8_t* data;
  size_t size;
} sluice_bytes;

/* Configuration options of one plugin instance or table: the YAML subtree
 * flattened to scalar pairs. Nested maps join keys with '.', sequence items
 * use their index ("paths.0"). */
typedef struct sluice_option {
  const char* key;
  const char* value;
} sluice_option;

typedef struct sluice_options {
  uint32_t struct_size;
  uint32_t count;
  const sluice_option* items;
} sluice_options;

/* Declared options (since 1.2): what a plugin takes, so that the host can
 * check a config before anything runs, suggest near names and list them
 * (`sluice plugins --options`). The text syntax of each type is in
 * sluice/option_spec.h; values always reach the plugin as text. */
typedef enum sluice_option_type {
  SLUICE_OPTION_STRING = 1,   /* any text (min..max: its length) */
  SLUICE_OPTION_BOOL = 2,     /* true|false|yes|no|on|off|1|0 */
  SLUICE_OPTION_INT = 3,      /* a decimal integer (min..max) */
  SLUICE_OPTION_NUMBER = 4,   /* a decimal number (min..max) */
  SLUICE_OPTION_DURATION = 5, /* 250ms, 30s, 5m, 2h, 1d (min..max in ms) */
  SLUICE_OPTION_SIZE = 6,     /* bytes: 4096, 64KiB, 16M (min..max in bytes) */
  SLUICE_OPTION_ENUM = 7,     /* one of `values` ("a|b|c") */
  SLUICE_OPTION_PATH = 8      /* a non-empty file system path */
} sluice_option_type;

/* sluice_option_decl.flags */
#define SLUICE_OPTION_REQUIRED 1u /* must be given */
#define SLUICE_OPTION_LIST 2u     /* key.0, key.1, ... (or key alone: a list of one) */
#define SLUICE_OPTION_MAP 4u      /* key.<any name>: a map of values of the type */
#define SLUICE_OPTION_SECRET 8u   /* the value is never shown */

/* sluice_option_decl.scopes: where the option is given. 0 = INSTANCE. */
#define SLUICE_OPTION_SCOPE_INSTANCE 1u /* the instance's options (storage, api, connection) */
#define SLUICE_OPTION_SCOPE_TABLE 2u    /* an endpoint's table options (sources) */

typedef struct sluice_option_decl {
  uint32_t struct_size;
  uint32_t type;             /* sluice_option_type */
  uint32_t flags;            /* SLUICE_OPTION_REQUIRED | _LIST | _MAP | _SECRET */
  uint32_t scopes;           /* SLUICE_OPTION_SCOPE_*; 0 = instance only */
  const char* name;          /* the key, [a-z0-9_]+ */
  const char* default_value; /* as text; NULL = none */
  /* ENUM: the values, '|'-separated. Other types: words taken besides
   * the type's syntax, "word=value|..." (e.g. "never=0"); NULL = none. */
  const char* values;
  const char* unit; /* named after the range, e.g. "MiB"; NULL = none */
  const char* doc;  /* one line */
  int64_t min;      /* range (see the types); min > max = none */
  int64_t max;
} sluice_option_decl;

/* Column types. Values of each type are encoded as docs/formats.md says. */
typedef enum sluice_type {
  SLUICE_TYPE_INT64 = 1,
  SLUICE_TYPE_FLOAT64 = 2,
  SLUICE_TYPE_BOOL = 3,
  SLUICE_TYPE_STRING = 4,
  SLUICE_TYPE_TIMESTAMP = 5, /* microseconds since 1970-01-01T00:00:00Z */
  SLUICE_TYPE_DATE = 6       /* days since 1970-01-01 */
} sluice_type;

typedef struct sluice_field {
  uint32_t struct_size;
  const char* name;
  uint32_t type;     /* sluice_type */
  uint32_t nullable; /* 0 or 1 */
} sluice_field;

typedef struct sluice_schema {
  uint32_t struct_size;
  uint32_t field_count;
  const sluice_field* fields;
  uint32_t primary_key_count;
  const uint32_t* primary_key; /* field indexes, in key order */
} sluice_schema;

/* Operation of a row in a batch and in the log. */
typedef enum sluice_op {
  SLUICE_OP_INSERT = 1, /* insert, or replace a row with the same key */
  SLUICE_OP_UPDATE = 2, /* replace the row with the same key */
  SLUICE_OP_DELETE = 3  /* delete by key (the row carries the key fields) */
} sluice_op;

/* A batch of encoded rows (docs/formats.md, "Row encoding").
 * Row i is rows[row_ends[i-1] .. row_ends[i]) with row_ends[-1] = 0. */
typedef struct sluice_row_batch {
  uint32_t struct_size;
  uint32_t row_count;
  const uint8_t* rows;
  const uint32_t* row_ends;
  /* Per-row operation (sluice_op); NULL means every row is an insert. */
  const uint8_t* ops;
  /* Per-row source offset: opaque bytes from which the source resumes
   * *after* that row. offsets[offset_ends[i-1] .. offset_ends[i]). */
  const uint8_t* offsets;
  const uint32_t* offset_ends;
  /* Rows the source rejected under a skip policy while producing this batch. */
  uint64_t rejected_rows;
  /* 1 when the reader has reached the current end of its input. */
  uint32_t at_end;
  /* Progress: bytes consumed so far and total input size (0 = unknown). */
  uint64_t bytes_done;
  uint64_t bytes_total;
  /* ---- since 1.2: read only when struct_size covers it ---- */
  /* With at_end: why the reader cannot go on for now besides "no new rows",
   * one line naming where (e.g. "t.csv:2: the last line is incomplete ...");
   * NULL when there is nothing unusual. Valid until the next call. */
  const char* note;
} sluice_row_batch;

/* ---- host services (host -> plugin) ------------------------------------ */

typedef enum sluice_log_level {
  SLUICE_LOG_DEBUG = 0,
  SLUICE_LOG_INFO = 1,
  SLUICE_LOG_WARN = 2,
  SLUICE_LOG_ERROR = 3
} sluice_log_level;

/* Services the host offers every plugin instance. Thread-safe. Valid until
 * the instance it was given to is destroyed. */
typedef struct sluice_host_services {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  void* ctx;
  /* One log event; `message` is a single line. `plugin` names the caller. */
  void (*log)(void* ctx, int32_t level, const char* plugin, const char* message);
  /* Nonzero when events at `level` are recorded (skip formatting if not). */
  int32_t (*log_enabled)(void* ctx, int32_t level);
} sluice_host_services;

/* ---- plugin descriptor ------------------------------------------------- */

typedef enum sluice_plugin_kind {
  SLUICE_KIND_STORAGE = 1,
  SLUICE_KIND_SOURCE = 2,
  SLUICE_KIND_API = 3
} sluice_plugin_kind;

/* What sluice_plugin_entry() returns. The first three fields are frozen for
 * every ABI major so that any host can read them. `vtable` points to the
 * function table of `kind` (sluice_storage_vtable, sluice_source_vtable or
 * sluice_api_vtable). Static storage: the pointer stays valid while loaded. */
typedef struct sluice_plugin_descriptor {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  uint32_t kind;           /* sluice_plugin_kind */
  const char* name;        /* [a-z0-9_-]+, unique among loaded plugins */
  const char* version;     /* the plugin's own version, e.g. "1.2.0" */
  const char* description; /* one line */
  const void* vtable;
  /* ---- since 1.2: optional; read only when struct_size covers it ---- */
  /* The options the plugin takes, in the order to list them; NULL when it
   * does not declare them (then the host leaves every check to create()).
   * A declaring plugin with no options sets a non-NULL pointer and 0. */
  const sluice_option_decl* options; /* since 1.2 */
  uint32_t option_count;             /* since 1.2 */
  /* Checks one instance's options before anything runs, with no lasting
   * side effect: the host calls it for every instance the config names
   * before it writes anything (`scope`: SLUICE_OPTION_SCOPE_INSTANCE for the
   * instance's own options, SLUICE_OPTION_SCOPE_TABLE for an endpoint's table
   * options; `flags`: SLUICE_CHECK_*). Calls report(ctx, kind, key, message)
   * once per problem (kind: SLUICE_OPTION_PROBLEM_*; key: the option's key
   * as given, "" for the options as a whole; message: one line saying what
   * is expected and what was found).
   * Returns SLUICE_OK when it reported nothing, SLUICE_INVALID_ARGUMENT when
   * it reported something; never another code (a check that cannot run is
   * reported as a problem). NULL: the host checks the declared options
   * alone, and create() the rest. */
  uint32_t (*check_options)(uint32_t scope, uint32_t flags, const sluice_options* options,
                            void* ctx,
                            void (*report)(void* ctx, uint32_t kind, const char* key,
                                           const char* message)); /* since 1.2 */
} sluice_plugin_descriptor;

/* What kind of problem check_options reports (since 1.2). The host decides
 * by the kind, never by the message, whether the config must change. */
/* A value that is not what the option takes. */
#define SLUICE_OPTION_PROBLEM_VALUE 0u
/* A key the plugin does not take (the message may suggest a near name). */
#define SLUICE_OPTION_PROBLEM_UNKNOWN 1u
/* A required option that is absent. */
#define SLUICE_OPTION_PROBLEM_MISSING 2u
/* A valid value naming something another process holds for now (with
 * SLUICE_CHECK_LISTEN: an address already listened on): the same config
 * may pass once it is released. */
#define SLUICE_OPTION_PROBLEM_IN_USE 3u

/* sluice_plugin_descriptor.check_options flags (since 1.2). */
/* The instance is about to start serving: also check what it will take
 * from the system, e.g. that the address it listens on is free (bind and
 * release it). Without it only the values are checked. */
#define SLUICE_CHECK_LISTEN 1u

typedef const sluice_plugin_descriptor* (*sluice_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#include "sluice/abi_api.h"
#include "sluice/abi_source.h"
#include "sluice/abi_storage.h"

#endif /* SLUICE_ABI_H_ */
