#include "console_session.h"

#include <sys/random.h>

#include <chrono>

namespace sluice::rest {

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// 32 random bytes from the kernel, hex; "" when they cannot be had.
std::string RandomHex() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n <= 0) return "";
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

std::string ConsoleSessions::Create(Credential::Kind kind, std::string_view token,
                                    std::string* csrf) {
  std::string id = RandomHex();
  *csrf = RandomHex();
  if (id.empty() || csrf->empty()) return "";
  int64_t now = NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();)
    it = it->second.expires_ms < now ? sessions_.erase(it) : std::next(it);
  if (sessions_.size() >= kMaxSessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (it->second.last_use < oldest->second.last_use) oldest = it;
    sessions_.erase(oldest);
  }
  sessions_[id] = Session{kind, std::string(token), *csrf, now + kIdleMs, ++uses_};
  return id;
}

bool ConsoleSessions::Find(std::string_view id, Session* out) {
  if (id.empty()) return false;
  int64_t now = NowMs();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return false;
  if (it->second.expires_ms < now) {
    sessions_.erase(it);
    return false;
  }
  it->second.expires_ms = now + kIdleMs;
  it->second.last_use = ++uses_;
  *out = it->second;
  return true;
}

void ConsoleSessions::Remove(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) sessions_.erase(it);
}

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    size_t b = pair.find_first_not_of(' ');
    if (b == std::string_view::npos) continue;
    pair = pair.substr(b);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    size_t e = value.find_last_not_of(' ');
    return e == std::string_view::npos ? std::string_view() : value.substr(0, e + 1);
  }
  return {};
}

bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace sluice::rest
