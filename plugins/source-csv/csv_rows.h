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

// Encodes records as rows of one schema. Immutable; cheap to call.
class RowEncoder {
 public:
  RowEncoder(const Schema& schema, const TableConfig& table);

  // Appends `rec` encoded with RowWriter to *out. On a bad row returns false
  // with the reason in *why (without the file:line prefix) and leaves *out
  // as it was.
  bool Encode(const CsvRecord& rec, std::string* out, std::string* why) const;

  const std::vector<std::string>& names() const { return names_; }

 private:
  bool EncodeField(const CsvField& f, const Field& field, RowWriter* w) const;

  Schema schema_;
  TableConfig table_;
  std::vector<std::string> names_;
};

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_ROWS_H_
