#include "csv_rows.h"

#include "csv_values.h"
#include "sluice/timefmt.h"
#include "utf8.h"

namespace sluice::csv {

std::string ColumnName(const std::vector<std::string>& names, size_t index) {
  std::string out = "column " + std::to_string(index + 1);
  if (index < names.size()) out += " " + QuoteForMessage(names[index]);
  return out;
}

bool CheckRecord(const CsvRecord& rec, const std::vector<std::string>& names, std::string* why) {
  if (!rec.error.empty()) {
    *why = rec.error_column == 0 ? rec.error
                                 : ColumnName(names, rec.error_column - 1) + ": " + rec.error;
    return false;
  }
  if (rec.fields.size() != names.size()) {
    *why = "expected " + std::to_string(names.size()) + " fields, found " +
           std::to_string(rec.fields.size());
    return false;
  }
  if (rec.ascii) return true;
  for (size_t i = 0; i < rec.fields.size(); ++i) {
    size_t at = FindInvalidUtf8(rec.fields[i].value);
    if (at != std::string_view::npos) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02x",
                    static_cast<unsigned char>(rec.fields[i].value[at]));
      *why = ColumnName(names, i) + ": invalid UTF-8 (byte " + byte + " at position " +
             std::to_string(at + 1) + " of the value); the file must be UTF-8 encoded";
      return false;
    }
  }
  return true;
}

RowEncoder::RowEncoder(const Schema& schema, const TableConfig& table)
    : schema_(schema), table_(table) {
  for (const Field& f : schema_.fields) names_.push_back(f.name);
}

bool RowEncoder::EncodeField(const CsvField& f, const Field& field, RowWriter* w) const {
  if (IsNullField(f, field.type, table_)) {
    w->Null();
    return field.nullable;
  }
  std::string_view v = f.value;
  switch (field.type) {
    case Type::kString: w->String(v); return true;
    case Type::kInt64: {
      int64_t i;
      if (!ParseInt64(v, &i)) return false;
      w->Int64(i);
      return true;
    }
    case Type::kFloat64: {
      double d;
      if (!ParseFloat64(v, &d)) return false;
      w->Float64(d);
      return true;
    }
    case Type::kBool: {
      bool b;
      if (v == "1" || v == "0") b = v[0] == '1';
      else if (!ParseBool(v, &b)) return false;
      w->Bool(b);
      return true;
    }
    case Type::kDate: {
      int32_t days;
      if (!ParseDate(v, &days)) return false;
      w->Date(days);
      return true;
    }
    case Type::kTimestamp: {
      int64_t us;
      if (!ParseTimestamp(v, &us)) return false;
      w->Timestamp(us);
      return true;
    }
  }
  return false;
}

bool RowEncoder::Encode(const CsvRecord& rec, std::string* out, std::string* why) const {
  if (!CheckRecord(rec, names_, why)) return false;
  const size_t mark = out->size();
  RowWriter w(out, static_cast<uint32_t>(names_.size()));
  for (size_t i = 0; i < rec.fields.size(); ++i) {
    const Field& field = schema_.fields[i];
    if (EncodeField(rec.fields[i], field, &w)) continue;
    out->resize(mark);
    const CsvField& f = rec.fields[i];
    if (IsNullField(f, field.type, table_))
      *why = ColumnName(names_, i) + ": null (empty) value in a non-nullable column";
    else
      *why = ColumnName(names_, i) + ": expected " + TypeName(field.type) + ", found " +
             QuoteForMessage(f.value);
    return false;
  }
  return true;
}

}  // namespace sluice::csv
