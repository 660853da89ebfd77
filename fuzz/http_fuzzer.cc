// libFuzzer target for the REST plugin's request path (docs/rest.md): the
// input is the bytes a client sends on one connection. They are parsed by
// the strict HTTP parser (plugins/api-rest/http/request_parser.h) with
// small limits, request after request as a pipelining client would send
// them, and every complete request is routed and answered by RestService
// over an in-memory query service (the REST tests' FakeApiHost, with
// endpoints at /trips and /geo/zones). Checks:
//
//   - the parse is the same whether the bytes arrive at once or in pieces
//     (split points taken from the input): same outcome, status, request
//     length, method, target, headers and body;
//   - a parsed request lies within the bytes consumed, and a body has the
//     length announced;
//   - a refusal has a 4xx/5xx status the transport uses, a message, and
//     its answer is one JSON error object;
//   - an answer to a request is never 500, its body is valid JSON (or the
//     Prometheus text of /metrics), and an error body (but /ready's 503) is
//     {"error":{"code","message"}}; its header section stays well formed;
//   - a WebSocket handshake (GET /feeds) is answered 101 with a duplex
//     stream; the bytes after it go to that stream (in the same pieces),
//     whose answers are whole server frames, each text frame one JSON
//     object with a "type".
//
// A failed check prints what differed and aborts (fuzz/README.md).
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "duplex_stream.h"
#include "fake_api_host.h"
#include "http/request_parser.h"
#include "http/request_view.h"
#include "http/response_head.h"
#include "rest_service.h"

namespace sluice::rest {
namespace {

[[noreturn]] void Fail(const std::string& what, std::string_view input) {
  std::fprintf(stderr, "http fuzzer check failed: %s\ninput (%zu bytes): %.*s\n", what.c_str(),
               input.size(), static_cast<int>(std::min<size_t>(input.size(), 2000)), input.data());
  std::abort();
}

http::Limits FuzzLimits() {
  http::Limits l;
  l.max_header_bytes = 2048;
  l.max_headers = 16;
  l.max_url_bytes = 512;
  l.max_body_bytes = 1024;
  return l;
}

struct Outcome {
  http::ParseResult result = http::ParseResult::kNeedMore;
  int status = 0;
  size_t consumed = 0;
  std::string summary;  // method, target, headers and body
};

std::string Summary(const char* base, const http::ParsedRequest& r) {
  std::string s = std::string(r.method.in(base)) + " " + std::string(r.target.in(base)) + " " +
                  std::to_string(r.minor_version) + (r.keep_alive ? " ka" : " close") + "\n";
  for (const http::HeaderField& h : r.headers)
    s += std::string(h.name.in(base)) + ": " + std::string(h.value.in(base)) + "\n";
  return s + "body " + std::string(r.Body(base));
}

// Parses one request at `data`, feeding it whole or at the split points.
Outcome ParseOne(const char* data, size_t size, const std::vector<size_t>& splits,
                 http::RequestParser* parser) {
  parser->Reset();
  Outcome o;
  for (size_t cut : splits) {
    if (cut >= size) break;
    o.result = parser->Parse(data, cut);
    if (o.result != http::ParseResult::kNeedMore) break;
  }
  if (o.result == http::ParseResult::kNeedMore) o.result = parser->Parse(data, size);
  if (o.result == http::ParseResult::kError) o.status = parser->error().status;
  if (o.result == http::ParseResult::kDone) {
    o.consumed = parser->consumed();
    o.summary = Summary(data, parser->request());
  }
  return o;
}

void CheckSpan(const http::Span& s, size_t consumed, const char* what, std::string_view input) {
  if (uint64_t{s.pos} + s.len > consumed) Fail(std::string(what) + " lies past the request", input);
}

void CheckJsonError(std::string_view body, std::string_view input) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc))
    Fail("an error body is not JSON: " + std::string(body), input);
  std::string_view code, message;
  if (doc["error"]["code"].get(code) || doc["error"]["message"].get(message) || message.empty())
    Fail("an error body lacks code or message: " + std::string(body), input);
}

// Checks that `out` is a sequence of whole, unmasked server frames whose
// text frames are JSON objects with a "type".
void CheckServerFrames(std::string_view out, std::string_view input) {
  size_t at = 0;
  while (at < out.size()) {
    if (out.size() - at < 2) Fail("a server frame cut short", input);
    auto b0 = static_cast<uint8_t>(out[at]), b1 = static_cast<uint8_t>(out[at + 1]);
    if ((b0 & 0x80) == 0 || (b1 & 0x80) != 0) Fail("a server frame fragmented or masked", input);
    uint64_t n = b1 & 0x7F;
    size_t head = 2;
    if (n == 126 || n == 127) {
      size_t len_bytes = n == 126 ? 2 : 8;
      if (out.size() - at < 2 + len_bytes) Fail("a server frame's length cut short", input);
      n = 0;
      for (size_t i = 0; i < len_bytes; ++i) n = (n << 8) | static_cast<uint8_t>(out[at + 2 + i]);
      head += len_bytes;
    }
    if (out.size() - at - head < n) Fail("a server frame's payload cut short", input);
    std::string_view payload = out.substr(at + head, n);
    if ((b0 & 0x0F) == 0x1) {
      thread_local simdjson::dom::parser parser;
      simdjson::dom::object obj;
      std::string_view type;
      if (parser.parse(payload.data(), payload.size()).get(obj) ||
          obj["type"].get_string().get(type))
        Fail("a WebSocket message is not a JSON object with a type: " + std::string(payload),
             input);
    }
    at += head + n;
  }
}

// A 101 answer: the rest of the input goes to its duplex stream.
void WebSocket(HttpResponse& response, std::string_view rest, const std::vector<size_t>& splits,
               std::string_view input) {
  auto* duplex = dynamic_cast<DuplexStream*>(response.stream.get());
  if (duplex == nullptr) Fail("a 101 answer without a duplex stream", input);
  std::string head;
  http::AppendUpgradeHead(response, &head);
  if (head.find("Sec-WebSocket-Accept: ") == std::string::npos)
    Fail("a 101 answer without Sec-WebSocket-Accept", input);
  duplex->Start([] {});
  std::string out;
  size_t at = 0;
  bool open = true;
  for (size_t cut : splits) {
    if (!open || cut <= at || cut >= rest.size()) continue;
    open = duplex->Input(rest.data() + at, cut - at, &out);
    at = cut;
  }
  if (open && at < rest.size()) open = duplex->Input(rest.data() + at, rest.size() - at, &out);
  if (open) open = duplex->Pull(65536, &out);
  if (open) duplex->Stop(&out);
  CheckServerFrames(out, input);
}

void Answer(RestService& service, const char* base, const http::ParsedRequest& parsed,
            std::string_view input, std::string_view rest, const std::vector<size_t>& splits,
            bool* upgraded) {
  HttpRequest request;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  http::FillRequest(base, parsed, Listener::kData, "192.0.2.7", &headers, &request);
  std::string_view route;
  std::string endpoint;
  (void)service.RunsQuery(request, &route, &endpoint);
  HttpResponse response;
  service.Handle(request, &response);
  if (response.status == 101) {
    *upgraded = true;
    return WebSocket(response, rest, splits, input);
  }
  if (response.status < 200 || response.status > 599 || response.status == 500)
    Fail("answered " + std::to_string(response.status) + ": " + response.body, input);
  if (response.content_type.empty()) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(response.body.data(), response.body.size()).get(doc))
      Fail("answer body is not JSON: " + response.body.substr(0, 200), input);
    // Errors are {"error":...}; /ready's 503 describes what is not ready.
    if (response.status >= 400 && response.route != "/ready") CheckJsonError(response.body, input);
  }
  std::string head;
  http::AppendHead(response, parsed.minor_version, parsed.keep_alive, &head);
  if (head.find("\r\n\r\n") != head.size() - 4) Fail("a header value broke the head", input);
}

}  // namespace
}  // namespace sluice::rest

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::rest;  // NOLINT: a fuzz entry point
  static testing::FakeApiHost* fake = [] {
    auto* f = new testing::FakeApiHost();
    testing::AddSampleEndpoints(f);
    return f;
  }();
  static RestService* service = new RestService(sluice::ApiHost(fake->c()), RestOptions());
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Split points from the first bytes: where a slow client's reads would end.
  std::vector<size_t> splits;
  for (size_t i = 0; i < size && i < 4; ++i)
    splits.push_back(splits.empty() ? data[i] : splits.back() + data[i] + 1);
  http::RequestParser whole(FuzzLimits()), pieces(FuzzLimits());
  size_t at = 0;
  for (int n = 0; n < 8 && at < size; ++n) {
    const char* base = input.data() + at;
    size_t left = size - at;
    Outcome a = ParseOne(base, left, {}, &whole);
    Outcome b = ParseOne(base, left, splits, &pieces);
    if (a.result != b.result || a.status != b.status || a.consumed != b.consumed ||
        a.summary != b.summary)
      Fail("whole and split parses differ:\n" + a.summary + "\n--- vs ---\n" + b.summary, input);
    if (a.result == http::ParseResult::kNeedMore) break;
    if (a.result == http::ParseResult::kError) {
      int s = a.status;
      if (s != 400 && s != 413 && s != 414 && s != 417 && s != 431 && s != 501)
        Fail("refused with status " + std::to_string(s), input);
      if (whole.error().message.empty()) Fail("refused without a message", input);
      std::string answer = http::ErrorAnswer(s, "invalid_argument", whole.error().message);
      CheckJsonError(answer.substr(answer.find("\r\n\r\n") + 4), input);
      break;
    }
    const http::ParsedRequest& r = whole.request();
    if (a.consumed == 0 || a.consumed > left) Fail("consumed out of range", input);
    for (const auto* span : {&r.method, &r.target, &r.path, &r.query})
      CheckSpan(*span, a.consumed, "a request-line part", input);
    for (const http::HeaderField& h : r.headers) {
      CheckSpan(h.name, a.consumed, "a header name", input);
      CheckSpan(h.value, a.consumed, "a header value", input);
    }
    if (!r.chunked) CheckSpan(r.body, a.consumed, "the body", input);
    if (r.Body(base).size() != r.content_length)
      Fail("body length differs from its framing", input);
    bool upgraded = false;
    Answer(*service, base, r, input, input.substr(at + a.consumed), splits, &upgraded);
    if (upgraded) break;  // the rest was the WebSocket's
    at += a.consumed;
  }
  return 0;
}
