#include "http/websocket.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace sluice::rest::http {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

bool ValidWebSocketKey(std::string_view key) {
  // 16 bytes are 24 base64 characters, the last two "==".
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (size_t i = 0; i < 22; ++i)
    if (!IsBase64Char(key[i])) return false;
  return true;
}

std::string WebSocketAccept(std::string_view key) {
  std::string text(key);
  text += kGuid;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

WsParse ParseClientFrame(char* data, size_t size, size_t max_payload, WsFrame* frame,
                         size_t* consumed, uint16_t* close_code, std::string* error) {
  auto fail = [&](uint16_t code, const char* why) {
    *close_code = code;
    *error = why;
    return WsParse::kError;
  };
  if (size < 2) return WsParse::kNeedMore;
  auto* b = reinterpret_cast<unsigned char*>(data);
  bool fin = (b[0] & 0x80) != 0;
  uint8_t opcode = b[0] & 0x0F;
  if ((b[0] & 0x70) != 0) return fail(kWsProtocolError, "reserved bits set (no extension agreed)");
  bool control = (opcode & 0x8) != 0;
  if (opcode != kWsContinuation && opcode != kWsText && opcode != kWsBinary && opcode != kWsClose &&
      opcode != kWsPing && opcode != kWsPong)
    return fail(kWsProtocolError, "unknown opcode");
  if ((b[1] & 0x80) == 0) return fail(kWsProtocolError, "a client frame must be masked");
  uint64_t length = b[1] & 0x7F;
  size_t at = 2;
  if (control && (!fin || length > 125))
    return fail(kWsProtocolError, "a control frame must be unfragmented and at most 125 bytes");
  if (length == 126) {
    if (size < 4) return WsParse::kNeedMore;
    length = (uint64_t{b[2]} << 8) | b[3];
    at = 4;
  } else if (length == 127) {
    if (size < 10) return WsParse::kNeedMore;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | b[2 + i];
    at = 10;
  }
  if (length > max_payload) return fail(kWsMessageTooBig, "message too big");
  if (size < at + 4 + length) return WsParse::kNeedMore;
  const unsigned char* mask = b + at;
  unsigned char* payload = b + at + 4;
  for (uint64_t i = 0; i < length; ++i) payload[i] ^= mask[i & 3];
  frame->fin = fin;
  frame->opcode = opcode;
  frame->payload = std::string_view(reinterpret_cast<char*>(payload), static_cast<size_t>(length));
  *consumed = at + 4 + static_cast<size_t>(length);
  return WsParse::kFrame;
}

void AppendServerFrame(uint8_t opcode, std::string_view payload, std::string* out) {
  out->push_back(static_cast<char>(0x80 | opcode));
  size_t n = payload.size();
  if (n < 126) {
    out->push_back(static_cast<char>(n));
  } else if (n <= 0xFFFF) {
    out->push_back(static_cast<char>(126));
    out->push_back(static_cast<char>(n >> 8));
    out->push_back(static_cast<char>(n & 0xFF));
  } else {
    out->push_back(static_cast<char>(127));
    for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((uint64_t{n} >> (8 * i)) & 0xFF));
  }
  out->append(payload);
}

void AppendCloseFrame(uint16_t code, std::string_view reason, std::string* out) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason.substr(0, 123));
  AppendServerFrame(kWsClose, payload, out);
}

}  // namespace sluice::rest::http
