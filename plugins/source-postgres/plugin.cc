// Exports the postgres source plugin (see pg_source.h).
#include "sluice/plugin.h"

#include "pg_source.h"

#ifndef SLUICE_PLUGIN_VERSION
#define SLUICE_PLUGIN_VERSION "0.0.0"
#endif

SLUICE_PLUGIN(pgsrc::PgSource, "postgres", SLUICE_PLUGIN_VERSION,
              "PostgreSQL tables: a snapshot, then every change through logical replication")
