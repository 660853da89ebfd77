// How two schemas differ, in the words `sluice migrate --dry-run` uses,
// a one-line summary of a schema and the field lists messages name. Header-only; the host's
// migration plan and the REST plugin's schema diff route both use it.
//
//   std::vector<std::string> d = sluice::DiffSchemas(v1.schema, v2.schema);
//   // {"type changed: fare int64 -> float64", "column added: tip (float64, nullable)"}
//   sluice::SummarizeSchema(v2.schema);   // "*trip_id int64!, fare float64, tip float64"
#ifndef SLUICE_SCHEMA_DIFF_H_
#define SLUICE_SCHEMA_DIFF_H_

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "sluice/schema.h"

namespace sluice {

// "a, b": the names of all of s's fields, in order (for messages listing
// the fields that exist).
inline std::string FieldList(const Schema& s) {
  std::string out;
  for (const Field& f : s.fields) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

// "[a, b]": the names of the fields at `idx` ("?" for an index out of range).
inline std::string FieldNames(const Schema& s, const std::vector<uint32_t>& idx) {
  std::string out = "[";
  for (size_t i = 0; i < idx.size(); ++i)
    out += (i ? ", " : "") + (idx[i] < s.fields.size() ? s.fields[idx[i]].name : "?");
  return out + "]";
}

// "tip (float64, nullable)".
inline std::string DescribeField(const Field& f) {
  return f.name + " (" + TypeName(f.type) + (f.nullable ? ", nullable)" : ", not null)");
}

// Human-readable differences of the fields and primary key from `before`
// to `after`, one line each, in this order: type and nullability changes,
// renames (a removed and an added field of the same type at the same
// position), removed fields, added fields, "columns reordered" (when
// nothing else changed), primary key changes. Empty when the fields and
// key are equal. Indexes are not part of a Schema: the host adds their
// lines (core/table_schema.h, DiffTableSchemas).
inline std::vector<std::string> DiffSchemas(const Schema& a, const Schema& b) {
  std::vector<std::string> out;
  std::set<std::string> removed, added;
  for (const Field& f : a.fields)
    if (b.FieldIndex(f.name) < 0) removed.insert(f.name);
  for (const Field& f : b.fields)
    if (a.FieldIndex(f.name) < 0) added.insert(f.name);
  for (const Field& f : a.fields) {
    int j = b.FieldIndex(f.name);
    if (j < 0) continue;
    const Field& g = b.fields[static_cast<size_t>(j)];
    if (f.type != g.type)
      out.push_back("type changed: " + f.name + " " + TypeName(f.type) + " -> " + TypeName(g.type));
    if (f.nullable != g.nullable)
      out.push_back("nullability changed: " + f.name +
                    (g.nullable ? " now nullable" : " now not null"));
  }
  for (size_t i = 0; i < a.fields.size() && i < b.fields.size(); ++i) {
    const Field &f = a.fields[i], &g = b.fields[i];
    if (removed.count(f.name) && added.count(g.name) && f.type == g.type) {
      out.push_back("column renamed (looks like): " + f.name + " -> " + g.name);
      removed.erase(f.name);
      added.erase(g.name);
    }
  }
  for (const Field& f : a.fields)
    if (removed.count(f.name)) out.push_back("column removed: " + DescribeField(f));
  for (const Field& f : b.fields)
    if (added.count(f.name)) out.push_back("column added: " + DescribeField(f));
  if (removed.empty() && added.empty() && out.empty()) {
    std::vector<std::string> na, nb;
    for (const Field& f : a.fields) na.push_back(f.name);
    for (const Field& f : b.fields) nb.push_back(f.name);
    if (na != nb) out.push_back("columns reordered");
  }
  if (FieldNames(a, a.primary_key) != FieldNames(b, b.primary_key))
    out.push_back("primary key changed: " + FieldNames(a, a.primary_key) + " -> " +
                  FieldNames(b, b.primary_key));
  return out;
}

// "*trip_id int64!, fare float64": every field with its type, '!' = not
// nullable, '*' = a primary key field.
inline std::string SummarizeSchema(const Schema& s) {
  std::string out;
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const Field& f = s.fields[i];
    bool key = std::find(s.primary_key.begin(), s.primary_key.end(), i) != s.primary_key.end();
    out += (i ? ", " : "") + std::string(key ? "*" : "") + f.name + " " + TypeName(f.type) +
           (f.nullable ? "" : "!");
  }
  return out;
}

}  // namespace sluice

#endif  // SLUICE_SCHEMA_DIFF_H_
