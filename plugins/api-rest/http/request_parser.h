// A strict, incremental HTTP/1.1 request parser (RFC 9112) for the REST
// plugin's transport. It reads one request from the start of a byte range
// that grows as bytes arrive, validates every line as soon as it is
// complete (so garbage is refused at once, not after a timeout), and never
// throws: every problem is a ParseError with the HTTP status to answer.
//
//   RequestParser parser(limits);
//   switch (parser.Parse(bytes, size)) {
//     case ParseResult::kNeedMore: ...read more; call again with the same start...
//     case ParseResult::kDone: ...parser.request(), parser.consumed() bytes used...
//     case ParseResult::kError: ...answer parser.error().status and close...
//   }
//   parser.Reset();   // before the next request
//
// What it refuses (400 unless said): a request line that is not
// "METHOD SP target SP HTTP/1.x" (unknown method, a target with spaces or
// control bytes, no or another version), a line not ending in CRLF, obs-fold,
// a header name that is not a token or is followed by whitespace before ':',
// control bytes in a value, a Content-Length that is not 1*DIGIT or
// overflows, Content-Lengths that differ, Transfer-Encoding together with
// Content-Length or in HTTP/1.0, a transfer coding other than chunked (501),
// an Expect other than 100-continue (417), a missing or repeated Host in
// HTTP/1.1, malformed chunk lines; limits: a target over max_url_bytes (414),
// a head or trailer section over max_header_bytes or with more than
// max_headers fields (431), a body over max_body_bytes (413, as soon as
// Content-Length announces it). Chunk extensions and trailer fields are
// accepted and ignored. Empty lines before a request line are skipped.
#ifndef SLUICE_PLUGINS_API_REST_HTTP_REQUEST_PARSER_H_
#define SLUICE_PLUGINS_API_REST_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::rest::http {

struct Limits {
  size_t max_header_bytes = 32768;  // request line + header fields (and trailers)
  size_t max_headers = 100;         // header fields (and trailer fields)
  size_t max_url_bytes = 8192;      // the request target
  uint64_t max_body_bytes = 1048576;
};

// A piece of the request, as offsets from the request's first byte, so it
// stays valid when the bytes move (a buffer grows or is copied).
struct Span {
  uint32_t pos = 0;
  uint32_t len = 0;
  std::string_view in(const char* base) const { return {base + pos, len}; }
};

struct HeaderField {
  Span name;
  Span value;  // without surrounding whitespace
};

// The parsed request. Spans are relative to the first byte handed to Parse.
struct ParsedRequest {
  Span method;
  Span target;            // as sent (origin form, or the path and query of the absolute form)
  Span path;              // target up to '?'
  Span query;             // after '?' (empty when none)
  int minor_version = 1;  // HTTP/1.<minor>
  std::vector<HeaderField> headers;
  bool keep_alive = true;  // RFC 9112 9.3 from the version and Connection
  bool expect_continue = false;
  bool chunked = false;
  uint64_t content_length = 0;  // of the body as sent (chunked: decoded size)
  Span body;                    // Content-Length bodies; chunked ones are in decoded_body
  std::string decoded_body;     // chunked bodies, decoded
  uint32_t head_size = 0;       // bytes of the request line and header section

  // The body, given the bytes the spans refer to.
  std::string_view Body(const char* base) const {
    return chunked ? std::string_view(decoded_body) : body.in(base);
  }
};

enum class ParseResult { kNeedMore, kDone, kError };

struct ParseError {
  int status = 400;
  // Short, fixed label for metrics: "malformed", "header_too_large",
  // "too_many_headers", "url_too_long", "body_too_large",
  // "unsupported_coding", "unsupported_expectation".
  const char* reason = "malformed";
  std::string message;  // what was wrong, for the client (never echoes more than a few bytes)
};

class RequestParser {
 public:
  explicit RequestParser(const Limits& limits) : limits_(limits) {}

  // Parses from data[0] (the first byte of the request; later calls pass the
  // same bytes plus more). Once kDone or kError is returned, further calls
  // return the same until Reset().
  ParseResult Parse(const char* data, size_t size);

  // Clears the state for the next request (keeps allocated capacity).
  void Reset();

  // True once the header section is complete and valid (the body may still
  // be arriving): request() then has the head.
  bool head_complete() const { return state_ >= State::kBody; }
  const ParsedRequest& request() const { return request_; }
  ParsedRequest& mutable_request() { return request_; }
  // Bytes of the request (head and body as sent), valid after kDone.
  size_t consumed() const { return consumed_; }
  const ParseError& error() const { return error_; }
  // The method as far as it is known ("" before the request line is read).
  std::string_view method(const char* base) const { return request_.method.in(base); }

 private:
  enum class State {
    kStart,
    kHead,
    kBody,
    kChunkLine,
    kChunkData,
    kChunkEnd,
    kTrailers,
    kDone,
    kError
  };

  ParseResult Fail(int status, const char* reason, std::string message);
  // Validates complete lines of the head from line_; false on error.
  bool ParseHeadLines(const char* data, size_t size);
  bool ParseRequestLine(const char* data, size_t end);
  bool ParseHeaderLine(const char* data, size_t begin, size_t end, bool trailer);
  // Checks of the whole head (Host, framing, Connection, Expect).
  bool FinishHead(const char* data);
  bool CheckRequestLinePrefix(const char* data, size_t size);
  ParseResult ParseChunked(const char* data, size_t size);

  Limits limits_;
  State state_ = State::kStart;
  size_t start_ = 0;  // first byte of the request line (after skipped empty lines)
  size_t line_ = 0;   // first byte of the next line to validate
  size_t pos_ = 0;    // chunked: next byte to decode
  uint64_t chunk_left_ = 0;
  size_t trailer_bytes_ = 0;
  size_t fields_ = 0;  // header and trailer fields seen
  size_t consumed_ = 0;
  bool have_length_ = false;
  bool have_host_ = false;
  int te_count_ = 0;
  ParsedRequest request_;
  ParseError error_;
};

// The RFC 9110 token characters (method and header names).
bool IsTokenChar(unsigned char c);

// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_REQUEST_PARSER_H_
