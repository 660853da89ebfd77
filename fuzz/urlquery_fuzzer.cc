// libFuzzer target: the list route's URL grammar (plugins/api-rest/url_query.h,
// docs/query.md "Queries in URLs"). Each input is used twice:
//
// 1. As a URL query string ("a=b&c=d", split on '&' and the first '='),
//    translated by ListQueryJson against a fixed schema. It must either be
//    refused with INVALID_ARGUMENT naming a query parameter, or give JSON
//    that the host's ParseQuery accepts (the URL checks every value's type,
//    so the host may refuse only what the URL cannot check: a $limit or
//    $skip over the maximum, an $after lacking fields, nesting or term
//    bounds).
// 2. As the random source of a filter built here (conditions with awkward
//    values: commas, parentheses, quotes, backslashes, '&', '=', '+', '%',
//    spaces, "null", UTF-8), written as a URL by this file's own encoder
//    following the documented escaping, and as the JSON the documentation
//    says it means. ListQueryJson must give exactly that JSON.
//
// A failed check prints both sides and aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "query/query_engine.h"
#include "sluice/json.h"
#include "url_query.h"

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

sluice::host::TableSchema Table() {
  sluice::host::TableSchema t;
  t.schema.fields = {{"id", sluice::Type::kInt64, false},    {"fare", sluice::Type::kFloat64, true},
                     {"name", sluice::Type::kString, true},  {"paid", sluice::Type::kBool, true},
                     {"at", sluice::Type::kTimestamp, true}, {"day", sluice::Type::kDate, true},
                     {"a b", sluice::Type::kString, true},   {"x.y", sluice::Type::kString, true}};
  t.schema.primary_key = {0};
  return t;
}

[[noreturn]] void Fail(const std::string& what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "urlquery_fuzzer: %s\n  got:  %s\n  want: %s\n", what.c_str(), a.c_str(),
               b.c_str());
  std::abort();
}

bool Contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

void CheckRaw(std::string_view input, const sluice::host::TableSchema& t) {
  Params params;
  while (!input.empty()) {
    size_t amp = input.find('&');
    std::string_view part = input.substr(0, amp);
    size_t eq = part.find('=');
    params.emplace_back(std::string(part.substr(0, eq)),
                        eq == std::string_view::npos ? "" : std::string(part.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    input.remove_prefix(amp + 1);
  }
  std::string json;
  sluice::Status s = sluice::rest::ListQueryJson(params, t.schema, &json);
  if (!s.ok()) {
    if (s.code() != sluice::Code::kInvalidArgument ||
        (s.message().rfind("query parameter '", 0) != 0 &&
         s.message().rfind("unknown query parameter '", 0) != 0))
      Fail("a refusal must be INVALID_ARGUMENT naming the parameter", s.message(), "");
    return;
  }
  sluice::host::Query q;
  sluice::Status p = sluice::host::ParseQuery(json, t, sluice::host::QueryLimits(), &q);
  if (p.ok()) return;
  const std::string& m = p.message();
  if (!Contains(m, "$limit") && !Contains(m, "$skip") && !Contains(m, "$after") &&
      !Contains(m, "max_filter_terms") && !Contains(m, "nests deeper"))
    Fail("the host refused a translated query", m, json);
}

// Bytes of the input as a random source (zeros once used up).
class Bytes {
 public:
  explicit Bytes(std::string_view d) : d_(d) {}
  uint8_t Next() { return pos_ < d_.size() ? static_cast<uint8_t>(d_[pos_++]) : 0; }
  bool More() const { return pos_ < d_.size(); }

 private:
  std::string_view d_;
  size_t pos_ = 0;
};

const char* const kPieces[] = {",", "(",   ")",   "\"",   "\\", " ",    "&",
                               "=", "+",   "%",   "%41",  "a",  "null", "\xc3\xa9",
                               ".", "eq.", "or(", "not.", "#",  "?"};

std::string RandomText(Bytes& b) {
  std::string s;
  int n = b.Next() % 5;
  for (int i = 0; i < n; ++i) s += kPieces[b.Next() % (sizeof kPieces / sizeof *kPieces)];
  return s;
}

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string Pct(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) out.push_back(static_cast<char>(c));
    else out += std::string("%") + hex[c >> 4] + hex[c & 15];
  }
  return out;
}

// A value or name inside parentheses: double-quoted, \" and \\ escaped.
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// One condition: its URL text (unencoded, as `inside` a group or not; the
// field name is separate at the top level) and its JSON.
struct Cond {
  std::string field, url, json;
};

Cond RandomCond(Bytes& b, bool inside) {
  static const char* kFields[] = {"id", "name", "a b", "x.y"};
  static const char* kOps[] = {"eq", "neq", "lt", "lte", "gt", "gte", "in", "is"};
  static const char* kJsonOps[] = {"$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$in", "$eq"};
  Cond c;
  c.field = kFields[b.Next() % 4];
  bool is_int = c.field == "id";
  int op = b.Next() % 8;
  bool negate = b.Next() % 4 == 0;
  std::string value_url, value_json;
  auto one = [&](bool in_list, std::string* url, std::string* json) {
    if (is_int) {
      int64_t v = static_cast<int64_t>(b.Next()) - 100;
      *url = std::to_string(v);
      *json = std::to_string(v);
      return;
    }
    std::string text = RandomText(b);
    *json = "";
    sluice::AppendJsonString(json, text);
    *url = inside || in_list ? Quoted(text) : text;
  };
  if (op == 6) {  // in
    int n = b.Next() % 4;
    value_url = "(";
    value_json = "[";
    for (int i = 0; i < n; ++i) {
      std::string u, j;
      if (b.Next() % 5 == 0) u = "null", j = "null";
      else one(true, &u, &j);
      value_url += (i ? "," : "") + u;
      value_json += (i ? "," : "") + j;
    }
    value_url += ")";
    value_json += "]";
  } else if (op == 7) {
    value_url = "null";
    value_json = "null";
  } else {
    one(false, &value_url, &value_json);
  }
  std::string cond = std::string(negate ? "not." : "") + kOps[op] + "." + value_url;
  std::string field_json;
  sluice::AppendJsonString(&field_json, c.field);
  std::string body = "{" + field_json + ":{\"" + kJsonOps[op] + "\":" + value_json + "}}";
  c.json = negate ? "{\"$not\":" + body + "}" : body;
  c.url = inside ? Quoted(c.field) + "." + cond : cond;
  return c;
}

// A group's text "(c1,or(c2,c3))" and its JSON members.
void RandomGroup(Bytes& b, int depth, std::string* url, std::string* json) {
  int n = b.Next() % 4;
  *url += "(";
  for (int i = 0; i < n; ++i) {
    if (i) *url += ",", *json += ",";
    if (depth < 3 && b.Next() % 4 == 0) {
      bool is_or = b.Next() % 2, negate = b.Next() % 3 == 0;
      *url += std::string(negate ? "not." : "") + (is_or ? "or" : "and");
      std::string inner;
      RandomGroup(b, depth + 1, url, &inner);
      std::string j = std::string("{\"") + (is_or ? "$or" : "$and") + "\":[" + inner + "]}";
      *json += negate ? "{\"$not\":" + j + "}" : j;
    } else {
      Cond c = RandomCond(b, true);
      *url += c.url;
      *json += c.json;
    }
  }
  *url += ")";
}

void CheckGenerated(std::string_view input, const sluice::host::TableSchema& t) {
  Bytes b(input);
  Params params;
  std::vector<std::string> members;
  int n = 1 + b.Next() % 4;
  for (int i = 0; i < n && b.More(); ++i) {
    if (b.Next() % 3 == 0) {
      bool is_or = b.Next() % 2;
      std::string url, json;
      RandomGroup(b, 0, &url, &json);
      params.emplace_back(is_or ? "or" : "and", Pct(url));
      members.push_back(std::string("{\"") + (is_or ? "$or" : "$and") + "\":[" + json + "]}");
    } else {
      Cond c = RandomCond(b, false);
      params.emplace_back(Pct(c.field), Pct(c.url));
      members.push_back(c.json);
    }
  }
  std::string want = "{}";
  if (!members.empty()) {
    want = "{\"$filter\":{\"$and\":[";
    for (size_t i = 0; i < members.size(); ++i) want += (i ? "," : "") + members[i];
    want += "]}}";
  }
  std::string got;
  sluice::Status s = sluice::rest::ListQueryJson(params, t.schema, &got);
  if (!s.ok()) Fail("a well-formed URL was refused", s.message(), want);
  if (got != want) Fail("the URL does not mean what the documentation says", got, want);
  sluice::host::Query q;
  sluice::Status p = sluice::host::ParseQuery(got, t, sluice::host::QueryLimits(), &q);
  if (!p.ok() && !Contains(p.message(), "nests deeper")) Fail("the host refused", p.message(), got);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sluice::host::TableSchema table = Table();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckRaw(input, table);
  CheckGenerated(input, table);
  return 0;
}
