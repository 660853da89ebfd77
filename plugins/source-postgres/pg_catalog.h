// What the plugin asks PostgreSQL's catalog, on a plain SQL connection: a
// table's columns, types, key and replica identity; the server settings
// logical decoding needs; the publication; replication slots (state, WAL
// they retain, dropping them).
#ifndef SLUICE_SOURCE_POSTGRES_PG_CATALOG_H_
#define SLUICE_SOURCE_POSTGRES_PG_CATALOG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pg_config.h"
#include "pg_conn.h"
#include "pg_types.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace pgsrc {

struct PgColumn {
  std::string name;
  PgType type;
  bool not_null = false;
  bool byte_ordered = false;  // its order is the order of its text's bytes (C collation)
};

struct TableInfo {
  uint32_t oid = 0;
  std::string nspname, relname;
  std::string sql_name;  // quoted schema.name, for SQL
  char replica_identity = 'd';
  std::vector<PgColumn> columns;      // replicated columns (not dropped, not generated), in order
  std::vector<uint32_t> primary_key;  // column indexes; empty when none
  std::vector<uint32_t> identity_columns;  // what UPDATE/DELETE identify rows by ('d', 'i')

  std::string Display() const { return nspname + "." + relname; }
};

// Loads `table` (schema-qualified or found on the search path, SQL
// identifier syntax). NOT_FOUND naming it when absent; FAILED_PRECONDITION
// for something that is not an ordinary table.
sluice::Status LoadTable(PgConn& conn, const std::string& table, TableInfo* out);

// Resolves a type by OID (domains to their base type), caching in *cache.
sluice::Status LoadType(PgConn& conn, uint32_t oid, int32_t typmod,
                        std::map<uint32_t, PgType>* cache, PgType* out);

// The sluice schema of `t` under `options` (fields in column order, the
// table's primary key). INVALID_ARGUMENT naming the column for an unmapped
// type; FAILED_PRECONDITION with the fix for a table whose changes cannot be
// followed (no primary key and REPLICA IDENTITY DEFAULT or NOTHING).
sluice::Status TableSchema(const TableInfo& t, const TypeOptions& options, sluice::Schema* out,
                           std::vector<ColumnType>* types);

// FAILED_PRECONDITION with the fix when the server cannot decode logically
// (wal_level, version < 10, encoding not UTF-8).
sluice::Status CheckServer(PgConn& conn);

// Makes sure `publication` publishes every insert, update, delete and
// truncate of `t` with all its rows and columns: creates it or adds the
// table when allowed, else FAILED_PRECONDITION with the SQL to run.
sluice::Status EnsurePublication(PgConn& conn, const std::string& publication, const TableInfo& t,
                                 bool create);

struct SlotState {
  bool exists = false;
  bool active = false;
  bool lost = false;             // invalidated (max_slot_wal_keep_size)
  std::string plugin, database;  // output plugin and database
  uint64_t retained_bytes = 0;   // WAL kept for it: current LSN - restart_lsn
  uint64_t confirmed_lsn = 0;
};
sluice::Status GetSlot(PgConn& conn, const std::string& slot, SlotState* out);
// Drops the slot if it exists. FAILED_PRECONDITION when a session uses it.
sluice::Status DropSlot(PgConn& conn, const std::string& slot);

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_CATALOG_H_
