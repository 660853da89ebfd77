#include "pg_catalog.h"

#include <cstdlib>
#include <sstream>

#include "pgoutput.h"

namespace pgsrc {
namespace {

using sluice::FailedPrecondition;
using sluice::Status;

int64_t Int(std::string_view s) { return std::strtoll(std::string(s).c_str(), nullptr, 10); }

}  // namespace

Status CheckServer(PgConn& conn) {
  PgResult r;
  SLUICE_RETURN_IF_ERROR(
      conn.Exec("SELECT current_setting('wal_level'), current_setting('server_version_num'), "
                "current_setting('server_encoding'), current_setting('server_version')",
                "check the server's settings", &r));
  int version = static_cast<int>(Int(r.text(0, 1)));
  if (version < 130000)
    return FailedPrecondition("PostgreSQL " + r.str(0, 3) +
                              " is too old for the postgres source: it needs 13 or later");
  if (r.text(0, 0) != "logical")
    return FailedPrecondition(
        "the server's wal_level is '" + r.str(0, 0) +
        "', and logical decoding needs 'logical': run ALTER SYSTEM SET wal_level = logical; and "
        "restart PostgreSQL (check max_replication_slots and max_wal_senders too: one of each per "
        "endpoint version, plus one while a snapshot resumes)");
  if (r.text(0, 2) != "UTF8" && r.text(0, 2) != "SQL_ASCII")
    return FailedPrecondition("the database's encoding is " + r.str(0, 2) +
                              ": the postgres source reads UTF8 databases only (logical "
                              "replication sends text in the server's encoding)");
  return Status();
}

Status LoadType(PgConn& conn, uint32_t oid, int32_t typmod, std::map<uint32_t, PgType>* cache,
                PgType* out) {
  auto it = cache->find(oid);
  if (it == cache->end()) {
    PgType t;
    uint32_t current = oid;
    for (int depth = 0; depth < 16; ++depth) {  // a domain's base type, its base type, ...
      PgResult r;
      SLUICE_RETURN_IF_ERROR(conn.Query(
          "SELECT typtype, typcategory, typbasetype, format_type(oid, NULL), typtypmod, typname "
          "FROM pg_type WHERE oid = $1",
          {std::to_string(current)}, "look up type " + std::to_string(current), &r));
      if (r.rows() != 1) return sluice::NotFound("type " + std::to_string(current) + " not found");
      t.typtype = r.text(0, 0).empty() ? 'b' : r.text(0, 0)[0];
      t.category = r.text(0, 1).empty() ? 'U' : r.text(0, 1)[0];
      t.name = r.str(0, 5) == "citext" ? "citext" : r.str(0, 3);
      if (t.typtype != 'd') break;
      current = static_cast<uint32_t>(Int(r.text(0, 2)));
      if (typmod < 0) typmod = static_cast<int32_t>(Int(r.text(0, 4)));
    }
    t.oid = current;
    it = cache->emplace(oid, t).first;
  }
  *out = it->second;
  out->typmod = typmod;
  return Status();
}

Status LoadTable(PgConn& conn, const std::string& table, TableInfo* out) {
  TableInfo t;
  PgResult r;
  SLUICE_RETURN_IF_ERROR(
      conn.Query("SELECT c.oid, n.nspname, c.relname, c.relreplident, c.relkind FROM pg_class c "
                 "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)",
                 {table}, "look up table \"" + table + "\"", &r));
  if (r.rows() != 1)
    return sluice::NotFound("table \"" + table +
                            "\" does not exist in the database (or the user may not see it); "
                            "name it as schema.table");
  t.oid = static_cast<uint32_t>(Int(r.text(0, 0)));
  t.nspname = r.str(0, 1);
  t.relname = r.str(0, 2);
  t.replica_identity = r.text(0, 3).empty() ? 'd' : r.text(0, 3)[0];
  char kind = r.text(0, 4).empty() ? '?' : r.text(0, 4)[0];
  if (kind != 'r')
    return FailedPrecondition(t.Display() + " is not an ordinary table (relkind '" +
                              std::string(1, kind) +
                              "'): logical replication follows tables only; views, materialized "
                              "views and partitioned tables (name a partition) are not supported");
  t.sql_name = conn.Identifier(t.nspname) + "." + conn.Identifier(t.relname);
  const bool icu_default = conn.server_version() >= 150000;
  PgResult cols;
  SLUICE_RETURN_IF_ERROR(conn.Query(
      std::string("SELECT a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, "
                  "CASE WHEN a.attcollation = 0 THEN false "
                  "WHEN a.attcollation = 100 THEN (SELECT d.datcollate IN ('C', 'POSIX')") +
          (icu_default ? " AND d.datlocprovider = 'c'" : "") +
          " FROM pg_database d WHERE d.datname = current_database()) "
          "ELSE co.collname IN ('C', 'POSIX', 'ucs_basic') END "
          "FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation "
          "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped "
          "AND a.attgenerated = '' ORDER BY a.attnum",
      {std::to_string(t.oid)}, "read the columns of " + t.Display(), &cols));
  std::map<int64_t, uint32_t> by_attnum;
  std::map<uint32_t, PgType> types;
  for (int i = 0; i < cols.rows(); ++i) {
    PgColumn c;
    c.name = cols.str(i, 1);
    SLUICE_RETURN_IF_ERROR(LoadType(conn, static_cast<uint32_t>(Int(cols.text(i, 2))),
                                    static_cast<int32_t>(Int(cols.text(i, 3))), &types, &c.type));
    c.not_null = cols.text(i, 4) == "t";
    c.byte_ordered = cols.text(i, 5) == "t";
    by_attnum[Int(cols.text(i, 0))] = static_cast<uint32_t>(t.columns.size());
    t.columns.push_back(std::move(c));
  }
  PgResult idx;
  SLUICE_RETURN_IF_ERROR(
      conn.Query("SELECT indisprimary, indisreplident, indkey::text FROM pg_index "
                 "WHERE indrelid = $1 AND (indisprimary OR indisreplident)",
                 {std::to_string(t.oid)}, "read the keys of " + t.Display(), &idx));
  for (int i = 0; i < idx.rows(); ++i) {
    std::vector<uint32_t> cols_of;
    std::istringstream in(idx.str(i, 2));
    int64_t attnum;
    bool usable = true;
    while (in >> attnum) {
      auto it = by_attnum.find(attnum);
      if (it == by_attnum.end()) usable = false;  // an expression or generated column
      else cols_of.push_back(it->second);
    }
    if (!usable) continue;
    if (idx.text(i, 0) == "t") t.primary_key = cols_of;
    if (idx.text(i, 1) == "t") t.identity_columns = cols_of;
  }
  if (t.replica_identity == 'd') t.identity_columns = t.primary_key;
  *out = std::move(t);
  return Status();
}

Status TableSchema(const TableInfo& t, const TypeOptions& options, sluice::Schema* out,
                   std::vector<ColumnType>* types) {
  if (t.replica_identity == 'n' || (t.replica_identity == 'd' && t.primary_key.empty()) ||
      (t.replica_identity == 'i' && t.identity_columns.empty()))
    return FailedPrecondition(
        "table " + t.Display() +
        (t.replica_identity == 'n' ? " has REPLICA IDENTITY NOTHING"
                                   : " has no primary key and REPLICA IDENTITY DEFAULT") +
        ": PostgreSQL would not say which row an UPDATE or DELETE changed. Fix: ALTER TABLE " +
        t.sql_name + " ADD PRIMARY KEY (...); or ALTER TABLE " + t.sql_name +
        " REPLICA IDENTITY FULL;");
  sluice::Schema s;
  types->clear();
  for (const PgColumn& c : t.columns) {
    ColumnType ct;
    SLUICE_RETURN_IF_ERROR(
        MapType(c.type, options, c.name, &ct).WithContext("table " + t.Display()));
    s.fields.push_back({c.name, ct.type, !c.not_null});
    types->push_back(ct);
  }
  s.primary_key = t.primary_key;
  *out = std::move(s);
  return Status();
}

Status EnsurePublication(PgConn& conn, const std::string& pub, const TableInfo& t, bool create) {
  const std::string ident = conn.Identifier(pub);
  PgResult r;
  SLUICE_RETURN_IF_ERROR(conn.Query(
      "SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = $1",
      {pub}, "look up publication " + pub, &r));
  if (r.rows() == 0) {
    std::string sql = "CREATE PUBLICATION " + ident + " FOR TABLE " + t.sql_name;
    if (!create)
      return FailedPrecondition("publication " + pub +
                                " does not exist (create_publication is "
                                "false): run " +
                                sql + ";");
    Status s = conn.Exec(sql, "create publication " + pub);
    if (s.code() == sluice::Code::kPermissionDenied)
      return FailedPrecondition(s.message() + "; let the table's owner run " + sql + ";");
    if (s.code() != sluice::Code::kAlreadyExists) return s;  // created, or a real error
    return EnsurePublication(conn, pub, t, create);  // another endpoint created it meanwhile
  }
  std::string missing;
  const char* actions[] = {"insert", "update", "delete", "truncate"};
  for (int i = 0; i < 4; ++i)
    if (r.text(0, i) != "t") missing += (missing.empty() ? "" : ", ") + std::string(actions[i]);
  if (!missing.empty())
    return FailedPrecondition("publication " + pub + " does not publish " + missing +
                              ": sluice would miss those changes. Run ALTER PUBLICATION " + ident +
                              " SET (publish = 'insert, update, delete, truncate');");
  const bool filters = conn.server_version() >= 150000;
  PgResult member;
  SLUICE_RETURN_IF_ERROR(conn.Query(
      std::string("SELECT ") +
          (filters ? "rowfilter IS NOT NULL, array_length(attnames, 1)" : "false, NULL") +
          " FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3",
      {pub, t.nspname, t.relname}, "look up " + t.Display() + " in publication " + pub, &member));
  if (member.rows() == 0) {
    std::string sql = "ALTER PUBLICATION " + ident + " ADD TABLE " + t.sql_name;
    if (!create)
      return FailedPrecondition("publication " + pub + " does not include " + t.Display() +
                                " (create_publication is false): run " + sql + ";");
    Status s = conn.Exec(sql, "add " + t.Display() + " to publication " + pub);
    if (s.code() == sluice::Code::kPermissionDenied)
      return FailedPrecondition(s.message() +
                                "; let the owner of the table and the publication "
                                "run " +
                                sql + ";");
    if (s.code() == sluice::Code::kAlreadyExists) return Status();
    return s;
  }
  if (member.text(0, 0) == "t")
    return FailedPrecondition("publication " + pub + " publishes " + t.Display() +
                              " with a row filter (WHERE): sluice would miss rows; publish the "
                              "whole table in the publication sluice uses");
  if (!member.null(0, 1) && Int(member.text(0, 1)) < static_cast<int64_t>(t.columns.size()))
    return FailedPrecondition("publication " + pub + " publishes only some columns of " +
                              t.Display() +
                              ": publish every column in the publication sluice "
                              "uses");
  return Status();
}

Status GetSlot(PgConn& conn, const std::string& slot, SlotState* out) {
  PgResult r;
  SLUICE_RETURN_IF_ERROR(
      conn.Query("SELECT plugin, database, active, wal_status, "
                 "(pg_current_wal_lsn() - restart_lsn)::int8, confirmed_flush_lsn::text "
                 "FROM pg_replication_slots WHERE slot_name = $1",
                 {slot}, "look up replication slot " + slot, &r));
  *out = SlotState();
  if (r.rows() == 0) return Status();
  out->exists = true;
  out->plugin = r.str(0, 0);
  out->database = r.str(0, 1);
  out->active = r.text(0, 2) == "t";
  out->lost = r.text(0, 3) == "lost";
  out->retained_bytes = r.null(0, 4) ? 0 : static_cast<uint64_t>(Int(r.text(0, 4)));
  if (!r.null(0, 5)) ParseLsn(r.text(0, 5), &out->confirmed_lsn);
  return Status();
}

Status DropSlot(PgConn& conn, const std::string& slot) {
  Status s = conn.Query(
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1",
      {slot}, "drop replication slot " + slot);
  if (s.code() == sluice::Code::kFailedPrecondition)
    return FailedPrecondition(s.message() +
                              " (another process reads it: stop it first; each slot has exactly "
                              "one reader)");
  return s;
}

}  // namespace pgsrc
