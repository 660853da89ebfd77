// A response stream that also reads what the client sends after the head:
// an upgraded connection (WebSocket, ws_session.h). The transport
// (http/connection_stream.cc) hands it every byte the client sends, and
// otherwise treats it as any ResponseStream (event_stream.h).
#ifndef SLUICE_PLUGINS_API_REST_DUPLEX_STREAM_H_
#define SLUICE_PLUGINS_API_REST_DUPLEX_STREAM_H_

#include <cstddef>
#include <string>

#include "event_stream.h"

namespace sluice::rest {

class DuplexStream : public ResponseStream {
 public:
  // Takes `size` more bytes from the client (the stream keeps what it
  // cannot use yet) and appends what to send back to *out. False once the
  // stream has ended (its last bytes are then in *out): the transport
  // sends them and closes. Called on the connection's thread.
  virtual bool Input(const char* data, size_t size, std::string* out) = 0;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_DUPLEX_STREAM_H_
