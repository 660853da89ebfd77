#include "access/policy.h"

#include <openssl/evp.h>
#include <simdjson.h>

#include <memory>

#include "core/home.h"
#include "sluice/json.h"

namespace sluice::host {
namespace {

// SHA-256 with the algorithm fetched once and a context per thread: the
// one-shot EVP_Digest looks the algorithm up on every call, which costs
// more than hashing a key (this runs on every request that sends one).
std::string Sha256(std::string_view data) {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(),
                                                                      EVP_MD_CTX_free);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (kSha256 == nullptr || ctx == nullptr ||
      EVP_DigestInit_ex2(ctx.get(), kSha256, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
    return {};
  return std::string(reinterpret_cast<char*>(md), len);
}

bool IsPrintableKey(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s)
    if (c <= ' ' || c >= 127) return false;
  return true;
}

// `claims` (a JSON object) with "sub": name added when it has no sub.
Status ClaimsWithSub(const std::string& claims, const std::string& name, const std::string& where,
                     std::string* out) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(claims).get_object().get(obj) != simdjson::SUCCESS)
    return InvalidArgument(where + ": claims must be a map");
  simdjson::dom::element sub;
  if (obj["sub"].get(sub) == simdjson::SUCCESS) {
    *out = claims;
    return Status();
  }
  std::string head = "{\"sub\":";
  AppendJsonString(&head, name);
  *out = head + (obj.size() == 0 ? "}" : "," + claims.substr(1));
  return Status();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Status NeedsCredential(const char* what) {
  return Unauthenticated(std::string(what) +
                         " needs a credential: send an API key as X-API-Key: <key>, or "
                         "Authorization: Bearer <API key or JWT> (gRPC: metadata x-api-key or "
                         "authorization)");
}

}  // namespace

Status AccessPolicy::Build(const Config& config, std::shared_ptr<const AccessPolicy>* out,
                           std::vector<std::string>* warnings) {
  std::shared_ptr<AccessPolicy> p(new AccessPolicy());
  p->auth_ = config.auth;
  for (const EndpointConfig& e : config.endpoints) {
    p->paths_[e.path] = e.name;
    if (!e.access.empty()) p->rules_[e.name] = e.access;
  }
  for (const ApiKeyConfig& k : config.auth.keys) SLUICE_RETURN_IF_ERROR(p->AddKey(k));
  if (!config.auth.jwt.keys.empty()) {
    std::vector<JwtKey> keys;
    SLUICE_RETURN_IF_ERROR(LoadJwtKeys(config.auth.jwt, &keys, warnings));
    p->jwt_ = std::make_unique<JwtVerifier>(config.auth.jwt, std::move(keys));
  }
  auto anonymous = std::make_shared<Principal>();
  anonymous->roles = config.auth.anonymous_roles;
  auto local = std::make_shared<Principal>(*anonymous);
  local->local = true;
  p->anonymous_ = anonymous;
  p->local_ = local;
  *out = std::move(p);
  return Status();
}

Status AccessPolicy::AddKey(const ApiKeyConfig& k) {
  std::string key = k.key;
  if (!k.key_file.empty()) {
    SLUICE_RETURN_IF_ERROR(ReadSmallFile(k.key_file, &key).WithContext(k.where));
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (!IsPrintableKey(key))
      return InvalidArgument(k.where + ": the key in " + k.key_file.string() +
                             " must be 1 to 256 printable ASCII characters without spaces "
                             "(one line); generate one with e.g. `openssl rand -hex 32`");
  }
  auto principal = std::make_shared<Principal>();
  principal->cls = PrincipalClass::kKey;
  principal->name = k.name;
  principal->roles = k.roles;
  SLUICE_RETURN_IF_ERROR(ClaimsWithSub(k.claims_json, k.name, k.where, &principal->claims_json));
  if (!keys_.emplace(Sha256(key), std::move(principal)).second)
    return InvalidArgument(k.where +
                           ": the same key as another entry of auth.keys (or of "
                           "api_keys / admin_keys); every key must differ");
  return Status();
}

Status AccessPolicy::KeyPrincipal(std::string_view key, bool local,
                                  std::shared_ptr<const Principal>* out) const {
  auto it = keys_.find(Sha256(key));
  if (it == keys_.end()) return Status(Code::kNotFound, "");
  if (!local) {
    *out = it->second;
    return Status();
  }
  auto copy = std::make_shared<Principal>(*it->second);
  copy->local = true;
  *out = std::move(copy);
  return Status();
}

Status AccessPolicy::Authenticate(const Credential& c, int64_t now_s,
                                  std::shared_ptr<const Principal>* out) const {
  if (c.kind == Credential::Kind::kNone || c.token.empty()) {
    *out = c.local ? local_ : anonymous_;
    return Status();
  }
  bool jwt =
      c.kind == Credential::Kind::kBearer && jwt_ != nullptr && JwtVerifier::LooksLikeJwt(c.token);
  if (!jwt) {
    if (KeyPrincipal(c.token, c.local, out).ok()) return Status();
    return Unauthenticated(c.kind == Credential::Kind::kApiKey || jwt_ == nullptr
                               ? "the API key sent is not accepted"
                               : "the bearer credential is neither an accepted API key nor a JWT");
  }
  VerifiedToken token;
  SLUICE_RETURN_IF_ERROR(jwt_->Verify(c.token, now_s, &token));
  auto p = std::make_shared<Principal>();
  p->cls = PrincipalClass::kToken;
  p->name = std::move(token.subject);
  p->roles = std::move(token.roles);
  p->claims_json = std::move(token.claims_json);
  p->local = c.local;
  *out = std::move(p);
  return Status();
}

Status AccessPolicy::MayRead(const Principal& p) const {
  if (!credentials_configured() || p.cls != PrincipalClass::kAnonymous || !p.roles.empty())
    return Status();
  return NeedsCredential("reading data");
}

Status AccessPolicy::MayAdmin(const Principal& p) const {
  if (p.HasRole("admin") || p.local) return Status();
  if (p.cls == PrincipalClass::kAnonymous && auth_.anonymous_admin) return Status();
  if (p.cls != PrincipalClass::kAnonymous)
    return PermissionDenied(p.Describe() + " lacks the admin role that admin routes need");
  if (!credentials_configured())
    return Unauthenticated(
        "admin routes need a credential with the admin role, and none is configured: add a key "
        "with roles: [admin] to auth.keys, or set auth.anonymous_admin: true");
  return NeedsCredential("an admin route");
}

Status AccessPolicy::MayMetrics(const Principal& p) const {
  if (!credentials_configured() || p.HasRole("metrics")) return Status();
  if (p.cls == PrincipalClass::kAnonymous && !p.local && !auth_.anonymous_admin)
    return NeedsCredential("reading metrics");
  Status s = MayAdmin(p);
  if (s.ok() || s.code() != Code::kPermissionDenied) return s;
  return PermissionDenied(p.Describe() + " lacks the admin or metrics role that metrics need");
}

std::string_view AccessPolicy::EndpointName(std::string_view name_or_path) const {
  auto it = paths_.find(name_or_path);
  return it == paths_.end() ? name_or_path : std::string_view(it->second);
}

Status AccessPolicy::Grant(const Principal& p, std::string_view endpoint,
                           const AccessRuleConfig** rule) const {
  *rule = nullptr;
  if (!credentials_configured()) return Status();
  SLUICE_RETURN_IF_ERROR(MayRead(p));
  auto it = rules_.find(endpoint);
  bool anonymous = p.cls == PrincipalClass::kAnonymous;
  if (it == rules_.end()) {
    if (!anonymous) return Status();
    return PermissionDenied("endpoint " + std::string(endpoint) +
                            " has no access rule naming one of auth.anonymous_roles, so callers "
                            "without a credential may not read it");
  }
  std::vector<std::string> needed;
  for (const AccessRuleConfig& r : it->second) {
    if (r.roles.empty() ? !anonymous : p.HasAnyRole(r.roles)) {
      if (!r.row_filter_json.empty() || !r.fields.empty()) *rule = &r;
      return Status();
    }
    if (r.roles.empty()) needed.push_back("(any credential)");
    for (const std::string& role : r.roles) needed.push_back(role);
  }
  return PermissionDenied(p.Describe() + " may not read endpoint " + std::string(endpoint) +
                          ": it needs one of the roles " + Join(needed));
}

}  // namespace sluice::host
