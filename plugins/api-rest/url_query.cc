// ListQueryJson: the URL grammar of docs/query.md ("Queries in URLs").
// Every message names the parameter it is about.
#include "url_query.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "route.h"
#include "sluice/field_lookup.h"
#include "sluice/json.h"
#include "sluice/suggest.h"
#include "sluice/timefmt.h"
#include "sluice/utf8.h"

namespace sluice::rest {
namespace {

constexpr int kMaxDepth = 32;  // nesting of and(...)/or(...), as the query's $filter
constexpr const char* kParams = "select, order, order_by, limit, skip, after, or, and";
constexpr const char* kOps = "eq, neq, lt, lte, gt, gte, in, is";

bool Reserved(std::string_view name) {
  for (std::string_view p :
       {"select", "order", "order_by", "limit", "skip", "after", "or", "and", "not.or", "not.and"})
    if (name == p) return true;
  return false;
}

std::string Shown(std::string_view s) {
  std::string cut(s.substr(0, 64));
  if (s.size() > 64) cut += "...";
  return "'" + ValidUtf8(cut) + "'";
}

// Reads one parameter's decoded text: names, values, lists and groups.
class Reader {
 public:
  Reader(std::string_view param, std::string_view text, const Schema& schema)
      : param_(param), text_(text), schema_(schema) {}

  Status Error(const std::string& what) const {
    return InvalidArgument("query parameter '" + ValidUtf8(param_) + "': " + what);
  }
  Status ErrorAt(const std::string& what) const {
    return Error(what + " at offset " + std::to_string(pos_) + " of " + Shown(text_));
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Take(std::string_view s) {
    if (text_.substr(pos_, s.size()) != s) return false;
    pos_ += s.size();
    return true;
  }
  std::string_view Rest() {
    std::string_view r = text_.substr(pos_);
    pos_ = text_.size();
    return r;
  }

  // A token: "quoted" (\" and \\ escape; *quoted set) or the bytes up to
  // one of `stops` (or the end).
  Status Token(std::string_view stops, std::string* out, bool* quoted) {
    out->clear();
    *quoted = Peek() == '"';
    if (!*quoted) {
      while (!AtEnd() && stops.find(Peek()) == std::string_view::npos)
        out->push_back(text_[pos_++]);
      return Status();
    }
    ++pos_;
    while (!AtEnd() && Peek() != '"') {
      if (Peek() == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out->push_back(text_[pos_++]);
    }
    if (!Take("\"")) return ErrorAt("unterminated quoted value");
    return Status();
  }

  // A field name that must exist (did-you-mean otherwise).
  Status FieldName(std::string_view name, uint32_t* field) const {
    Status s = FindField(schema_, name, field);
    return s.ok() ? s : Error(s.message());
  }

  // `text` as a value of `f`, written to w (typed JSON).
  Status Value(const Field& f, std::string_view text, JsonWriter& w) const {
    auto bad = [&](const char* expected) {
      return Error("field " + f.name + " is " + TypeName(f.type) + ": expected " + expected +
                   ", found " + Shown(text));
    };
    switch (f.type) {
      case Type::kInt64: {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc() || p != text.data() + text.size())
          return bad("an integer");
        w.Int(v);
        return Status();
      }
      case Type::kFloat64: {
        double v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc() || p != text.data() + text.size() ||
            !std::isfinite(v))
          return bad("a number");
        w.Double(v);
        return Status();
      }
      case Type::kBool:
        if (text != "true" && text != "false") return bad("true or false");
        w.Bool(text == "true");
        return Status();
      case Type::kString:
        if (FindInvalidUtf8(text) != std::string_view::npos) return bad("UTF-8 text");
        w.String(text);
        return Status();
      case Type::kTimestamp: {
        int64_t us = 0;
        if (!ParseTimestamp(text, &us))
          return bad("an ISO-8601 timestamp like 2024-01-31T14:28:15Z");
        w.String(text);
        return Status();
      }
      case Type::kDate: {
        int32_t days = 0;
        if (!ParseDate(text, &days)) return bad("a date YYYY-MM-DD");
        w.String(text);
        return Status();
      }
    }
    return bad("a value");
  }

  // `op.value` (after the field), `in_group`: the value ends at ',' or ')'.
  Status Condition(uint32_t field, bool in_group, JsonWriter& w) {
    const Field& f = schema_.fields[field];
    bool negated = Take("not.");
    std::string op;
    bool quoted = false;
    SLUICE_RETURN_IF_ERROR(Token(".,)", &op, &quoted));
    if (quoted || !Take("."))
      return ErrorAt("expected an operator and a value like eq.5 (operators: " + std::string(kOps) +
                     ", each may follow not.)");
    static const std::pair<const char*, const char*> kMap[] = {
        {"eq", "$eq"}, {"neq", "$ne"},  {"lt", "$lt"}, {"lte", "$lte"},
        {"gt", "$gt"}, {"gte", "$gte"}, {"in", "$in"}, {"is", "$eq"}};
    const char* json_op = nullptr;
    for (const auto& [name, j] : kMap) json_op = op == name ? j : json_op;
    if (json_op == nullptr) {
      std::vector<std::string_view> ops = {"eq", "neq", "lt", "lte", "gt", "gte", "in", "is"};
      return Error("unknown operator '" + ValidUtf8(op) + "'" + DidYouMean(op, ops) +
                   "; operators: " + kOps + ", each may follow not.");
    }
    if (negated) {
      w.BeginObject();
      w.Key("$not");
    }
    w.BeginObject();
    w.Key(f.name);
    w.BeginObject();
    w.Key(json_op);
    std::string value;
    if (op == "in") {
      SLUICE_RETURN_IF_ERROR(List(f, w));
    } else if (op == "is") {
      SLUICE_RETURN_IF_ERROR(Token(in_group ? ",)" : "", &value, &quoted));
      if (value == "null" && !quoted) w.Null();
      else if ((value == "true" || value == "false") && !quoted && f.type == Type::kBool)
        w.Bool(value == "true");
      else
        return Error("is." + ValidUtf8(value) + ": expected is.null" +
                     (f.type == Type::kBool ? ", is.true or is.false" : ""));
    } else if (in_group) {
      SLUICE_RETURN_IF_ERROR(Token(",)", &value, &quoted));
      SLUICE_RETURN_IF_ERROR(Value(f, value, w));
    } else {
      SLUICE_RETURN_IF_ERROR(Value(f, Rest(), w));
    }
    w.EndObject();
    w.EndObject();
    if (negated) w.EndObject();
    return Status();
  }

  // "(v1,v2,...)": unquoted `null` is null.
  Status List(const Field& f, JsonWriter& w) {
    if (!Take("(")) return ErrorAt("in. needs a list like in.(1,2,3)");
    w.BeginArray();
    if (!Take(")")) {
      do {
        std::string value;
        bool quoted = false;
        SLUICE_RETURN_IF_ERROR(Token(",)", &value, &quoted));
        if (value == "null" && !quoted) w.Null();
        else SLUICE_RETURN_IF_ERROR(Value(f, value, w));
      } while (Take(","));
      if (!Take(")")) return ErrorAt("expected ',' or ')' in the in. list");
    }
    w.EndArray();
    return Status();
  }

  // "(item,item,...)" of and=/or=, as {"$and"|"$or": [...]}, maybe negated.
  Status Group(bool is_or, bool negated, int depth, JsonWriter& w) {
    if (depth > kMaxDepth) return Error("and/or groups nest deeper than 32 levels");
    if (!Take("(")) return ErrorAt(std::string("expected '(' after ") + (is_or ? "or" : "and"));
    if (negated) {
      w.BeginObject();
      w.Key("$not");
    }
    w.BeginObject();
    w.Key(is_or ? "$or" : "$and");
    w.BeginArray();
    if (!Take(")")) {
      do { SLUICE_RETURN_IF_ERROR(Item(depth, w)); } while (Take(","));
      if (!Take(")")) return ErrorAt("expected ',' or ')'");
    }
    w.EndArray();
    w.EndObject();
    if (negated) w.EndObject();
    return Status();
  }

  // One member of a group: field.op.value, or [not.]and(...) / [not.]or(...).
  Status Item(int depth, JsonWriter& w) {
    size_t start = pos_;
    bool negated = Take("not.");
    if (Take("and(") || Take("or(")) {
      bool is_or = text_[pos_ - 2] == 'r';
      --pos_;  // back to '('
      return Group(is_or, negated, depth + 1, w);
    }
    pos_ = start;
    std::string name;
    bool quoted = false;
    SLUICE_RETURN_IF_ERROR(Token(".,)", &name, &quoted));
    if (!Take(".")) return ErrorAt("expected field.operator.value");
    uint32_t field = 0;
    SLUICE_RETURN_IF_ERROR(FieldName(name, &field));
    return Condition(field, /*in_group=*/true, w);
  }

  // Names separated by ',' (select) and, with `directions`, each followed
  // by an optional .asc or .desc (order).
  Status Names(bool directions, std::vector<std::pair<uint32_t, bool>>* out) {
    std::vector<uint32_t> named;
    for (const auto& [f, unused] : *out) named.push_back(f);
    do {
      std::string name;
      bool quoted = false;
      SLUICE_RETURN_IF_ERROR(Token(directions ? ".," : ",", &name, &quoted));
      if (name.empty() && !quoted) return ErrorAt("empty field name");
      Status s = AddSelectedField(schema_, name, &named);
      if (!s.ok()) return Error(s.message());
      uint32_t field = named.back();
      bool desc = false;
      if (directions && Take(".")) {
        std::string dir;
        SLUICE_RETURN_IF_ERROR(Token(".,", &dir, &quoted));
        if (dir != "asc" && dir != "desc")
          return Error("field " + name + ": direction must be asc or desc, found " + Shown(dir) +
                       " (nulls always sort first ascending, last descending)");
        desc = dir == "desc";
      }
      out->push_back({field, desc});
    } while (Take(","));
    if (!AtEnd()) return ErrorAt("expected ','");
    return Status();
  }

 private:
  std::string_view param_;
  std::string_view text_;
  const Schema& schema_;
  size_t pos_ = 0;
};

bool ParseCount(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// order_by=a,-b (the older form of order=).
Status OrderByLegacy(std::string_view value, const Schema& schema,
                     std::vector<std::pair<uint32_t, bool>>* out) {
  Reader r("order_by", value, schema);
  std::string_view rest = value;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view term = rest.substr(0, comma);
    bool desc = !term.empty() && term[0] == '-';
    std::string_view name = desc ? term.substr(1) : term;
    if (name.empty())
      return r.Error("empty field name in " + Shown(value) +
                     "; expected comma-separated fields, '-field' for descending");
    uint32_t field = 0;
    SLUICE_RETURN_IF_ERROR(r.FieldName(name, &field));
    for (const auto& [f, d] : *out)
      if (f == field) return r.Error("field '" + std::string(name) + "' appears twice");
    out->push_back({field, desc});
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return Status();
}

struct Parsed {
  std::string filters;  // the members of "$and", comma-separated JSON
  std::vector<std::pair<uint32_t, bool>> select, order;
  bool has_order = false, has_limit = false, has_skip = false;
  uint64_t limit = 0, skip = 0;
  std::string after;  // raw JSON object
};

Status OneParam(const std::string& name, const std::string& value, const Schema& schema,
                Parsed* p) {
  Reader r(name, value, schema);
  std::string& f = p->filters;
  if (name == "limit" || name == "skip") {
    uint64_t n = 0;
    if (!ParseCount(value, &n))
      return r.Error("expected a non-negative integer, found " + Shown(value));
    (name == "limit" ? p->limit : p->skip) = n;
    (name == "limit" ? p->has_limit : p->has_skip) = true;
    return Status();
  }
  if (name == "select") return r.Names(false, &p->select);
  if (name == "order" || name == "order_by") {
    if (p->has_order) return r.Error("the order is given twice (order and order_by)");
    p->has_order = true;
    if (name == "order_by") return OrderByLegacy(value, schema, &p->order);
    return r.Names(true, &p->order);
  }
  if (name == "after") {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(value.data(), value.size()).get(doc) != simdjson::SUCCESS || !doc.is_object())
      return r.Error("expected a JSON object (the last record of the previous page), found " +
                     Shown(value));
    p->after = value;
    return Status();
  }
  JsonWriter w(&f);
  if (!f.empty()) f.push_back(',');
  if (name == "or" || name == "and" || name == "not.or" || name == "not.and") {
    bool negated = name[0] == 'n';
    SLUICE_RETURN_IF_ERROR(r.Group(name.back() == 'r', negated, 1, w));
    if (!r.AtEnd()) return r.ErrorAt("unexpected text after the group's ')'");
    return Status();
  }
  uint32_t field = 0;
  Status known = r.FieldName(name, &field);
  if (!known.ok()) {
    std::vector<std::string_view> names = {"select", "order", "order_by", "limit",
                                           "skip",   "after", "or",       "and"};
    for (const Field& x : schema.fields) names.push_back(x.name);
    return InvalidArgument("unknown query parameter '" + ValidUtf8(name) + "'" +
                           DidYouMean(name, names) + "; accepted: " + kParams +
                           ", or a field name with a filter like field=eq.5; fields: " +
                           JoinNames({names.begin() + 8, names.end()}));
  }
  SLUICE_RETURN_IF_ERROR(r.Condition(field, /*in_group=*/false, w));
  if (!r.AtEnd()) return r.ErrorAt("unexpected text after the in. list");
  return Status();
}

}  // namespace

Status ListQueryJson(const std::vector<std::pair<std::string, std::string>>& params,
                     const Schema& schema, std::string* json) {
  Parsed p;
  for (const auto& [raw_name, raw_value] : params) {
    std::string name, value;
    if (!PercentDecode(raw_name, /*plus_is_space=*/true, &name))
      return InvalidArgument("query parameter '" + ValidUtf8(raw_name) +
                             "': malformed percent-encoding in its name");
    if (!PercentDecode(raw_value, /*plus_is_space=*/true, &value))
      return InvalidArgument("query parameter '" + ValidUtf8(name) +
                             "': malformed percent-encoding in " + Shown(raw_value));
    if (Reserved(name) && name != "or" && name != "and" && name != "not.or" && name != "not.and") {
      bool twice = false;
      for (const auto& [other, v] : params)
        twice = twice || (&other != &raw_name && other == raw_name);
      if (twice) return InvalidArgument("query parameter '" + name + "' given twice");
    }
    SLUICE_RETURN_IF_ERROR(OneParam(name, value, schema, &p));
  }
  json->clear();
  JsonWriter w(json);
  w.BeginObject();
  if (!p.filters.empty()) {
    w.Key("$filter");
    w.BeginObject();
    w.Key("$and");
    w.Raw("[" + p.filters + "]");
    w.EndObject();
  }
  if (p.has_order) {
    w.Key("$order_by");
    w.BeginArray();
    for (const auto& [field, desc] : p.order) {
      w.BeginObject();
      w.Key(schema.fields[field].name);
      w.String(desc ? "desc" : "asc");
      w.EndObject();
    }
    w.EndArray();
  }
  if (!p.select.empty()) {
    w.Key("$select");
    w.BeginArray();
    for (const auto& [field, unused] : p.select) w.String(schema.fields[field].name);
    w.EndArray();
  }
  if (p.has_limit) {
    w.Key("$limit");
    w.Uint(p.limit);
  }
  if (p.has_skip) {
    w.Key("$skip");
    w.Uint(p.skip);
  }
  if (!p.after.empty()) {
    w.Key("$after");
    w.Raw(p.after);
  }
  w.EndObject();
  return Status();
}

Status SelectParam(const std::string& raw, const Schema& schema, std::vector<uint32_t>* fields) {
  std::string value;
  if (!PercentDecode(raw, /*plus_is_space=*/true, &value))
    return InvalidArgument("query parameter 'select': malformed percent-encoding in " + Shown(raw));
  Reader r("select", value, schema);
  std::vector<std::pair<uint32_t, bool>> names;
  SLUICE_RETURN_IF_ERROR(r.Names(false, &names));
  fields->clear();
  for (const auto& [f, unused] : names) fields->push_back(f);
  return Status();
}

}  // namespace sluice::rest
