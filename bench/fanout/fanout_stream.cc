#include "fanout_stream.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace fanout {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fanout_load: %s\n", what.c_str());
  std::exit(2);
}

bool FindU64(std::string_view s, std::string_view key, uint64_t* out) {
  size_t at = s.find(key);
  if (at == std::string_view::npos) return false;
  at += key.size();
  uint64_t v = 0;
  size_t i = at;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') v = v * 10 + uint64_t(s[i++] - '0');
  if (i == at) return false;
  *out = v;
  return true;
}

uint64_t TakeAnswers(std::string* resp) {
  uint64_t taken = 0;
  for (;;) {
    size_t end = resp->find("\r\n\r\n");
    if (end == std::string::npos) break;
    int status = std::atoi(resp->c_str() + 9);
    if (status < 200 || status >= 300)
      Die("nchan publisher answered " + resp->substr(0, resp->find("\r\n")));
    uint64_t len = 0;
    std::string lower = resp->substr(0, end);
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    FindU64(lower, "content-length: ", &len);
    if (resp->size() < end + 4 + len) break;
    resp->erase(0, end + 4 + len);
    ++taken;
  }
  return taken;
}

namespace {

// The numbers of the JSON members "offset", "seq" and "ts" in [p, end):
// every colon is looked at (memchr), and the member name before it
// compared, in one pass. Returns which were found (bits 4, 1, 2).
int Members(const char* p, const char* end, uint64_t* offset, uint64_t* seq, uint64_t* ts,
            int want) {
  const char* begin = p;
  int found = 0;
  auto named = [&](const char* colon, std::string_view name) {
    return size_t(colon - begin) >= name.size() &&
           memcmp(colon - name.size(), name.data(), name.size()) == 0;
  };
  auto number = [&](const char* q, uint64_t* v) {
    uint64_t x = 0;
    while (q < end && *q >= '0' && *q <= '9') x = x * 10 + uint64_t(*q++ - '0');
    *v = x;
    return q;
  };
  while (p < end && found != want) {
    const char* colon = static_cast<const char*>(memchr(p, ':', size_t(end - p)));
    if (colon == nullptr) break;
    p = colon + 1;
    if (named(colon, "\"seq\"")) p = number(p, seq), found |= 1;
    else if (named(colon, "\"ts\"")) p = number(p, ts), found |= 2;
    else if (named(colon, "\"offset\"")) p = number(p, offset), found |= 4;
  }
  return found;
}

// One event block [b, e) (without its blank line).
void OnEvent(Sub* s, const char* b, const char* e, int64_t now, Histogram* h, bool sluice) {
  uint64_t seq = 0, ts = 0, off = 0;
  int want = sluice ? 7 : 3;
  if (Members(b, e, &off, &seq, &ts, want) != want) {
    // a heartbeat, an id alone, or sluice's last event
    if (memmem(b, size_t(e - b), "event: end\n", 11) != nullptr) s->end_event.assign(b, e);
    return;
  }
  h->Add(now - int64_t(ts));
  ++s->got;
  if (seq == s->expect) {
    ++s->expect;
  } else if (seq < s->expect) {
    ++s->dup;
  } else {
    s->lost += seq - s->expect;
    ++s->disorder;
    s->expect = seq + 1;
  }
  if (sluice) {
    if (s->any_offset && off <= s->last_offset) ++s->disorder;
    s->last_offset = off;
    s->any_offset = true;
    s->offset_sum += off;
  }
}

// Moves decoded body bytes of s->raw into s->buf (chunked coding).
void Dechunk(Sub* s) {
  std::string& r = s->raw;
  size_t p = 0;
  while (p < r.size()) {
    if (s->chunk_left > 0) {
      size_t take = std::min<uint64_t>(s->chunk_left, r.size() - p);
      s->buf.append(r, p, take);
      p += take;
      s->chunk_left -= take;
      if (s->chunk_left == 0) s->chunk_crlf = true;
      continue;
    }
    size_t eol = r.find("\r\n", p);
    if (eol == std::string::npos) break;
    if (s->chunk_crlf) {
      s->chunk_crlf = false;
      p = eol + 2;
      continue;
    }
    s->chunk_left = std::strtoull(r.c_str() + p, nullptr, 16);
    p = eol + 2;
    if (s->chunk_left == 0) s->closed = true;  // the last chunk
  }
  r.erase(0, p);
}

}  // namespace

void Parse(Sub* s, int64_t now, Histogram* h, bool sluice) {
  if (!s->head_done) {
    std::string& in = s->chunked ? s->raw : s->buf;
    size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string head = in.substr(0, end);
    if (head.size() > 12) s->status = std::atoi(head.c_str() + 9);
    std::string lower = head;
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    s->chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
    std::string rest = in.substr(end + 4);
    s->buf.clear();
    s->head_done = true;
    if (s->chunked) s->raw = rest;
    else s->buf = rest;
  }
  if (s->chunked) Dechunk(s);
  std::string& b = s->buf;
  const char* p = b.data();
  const char* end = p + b.size();
  const char* from = p;  // where to look for the next line feed
  while (from < end) {
    const char* lf = static_cast<const char*>(memchr(from, '\n', size_t(end - from)));
    if (lf == nullptr || lf + 1 >= end) break;
    if (lf[1] != '\n') {
      from = lf + 1;
      continue;
    }
    OnEvent(s, p, lf, now, h, sluice);
    p = from = lf + 2;
  }
  b.erase(0, size_t(p - b.data()));
}

}  // namespace fanout
