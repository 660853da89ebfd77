// WebSocket framing (RFC 6455) for the transport's upgraded connections:
// the handshake's accept key, client frames (always masked) parsed and
// unmasked in place, server frames (never masked) written. SHA-1 and
// base64 are OpenSSL's.
//
//   std::string accept = WebSocketAccept(key);    // Sec-WebSocket-Accept
//   WsFrame f;
//   size_t used = 0;
//   WsParse r = ParseClientFrame(buf, size, 65536, &f, &used);
//   AppendServerFrame(kWsText, "{...}", &out);
#ifndef SLUICE_PLUGINS_API_REST_HTTP_WEBSOCKET_H_
#define SLUICE_PLUGINS_API_REST_HTTP_WEBSOCKET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::rest::http {

enum WsOpcode : uint8_t {
  kWsContinuation = 0x0,
  kWsText = 0x1,
  kWsBinary = 0x2,
  kWsClose = 0x8,
  kWsPing = 0x9,
  kWsPong = 0xA,
};

// Close codes (RFC 6455 7.4.1). A client that reads too slowly gets 1008:
// IANA's 1013 (try again later) would fit better, but clients refuse it
// (python3-websocket 1.2 accepts only RFC 6455's codes and 3000-4999).
enum WsCloseCode : uint16_t {
  kWsNormal = 1000,
  kWsGoingAway = 1001,
  kWsProtocolError = 1002,
  kWsUnsupportedData = 1003,
  kWsInvalidPayload = 1007,
  kWsPolicyViolation = 1008,
  kWsMessageTooBig = 1009,
};

struct WsFrame {
  bool fin = false;
  uint8_t opcode = 0;
  std::string_view payload;  // unmasked, inside the parsed buffer
};

enum class WsParse {
  kFrame,     // *frame and *consumed are set
  kNeedMore,  // the frame is not complete yet
  kError,     // *close_code and *error say why (the connection closes)
};

// True when `key` (Sec-WebSocket-Key) is base64 of 16 bytes.
bool ValidWebSocketKey(std::string_view key);

// Sec-WebSocket-Accept for `key`: base64(SHA-1(key + the RFC's GUID)).
std::string WebSocketAccept(std::string_view key);

// Parses the client frame at the start of data[0, size), unmasking its
// payload in place. Refuses an unmasked frame, reserved bits, unknown
// opcodes, a fragmented or over-125-byte control frame, and a payload
// over `max_payload` (kWsMessageTooBig).
WsParse ParseClientFrame(char* data, size_t size, size_t max_payload, WsFrame* frame,
                         size_t* consumed, uint16_t* close_code, std::string* error);

// Appends one unfragmented server frame.
void AppendServerFrame(uint8_t opcode, std::string_view payload, std::string* out);

// Appends a close frame with `code` and `reason` (cut to fit 125 bytes).
void AppendCloseFrame(uint16_t code, std::string_view reason, std::string* out);

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_WEBSOCKET_H_
