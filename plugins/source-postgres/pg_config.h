// Options of the postgres source (docs/source-postgres.md, "Options").
//
// Connection (`connections:` entry):
//   dsn                libpq keywords ("host=... port=... dbname=... user=...") or a
//                      postgresql:// URI, without a password
//   password_env       name of an environment variable holding the password
//   password_file      a file whose first line is the password (not readable
//                      by group or others)
//   publication        publication the slots stream (default "sluice")
//   create_publication add missing tables to it / create it (default true)
//   slot_prefix        replication slot names start with it (default "sluice");
//                      unique per sluice home sharing the database
//   lag_warn_mb        warn when a slot retains more WAL than this (default 1024)
//   heartbeat_ms       ask the server for its position this often when quiet
//                      (default 10000)
//   numeric            string (default) | number
//   other_types        refuse (default) | string
// Endpoint (`options:` of an endpoint): publication, numeric, other_types.
#ifndef SLUICE_SOURCE_POSTGRES_PG_CONFIG_H_
#define SLUICE_SOURCE_POSTGRES_PG_CONFIG_H_

#include <cstdint>
#include <string>

#include "pg_conn.h"
#include "pg_types.h"
#include "sluice/host_services.h"
#include "sluice/option_spec.h"
#include "sluice/status.h"

namespace pgsrc {

// The options it takes (sluice/option_spec.h): a connection's, and an
// endpoint's table options (Table()). The host checks a config against
// them before anything runs; the dsn's syntax and the password's source
// are checked at creation.
inline constexpr sluice::OptionSpec kPgOptions[] = {
    sluice::opt::String("dsn", "libpq connection string without the password").Required(),
    sluice::opt::String("password_env", "environment variable holding the password"),
    sluice::opt::Path("password_file", "file (mode 600) whose first line is the password"),
    sluice::opt::String("publication", "the publication to read").Range(1, INT64_MAX).Table(),
    sluice::opt::Bool("create_publication", "create the publication when missing"),
    sluice::opt::String("slot_prefix", "replication slot names' prefix ([a-z][a-z0-9_]*)")
        .Range(1, 20),
    sluice::opt::Int("lag_warn_mb", "warn when a slot retains more WAL than this")
        .Range(1, INT64_MAX)
        .Unit("MiB"),
    sluice::opt::Int("heartbeat_ms", "standby status interval").Range(100, INT64_MAX).Unit("ms"),
    sluice::opt::Enum("numeric", "string|number", "how numeric columns are served").Table(),
    sluice::opt::Enum("other_types", "refuse|string", "what columns of other types do").Table(),
};

struct TableConfig {
  std::string publication = "sluice";
  TypeOptions types;
};

struct ConnConfig {
  Conninfo conninfo;  // the dsn's keywords plus the password
  bool create_publication = true;
  std::string slot_prefix = "sluice";
  uint64_t lag_warn_bytes = 1024ull << 20;
  uint32_t heartbeat_ms = 10000;
  TableConfig table;  // defaults for every endpoint

  // Parses connection options; INVALID_ARGUMENT naming the option and the
  // fix. `getenv` reads environment variables (injected by tests).
  static sluice::Status Parse(const sluice::Options& options, ConnConfig* out,
                              const char* (*getenv)(const char*) = nullptr);
  // The endpoint's options applied over the connection's defaults.
  sluice::Status ForTable(const sluice::Options& table_options, TableConfig* out) const;
};

// The replication slot of an endpoint version: "<prefix>_<endpoint>_v<version>",
// lower case, [a-z0-9_] only, at most 63 bytes (a hash replaces the end of
// longer names).
std::string SlotName(const std::string& prefix, const std::string& endpoint, uint32_t version);

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_CONFIG_H_
