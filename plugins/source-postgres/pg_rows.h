// Turning a table's text values (COPY fields, pgoutput tuples) into sluice
// rows of the endpoint version's schema, and comparing primary keys the way
// PostgreSQL orders them (for resuming an interrupted snapshot).
#ifndef SLUICE_SOURCE_POSTGRES_PG_ROWS_H_
#define SLUICE_SOURCE_POSTGRES_PG_ROWS_H_

#include <string>
#include <string_view>
#include <vector>

#include "pg_copy.h"
#include "pg_offset.h"
#include "pg_types.h"
#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace pgsrc {

// One column value in PostgreSQL's text form, or null.
struct TextValue {
  bool null = true;
  std::string_view text;
};

class RowPlan {
 public:
  RowPlan() = default;
  // `schema`: the endpoint version's (fields in table column order, with the
  // key); `types[i]`: how column i's text is parsed; `pg_types[i]`: its
  // PostgreSQL type (for SQL casts and key order); `byte_ordered[i]`: text
  // that sorts by its bytes (C collation).
  RowPlan(const sluice::Schema& schema, std::vector<ColumnType> types, std::vector<PgType> pg_types,
          std::vector<bool> byte_ordered);

  const sluice::Schema& schema() const { return schema_; }
  size_t columns() const { return types_.size(); }
  const PgType& pg_type(size_t i) const { return pg_types_[i]; }
  const std::vector<uint32_t>& key() const { return schema_.primary_key; }

  // Appends the fields of a binary COPY row (one per column, in column
  // order, carried as CopyWire says) as a row to *out; errors as Encode.
  sluice::Status EncodeCopy(const std::vector<CopyField>& fields, std::string* out) const;
  // How the copy carries column i.
  Wire wire(size_t i) const { return wires_[i]; }

  // Appends `values` (one per column) as a row to *out. INVALID_ARGUMENT
  // naming the column for a value sluice cannot hold; ABORTED for a null in
  // a column the schema says is not null (its constraint was dropped: a
  // schema change).
  sluice::Status Encode(const std::vector<TextValue>& values, std::string* out) const;
  // Appends a delete row: the key columns from `values`, nulls (or zero
  // values, in not-null columns) elsewhere.
  sluice::Status EncodeDelete(const std::vector<TextValue>& values, std::string* out) const;
  // The key columns of `values` as text; false when one is null.
  bool Key(const std::vector<TextValue>& values, KeyText* out) const;

  // True when every key column has an order this plugin reproduces exactly
  // (integers, dates, timestamps, booleans, uuid, text in C collation), so
  // that a snapshot can resume after its last key.
  bool KeyOrdered() const;
  // <0, 0, >0 as PostgreSQL orders the two keys (REQUIRES: KeyOrdered()).
  int CompareKeys(const KeyText& a, const KeyText& b) const;

 private:
  sluice::Status NullInNotNull(size_t column) const;

  sluice::Schema schema_;
  std::vector<ColumnType> types_;
  std::vector<PgType> pg_types_;
  std::vector<bool> byte_ordered_;
  std::vector<Wire> wires_;
};

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_ROWS_H_
