// ParseQuery: JSON query text -> Query, type-checked against the schema.
// Every message here is listed in docs/query.md, "Errors".
#include <simdjson.h>

#include <string>

#include "core/text_tokens.h"
#include "query/query_engine.h"
#include "query/query_filter.h"
#include "query/request_json.h"
#include "sluice/json.h"
#include "sluice/schema_diff.h"
#include "sluice/suggest.h"
#include "sluice/timefmt.h"

namespace sluice::host {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr int kMaxFilterDepth = 32;
constexpr const char* kOperators =
    "$eq, $ne, $lt, $lte, $gt, $gte, $in, $contains, $matches_all, $matches_any, $prefix";

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

class Parser {
 public:
  Parser(const TableSchema& t, const QueryLimits& limits, Query* q)
      : schema_(t.schema), limits_(limits), q_(q) {}

  Status Parse(element doc);

 private:
  Status Filter(element e, int depth, FilterNode* out);
  Status FilterKey(std::string_view key, element value, int depth, FilterNode* out);
  Status FieldTests(uint32_t field, element value, FilterNode* out);
  Status Operator(uint32_t field, std::string_view op, element value, FilterNode* out);
  // $matches_all, $matches_any, $prefix: the operand's words.
  Status TextOperator(uint32_t field, std::string_view op, element value, FilterNode* out);
  Status ParseLiteral(uint32_t field, element e, const std::string& where, Literal* out);
  Status OrderBy(element e);
  Status OrderTermFor(std::string_view name, element dir);
  void CompleteOrder();
  Status After(element e);
  // $rank: true orders by relevance (docs/full_text.md, "Relevance").
  Status Rank(element e, bool order_by, bool after);
  Status Select(element e);
  Status Count(element e, const char* key, uint64_t* out);
  Status FieldIndex(std::string_view name, const char* where, uint32_t* out);
  // Counts `n` more terms of the $filter; INVALID_ARGUMENT past the limit.
  Status Terms(size_t n);

  const Schema& schema_;
  const QueryLimits& limits_;
  Query* q_;
  uint64_t terms_ = 0;  // of the $filter so far
};

Status Parser::Terms(size_t n) {
  terms_ += n;
  if (terms_ <= limits_.max_filter_terms) return Status();
  return InvalidArgument("$filter has more than " + std::to_string(limits_.max_filter_terms) +
                         " terms (predicates, $and/$or branches and $in values; "
                         "query.max_filter_terms); split the query or filter on an indexed "
                         "range instead");
}

Status Parser::Parse(element doc) {
  static const char* kKeys[] = {"$filter", "$order_by", "$limit", "$skip",
                                "$after",  "$select",   "$rank"};
  constexpr int kKeyCount = 7;
  element found[kKeyCount];
  bool seen[kKeyCount] = {};
  for (auto [key, value] : AsObject(doc)) {
    int k = 0;
    while (k < kKeyCount && key != kKeys[k]) ++k;
    if (k == kKeyCount)
      return InvalidArgument("unknown query key " + Quote(key) +
                             DidYouMean(key, {kKeys, kKeys + kKeyCount}) +
                             "; valid keys: $filter, $order_by, $limit, $skip, $after, $select, "
                             "$rank");
    if (seen[k]) return InvalidArgument(std::string("query key ") + kKeys[k] + " given twice");
    seen[k] = true, found[k] = value;
  }
  q_->limit = limits_.default_limit;
  q_->scan_budget = limits_.scan_budget;
  q_->filter_budget = limits_.filter_budget;
  if (limits_.timeout_ms > 0) {
    q_->timeout_ms = limits_.timeout_ms;
    q_->deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limits_.timeout_ms);
  }
  q_->filter = FilterNode();
  if (seen[0]) {
    if (!found[0].is_object())
      return InvalidArgument("$filter must be an object, got " + DescribeJson(found[0]));
    SLUICE_RETURN_IF_ERROR(Filter(found[0], 1, &q_->filter));
  }
  if (seen[1]) SLUICE_RETURN_IF_ERROR(OrderBy(found[1]));
  CompleteOrder();
  uint64_t n = 0;
  if (seen[2]) {
    SLUICE_RETURN_IF_ERROR(Count(found[2], "$limit", &n));
    if (n > limits_.max_limit)
      return InvalidArgument("$limit " + std::to_string(n) + " exceeds the maximum " +
                             std::to_string(limits_.max_limit) +
                             "; fetch further pages with $after");
    q_->limit = static_cast<uint32_t>(n);
  }
  if (seen[3]) {
    SLUICE_RETURN_IF_ERROR(Count(found[3], "$skip", &q_->skip));
    if (q_->skip > limits_.max_skip)
      return InvalidArgument("$skip " + std::to_string(q_->skip) + " exceeds the maximum " +
                             std::to_string(limits_.max_skip) +
                             " (query.max_skip); page with $after instead");
  }
  if (seen[4]) SLUICE_RETURN_IF_ERROR(After(found[4]));
  if (seen[5]) SLUICE_RETURN_IF_ERROR(Select(found[5]));
  if (seen[6]) SLUICE_RETURN_IF_ERROR(Rank(found[6], seen[1], seen[4]));
  return Status();
}

Status Parser::Rank(element e, bool order_by, bool after) {
  if (e.type() != element_type::BOOL)
    return InvalidArgument("$rank must be true or false, got " + DescribeJson(e));
  if (!e.get_bool().value_unsafe()) return Status();
  if (order_by)
    return InvalidArgument("$rank orders by relevance: it does not combine with $order_by");
  if (after)
    return InvalidArgument("$rank does not combine with $after: page ranked answers with $skip");
  if (TextScoreTerms(q_->filter) == 0)
    return InvalidArgument(
        "$rank needs a $matches_all, $matches_any or $prefix condition in the $filter to score "
        "records by");
  q_->rank = true;
  return Status();
}

Status Parser::Count(element e, const char* key, uint64_t* out) {
  if (e.type() == element_type::INT64 && e.get_int64().value_unsafe() >= 0) {
    *out = static_cast<uint64_t>(e.get_int64().value_unsafe());
    return Status();
  }
  if (e.type() == element_type::UINT64) {
    *out = e.get_uint64().value_unsafe();
    return Status();
  }
  return InvalidArgument(std::string(key) + " must be a non-negative integer, got " +
                         DescribeJson(e));
}

Status Parser::FieldIndex(std::string_view name, const char* where, uint32_t* out) {
  int i = schema_.FieldIndex(name);
  if (i < 0) {
    std::vector<std::string_view> names;
    for (const Field& f : schema_.fields) names.push_back(f.name);
    return InvalidArgument("unknown field " + Quote(name) + " in " + where +
                           DidYouMean(name, names) + "; fields: " + FieldList(schema_));
  }
  *out = static_cast<uint32_t>(i);
  return Status();
}

// A filter object: every key is ANDed into *out (kind kAnd).
Status Parser::Filter(element e, int depth, FilterNode* out) {
  if (depth > kMaxFilterDepth)
    return InvalidArgument("$filter nests deeper than " + std::to_string(kMaxFilterDepth) +
                           " levels");
  out->kind = FilterNode::kAnd;
  for (auto [key, value] : AsObject(e)) SLUICE_RETURN_IF_ERROR(FilterKey(key, value, depth, out));
  return Status();
}

Status Parser::FilterKey(std::string_view key, element value, int depth, FilterNode* out) {
  if (key == "$and" || key == "$or") {
    if (!value.is_array())
      return InvalidArgument(std::string(key) + " must be an array of filter objects, got " +
                             DescribeJson(value));
    FilterNode group;
    group.kind = key == "$and" ? FilterNode::kAnd : FilterNode::kOr;
    size_t i = 0;
    for (element item : AsArray(value)) {
      if (!item.is_object())
        return InvalidArgument(std::string(key) + "[" + std::to_string(i) +
                               "] must be a filter object, got " + DescribeJson(item));
      SLUICE_RETURN_IF_ERROR(Terms(1));
      group.children.emplace_back();
      SLUICE_RETURN_IF_ERROR(Filter(item, depth + 1, &group.children.back()));
      ++i;
    }
    out->children.push_back(std::move(group));
    return Status();
  }
  if (key == "$not") {
    if (!value.is_object())
      return InvalidArgument("$not must be a filter object, got " + DescribeJson(value));
    FilterNode neg;
    neg.kind = FilterNode::kNot;
    neg.children.emplace_back();
    SLUICE_RETURN_IF_ERROR(Filter(value, depth + 1, &neg.children.back()));
    out->children.push_back(std::move(neg));
    return Status();
  }
  if (!key.empty() && key[0] == '$' && schema_.FieldIndex(key) < 0)
    return InvalidArgument("unknown filter key " + Quote(key) +
                           "; valid: $and, $or, $not or a field name");
  uint32_t field = 0;
  SLUICE_RETURN_IF_ERROR(FieldIndex(key, "$filter", &field));
  return FieldTests(field, value, out);
}

Status Parser::FieldTests(uint32_t field, element value, FilterNode* out) {
  const std::string& name = schema_.fields[field].name;
  if (value.is_array())
    return InvalidArgument("field " + name + ": got array; to match any of several values use {" +
                           Quote(name) + ": {\"$in\": [...]}}");
  if (!value.is_object()) return Operator(field, "$eq", value, out);
  simdjson::dom::object ops = AsObject(value);
  if (ops.size() == 0)
    return InvalidArgument("field " + name + ": empty operator object; use one of " + kOperators);
  for (auto [op, operand] : ops) SLUICE_RETURN_IF_ERROR(Operator(field, op, operand, out));
  return Status();
}

Status Parser::Operator(uint32_t field, std::string_view op, element value, FilterNode* out) {
  static const CompareOp kAll[] = {
      CompareOp::kEq,         CompareOp::kNe,         CompareOp::kLt,    CompareOp::kLte,
      CompareOp::kGt,         CompareOp::kGte,        CompareOp::kIn,    CompareOp::kContains,
      CompareOp::kMatchesAll, CompareOp::kMatchesAny, CompareOp::kPrefix};
  constexpr size_t kCount = sizeof kAll / sizeof kAll[0];
  const Field& f = schema_.fields[field];
  FilterNode node;
  node.kind = FilterNode::kPredicate;
  Predicate& p = node.predicate;
  p.field = field;
  size_t k = 0;
  while (k < kCount && op != CompareOpName(kAll[k])) ++k;
  if (k == kCount)
    return InvalidArgument("unknown operator " + Quote(op) + " for field " + f.name +
                           "; valid: " + kOperators);
  p.op = kAll[k];
  if (p.op == CompareOp::kContains && f.type != Type::kString)
    return InvalidArgument("operator $contains needs a string field; field " + f.name + " is " +
                           TypeName(f.type));
  if (p.op == CompareOp::kMatchesAll || p.op == CompareOp::kMatchesAny ||
      p.op == CompareOp::kPrefix)
    return TextOperator(field, op, value, out);
  if (p.op == CompareOp::kIn) {
    if (!value.is_array())
      return InvalidArgument("operator $in on field " + f.name + " needs an array, got " +
                             DescribeJson(value));
    size_t i = 0;
    for (element item : AsArray(value)) {
      SLUICE_RETURN_IF_ERROR(Terms(1));
      p.values.emplace_back();
      SLUICE_RETURN_IF_ERROR(
          ParseLiteral(field, item, " ($in[" + std::to_string(i++) + "])", &p.values.back()));
    }
  } else {
    SLUICE_RETURN_IF_ERROR(Terms(1));
    p.values.emplace_back();
    SLUICE_RETURN_IF_ERROR(ParseLiteral(field, value, "", &p.values.back()));
    bool needs_value = p.op != CompareOp::kEq && p.op != CompareOp::kNe;
    if (needs_value && p.values[0].null)
      return InvalidArgument("operator " + std::string(op) + " on field " + f.name +
                             " needs a non-null value (null never matches $lt, $lte, $gt, $gte, "
                             "$contains; test nulls with {" +
                             Quote(f.name) + ": null} or {" + Quote(f.name) +
                             ": {\"$ne\": null}})");
  }
  out->children.push_back(std::move(node));
  return Status();
}

Status Parser::TextOperator(uint32_t field, std::string_view op, element value, FilterNode* out) {
  const Field& f = schema_.fields[field];
  if (f.type != Type::kString)
    return InvalidArgument("operator " + std::string(op) + " needs a string field; field " +
                           f.name + " is " + TypeName(f.type));
  if (value.type() != element_type::STRING)
    return InvalidArgument("operator " + std::string(op) + " on field " + f.name +
                           " needs a string of words, got " + DescribeJson(value));
  std::vector<std::string> tokens;
  Tokenize(value.get_string().value_unsafe(), &tokens);
  if (tokens.empty())
    return InvalidArgument("operator " + std::string(op) + " on field " + f.name + ": " +
                           DescribeJson(value) + " has no words (docs/full_text.md, \"Tokens\")");
  FilterNode node;
  node.kind = FilterNode::kPredicate;
  node.predicate.field = field;
  node.predicate.op = static_cast<CompareOp>(0);
  for (CompareOp c : {CompareOp::kMatchesAll, CompareOp::kMatchesAny, CompareOp::kPrefix})
    if (op == CompareOpName(c)) node.predicate.op = c;
  for (std::string& t : tokens) {
    SLUICE_RETURN_IF_ERROR(Terms(1));
    Literal l;
    l.null = false;
    l.s = std::move(t);
    node.predicate.values.push_back(std::move(l));
  }
  out->children.push_back(std::move(node));
  return Status();
}

Status Parser::ParseLiteral(uint32_t field, element e, const std::string& where, Literal* out) {
  const Field& f = schema_.fields[field];
  auto bad = [&](const char* hint) {
    return InvalidArgument("field " + f.name + " is " + TypeName(f.type) + ", got " +
                           DescribeJson(e) + hint + where);
  };
  out->null = e.is_null();
  if (out->null) return Status();
  element_type t = e.type();
  switch (f.type) {
    case Type::kInt64:
      if (t == element_type::INT64) {
        out->i = e.get_int64().value_unsafe();
        return Status();
      }
      if (t == element_type::UINT64) return bad(" (out of int64 range)");
      if (t == element_type::DOUBLE) return bad(" (write integers without a fraction or exponent)");
      return bad("");
    case Type::kFloat64:
      if (t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE) {
        out->f = e.get_double().value_unsafe();
        return Status();
      }
      return bad("");
    case Type::kBool:
      if (t == element_type::BOOL) {
        out->i = e.get_bool().value_unsafe() ? 1 : 0;
        return Status();
      }
      return bad("");
    case Type::kString:
      if (t == element_type::STRING) {
        out->s = std::string(e.get_string().value_unsafe());
        return Status();
      }
      return bad("");
    case Type::kTimestamp:
      if (t == element_type::STRING && ParseTimestamp(e.get_string().value_unsafe(), &out->i))
        return Status();
      return bad(" (expected ISO-8601 like \"2024-01-31T14:28:15Z\")");
    case Type::kDate: {
      int32_t days = 0;
      if (t == element_type::STRING && ParseDate(e.get_string().value_unsafe(), &days)) {
        out->i = days;
        return Status();
      }
      return bad(" (expected \"YYYY-MM-DD\")");
    }
  }
  return bad("");
}

Status Parser::OrderBy(element e) {
  if (e.is_object()) {
    for (auto [name, dir] : AsObject(e)) SLUICE_RETURN_IF_ERROR(OrderTermFor(name, dir));
    return Status();
  }
  if (!e.is_array())
    return InvalidArgument(
        "$order_by must be an object like {\"fare\": \"desc\"} or an array like "
        "[{\"fare\": \"desc\"}], got " +
        DescribeJson(e));
  size_t i = 0;
  for (element item : AsArray(e)) {
    if (!item.is_object() || AsObject(item).size() != 1)
      return InvalidArgument("$order_by[" + std::to_string(i) +
                             "] must be an object with one field, like {\"fare\": \"desc\"}, got " +
                             DescribeJson(item));
    for (auto [name, dir] : AsObject(item)) SLUICE_RETURN_IF_ERROR(OrderTermFor(name, dir));
    ++i;
  }
  return Status();
}

Status Parser::OrderTermFor(std::string_view name, element dir) {
  uint32_t field = 0;
  SLUICE_RETURN_IF_ERROR(FieldIndex(name, "$order_by", &field));
  std::string_view d;
  if (dir.type() == element_type::STRING) d = dir.get_string().value_unsafe();
  if (d != "asc" && d != "desc")
    return InvalidArgument("$order_by field " + std::string(name) +
                           ": direction must be \"asc\" or \"desc\", got " + DescribeJson(dir));
  for (const OrderTerm& t : q_->order)
    if (t.field == field)
      return InvalidArgument("$order_by names field " + std::string(name) + " twice");
  q_->order.push_back({field, d == "desc"});
  return Status();
}

// Drops $order_by terms after the one that completes the primary key (the
// key already makes the order total), then appends the primary-key fields
// not named yet, in the direction of the last $order_by term (so a
// descending order can be read backwards off an index), ascending when
// there is none.
void Parser::CompleteOrder() {
  std::vector<uint32_t> seen;
  for (size_t i = 0; i < q_->order.size() && seen.size() < schema_.primary_key.size(); ++i) {
    for (uint32_t k : schema_.primary_key)
      if (q_->order[i].field == k) seen.push_back(k);
    if (seen.size() == schema_.primary_key.size()) q_->order.resize(i + 1);
  }
  q_->order_by_terms = q_->order.size();
  bool descending = !q_->order.empty() && q_->order.back().descending;
  for (uint32_t k : schema_.primary_key) {
    bool present = false;
    for (const OrderTerm& t : q_->order) present = present || t.field == k;
    if (!present) q_->order.push_back({k, descending});
  }
}

Status Parser::After(element e) {
  if (!e.is_object())
    return InvalidArgument("$after must be an object (the last record of the previous page), got " +
                           DescribeJson(e));
  simdjson::dom::object rec = AsObject(e);
  for (auto [name, value] : rec) {
    uint32_t field = 0;
    SLUICE_RETURN_IF_ERROR(FieldIndex(name, "$after", &field));
  }
  q_->has_after = true;
  q_->after.assign(q_->order.size(), Literal());
  std::string needed;
  for (const OrderTerm& t : q_->order)
    needed += (needed.empty() ? "" : ", ") + schema_.fields[t.field].name;
  for (size_t i = 0; i < q_->order.size(); ++i) {
    const std::string& name = schema_.fields[q_->order[i].field].name;
    element value;
    if (rec.at_key(name).get(value) != simdjson::SUCCESS)
      return InvalidArgument("$after lacks field " + name +
                             "; it needs the $order_by fields and the primary key: " + needed);
    Status s = ParseLiteral(q_->order[i].field, value, "", &q_->after[i]);
    if (!s.ok()) return s.WithContext("$after");
  }
  return Status();
}

// $select: a non-empty array of distinct field names.
Status Parser::Select(element e) {
  if (!e.is_array() || AsArray(e).size() == 0)
    return InvalidArgument(
        "$select must be a non-empty array of field names like [\"trip_id\", \"fare\"], got " +
        DescribeJson(e));
  size_t i = 0;
  for (element item : AsArray(e)) {
    if (item.type() != element_type::STRING)
      return InvalidArgument("$select[" + std::to_string(i) + "] must be a field name, got " +
                             DescribeJson(item));
    uint32_t field = 0;
    SLUICE_RETURN_IF_ERROR(FieldIndex(item.get_string().value_unsafe(), "$select", &field));
    for (uint32_t f : q_->select)
      if (f == field)
        return InvalidArgument("$select names field " + schema_.fields[field].name + " twice");
    q_->select.push_back(field);
    ++i;
  }
  return Status();
}

}  // namespace

Status ParseQuery(std::string_view json, const TableSchema& schema, const QueryLimits& limits,
                  Query* out) {
  *out = Query();
  // One parser per thread: its buffers are reused from query to query. The
  // parsed Query owns copies of everything it keeps.
  thread_local simdjson::dom::parser parser;
  element doc;
  SLUICE_RETURN_IF_ERROR(ParseRequestObject(json, limits, "query", DescribeJson, &parser, &doc));
  return Parser(schema, limits, out).Parse(doc);
}

}  // namespace sluice::host
