#include "auth.h"

#include <string>
#include <vector>

namespace sluice::rest {

namespace {

// Equality whose time depends only on the lengths, not on where a and b differ.
bool SameKey(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Looks at every key (no early exit).
bool InList(const std::vector<std::string>& keys, std::string_view key) {
  bool found = false;
  for (const std::string& k : keys) found = SameKey(k, key) || found;
  return found;
}

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

Status Missing() {
  return Unauthenticated(
      "this route needs an API key; send it as the header X-API-Key: <key> "
      "or Authorization: Bearer <key>");
}

Status Rejected(const char* list) {
  return Unauthenticated(std::string("the API key sent is not accepted on this route; it must be "
                                     "one of the rest option ") +
                         list);
}

}  // namespace

std::optional<std::string_view> RequestKey(std::optional<std::string_view> x_api_key,
                                           std::optional<std::string_view> authorization) {
  if (x_api_key) return Trim(*x_api_key);
  if (!authorization) return std::nullopt;
  std::string_view a = Trim(*authorization);
  size_t space = a.find(' ');
  if (space == std::string_view::npos || !IsBearer(a.substr(0, space))) return std::nullopt;
  return Trim(a.substr(space + 1));
}

Status Authorize(const RestOptions& options, RouteAccess access,
                 std::optional<std::string_view> key) {
  const bool data_keys = !options.api_keys.empty(), admin_keys = !options.admin_keys.empty();
  if (access == RouteAccess::kOpen) return Status();
  if (access == RouteAccess::kMetrics)
    access = admin_keys ? RouteAccess::kAdmin : RouteAccess::kOpen;
  if (access == RouteAccess::kOpen) return Status();
  if (access == RouteAccess::kAdmin && admin_keys) {
    if (!key) return Missing();
    if (InList(options.admin_keys, *key)) return Status();
    if (InList(options.api_keys, *key))
      return PermissionDenied(
          "a data key cannot use admin routes or /metrics; use a key listed "
          "in the rest option admin_keys");
    return Rejected("admin_keys");
  }
  if (!data_keys) return Status();  // data routes (and admin routes without admin_keys) are open
  if (!key) return Missing();
  if (InList(options.api_keys, *key) || InList(options.admin_keys, *key)) return Status();
  return Rejected(admin_keys ? "api_keys or admin_keys" : "api_keys");
}

std::string Challenge(std::optional<std::string_view> key) {
  return key ? "Bearer realm=\"sluice\", error=\"invalid_token\"" : "Bearer realm=\"sluice\"";
}

}  // namespace sluice::rest
