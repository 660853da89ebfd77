#include "csv_rows.h"

#include <algorithm>

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

std::string RowEncoder::TypeConflictHint(const Field& field) const {
  for (const auto& [column, type] : table_.types)
    if (column == field.name) return " (the type comes from the option types." + column + ")";
  return " (a type conflict: the type was inferred from a sample of rows; to keep such values "
         "set types." +
         field.name +
         ": string, or widen the sample with sample_rows (or all), "
         "then run `sluice migrate --new ENDPOINT`)";
}

RowEncoder::RowEncoder(const Schema& schema, const TableConfig& table)
    : schema_(schema), table_(table) {
  for (const Field& f : schema_.fields) names_.push_back(f.name);
  SetFileColumns(names_);
}

std::string RowEncoder::SetFileColumns(const std::vector<std::string>& header) {
  file_names_ = header;
  source_.assign(names_.size(), -1);
  std::string extra, missing;
  for (size_t j = 0; j < header.size(); ++j) {
    auto it = std::find(names_.begin(), names_.end(), header[j]);
    if (it == names_.end()) {
      extra += (extra.empty() ? "" : ", ") + QuoteForMessage(header[j]);
      continue;
    }
    source_[static_cast<size_t>(it - names_.begin())] = static_cast<int>(j);
  }
  for (size_t i = 0; i < names_.size(); ++i)
    if (source_[i] < 0 && !schema_.fields[i].nullable)
      missing += (missing.empty() ? "" : ", ") + QuoteForMessage(names_[i]);
  std::string why;
  if (!extra.empty()) why = "it has column(s) " + extra + " that the endpoint's schema lacks";
  if (!missing.empty())
    why += (why.empty() ? "" : ", and ") + std::string("it lacks the key column(s) ") + missing;
  return why;
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
  if (!CheckRecord(rec, file_names_, why)) return false;
  static const CsvField kAbsent{};  // a column the file does not have: null
  const size_t mark = out->size();
  RowWriter w(out, static_cast<uint32_t>(names_.size()));
  for (size_t i = 0; i < names_.size(); ++i) {
    const Field& field = schema_.fields[i];
    int j = source_[i];
    const CsvField& f = j < 0 ? kAbsent : rec.fields[static_cast<size_t>(j)];
    if (EncodeField(f, field, &w)) continue;
    out->resize(mark);
    size_t column = j < 0 ? i : static_cast<size_t>(j);
    const auto& names = j < 0 ? names_ : file_names_;
    if (IsNullField(f, field.type, table_))
      *why = ColumnName(names, column) + ": null (empty) value in a non-nullable column";
    else
      *why = ColumnName(names, column) + ": expected " + TypeName(field.type) + ", found " +
             QuoteForMessage(f.value) + TypeConflictHint(field);
    return false;
  }
  return true;
}

}  // namespace sluice::csv
