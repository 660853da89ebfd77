// TLS for the REST plugin's TCP listener (OpenSSL): the server context made
// from a PEM certificate chain and private key, reloadable while serving.
// Connections keep the context they started with; new ones use the latest.
//
//   TlsContext tls;
//   Status s = tls.Load("/etc/sluice/cert.pem", "/etc/sluice/key.pem");
//   SSL* ssl = tls.NewSession(fd);   // for an accepted socket
//   ...
//   s = tls.Reload();   // SIGHUP: the same files again; keeps the old on error
#ifndef SLUICE_PLUGINS_API_REST_HTTP_TLS_H_
#define SLUICE_PLUGINS_API_REST_HTTP_TLS_H_

#include <memory>
#include <mutex>
#include <string>

#include "sluice/status.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace sluice::rest::http {

class TlsContext {
 public:
  TlsContext() = default;
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Makes a server context (TLS 1.2 and newer, no renegotiation, ALPN
  // http/1.1) from the files. INVALID_ARGUMENT naming the file and
  // OpenSSL's reason when a file cannot be read or the key does not match
  // the certificate. Thread-safe.
  Status Load(const std::string& cert_path, const std::string& key_path);
  // Load() with the files of the last successful Load(); on failure the
  // current context stays. FAILED_PRECONDITION when never loaded.
  Status Reload();
  bool enabled() const;

  // A server session on socket `fd` from the current context; null when
  // not loaded or out of memory. The caller frees it with SSL_free.
  SSL* NewSession(int fd) const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<SSL_CTX> ctx_;
  std::string cert_path_, key_path_;
};

// OpenSSL's queued error reasons as one line (and clears the queue).
std::string TlsErrors();

}  // namespace sluice::rest::http

#endif  // SLUICE_PLUGINS_API_REST_HTTP_TLS_H_
