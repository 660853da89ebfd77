// Sessions of the web console (docs/console.md): a browser logs in once
// with a credential the host accepts for admin routes, and gets an
// HttpOnly, SameSite=Strict cookie naming a session. The plugin then makes
// that browser's requests with the session's credential, so the host
// decides every call exactly as for the credential itself (a key revoked
// by a reload is refused at once). Each session has a CSRF token the page
// reads with a same-origin GET and sends in X-Sluice-CSRF on every
// state-changing request.
//
//   ConsoleSessions sessions;
//   std::string id = sessions.Create(Credential::Kind::kApiKey, "key", &csrf);
//   ConsoleSessions::Session s;
//   if (sessions.Find(CookieValue(cookie_header, kConsoleCookie), &s)) ...
#ifndef SLUICE_PLUGINS_API_REST_CONSOLE_SESSION_H_
#define SLUICE_PLUGINS_API_REST_CONSOLE_SESSION_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "sluice/api_host.h"

namespace sluice::rest {

inline constexpr std::string_view kConsoleCookie = "sluice_console";
inline constexpr std::string_view kCsrfHeader = "X-Sluice-CSRF";

class ConsoleSessions {
 public:
  struct Session {
    Credential::Kind kind = Credential::Kind::kNone;
    std::string token;  // the credential presented at login ("" for none)
    std::string csrf;   // 32 random bytes, hex
    int64_t expires_ms = 0;
    uint64_t last_use = 0;  // order of use, for dropping the least recent
  };

  // How long a session lives after its last use, and how many are kept
  // (past that, the one used least recently is dropped).
  static constexpr int64_t kIdleMs = 8 * 3600 * 1000;
  static constexpr size_t kMaxSessions = 1000;

  // A new session for the credential; returns its id (32 random bytes,
  // hex) and sets *csrf. Empty when no randomness could be had.
  std::string Create(Credential::Kind kind, std::string_view token, std::string* csrf);
  // Fills *out and extends the session when `id` names a live one.
  bool Find(std::string_view id, Session* out);
  void Remove(std::string_view id);

 private:
  std::mutex mu_;
  std::map<std::string, Session, std::less<>> sessions_;
  uint64_t uses_ = 0;
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "".
std::string_view CookieValue(std::string_view header, std::string_view name);

// Compares two strings in time that does not depend on where they differ.
bool SameSecret(std::string_view a, std::string_view b);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_CONSOLE_SESSION_H_
