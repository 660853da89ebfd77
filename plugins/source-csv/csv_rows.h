// Turning scanned CSV records into encoded rows, and saying precisely why a
// record is a bad row ("column 5 "passenger_count": expected int64, found
// "abc"").
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_ROWS_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_ROWS_H_

#include <string>
#include <vector>

#include "csv_config.h"
#include "csv_scanner.h"
#include "sluice/row.h"
#include "sluice/schema.h"

namespace sluice::csv {

// `column 5 "name"` (1-based), or `column 5` past the end of `names`.
std::string ColumnName(const std::vector<std::string>& names, size_t index);

// True when field `f` of a column of type `type` is null: an unquoted empty
// field, the unquoted null text of the table, or a quoted empty field in a
// column that is not a string.
inline bool IsNullField(const CsvField& f, Type type, const TableConfig& table) {
  if (f.quoted) return f.value.empty() && type != Type::kString;
  return f.value.empty() || (table.has_null_text && f.value == table.null_text);
}

// Checks what makes any record bad whatever the types: a scanner error, a
// field count other than names.size(), invalid UTF-8. Returns false with
// the reason in *why.
bool CheckRecord(const CsvRecord& rec, const std::vector<std::string>& names, std::string* why);

// Encodes records as rows of one schema. The records come from a file whose
// header names the columns (SetFileColumns): in the schema's order, by name,
// or a subset of them (the schema's other columns are null). Cheap to call.
class RowEncoder {
 public:
  RowEncoder(const Schema& schema, const TableConfig& table);

  // Maps the columns of a file's header onto the schema. Returns "" when
  // every row of the file can be encoded, else why not: a column the schema
  // lacks, or a key (non-nullable) column the file lacks. Until called, the
  // file's columns are the schema's.
  std::string SetFileColumns(const std::vector<std::string>& header);

  // Appends `rec` encoded with RowWriter to *out. On a bad row returns false
  // with the reason in *why (without the file:line prefix) and leaves *out
  // as it was.
  bool Encode(const CsvRecord& rec, std::string* out, std::string* why) const;

  // The schema's column names.
  const std::vector<std::string>& names() const { return names_; }
  // The current file's column names (its header).
  const std::vector<std::string>& file_names() const { return file_names_; }

 private:
  bool EncodeField(const CsvField& f, const Field& field, RowWriter* w) const;
  // What to do about a value that is not of its column's type, for *why.
  std::string TypeConflictHint(const Field& field) const;

  Schema schema_;
  TableConfig table_;
  std::vector<std::string> names_;
  std::vector<std::string> file_names_;
  // source_[i]: the record field holding schema field i, or -1 (null).
  std::vector<int> source_;
};

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_ROWS_H_
