// The `auth:` section, endpoint `access:` rules, and the api_keys /
// admin_keys options of API instances, which are credentials of the host's
// access model (docs/security.md) and so apply to every API.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "config/config_parser.h"

namespace sluice::host::config_internal {
namespace {

const std::vector<std::string_view> kAuthKeys = {"keys", "jwt", "anonymous_roles",
                                                 "anonymous_admin", "rate_limits"};
const std::vector<std::string_view> kKeyKeys = {"name", "key", "key_file", "roles", "claims"};
const std::vector<std::string_view> kJwtKeys = {"keys",         "issuer",      "audience",
                                                "clock_skew_s", "roles_claim", "require_exp"};
const std::vector<std::string_view> kJwtKeyKeys = {"file", "alg", "kid", "jwks_file"};
const std::vector<std::string_view> kRateKeys = {"by", "per_second", "burst", "endpoint"};
const std::vector<std::string_view> kRuleKeys = {"roles", "row_filter", "fields"};
const std::vector<std::string_view> kAlgs = {"HS256", "RS256", "ES256"};

// Role names: letters, digits and _ . : / - (namespaced roles like "sluice:admin").
bool IsRoleName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == ':' || c == '/' || c == '-'))
      return false;
  return true;
}

bool IsPrintableToken(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s)
    if (c <= ' ' || c >= 127) return false;
  return true;
}

}  // namespace

void ConfigParser::ParseAuth(const Entry& e) {
  std::vector<Entry> entries;
  if (e.value.IsNull() ||
      !ReadMap(e.value, e.mark, "auth", "a map like { keys: [...], jwt: {...} }", kAuthKeys,
               &problems_, &entries))
    return;
  AuthConfig& a = cfg_->auth;
  for (const Entry& x : entries) {
    std::string p = JoinPath("auth", x.key);
    if (x.key == "keys") ParseAuthKeys(x);
    if (x.key == "jwt") ParseJwt(x);
    if (x.key == "anonymous_roles" && ReadRoles(x, p, &a.anonymous_roles) &&
        !a.anonymous_roles.empty())
      rules_given_.emplace_back(x.mark, p);
    if (x.key == "anonymous_admin") ReadBool(x, p, &problems_, &a.anonymous_admin);
    if (x.key == "rate_limits") ParseRateLimits(x);
  }
}

void ConfigParser::ParseAuthKeys(const Entry& e) {
  ForEachItem(e.value, e.mark, "auth.keys",
              "a list of keys (- { name: ..., key_file: ..., roles: [...] })", &problems_,
              [&](const YAML::Node& item, const std::string& path) {
                ApiKeyConfig k;
                if (!ParseAuthKey(item, path, &k)) return;
                k.where = problems_.Where(item.Mark(), path);
                cfg_->auth.keys.push_back(std::move(k));
                key_marks_.push_back(item.Mark());
              });
}

bool ConfigParser::ParseAuthKey(const YAML::Node& node, const std::string& path,
                                ApiKeyConfig* out) {
  size_t before = problems_.count();
  std::vector<Entry> entries;
  if (!ReadMap(node, node.Mark(), path, "a map with name, key or key_file, and roles", kKeyKeys,
               &problems_, &entries))
    return false;
  RequireKeys(entries, node, path, {"name"});
  const Entry* key = FindEntry(entries, "key");
  const Entry* file = FindEntry(entries, "key_file");
  if ((key == nullptr) == (file == nullptr))
    problems_.Add(node.Mark(), path,
                  key ? "give either key or key_file, not both"
                      : "missing the key: add key_file: <file holding it> (or key: <the key>)");
  for (const Entry& x : entries) {
    std::string p = JoinPath(path, x.key);
    std::string text;
    if (x.key == "name" && ReadScalar(x, p, "a name for logs", &problems_, &text)) {
      if (IsPrintableToken(text) && text.size() <= 64) out->name = text;
      else problems_.Add(x.mark, p, "expected 1 to 64 printable characters without spaces");
    }
    if (x.key == "key" && ReadScalar(x, p, "the key", &problems_, &text) &&
        CheckKeyText(x, p, text))
      out->key = text;
    if (x.key == "key_file" && ReadScalar(x, p, "a file holding the key", &problems_, &text))
      out->key_file = Resolve(text);
    if (x.key == "roles") ReadRoles(x, p, &out->roles);
    if (x.key == "claims") {
      std::string json;
      if (!x.value.IsMap() || !YamlToJson(x.value, &json))
        problems_.Add(x.mark, p,
                      "expected a map of claims like { sub: \"42\", tenant: acme }, found " +
                          Describe(x.value));
      else out->claims_json = json;
    }
  }
  return problems_.count() == before;
}

bool ConfigParser::CheckKeyText(const Entry& e, const std::string& path, const std::string& key) {
  if (IsPrintableToken(key)) return true;
  problems_.Add(e.mark, path,
                "expected a key of 1 to 256 printable ASCII characters without spaces, found " +
                    std::to_string(key.size()) + " characters that do not qualify; generate one " +
                    "with e.g. `openssl rand -hex 32`");
  return false;
}

void ConfigParser::ParseLegacyKeys(const Entry& e, const std::string& path, bool admin) {
  std::vector<std::pair<YAML::Node, YAML::Mark>> items;
  if (e.value.IsSequence()) {
    for (auto it = e.value.begin(); it != e.value.end(); ++it) items.emplace_back(*it, it->Mark());
  } else if (e.value.IsScalar()) {
    items.emplace_back(e.value, e.mark);
  } else if (!e.value.IsNull()) {
    problems_.Add(e.mark, path, "expected a list of keys, found " + Describe(e.value));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    std::string p = JoinPath(path, std::to_string(i));
    Entry item{std::to_string(i), items[i].first, items[i].second, items[i].second};
    std::string text = item.value.IsScalar() ? item.value.Scalar() : std::string();
    if (!CheckKeyText(item, p, text)) continue;
    ApiKeyConfig k;
    k.name = p;
    k.key = text;
    if (admin) k.roles = {"admin"};
    k.claims_json = "{}";
    k.where = problems_.Where(items[i].second, p);
    cfg_->auth.keys.push_back(std::move(k));
    key_marks_.push_back(items[i].second);
  }
}

bool ConfigParser::ReadRoles(const Entry& e, const std::string& path,
                             std::vector<std::string>* out) {
  std::vector<std::string> roles;
  if (e.value.IsScalar()) {
    roles.push_back(e.value.Scalar());
  } else if (e.value.IsSequence()) {
    for (auto it = e.value.begin(); it != e.value.end(); ++it)
      roles.push_back(it->IsScalar() ? it->Scalar() : std::string());
  } else if (!e.value.IsNull()) {
    problems_.Add(e.mark, path, "expected a list of role names, found " + Describe(e.value));
    return false;
  }
  for (size_t i = 0; i < roles.size(); ++i) {
    if (IsRoleName(roles[i])) continue;
    problems_.Add(
        e.mark, IndexPath(path, i),
        "expected a role name of letters, digits and _ . : / -, found \"" + roles[i] + "\"");
    return false;
  }
  *out = std::move(roles);
  return true;
}

void ConfigParser::ParseJwt(const Entry& e) {
  std::vector<Entry> entries;
  if (e.value.IsNull() ||
      !ReadMap(e.value, e.mark, "auth.jwt",
               "a map like { keys: [{ file: ..., alg: RS256 }], audience: sluice }", kJwtKeys,
               &problems_, &entries))
    return;
  JwtConfig& j = cfg_->auth.jwt;
  uint64_t v = 0;
  for (const Entry& x : entries) {
    std::string p = JoinPath("auth.jwt", x.key);
    if (x.key == "issuer") ReadScalar(x, p, "the expected iss claim", &problems_, &j.issuer);
    if (x.key == "audience") ReadScalar(x, p, "the expected aud value", &problems_, &j.audience);
    if (x.key == "roles_claim") ReadScalar(x, p, "a claim name", &problems_, &j.roles_claim);
    if (x.key == "require_exp") ReadBool(x, p, &problems_, &j.require_exp);
    if (x.key == "clock_skew_s" && ReadUnsigned(x, p, 0, 300, &problems_, &v))
      j.clock_skew_s = static_cast<uint32_t>(v);
    if (x.key != "keys") continue;
    if (!x.value.IsSequence() || x.value.size() == 0) {
      problems_.Add(x.mark, p,
                    "expected a non-empty list of keys ({ file: ..., alg: HS256|RS256|ES256 } or "
                    "{ jwks_file: ... }), found " +
                        Describe(x.value));
      continue;
    }
    size_t i = 0;
    for (auto it = x.value.begin(); it != x.value.end(); ++it, ++i) {
      JwtKeyConfig k;
      std::string kp = IndexPath(p, i);
      if (!ParseJwtKey(*it, kp, &k)) continue;
      k.where = problems_.Where(it->Mark(), kp);
      j.keys.push_back(std::move(k));
    }
  }
}

bool ConfigParser::ParseJwtKey(const YAML::Node& node, const std::string& path, JwtKeyConfig* out) {
  size_t before = problems_.count();
  std::vector<Entry> entries;
  if (!ReadMap(node, node.Mark(), path,
               "{ file: ..., alg: HS256|RS256|ES256 } or { jwks_file: ... }", kJwtKeyKeys,
               &problems_, &entries))
    return false;
  std::string text;
  for (const Entry& x : entries) {
    std::string p = JoinPath(path, x.key);
    if (x.key == "file" && ReadScalar(x, p, "a key file", &problems_, &text))
      out->file = Resolve(text);
    if (x.key == "jwks_file" && ReadScalar(x, p, "a JWKS file", &problems_, &text))
      out->jwks_file = Resolve(text);
    if (x.key == "kid") ReadScalar(x, p, "a key id", &problems_, &out->kid);
    if (x.key == "alg" && ReadScalar(x, p, "HS256, RS256 or ES256", &problems_, &text)) {
      if (std::find(kAlgs.begin(), kAlgs.end(), text) != kAlgs.end()) out->alg = text;
      else
        problems_.Add(
            x.mark, p,
            "expected HS256, RS256 or ES256, found \"" + text + "\"" + DidYouMean(text, kAlgs));
    }
  }
  bool file = FindEntry(entries, "file") != nullptr, jwks = FindEntry(entries, "jwks_file");
  if (file == jwks)
    problems_.Add(node.Mark(), path,
                  file ? "give either file (with alg) or jwks_file, not both"
                       : "missing the key: add file: <key file> with alg:, or jwks_file:");
  else if (file && FindEntry(entries, "alg") == nullptr)
    problems_.Add(node.Mark(), path,
                  "missing alg: the algorithm of this key (HS256, RS256 or ES256)");
  else if (jwks && (FindEntry(entries, "alg") || FindEntry(entries, "kid")))
    problems_.Add(node.Mark(), path,
                  "alg and kid come from the JWKS file itself; remove them here");
  return problems_.count() == before;
}

void ConfigParser::ParseRateLimits(const Entry& e) {
  ForEachItem(e.value, e.mark, "auth.rate_limits",
              "a list like - { by: address, per_second: 10, burst: 20 }", &problems_,
              [&](const YAML::Node& item, const std::string& path) {
                RateLimitConfig r;
                if (!ParseRateLimit(item, path, &r)) return;
                r.where = problems_.Where(item.Mark(), path);
                cfg_->auth.rate_limits.push_back(std::move(r));
              });
}

bool ConfigParser::ParseRateLimit(const YAML::Node& node, const std::string& path,
                                  RateLimitConfig* out) {
  size_t before = problems_.count();
  std::vector<Entry> entries;
  if (!ReadMap(node, node.Mark(), path,
               "{ by: address|principal|all|claim.NAME, per_second: N, burst: N }", kRateKeys,
               &problems_, &entries))
    return false;
  RequireKeys(entries, node, path, {"by", "per_second", "burst"});
  for (const Entry& x : entries) {
    std::string p = JoinPath(path, x.key);
    std::string text;
    uint64_t v = 0;
    if (x.key == "by" &&
        ReadScalar(x, p, "address, principal, all or claim.NAME", &problems_, &text)) {
      if (text == "address") out->by = RateLimitConfig::By::kAddress;
      else if (text == "principal") out->by = RateLimitConfig::By::kPrincipal;
      else if (text == "all") out->by = RateLimitConfig::By::kAll;
      else if (text.rfind("claim.", 0) == 0 && text.size() > 6)
        out->by = RateLimitConfig::By::kClaim, out->claim = text.substr(6);
      else
        problems_.Add(x.mark, p,
                      "expected address, principal, all or claim.NAME (e.g. claim.sub), found \"" +
                          text + "\"");
    }
    if (x.key == "per_second" && ReadScalar(x, p, "a number of requests", &problems_, &text)) {
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !std::isfinite(d) || d < 0.001 || d > 1e9)
        problems_.Add(x.mark, p,
                      "expected a number of requests per second from 0.001 to 1000000000, found "
                      "\"" +
                          text + "\"");
      else out->per_second = d;
    }
    if (x.key == "burst" && ReadUnsigned(x, p, 1, 1000000000, &problems_, &v)) out->burst = v;
    if (x.key == "endpoint" && ReadScalar(x, p, "an endpoint name", &problems_, &text)) {
      std::vector<std::string_view> names;
      for (const EndpointConfig& ep : cfg_->endpoints) names.push_back(ep.name);
      if (std::find(names.begin(), names.end(), text) != names.end()) out->endpoint = text;
      else
        problems_.Add(x.mark, p,
                      "unknown endpoint \"" + text + "\"" + DidYouMean(text, names) +
                          "; endpoints: " + JoinNames(names));
    }
  }
  return problems_.count() == before;
}

void ConfigParser::ParseAccess(const Entry& e, const std::string& path, EndpointConfig* out) {
  std::vector<std::pair<YAML::Node, YAML::Mark>> rules;
  if (e.value.IsMap()) {
    rules.emplace_back(e.value, e.mark);  // one rule
  } else if (e.value.IsSequence()) {
    for (auto it = e.value.begin(); it != e.value.end(); ++it) rules.emplace_back(*it, it->Mark());
  } else {
    problems_.Add(e.mark, path,
                  "expected a list of rules like - { roles: [reader], row_filter: {...}, fields: "
                  "[...] }, found " +
                      Describe(e.value));
    return;
  }
  rules_given_.emplace_back(e.mark, path);
  for (size_t i = 0; i < rules.size(); ++i) {
    AccessRuleConfig r;
    std::string p = e.value.IsMap() ? path : IndexPath(path, i);
    if (!ParseAccessRule(rules[i].first, p, &r)) continue;
    r.where = problems_.Where(rules[i].second, p);
    out->access.push_back(std::move(r));
  }
}

bool ConfigParser::ParseAccessRule(const YAML::Node& node, const std::string& path,
                                   AccessRuleConfig* out) {
  size_t before = problems_.count();
  std::vector<Entry> entries;
  if (!ReadMap(node, node.Mark(), path,
               "a rule like { roles: [reader], row_filter: {...}, fields: [...] }", kRuleKeys,
               &problems_, &entries))
    return false;
  for (const Entry& x : entries) {
    std::string p = JoinPath(path, x.key);
    if (x.key == "roles") ReadRoles(x, p, &out->roles);
    if (x.key == "fields") ReadFieldList(x.value, x.mark, p, &out->fields);
    if (x.key == "row_filter") {
      std::string json;
      if (!x.value.IsMap() || !YamlToJson(x.value, &json))
        problems_.Add(x.mark, p,
                      "expected a $filter object like { customer_id: \"$claims.sub\" }, found " +
                          Describe(x.value));
      else out->row_filter_json = json;
    }
  }
  return problems_.count() == before;
}

void ConfigParser::CheckAuth() {
  AuthConfig& a = cfg_->auth;
  for (size_t i = 0; i < a.keys.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (!a.keys[i].key.empty() && a.keys[i].key == a.keys[j].key)
        problems_.Add(key_marks_[i], a.keys[i].name,
                      "the same key as " + a.keys[j].name + "; every key must differ");
      else if (a.keys[i].name == a.keys[j].name)
        problems_.Add(key_marks_[i], "auth.keys",
                      "duplicate key name \"" + a.keys[i].name + "\"; names must be unique");
    }
  }
  if (a.CredentialsConfigured()) return;
  for (const auto& [mark, path] : rules_given_)
    problems_.Add(mark, path,
                  "access rules need credentials: configure auth.keys or auth.jwt (without any, "
                  "every caller reads everything)");
}

}  // namespace sluice::host::config_internal
