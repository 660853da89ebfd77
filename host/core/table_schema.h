// What one version of an endpoint is: its schema (fields, primary key), its
// secondary indexes and where its rows come from. Stored as schema.json
// (docs/formats.md, "schema.json"); compared by `migrate` to decide whether
// a new version is needed.
#ifndef SLUICE_HOST_CORE_TABLE_SCHEMA_H_
#define SLUICE_HOST_CORE_TABLE_SCHEMA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/aggregate.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::host {

// The field that keys an endpoint without a primary key: each row's
// position in its version's log (docs/formats.md, "Row keys").
inline constexpr std::string_view kRowKeyField = "_row";

struct TableSchema {
  Schema schema;                               // fields + primary key
  std::vector<std::vector<uint32_t>> indexes;  // secondary indexes, field indexes
  // The endpoint has no primary key of its own: the last field is
  // kRowKeyField (int64, the row's log offset), the primary key. Sources do
  // not produce it; the cache builder appends it to every row.
  bool row_key = false;
  // Declared aggregates the cache maintains (docs/aggregates.md).
  std::vector<AggregateSpec> aggregates;
  // String fields with a full-text index (docs/full_text.md).
  std::vector<uint32_t> full_text;

  // The schema rows have as the source produces them and the log holds
  // them: `schema` without the row key field.
  Schema SourceSchema() const;

  bool operator==(const TableSchema& o) const {
    return schema == o.schema && indexes == o.indexes && row_key == o.row_key &&
           aggregates == o.aggregates && full_text == o.full_text;
  }
  bool operator!=(const TableSchema& o) const { return !(*this == o); }
};

struct VersionMeta {
  std::string endpoint;
  uint32_t version = 0;
  std::string created_at;  // ISO-8601 UTC
  std::string connection;  // config connection name
  std::string plugin;      // source plugin name
  std::string table;       // source table
  TableSchema table_schema;
};

// Builds the TableSchema of an endpoint from the schema its source reports
// and the key/index field names of its config. Key fields become
// non-nullable. An empty primary_key makes a row-keyed endpoint (row_key:
// kRowKeyField appended as the key). InvalidArgument naming the unknown
// field and listing the fields that exist, or when a row-keyed source
// already has a field named kRowKeyField.
Status ApplyKeys(const Schema& source, const std::vector<std::string>& primary_key,
                 const std::vector<std::vector<std::string>>& secondary,
                 const std::string& endpoint, TableSchema* out);

// schema.json text (pretty, stable key order) and its parser. The parser
// rejects unknown formats and inconsistent content with a message that
// names the problem.
std::string VersionMetaToJson(const VersionMeta& meta);
Status ParseVersionMeta(std::string_view json, VersionMeta* out);
Status ReadVersionMeta(const std::string& file, VersionMeta* out);

// Human-readable differences from `before` to `after`, one line each
// ("column added: tip (float64, nullable)"). Empty when equal.
std::vector<std::string> DiffTableSchemas(const TableSchema& before, const TableSchema& after);

// "trip_id int64!, fare float64, ..." ('!' = not nullable; key fields marked *).
std::string SummarizeSchema(const TableSchema& t);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CORE_TABLE_SCHEMA_H_
