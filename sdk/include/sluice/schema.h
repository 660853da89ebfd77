// Table schema as plugins and the host see it: ordered fields with a type
// and nullability, and the primary key.
//
//   sluice::Schema s;
//   s.fields.push_back({"trip_id", sluice::Type::kInt64, false});
//   s.primary_key = {0};
//   sluice::SchemaView c(s);   // c.get() is the sluice_schema for C calls
#ifndef SLUICE_SCHEMA_H_
#define SLUICE_SCHEMA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/abi.h"

namespace sluice {

enum class Type : uint32_t {
  kInt64 = SLUICE_TYPE_INT64,
  kFloat64 = SLUICE_TYPE_FLOAT64,
  kBool = SLUICE_TYPE_BOOL,
  kString = SLUICE_TYPE_STRING,
  kTimestamp = SLUICE_TYPE_TIMESTAMP,
  kDate = SLUICE_TYPE_DATE,
};

// "int64", "float64", "bool", "string", "timestamp", "date".
inline const char* TypeName(Type t) {
  switch (t) {
    case Type::kInt64: return "int64";
    case Type::kFloat64: return "float64";
    case Type::kBool: return "bool";
    case Type::kString: return "string";
    case Type::kTimestamp: return "timestamp";
    case Type::kDate: return "date";
  }
  return "invalid";
}

// Inverse of TypeName. Returns false for an unknown name.
inline bool ParseTypeName(std::string_view name, Type* out) {
  for (Type t :
       {Type::kInt64, Type::kFloat64, Type::kBool, Type::kString, Type::kTimestamp, Type::kDate}) {
    if (name == TypeName(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

inline bool IsValidType(uint32_t t) { return t >= SLUICE_TYPE_INT64 && t <= SLUICE_TYPE_DATE; }

struct Field {
  std::string name;
  Type type = Type::kString;
  bool nullable = true;

  bool operator==(const Field& o) const {
    return name == o.name && type == o.type && nullable == o.nullable;
  }
  bool operator!=(const Field& o) const { return !(*this == o); }
};

struct Schema {
  std::vector<Field> fields;
  std::vector<uint32_t> primary_key;  // field indexes, in key order

  // Index of the field called `name`, or -1.
  int FieldIndex(std::string_view name) const {
    for (size_t i = 0; i < fields.size(); ++i)
      if (fields[i].name == name) return static_cast<int>(i);
    return -1;
  }
  bool operator==(const Schema& o) const {
    return fields == o.fields && primary_key == o.primary_key;
  }
  bool operator!=(const Schema& o) const { return !(*this == o); }

  // Copies a C schema into *out, reusing its storage (copying the schema
  // *out already holds allocates nothing). Returns false (leaving *out
  // unspecified) when a type is unknown or a key index is out of range.
  static bool FromC(const sluice_schema& c, Schema* out) {
    out->fields.resize(c.field_count);
    for (uint32_t i = 0; i < c.field_count; ++i) {
      const sluice_field& f = c.fields[i];
      if (!IsValidType(f.type) || f.name == nullptr) return false;
      Field& to = out->fields[i];
      to.name.assign(f.name);
      to.type = static_cast<Type>(f.type);
      to.nullable = f.nullable != 0;
    }
    out->primary_key.resize(c.primary_key_count);
    for (uint32_t i = 0; i < c.primary_key_count; ++i) {
      if (c.primary_key[i] >= c.field_count) return false;
      out->primary_key[i] = c.primary_key[i];
    }
    return true;
  }
};

// A sluice_schema that points into a Schema. The Schema must outlive it and
// stay unchanged. Not copyable (it points into itself).
class SchemaView {
 public:
  explicit SchemaView(const Schema& s) {
    fields_.reserve(s.fields.size());
    for (const Field& f : s.fields) {
      fields_.push_back(sluice_field{sizeof(sluice_field), f.name.c_str(),
                                     static_cast<uint32_t>(f.type), f.nullable ? 1u : 0u});
    }
    c_.struct_size = sizeof(sluice_schema);
    c_.field_count = static_cast<uint32_t>(fields_.size());
    c_.fields = fields_.data();
    c_.primary_key_count = static_cast<uint32_t>(s.primary_key.size());
    c_.primary_key = s.primary_key.data();
  }
  SchemaView(const SchemaView&) = delete;
  SchemaView& operator=(const SchemaView&) = delete;
  const sluice_schema* get() const { return &c_; }

 private:
  std::vector<sluice_field> fields_;
  sluice_schema c_{};
};

}  // namespace sluice

#endif  // SLUICE_SCHEMA_H_
