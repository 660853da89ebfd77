#include "http/transport_options.h"

#include <string>

namespace sluice::rest {

namespace {

struct IntKey {
  const char* key;
  uint32_t TransportOptions::*field;
  int64_t lo, hi;
};

constexpr int64_t kHour = 3600000;

const IntKey kIntKeys[] = {
    {"max_header_bytes", &TransportOptions::max_header_bytes, 1024, 1 << 20},
    {"max_headers", &TransportOptions::max_headers, 1, 10000},
    {"max_url_bytes", &TransportOptions::max_url_bytes, 64, 1 << 20},
    {"header_timeout_ms", &TransportOptions::header_timeout_ms, 10, kHour},
    {"body_timeout_ms", &TransportOptions::body_timeout_ms, 10, kHour},
    {"idle_timeout_ms", &TransportOptions::idle_timeout_ms, 10, kHour},
    {"send_timeout_ms", &TransportOptions::send_timeout_ms, 10, kHour},
    {"max_connections", &TransportOptions::max_connections, 1, 1000000},
    {"max_connections_per_client", &TransportOptions::max_connections_per_client, 0, 1000000},
    {"query_workers", &TransportOptions::query_workers, 0, 256},
    {"query_queue", &TransportOptions::query_queue, 0, 1000000},
    {"shutdown_grace_ms", &TransportOptions::shutdown_grace_ms, 0, kHour},
    {"events_max_lag", &TransportOptions::events_max_lag, 0, 1000000000},
    {"events_max_lag_ms", &TransportOptions::events_max_lag_ms, 0, kHour},
};

constexpr const char* kPathKeys[] = {"admin_socket_path", "tls.cert_path", "tls.key_path"};

}  // namespace

bool IsTransportOptionKey(std::string_view key) {
  for (const IntKey& k : kIntKeys)
    if (key == k.key) return true;
  for (const char* k : kPathKeys)
    if (key == k) return true;
  return false;
}

const char* TransportOptionKeys() {
  return "max_header_bytes, max_headers, max_url_bytes, header_timeout_ms, body_timeout_ms, "
         "idle_timeout_ms, send_timeout_ms, max_connections, max_connections_per_client, "
         "query_workers, query_queue, shutdown_grace_ms, events_max_lag, events_max_lag_ms, "
         "admin_socket_path, "
         "tls.cert_path, "
         "tls.key_path";
}

Status ParseTransportOptions(const Options& options, TransportOptions* out) {
  for (const IntKey& k : kIntKeys) {
    int64_t n = 0;
    SLUICE_RETURN_IF_ERROR(options.GetInt(k.key, out->*k.field, k.lo, k.hi, &n));
    out->*k.field = static_cast<uint32_t>(n);
  }
  out->admin_socket_path = options.GetString("admin_socket_path", out->admin_socket_path);
  out->tls_cert_path = options.GetString("tls.cert_path", out->tls_cert_path);
  out->tls_key_path = options.GetString("tls.key_path", out->tls_key_path);
  if (out->tls_cert_path.empty() != out->tls_key_path.empty())
    return InvalidArgument(
        "options tls.cert_path and tls.key_path go together (found only " +
        std::string(out->tls_cert_path.empty() ? "tls.key_path" : "tls.cert_path") +
        "); give both to serve HTTPS, or neither");
  return Status();
}

}  // namespace sluice::rest
