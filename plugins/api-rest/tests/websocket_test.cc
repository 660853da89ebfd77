// WebSocket framing (http/websocket.h): the handshake's accept key
// (RFC 6455's own example), client frames parsed and unmasked whole or
// in pieces, every refusal with its close code, and server frames with
// each length form.
#include "http/websocket.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace sluice::rest::http {
namespace {

// A masked client frame of `payload`.
std::string ClientFrame(uint8_t first, std::string_view payload, const char mask[4] = "abcd") {
  std::string f(1, static_cast<char>(first));
  size_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(0x80 | n);
  } else if (n <= 0xFFFF) {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xFF);
  } else {
    f += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((uint64_t{n} >> (8 * i)) & 0xFF);
  }
  f.append(mask, 4);
  for (size_t i = 0; i < n; ++i) f += static_cast<char>(payload[i] ^ mask[i & 3]);
  return f;
}

// ParseClientFrame over a copy of `bytes` that it owns (the payload
// points into it, unmasked), with every output.
struct Parsed {
  Parsed(std::string_view in, size_t max_payload) : bytes(in) {
    result = ParseClientFrame(bytes.data(), bytes.size(), max_payload, &frame, &used, &code, &why);
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;

  std::string bytes;
  WsParse result = WsParse::kError;
  WsFrame frame;
  size_t used = 0;
  uint16_t code = 0;
  std::string why;
};

TEST(WebSocketTest, AcceptKeyIsTheRfcExample) {
  EXPECT_TRUE(ValidWebSocketKey("dGhlIHNhbXBsZSBub25jZQ=="));
  EXPECT_EQ(WebSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_FALSE(ValidWebSocketKey("dGhlIHNhbXBsZSBub25jZQ="));   // 15 bytes' worth
  EXPECT_FALSE(ValidWebSocketKey("dGhlIHNhbXBsZSBub25jZ!=="));  // not base64
  EXPECT_FALSE(ValidWebSocketKey(""));
}

TEST(WebSocketTest, ParsesEachLengthFormWholeAndInPieces) {
  for (size_t n : {0u, 5u, 125u, 126u, 300u, 65535u, 65536u, 70000u}) {
    std::string payload(n, 'x');
    for (size_t i = 0; i < n; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string bytes = ClientFrame(0x81, payload) + "tail";
    for (size_t cut = 0; cut < bytes.size() - 4; cut += 1 + n / 7) {
      Parsed part(std::string_view(bytes).substr(0, cut), 1 << 20);
      EXPECT_EQ(part.result, WsParse::kNeedMore) << n << " cut at " << cut;
    }
    Parsed p(bytes, 1 << 20);
    ASSERT_EQ(p.result, WsParse::kFrame) << n << ": " << p.why;
    EXPECT_TRUE(p.frame.fin);
    EXPECT_EQ(p.frame.opcode, kWsText);
    EXPECT_EQ(p.frame.payload, payload);
    EXPECT_EQ(p.used, bytes.size() - 4);
  }
}

TEST(WebSocketTest, RefusesWhatRfc6455Forbids) {
  struct Case {
    std::string bytes;
    uint16_t code;
    const char* why;
  } cases[] = {
      {std::string("\x81\x05hello", 7), kWsProtocolError, "masked"},  // unmasked
      {ClientFrame(0xC1, "x"), kWsProtocolError, "reserved bits"},    // RSV1
      {ClientFrame(0x83, "x"), kWsProtocolError, "unknown opcode"},   // opcode 3
      {ClientFrame(0x09, "x"), kWsProtocolError, "control frame"},    // fragmented ping
      {ClientFrame(0x89, std::string(126, 'p')), kWsProtocolError, "control frame"},
      {ClientFrame(0x81, std::string(101, 'x')), kWsMessageTooBig, "too big"},
  };
  for (const Case& c : cases) {
    Parsed p(c.bytes, 100);
    EXPECT_EQ(p.result, WsParse::kError) << c.why;
    EXPECT_EQ(p.code, c.code) << c.why;
    EXPECT_NE(p.why.find(c.why), std::string::npos) << p.why;
  }
}

TEST(WebSocketTest, WritesServerFramesUnmasked) {
  std::string out;
  AppendServerFrame(kWsText, "hi", &out);
  EXPECT_EQ(out, std::string("\x81\x02hi", 4));
  out.clear();
  AppendServerFrame(kWsText, std::string(200, 'a'), &out);
  EXPECT_EQ(out.substr(0, 4), std::string("\x81\x7E\x00\xC8", 4));
  EXPECT_EQ(out.size(), 204u);
  out.clear();
  AppendServerFrame(kWsBinary, std::string(70000, 'a'), &out);
  EXPECT_EQ(out.substr(0, 10), std::string("\x82\x7F\x00\x00\x00\x00\x00\x01\x11\x70", 10));
  out.clear();
  AppendCloseFrame(kWsGoingAway, "bye", &out);
  EXPECT_EQ(out, std::string("\x88\x05\x03\xE9"
                             "bye",
                             7));
}

}  // namespace
}  // namespace sluice::rest::http
