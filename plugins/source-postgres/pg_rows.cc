#include "pg_rows.h"

namespace pgsrc {

RowPlan::RowPlan(const sluice::Schema& schema, std::vector<ColumnType> types,
                 std::vector<PgType> pg_types, std::vector<bool> byte_ordered)
    : schema_(schema),
      types_(std::move(types)),
      pg_types_(std::move(pg_types)),
      byte_ordered_(std::move(byte_ordered)) {
  for (size_t i = 0; i < types_.size(); ++i) wires_.push_back(CopyWire(pg_types_[i], types_[i]));
}

sluice::Status RowPlan::EncodeCopy(const std::vector<CopyField>& fields, std::string* out) const {
  sluice::RowWriter w(out, static_cast<uint32_t>(types_.size()));
  for (size_t i = 0; i < types_.size(); ++i) {
    if (fields[i].null) {
      if (!schema_.fields[i].nullable) return NullInNotNull(i);
      w.Null();
      continue;
    }
    sluice::Status s = PutCopyValue(types_[i], wires_[i], fields[i].text, &w);
    if (!s.ok()) return s.WithContext("column " + schema_.fields[i].name);
  }
  return sluice::Status();
}

sluice::Status RowPlan::NullInNotNull(size_t i) const {
  return sluice::Status(sluice::Code::kAborted,
                        "column " + schema_.fields[i].name +
                            " holds a null, but this version's schema says it is not null (was its "
                            "NOT NULL constraint dropped?); run `sluice migrate` to start a "
                            "version that allows nulls");
}

sluice::Status RowPlan::Encode(const std::vector<TextValue>& values, std::string* out) const {
  sluice::RowWriter w(out, static_cast<uint32_t>(types_.size()));
  for (size_t i = 0; i < types_.size(); ++i) {
    const TextValue& v = values[i];
    if (v.null) {
      if (!schema_.fields[i].nullable) return NullInNotNull(i);
      w.Null();
      continue;
    }
    sluice::Status s = PutValue(types_[i], v.text, &w);
    if (!s.ok()) return s.WithContext("column " + schema_.fields[i].name);
  }
  return sluice::Status();
}

sluice::Status RowPlan::EncodeDelete(const std::vector<TextValue>& values, std::string* out) const {
  sluice::RowWriter w(out, static_cast<uint32_t>(types_.size()));
  std::vector<bool> is_key(types_.size(), false);
  for (uint32_t k : schema_.primary_key) is_key[k] = true;
  for (size_t i = 0; i < types_.size(); ++i) {
    if (is_key[i]) {
      if (values[i].null)
        return sluice::InvalidArgument("a deleted row's key column " + schema_.fields[i].name +
                                       " is null");
      SLUICE_RETURN_IF_ERROR(
          PutValue(types_[i], values[i].text, &w).WithContext("column " + schema_.fields[i].name));
      continue;
    }
    if (schema_.fields[i].nullable) {
      w.Null();
      continue;
    }
    // The host reads only the key of a delete, but the row must decode.
    switch (schema_.fields[i].type) {
      case sluice::Type::kInt64:
      case sluice::Type::kTimestamp: w.Int64(0); break;
      case sluice::Type::kFloat64: w.Float64(0); break;
      case sluice::Type::kBool: w.Bool(false); break;
      case sluice::Type::kDate: w.Date(0); break;
      case sluice::Type::kString: w.String(""); break;
    }
  }
  return sluice::Status();
}

bool RowPlan::Key(const std::vector<TextValue>& values, KeyText* out) const {
  out->resize(schema_.primary_key.size());
  for (size_t k = 0; k < schema_.primary_key.size(); ++k) {
    const TextValue& v = values[schema_.primary_key[k]];
    if (v.null) return false;
    (*out)[k].assign(v.text.data(), v.text.size());
  }
  return true;
}

bool RowPlan::KeyOrdered() const {
  if (schema_.primary_key.empty()) return false;
  for (uint32_t k : schema_.primary_key) {
    switch (types_[k].conv) {
      case Conv::kInt:
        if (pg_types_[k].oid == oid::kNumeric) return false;  // "1.0" vs "1": keep it simple
        break;
      case Conv::kDate:
      case Conv::kTimestamp:
      case Conv::kBool: break;
      case Conv::kText:
        if (pg_types_[k].oid != oid::kUuid && !byte_ordered_[k]) return false;
        break;
      case Conv::kFloat: return false;
    }
  }
  return true;
}

int RowPlan::CompareKeys(const KeyText& a, const KeyText& b) const {
  for (size_t k = 0; k < schema_.primary_key.size() && k < a.size() && k < b.size(); ++k) {
    const Conv conv = types_[schema_.primary_key[k]].conv;
    int c = 0;
    if (conv == Conv::kText || conv == Conv::kBool) {  // "f" < "t" as false < true
      c = a[k].compare(b[k]);
    } else {
      int64_t x = 0, y = 0;
      if (conv == Conv::kInt) ParsePgInt(a[k], &x), ParsePgInt(b[k], &y);
      else if (conv == Conv::kTimestamp) ParsePgTimestamp(a[k], &x), ParsePgTimestamp(b[k], &y);
      else {
        int32_t dx = 0, dy = 0;
        ParsePgDate(a[k], &dx), ParsePgDate(b[k], &dy);
        x = dx, y = dy;
      }
      c = x < y ? -1 : x > y ? 1 : 0;
    }
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

}  // namespace pgsrc
