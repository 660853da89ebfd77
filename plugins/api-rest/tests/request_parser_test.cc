// The strict HTTP/1.1 request parser: what it accepts, what it refuses with
// which status, that refusals come as soon as the bytes show them, and that
// feeding a request in pieces gives what feeding it whole gives.
#include "http/request_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::rest::http {
namespace {

struct Outcome {
  ParseResult result = ParseResult::kNeedMore;
  int status = 0;
  std::string reason;
  std::string message;
  size_t consumed = 0;
};

Limits SmallLimits() {
  Limits l;
  l.max_header_bytes = 1024;
  l.max_headers = 8;
  l.max_url_bytes = 64;
  l.max_body_bytes = 100;
  return l;
}

Outcome ParseWhole(const std::string& bytes, const Limits& limits = SmallLimits()) {
  RequestParser p(limits);
  Outcome o;
  o.result = p.Parse(bytes.data(), bytes.size());
  if (o.result == ParseResult::kError) {
    o.status = p.error().status;
    o.reason = p.error().reason;
    o.message = p.error().message;
  }
  if (o.result == ParseResult::kDone) o.consumed = p.consumed();
  return o;
}

void ExpectRefused(const std::string& bytes, int status, const std::string& reason,
                   const std::string& message_part, const Limits& limits = SmallLimits()) {
  Outcome o = ParseWhole(bytes, limits);
  ASSERT_EQ(o.result, ParseResult::kError) << bytes;
  EXPECT_EQ(o.status, status) << bytes;
  EXPECT_EQ(o.reason, reason) << bytes;
  EXPECT_NE(o.message.find(message_part), std::string::npos) << o.message;
}

TEST(RequestParser, GetWithHeaders) {
  std::string raw =
      "GET /v2/trips?limit=5&order_by=-fare HTTP/1.1\r\nHost: x\r\nX-API-Key:  k1 \r\n\r\n";
  RequestParser p(SmallLimits());
  ASSERT_EQ(p.Parse(raw.data(), raw.size()), ParseResult::kDone);
  const ParsedRequest& r = p.request();
  const char* b = raw.data();
  EXPECT_EQ(r.method.in(b), "GET");
  EXPECT_EQ(r.target.in(b), "/v2/trips?limit=5&order_by=-fare");
  EXPECT_EQ(r.path.in(b), "/v2/trips");
  EXPECT_EQ(r.query.in(b), "limit=5&order_by=-fare");
  EXPECT_EQ(r.minor_version, 1);
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[1].name.in(b), "X-API-Key");
  EXPECT_EQ(r.headers[1].value.in(b), "k1");
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(r.Body(b), "");
  EXPECT_EQ(p.consumed(), raw.size());
}

TEST(RequestParser, PostBodyAndPipelinedRest) {
  std::string first = "POST /t/query HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
  std::string raw = first + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  RequestParser p(SmallLimits());
  ASSERT_EQ(p.Parse(raw.data(), raw.size()), ParseResult::kDone);
  EXPECT_EQ(p.consumed(), first.size());
  EXPECT_EQ(p.request().Body(raw.data()), "{}");
  p.Reset();
  const char* next = raw.data() + first.size();
  ASSERT_EQ(p.Parse(next, raw.size() - first.size()), ParseResult::kDone);
  EXPECT_EQ(p.request().path.in(next), "/health");
}

TEST(RequestParser, ByteByByteEqualsWhole) {
  std::string raw =
      "\r\nPOST /t/count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;name=value;flag\r\n{\"a\r\n4\r\n\":1}\r\n0\r\nX-Trailer: yes\r\n\r\n";
  RequestParser p(SmallLimits());
  ParseResult r = ParseResult::kNeedMore;
  for (size_t n = 1; n <= raw.size(); ++n) {
    r = p.Parse(raw.data(), n);
    if (n < raw.size()) { ASSERT_EQ(r, ParseResult::kNeedMore) << n; }
  }
  ASSERT_EQ(r, ParseResult::kDone);
  EXPECT_EQ(p.consumed(), raw.size());
  EXPECT_TRUE(p.request().chunked);
  EXPECT_EQ(p.request().Body(raw.data()), "{\"a\":1}");
  EXPECT_EQ(p.request().content_length, 7u);
}

TEST(RequestParser, MalformedContentLength) {
  const std::string head = "POST /t/count HTTP/1.1\r\nHost: x\r\n";
  for (const char* value : {"-1", "abc", "99999999999999999999999", "1 2", "+5", "5,5", ""})
    ExpectRefused(head + "Content-Length: " + value + "\r\n\r\n{}", 400, "malformed",
                  "Content-Length must be a non-negative decimal integer");
  ExpectRefused(head + "Content-Length : 2\r\n\r\n{}", 400, "malformed",
                "whitespace between the field name and ':'");
  ExpectRefused(head + "Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}", 400, "malformed",
                "Content-Length given twice with different values");
  Outcome same = ParseWhole(head + "Content-Length: 2\r\ncontent-length: 2\r\n\r\n{}");
  EXPECT_EQ(same.result, ParseResult::kDone);
  ExpectRefused(head + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                "malformed", "both Transfer-Encoding and Content-Length");
  ExpectRefused("POST /t HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "malformed",
                "Transfer-Encoding in an HTTP/1.0 request");
  ExpectRefused(head + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501, "unsupported_coding",
                "transfer coding \"gzip\" is not supported");
  ExpectRefused(head + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400, "malformed",
                "chunked applied more than once");
}

TEST(RequestParser, MalformedRequestLines) {
  ExpectRefused("GET /health\r\nHost: x\r\n\r\n", 400, "malformed", "expected METHOD SP target");
  ExpectRefused("GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 400, "malformed",
                "unsupported or malformed HTTP version");
  ExpectRefused("GET  /health HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed",
                "more than one space");
  ExpectRefused("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed", "HTTP version");
  ExpectRefused("GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed", "without '#'");
  ExpectRefused("GET a/b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed", "starting with '/'");
  ExpectRefused("GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed", "for OPTIONS only");
  ExpectRefused("get /health HTTP/1.1\r\n\r\n", 400, "malformed", "must start with a method");
  ExpectRefused("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed", "visible ASCII");
  ExpectRefused("GET / HTTP/1.1\nHost: x\n\n", 400, "malformed", "CRLF");
  EXPECT_EQ(ParseWhole("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").result, ParseResult::kDone);
  std::string abs = "GET http://example.com:8080/trips/1?x=1 HTTP/1.1\r\nHost: x\r\n\r\n";
  RequestParser p(SmallLimits());
  ASSERT_EQ(p.Parse(abs.data(), abs.size()), ParseResult::kDone);
  EXPECT_EQ(p.request().path.in(abs.data()), "/trips/1");
  EXPECT_EQ(p.request().query.in(abs.data()), "x=1");
}

TEST(RequestParser, GarbageIsRefusedBeforeALineEnds) {
  // No CRLF yet: the first bytes already cannot start a request.
  for (const char* junk : {"xyzzy", "\x16\x03\x01\x02", "GETX", "POST\t", "HELLO WORLD"}) {
    Outcome o = ParseWhole(junk);
    EXPECT_EQ(o.result, ParseResult::kError) << junk;
    EXPECT_EQ(o.status, 400) << junk;
  }
  EXPECT_EQ(ParseWhole("GE").result, ParseResult::kNeedMore);
  EXPECT_EQ(ParseWhole("DELETE /x HT").result, ParseResult::kNeedMore);
}

TEST(RequestParser, MalformedHeaderFields) {
  const std::string line = "GET / HTTP/1.1\r\nHost: x\r\n";
  ExpectRefused(line + "X-A: a\r\n b\r\n\r\n", 400, "malformed", "obsolete line folding");
  ExpectRefused(line + "X A: a\r\n\r\n", 400, "malformed", "whitespace between");
  ExpectRefused(line + ": a\r\n\r\n", 400, "malformed", "token followed by ':'");
  ExpectRefused(line + "X-A: a\rb\r\n\r\n", 400, "malformed", "control character");
  ExpectRefused(line + "X-A: a\x01\r\n\r\n", 400, "malformed", "control character");
  ExpectRefused("GET / HTTP/1.1\r\nX: 1\r\n\r\n", 400, "malformed", "must have a Host");
  ExpectRefused(line + "Host: y\r\n\r\n", 400, "malformed", "more than one Host");
  ExpectRefused(line + "Expect: something\r\n\r\n", 417, "unsupported_expectation",
                "only 100-continue");
  // obs-text in values is fine.
  EXPECT_EQ(ParseWhole(line + "X-A: caf\xc3\xa9\r\n\r\n").result, ParseResult::kDone);
}

TEST(RequestParser, Limits) {
  Limits l = SmallLimits();
  // URL: refused as soon as the target is longer, before the line ends.
  ExpectRefused("GET /" + std::string(64, 'a'), 414, "url_too_long", "max_url_bytes");
  EXPECT_EQ(ParseWhole("GET /" + std::string(63, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n").result,
            ParseResult::kDone);
  // Header bytes: refused once more have come without the end of the head.
  ExpectRefused("GET / HTTP/1.1\r\nX-Big: " + std::string(1100, 'a'), 431, "header_too_large",
                "max_header_bytes");
  ExpectRefused("GET / HTTP/1.1\r\nHost: x\r\n" + std::string(1100, 'a'), 431, "header_too_large",
                "max_header_bytes");
  // Header count.
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 8; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  ExpectRefused(many, 431, "too_many_headers", "max_headers");
  // Body: from Content-Length alone, before any body byte.
  ExpectRefused("POST /t HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", 413, "body_too_large",
                "max_body_bytes");
  EXPECT_EQ(ParseWhole("POST /t HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" +
                       std::string(100, ' '))
                .result,
            ParseResult::kDone);
  // Chunked: once the decoded size would pass the limit.
  ExpectRefused("POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" +
                    std::string(80, 'x') + "\r\n20\r\n",
                413, "body_too_large", "max_body_bytes", l);
  // Trailers count towards the header limits.
  ExpectRefused("POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " +
                    std::string(1100, 'a'),
                431, "header_too_large", "trailer section");
}

TEST(RequestParser, MalformedChunks) {
  const std::string head = "POST /t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  ExpectRefused(head + "zz\r\n", 400, "malformed", "hexadecimal chunk size");
  ExpectRefused(head + "2 x\r\n", 400, "malformed", "expected ';'");
  ExpectRefused(head + "2\r\n{}XX", 400, "malformed", "not followed by CRLF");
  ExpectRefused(head + "fffffffffffffffffff\r\n", 400, "malformed", "overflows");
  ExpectRefused(head + "2;" + std::string(5000, 'e'), 400, "malformed", "longer than");
}

TEST(RequestParser, ConnectionPersistence) {
  auto keep = [](const std::string& raw) {
    RequestParser p(SmallLimits());
    EXPECT_EQ(p.Parse(raw.data(), raw.size()), ParseResult::kDone) << raw;
    return p.request().keep_alive;
  };
  EXPECT_TRUE(keep("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, Close\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
}

TEST(RequestParser, ExpectContinueIsSeenWithTheHead) {
  std::string head =
      "POST /t HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
  RequestParser p(SmallLimits());
  EXPECT_EQ(p.Parse(head.data(), head.size()), ParseResult::kNeedMore);
  EXPECT_TRUE(p.head_complete());
  EXPECT_TRUE(p.request().expect_continue);
  std::string all = head + "{}";
  EXPECT_EQ(p.Parse(all.data(), all.size()), ParseResult::kDone);
}

}  // namespace
}  // namespace sluice::rest::http
