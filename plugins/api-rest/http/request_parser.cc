#include "http/request_parser.h"

#include <cstring>

#include "http/parse_text.h"

namespace sluice::rest::http {

namespace {

constexpr std::string_view kMethods[] = {"GET",     "HEAD",  "POST",    "PUT",  "DELETE",
                                         "OPTIONS", "PATCH", "CONNECT", "TRACE"};

bool IsKnownMethod(std::string_view m) {
  for (std::string_view k : kMethods)
    if (k == m) return true;
  return false;
}

bool IsMethodPrefix(std::string_view m) {
  for (std::string_view k : kMethods)
    if (k.substr(0, m.size()) == m) return true;
  return false;
}

Span MakeSpan(size_t pos, size_t len) {
  return Span{static_cast<uint32_t>(pos), static_cast<uint32_t>(len)};
}

}  // namespace

bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x |= 0x20;
    if (y >= 'A' && y <= 'Z') y |= 0x20;
    if (x != y) return false;
  }
  return true;
}

void RequestParser::Reset() {
  state_ = State::kStart;
  start_ = line_ = pos_ = consumed_ = 0;
  chunk_left_ = 0;
  trailer_bytes_ = fields_ = 0;
  have_length_ = have_host_ = false;
  te_count_ = 0;
  request_.headers.clear();
  request_.decoded_body.clear();
  request_.method = request_.target = request_.path = request_.query = request_.body = Span();
  request_.minor_version = 1;
  request_.keep_alive = true;
  request_.expect_continue = request_.chunked = false;
  request_.content_length = 0;
  request_.head_size = 0;
  error_ = ParseError();
}

ParseResult RequestParser::Fail(int status, const char* reason, std::string message) {
  state_ = State::kError;
  error_.status = status;
  error_.reason = reason;
  error_.message = std::move(message);
  return ParseResult::kError;
}

ParseResult RequestParser::Parse(const char* data, size_t size) {
  if (state_ == State::kDone) return ParseResult::kDone;
  if (state_ == State::kError) return ParseResult::kError;
  if (state_ == State::kStart || state_ == State::kHead) {
    if (!ParseHeadLines(data, size)) return ParseResult::kError;
    if (state_ == State::kStart || state_ == State::kHead) return ParseResult::kNeedMore;
  }
  if (state_ == State::kDone) return ParseResult::kDone;
  if (state_ == State::kBody) {
    uint64_t end = uint64_t{request_.head_size} + request_.content_length;
    if (size < end) return ParseResult::kNeedMore;
    request_.body = MakeSpan(request_.head_size, request_.content_length);
    consumed_ = static_cast<size_t>(end);
    state_ = State::kDone;
    return ParseResult::kDone;
  }
  return ParseChunked(data, size);
}

bool RequestParser::CheckRequestLinePrefix(const char* data, size_t size) {
  std::string_view line(data + start_, size - start_);
  size_t sp = line.find(' ');
  std::string_view method = line.substr(0, std::min(sp, size_t{8}));
  if (sp == std::string_view::npos ? !IsMethodPrefix(method) : !IsKnownMethod(method)) {
    request_.method = Span();
    Fail(400, "malformed",
         "malformed HTTP request: the request line must start with a method (GET, HEAD, POST, "
         "PUT, DELETE, OPTIONS, PATCH), found \"" +
             Excerpt(line.substr(0, 12), 12) + "\"");
    return false;
  }
  if (sp == std::string_view::npos) return true;
  request_.method = MakeSpan(start_, sp);
  size_t target_end = line.find(' ', sp + 1);
  size_t target_len = (target_end == std::string_view::npos ? line.size() : target_end) - sp - 1;
  if (target_len > limits_.max_url_bytes) {
    Fail(414, "url_too_long",
         "the request target is longer than " + std::to_string(limits_.max_url_bytes) +
             " bytes (rest option max_url_bytes)");
    return false;
  }
  return true;
}

bool RequestParser::ParseHeadLines(const char* data, size_t size) {
  if (state_ == State::kStart) {
    while (start_ < size && (data[start_] == '\r' || data[start_] == '\n')) {
      if (data[start_] == '\n' || (start_ + 1 < size && data[start_ + 1] != '\n')) {
        Fail(400, "malformed", "malformed HTTP request: a line must end with CRLF");
        return false;
      }
      if (start_ + 1 >= size) return true;  // "\r" so far
      start_ += 2;
      if (start_ > limits_.max_header_bytes) {
        Fail(400, "malformed", "malformed HTTP request: only empty lines");
        return false;
      }
    }
    if (start_ >= size) return true;
    // Up to the end of the request line, or of what has arrived.
    const char* nl = static_cast<const char*>(std::memchr(data + start_, '\n', size - start_));
    size_t line_end = nl == nullptr ? size : static_cast<size_t>(nl - data);
    if (!CheckRequestLinePrefix(data, line_end)) return false;
    if (nl == nullptr) {
      if (size - start_ > limits_.max_header_bytes) {
        Fail(431, "header_too_large",
             "the request line is longer than " + std::to_string(limits_.max_header_bytes) +
                 " bytes (rest option max_header_bytes)");
        return false;
      }
      return true;
    }
    if (line_end == start_ || data[line_end - 1] != '\r') {
      Fail(400, "malformed", "malformed HTTP request: a line must end with CRLF");
      return false;
    }
    if (!ParseRequestLine(data, line_end - 1)) return false;
    line_ = line_end + 1;
    state_ = State::kHead;
  }
  while (state_ == State::kHead) {
    const char* nl = line_ < size
                         ? static_cast<const char*>(std::memchr(data + line_, '\n', size - line_))
                         : nullptr;
    size_t head_bytes = (nl == nullptr ? size : static_cast<size_t>(nl - data) + 1) - start_;
    if (head_bytes > limits_.max_header_bytes) {
      Fail(431, "header_too_large",
           "the request's header section is larger than " +
               std::to_string(limits_.max_header_bytes) + " bytes (rest option max_header_bytes)");
      return false;
    }
    if (nl == nullptr) return true;
    size_t end = static_cast<size_t>(nl - data);
    if (end == line_ || data[end - 1] != '\r') {
      Fail(400, "malformed", "malformed HTTP request: a line must end with CRLF");
      return false;
    }
    --end;  // the CR
    if (end == line_) {
      request_.head_size = static_cast<uint32_t>(end + 2);
      return FinishHead(data);
    }
    if (!ParseHeaderLine(data, line_, end, /*trailer=*/false)) return false;
    line_ = end + 2;
  }
  return true;
}

bool RequestParser::ParseRequestLine(const char* data, size_t end) {
  std::string_view line(data + start_, end - start_);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  auto bad = [&](const std::string& why) {
    Fail(400, "malformed",
         "malformed HTTP request: request line \"" + Excerpt(line) + "\": " + why);
    return false;
  };
  if (sp2 == std::string_view::npos)
    return bad("expected METHOD SP target SP HTTP-version (e.g. GET /trips/1 HTTP/1.1)");
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (target.empty()) return bad("more than one space after the method");
  for (char c : target)
    if (!IsTargetChar(static_cast<unsigned char>(c)))
      return bad("the target may hold only visible ASCII characters without '#'");
  if (version == "HTTP/1.1") {
    request_.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    request_.minor_version = 0;
  } else {
    return bad("unsupported or malformed HTTP version \"" + Excerpt(version, 12) +
               "\"; this server speaks HTTP/1.1 and HTTP/1.0");
  }
  size_t target_pos = start_ + sp1 + 1;
  request_.target = MakeSpan(target_pos, target.size());
  size_t path_pos = target_pos;
  std::string_view path = target;
  if (target[0] != '/') {
    std::string_view scheme_end = "://";
    size_t s = target.find(scheme_end);
    std::string_view scheme = s == std::string_view::npos ? "" : target.substr(0, s);
    if (target == "*") {
      if (request_.method.in(data) != "OPTIONS") return bad("'*' is a target for OPTIONS only");
    } else if (EqualsIgnoreCase(scheme, "http") || EqualsIgnoreCase(scheme, "https")) {
      size_t slash = target.find('/', s + scheme_end.size());
      if (slash == std::string_view::npos) return bad("an absolute target needs a path");
      path_pos += slash;
      path = target.substr(slash);
    } else {
      return bad("the target must be a path starting with '/'");
    }
  }
  size_t q = path.find('?');
  request_.path = MakeSpan(path_pos, q == std::string_view::npos ? path.size() : q);
  request_.query =
      q == std::string_view::npos ? Span() : MakeSpan(path_pos + q + 1, path.size() - q - 1);
  return true;
}

bool RequestParser::ParseHeaderLine(const char* data, size_t begin, size_t end, bool trailer) {
  std::string_view line(data + begin, end - begin);
  const char* what = trailer ? "trailer field" : "header field";
  if (IsWhitespace(line[0])) {
    Fail(400, "malformed",
         std::string("malformed HTTP request: a ") + what +
             " line starts with whitespace (obsolete line folding is not accepted)");
    return false;
  }
  size_t colon = 0;
  while (colon < line.size() && IsTokenChar(static_cast<unsigned char>(line[colon]))) ++colon;
  if (colon == line.size() || line[colon] != ':' || colon == 0) {
    std::string why = colon < line.size() && IsWhitespace(line[colon])
                          ? "whitespace between the field name and ':'"
                          : "a field name must be a token followed by ':'";
    Fail(400, "malformed",
         std::string("malformed HTTP request: ") + what + " \"" + Excerpt(line) + "\": " + why);
    return false;
  }
  if (++fields_ > limits_.max_headers) {
    Fail(431, "too_many_headers",
         "the request has more than " + std::to_string(limits_.max_headers) +
             " header fields (rest option max_headers)");
    return false;
  }
  for (size_t i = colon + 1; i < line.size(); ++i) {
    if (!IsValueChar(static_cast<unsigned char>(line[i]))) {
      Fail(400, "malformed",
           std::string("malformed HTTP request: ") + what + " \"" + Excerpt(line.substr(0, colon)) +
               "\": its value holds a control character");
      return false;
    }
  }
  if (trailer) return true;
  std::string_view name = line.substr(0, colon);
  std::string_view value = Trim(line.substr(colon + 1));
  size_t value_pos = static_cast<size_t>(value.data() - data);
  request_.headers.push_back({MakeSpan(begin, colon), MakeSpan(value_pos, value.size())});
  if (EqualsIgnoreCase(name, "content-length")) {
    uint64_t n = 0;
    bool ok = !value.empty() && value.size() <= 19;
    for (char c : value) {
      ok = ok && c >= '0' && c <= '9';
      if (ok) n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!ok || n > kMaxContentLength) {
      Fail(400, "malformed",
           "malformed HTTP request: Content-Length must be a non-negative decimal integer, "
           "found \"" +
               Excerpt(value, 24) + "\"");
      return false;
    }
    if (have_length_ && n != request_.content_length) {
      Fail(400, "malformed",
           "malformed HTTP request: Content-Length given twice with different values");
      return false;
    }
    have_length_ = true;
    request_.content_length = n;
  } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
    size_t at = 0;
    while (at <= value.size()) {
      size_t comma = value.find(',', at);
      std::string_view coding = Trim(
          value.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
      at = comma == std::string_view::npos ? value.size() + 1 : comma + 1;
      if (coding.empty()) continue;
      if (!EqualsIgnoreCase(coding, "chunked")) {
        Fail(501, "unsupported_coding",
             "transfer coding \"" + Excerpt(coding, 24) +
                 "\" is not supported; send the body with Content-Length or chunked");
        return false;
      }
      ++te_count_;
    }
    if (te_count_ == 0) {
      Fail(400, "malformed", "malformed HTTP request: an empty Transfer-Encoding");
      return false;
    }
  } else if (EqualsIgnoreCase(name, "host")) {
    if (have_host_) {
      Fail(400, "malformed", "malformed HTTP request: more than one Host header field");
      return false;
    }
    have_host_ = true;
  } else if (EqualsIgnoreCase(name, "expect")) {
    if (!EqualsIgnoreCase(value, "100-continue")) {
      Fail(417, "unsupported_expectation",
           "Expect: \"" + Excerpt(value, 24) + "\" is not supported (only 100-continue)");
      return false;
    }
    request_.expect_continue = true;
  }
  return true;
}

bool RequestParser::FinishHead(const char* data) {
  if (request_.minor_version == 1 && !have_host_) {
    Fail(400, "malformed", "malformed HTTP request: an HTTP/1.1 request must have a Host header");
    return false;
  }
  if (te_count_ > 0) {
    if (request_.minor_version == 0) {
      Fail(400, "malformed", "malformed HTTP request: Transfer-Encoding in an HTTP/1.0 request");
      return false;
    }
    if (have_length_) {
      Fail(400, "malformed",
           "malformed HTTP request: both Transfer-Encoding and Content-Length are present");
      return false;
    }
    if (te_count_ > 1) {
      Fail(400, "malformed", "malformed HTTP request: chunked applied more than once");
      return false;
    }
    request_.chunked = true;
  }
  bool close = false, keep = false;
  for (const HeaderField& h : request_.headers) {
    if (!EqualsIgnoreCase(h.name.in(data), "connection")) continue;
    std::string_view v = h.value.in(data);
    size_t at = 0;
    while (at <= v.size()) {
      size_t comma = v.find(',', at);
      std::string_view token =
          Trim(v.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
      at = comma == std::string_view::npos ? v.size() + 1 : comma + 1;
      close = close || EqualsIgnoreCase(token, "close");
      keep = keep || EqualsIgnoreCase(token, "keep-alive");
    }
  }
  request_.keep_alive = !close && (request_.minor_version == 1 || keep);
  if (request_.minor_version == 0) request_.expect_continue = false;  // RFC 9110 10.1.1
  if (!request_.chunked && request_.content_length > limits_.max_body_bytes) {
    Fail(413, "body_too_large",
         "request body of " + std::to_string(request_.content_length) +
             " bytes exceeds the limit of " + std::to_string(limits_.max_body_bytes) +
             " bytes; send a smaller query or raise the rest option max_body_bytes");
    return false;
  }
  if (request_.chunked) {
    state_ = State::kChunkLine;
    pos_ = request_.head_size;
  } else if (request_.content_length > 0) {
    state_ = State::kBody;
  } else {
    request_.body = MakeSpan(request_.head_size, 0);
    consumed_ = request_.head_size;
    state_ = State::kDone;
  }
  return true;
}

}  // namespace sluice::rest::http
