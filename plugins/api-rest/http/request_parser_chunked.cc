// RequestParser's chunked body decoding (RFC 9112 7.1): chunk sizes with
// extensions (ignored), chunk data, and trailer fields (checked as header
// fields, counted against the header limits, ignored).
#include <cstring>

#include "http/parse_text.h"
#include "http/request_parser.h"

namespace sluice::rest::http {

namespace {

constexpr size_t kMaxChunkLine = 4096;  // chunk size and extensions

}  // namespace

ParseResult RequestParser::ParseChunked(const char* data, size_t size) {
  for (;;) {
    if (state_ == State::kChunkLine || state_ == State::kTrailers) {
      const char* nl = pos_ < size
                           ? static_cast<const char*>(std::memchr(data + pos_, '\n', size - pos_))
                           : nullptr;
      size_t line_bytes = (nl == nullptr ? size : static_cast<size_t>(nl - data) + 1) - pos_;
      if (state_ == State::kChunkLine && line_bytes > kMaxChunkLine)
        return Fail(400, "malformed",
                    "malformed HTTP request: chunked body: a chunk size line is longer than " +
                        std::to_string(kMaxChunkLine) + " bytes");
      if (state_ == State::kTrailers && trailer_bytes_ + line_bytes > limits_.max_header_bytes)
        return Fail(431, "header_too_large",
                    "the request's trailer section is larger than " +
                        std::to_string(limits_.max_header_bytes) +
                        " bytes (rest option max_header_bytes)");
      if (nl == nullptr) return ParseResult::kNeedMore;
      size_t end = static_cast<size_t>(nl - data);
      if (end == pos_ || data[end - 1] != '\r')
        return Fail(400, "malformed",
                    "malformed HTTP request: chunked body: a line must end with CRLF");
      --end;
      if (state_ == State::kTrailers) {
        if (end == pos_) {
          consumed_ = end + 2;
          request_.content_length = request_.decoded_body.size();
          state_ = State::kDone;
          return ParseResult::kDone;
        }
        if (!ParseHeaderLine(data, pos_, end, /*trailer=*/true)) return ParseResult::kError;
        trailer_bytes_ += line_bytes;
        pos_ = end + 2;
        continue;
      }
      std::string_view line(data + pos_, end - pos_);
      uint64_t n = 0;
      size_t i = 0;
      for (; i < line.size() && HexValue(line[i]) >= 0; ++i) {
        if (n > (kMaxContentLength >> 4))
          return Fail(400, "malformed",
                      "malformed HTTP request: chunked body: a chunk size overflows");
        n = n * 16 + static_cast<uint64_t>(HexValue(line[i]));
      }
      if (i == 0)
        return Fail(
            400, "malformed",
            "malformed HTTP request: chunked body: expected a hexadecimal chunk size, found \"" +
                Excerpt(line, 16) + "\"");
      std::string_view ext = Trim(line.substr(i));
      if (!ext.empty() && ext[0] != ';')
        return Fail(
            400, "malformed",
            "malformed HTTP request: chunked body: after the chunk size, expected ';' and a chunk "
            "extension, found \"" +
                Excerpt(ext, 16) + "\"");
      for (char c : ext)
        if (!IsValueChar(static_cast<unsigned char>(c)))
          return Fail(
              400, "malformed",
              "malformed HTTP request: chunked body: a control character in a chunk extension");
      pos_ = end + 2;
      if (n == 0) {
        state_ = State::kTrailers;
        continue;
      }
      if (request_.decoded_body.size() + n > limits_.max_body_bytes)
        return Fail(413, "body_too_large",
                    "chunked request body exceeds the limit of " +
                        std::to_string(limits_.max_body_bytes) +
                        " bytes; send a smaller query or raise the rest option max_body_bytes");
      chunk_left_ = n;
      state_ = State::kChunkData;
    }
    if (state_ == State::kChunkData) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(size - pos_, chunk_left_));
      request_.decoded_body.append(data + pos_, take);
      pos_ += take;
      chunk_left_ -= take;
      if (chunk_left_ > 0) return ParseResult::kNeedMore;
      state_ = State::kChunkEnd;
    }
    if (state_ == State::kChunkEnd) {
      if (size - pos_ < 2) {
        if (size > pos_ && data[pos_] != '\r')
          return Fail(400, "malformed",
                      "malformed HTTP request: chunked body: chunk data not followed by CRLF");
        return ParseResult::kNeedMore;
      }
      if (data[pos_] != '\r' || data[pos_ + 1] != '\n')
        return Fail(400, "malformed",
                    "malformed HTTP request: chunked body: chunk data not followed by CRLF");
      pos_ += 2;
      state_ = State::kChunkLine;
    }
  }
}

}  // namespace sluice::rest::http
