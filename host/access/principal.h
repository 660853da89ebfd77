// Principal: who a request acts for, as the host's access model sees it
// (docs/security.md): no credential (anonymous), an API key, or a verified
// JWT; with roles and claims that access rules refer to.
#ifndef SLUICE_HOST_ACCESS_PRINCIPAL_H_
#define SLUICE_HOST_ACCESS_PRINCIPAL_H_

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::host {

enum class PrincipalClass { kAnonymous, kKey, kToken };

// "anonymous", "key", "token": the bounded label of metrics.
inline const char* PrincipalClassName(PrincipalClass c) {
  switch (c) {
    case PrincipalClass::kAnonymous: return "anonymous";
    case PrincipalClass::kKey: return "key";
    case PrincipalClass::kToken: return "token";
  }
  return "anonymous";
}

struct Principal {
  PrincipalClass cls = PrincipalClass::kAnonymous;
  std::string name;  // the key's configured name or the token's sub; "" when anonymous
  std::vector<std::string> roles;
  std::string claims_json = "{}";  // a JSON object
  // The request came on a channel only operators reach (an API plugin's
  // admin socket): admin routes are allowed there.
  bool local = false;

  bool HasRole(std::string_view role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  bool HasAnyRole(const std::vector<std::string>& any) const {
    for (const std::string& r : any)
      if (HasRole(r)) return true;
    return false;
  }
  // "key \"reporting\"", "the token of \"42\"", "a caller without a
  // credential": for messages.
  std::string Describe() const {
    if (cls == PrincipalClass::kAnonymous) return "a caller without a credential";
    if (cls == PrincipalClass::kKey) return "key \"" + name + "\"";
    return name.empty() ? "a token without sub" : "the token of \"" + name + "\"";
  }
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_ACCESS_PRINCIPAL_H_
