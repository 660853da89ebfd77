#include "auth.h"

namespace sluice::rest {

namespace {

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

bool IsBearer(std::string_view scheme) {
  if (scheme.size() != 6) return false;
  const char* want = "bearer";
  for (size_t i = 0; i < 6; ++i)
    if ((scheme[i] | 0x20) != want[i]) return false;
  return true;
}

}  // namespace

Credential RequestCredential(std::optional<std::string_view> x_api_key,
                             std::optional<std::string_view> authorization) {
  Credential c;
  if (x_api_key) {
    c.token = Trim(*x_api_key);
    c.kind = c.token.empty() ? Credential::Kind::kNone : Credential::Kind::kApiKey;
    return c;
  }
  if (!authorization) return c;
  std::string_view a = Trim(*authorization);
  size_t space = a.find(' ');
  if (space == std::string_view::npos || !IsBearer(a.substr(0, space))) return c;
  c.token = Trim(a.substr(space + 1));
  c.kind = c.token.empty() ? Credential::Kind::kNone : Credential::Kind::kBearer;
  return c;
}

std::string Challenge(bool credential_sent) {
  return credential_sent ? "Bearer realm=\"sluice\", error=\"invalid_token\""
                         : "Bearer realm=\"sluice\"";
}

}  // namespace sluice::rest
