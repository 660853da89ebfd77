#include "access/restriction.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "query/query_engine.h"
#include "query/query_filter.h"
#include "sluice/json.h"

namespace sluice::host {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kClaimPrefix = "$claims.";

// The claim `name` of `claims`: a top-level member of that name, else a
// dotted path through objects ("org.id").
bool FindClaim(simdjson::dom::object claims, std::string_view name, element* out) {
  if (claims[name].get(*out) == simdjson::SUCCESS) return true;
  simdjson::dom::object at = claims;
  for (;;) {
    size_t dot = name.find('.');
    if (at[name.substr(0, dot)].get(*out) != simdjson::SUCCESS) return false;
    if (dot == std::string_view::npos) return true;
    name = name.substr(dot + 1);
    if (out->get_object().get(at) != simdjson::SUCCESS) return false;
  }
}

// Writes a $filter as JSON with every string "$claims.NAME" replaced by the
// claim. A string claim compared with a numeric field is written as the
// number it spells (JWT "sub" is always a string; ids are often integers).
class Substituter {
 public:
  Substituter(const Schema& schema, simdjson::dom::object claims, std::string* out)
      : schema_(schema), claims_(claims), out_(out) {}

  // `field`: the field the values at `e` are compared with (nullptr: none).
  Status Write(element e, const Field* field) {
    switch (e.type()) {
      case element_type::OBJECT: {
        *out_ += '{';
        bool first = true;
        simdjson::dom::object obj = e.get_object().value_unsafe();  // named: see query_parse.cc
        for (auto member : obj) {
          if (!first) *out_ += ',';
          first = false;
          AppendJsonString(out_, member.key);
          *out_ += ':';
          int i = schema_.FieldIndex(member.key);
          bool logic = member.key == "$and" || member.key == "$or" || member.key == "$not";
          const Field* f = i >= 0  ? &schema_.fields[static_cast<size_t>(i)]
                           : logic ? nullptr
                                   : field;
          SLUICE_RETURN_IF_ERROR(Write(member.value, f));
        }
        *out_ += '}';
        return Status();
      }
      case element_type::ARRAY: {
        *out_ += '[';
        bool first = true;
        simdjson::dom::array items = e.get_array().value_unsafe();
        for (element x : items) {
          if (!first) *out_ += ',';
          first = false;
          SLUICE_RETURN_IF_ERROR(Write(x, field));
        }
        *out_ += ']';
        return Status();
      }
      case element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        if (s.substr(0, kClaimPrefix.size()) != kClaimPrefix) {
          AppendJsonString(out_, s);
          return Status();
        }
        element claim;
        if (!FindClaim(claims_, s.substr(kClaimPrefix.size()), &claim)) {
          missing = std::string(s.substr(kClaimPrefix.size()));
          return Status(Code::kNotFound, "");
        }
        WriteClaim(claim, field);
        return Status();
      }
      default: *out_ += simdjson::to_string(e); return Status();
    }
  }

  std::string missing;  // the claim that was not there

 private:
  void WriteClaim(element claim, const Field* field) {
    simdjson::dom::array items;
    if (claim.get_array().get(items) == simdjson::SUCCESS) {
      *out_ += '[';
      bool first = true;
      for (element x : items) {
        if (!first) *out_ += ',';
        first = false;
        WriteClaim(x, field);
      }
      *out_ += ']';
      return;
    }
    std::string_view text;
    bool numeric =
        field != nullptr && (field->type == Type::kInt64 || field->type == Type::kFloat64);
    if (numeric && claim.get_string().get(text) == simdjson::SUCCESS && IsNumber(text, *field)) {
      out_->append(text);
      return;
    }
    *out_ += simdjson::to_string(claim);
  }
  static bool IsNumber(std::string_view text, const Field& field) {
    if (text.empty() || text.size() > 40) return false;
    std::string t(text);
    char* end = nullptr;
    errno = 0;
    if (field.type == Type::kInt64) {
      std::strtoll(t.c_str(), &end, 10);
      return errno == 0 && *end == '\0' &&
             (std::isdigit(static_cast<unsigned char>(t[0])) || (t[0] == '-' && t.size() > 1));
    }
    double d = std::strtod(t.c_str(), &end);
    return *end == '\0' && std::isfinite(d) &&
           (std::isdigit(static_cast<unsigned char>(t[0])) || t[0] == '-');
  }

  const Schema& schema_;
  simdjson::dom::object claims_;
  std::string* out_;
};

std::string VisibleList(const Restriction& r, const Schema& schema) {
  std::string out;
  for (size_t i = 0; i < schema.fields.size(); ++i)
    if (!r.masks || r.visible[i]) out += (out.empty() ? "" : ", ") + schema.fields[i].name;
  return out;
}

// The first predicate in `n` on a hidden field, or nullptr.
const Predicate* HiddenPredicate(const FilterNode& n, const std::vector<bool>& visible) {
  if (n.kind == FilterNode::kPredicate) return visible[n.predicate.field] ? nullptr : &n.predicate;
  for (const FilterNode& c : n.children)
    if (const Predicate* p = HiddenPredicate(c, visible)) return p;
  return nullptr;
}

std::vector<bool> VisibleFields(const AccessRuleConfig& rule, const Schema& schema) {
  std::vector<bool> visible(schema.fields.size(), rule.fields.empty());
  for (const std::string& name : rule.fields) {
    int i = schema.FieldIndex(name);
    if (i >= 0) visible[static_cast<size_t>(i)] = true;
  }
  for (uint32_t k : schema.primary_key) visible[k] = true;
  return visible;
}

}  // namespace

Schema VisibleSchema(const AccessRuleConfig& rule, const Schema& schema) {
  Schema out = schema;
  std::vector<bool> visible = VisibleFields(rule, schema);
  for (size_t i = 0; i < out.fields.size(); ++i)
    if (!visible[i]) out.fields[i].nullable = true;
  return out;
}

Status CompileRestriction(const AccessRuleConfig& rule, std::string_view endpoint,
                          const Principal& p, const TableSchema& schema,
                          std::shared_ptr<const Restriction>* out) {
  auto r = std::make_shared<Restriction>();
  if (!rule.fields.empty()) {
    for (const std::string& name : rule.fields)
      if (schema.schema.FieldIndex(name) < 0)
        return Internal(rule.where + ": endpoint " + std::string(endpoint) + " has no field \"" +
                        name + "\" (the access rule's field list)");
    r->masks = true;
    r->visible = VisibleFields(rule, schema.schema);
  }
  r->schema = VisibleSchema(rule, schema.schema);
  r->c_schema = std::make_unique<const SchemaView>(r->schema);
  if (!rule.row_filter_json.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::parser claims_parser;
    element filter;
    simdjson::dom::object claims;
    if (parser.parse(rule.row_filter_json).get(filter) != simdjson::SUCCESS ||
        claims_parser.parse(p.claims_json).get_object().get(claims) != simdjson::SUCCESS)
      return Internal(rule.where + ": the row filter or the principal's claims are not JSON");
    std::string text = "{\"$filter\":";
    Substituter sub(schema.schema, claims, &text);
    Status s = sub.Write(filter, nullptr);
    const std::string& missing = sub.missing;
    if (!s.ok())
      return PermissionDenied("endpoint " + std::string(endpoint) +
                              " admits this caller only with the claim \"" + missing +
                              "\" (its row filter uses $claims." + missing + "), which " +
                              p.Describe() + " does not carry");
    text += '}';
    Query q;
    s = ParseQuery(text, schema, QueryLimits(), &q);
    if (!s.ok())
      return Internal(rule.where + ": the row filter of endpoint " + std::string(endpoint) +
                      " does not apply to this version with the caller's claims: " + s.message());
    r->filters = true;
    r->filter = std::move(q.filter);
  }
  *out = std::move(r);
  return Status();
}

Status Restrict(const Restriction& r, const Schema& schema, Query* q) {
  if (r.masks) {
    auto unknown = [&](uint32_t field, const char* where) {
      return InvalidArgument("unknown field \"" + schema.fields[field].name + "\" in " + where +
                             "; fields: " + VisibleList(r, schema));
    };
    if (const Predicate* p = HiddenPredicate(q->filter, r.visible))
      return unknown(p->field, "$filter");
    for (size_t i = 0; i < q->order_by_terms; ++i)
      if (!r.visible[q->order[i].field]) return unknown(q->order[i].field, "$order_by");
    for (uint32_t f : q->select)
      if (!r.visible[f]) return unknown(f, "$select");
  }
  if (r.filters) {
    FilterNode both;
    both.kind = FilterNode::kAnd;
    both.children.push_back(r.filter);
    both.children.push_back(std::move(q->filter));
    q->filter = std::move(both);
  }
  return Status();
}

bool Admits(const Restriction& r, const std::vector<Value>& row) {
  return !r.filters || MatchesFilter(r.filter, row);
}

bool MaskRow(const Restriction& r, const std::vector<Value>& decoded, std::string* out) {
  if (!r.masks) return false;
  out->clear();
  RowWriter w(out, static_cast<uint32_t>(decoded.size()));
  for (size_t i = 0; i < decoded.size(); ++i) {
    if (r.visible[i]) w.Put(decoded[i]);
    else w.Null();
  }
  return true;
}

}  // namespace sluice::host
