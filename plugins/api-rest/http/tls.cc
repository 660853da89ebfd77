#include "http/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace sluice::rest::http {

namespace {

// Chooses http/1.1 when the client offers it; no ALPN otherwise.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in,
               unsigned int in_len, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_len, kHttp11, sizeof kHttp11, in, in_len) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::string TlsErrors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "no reason given" : out;
}

Status TlsContext::Load(const std::string& cert_path, const std::string& key_path) {
  ERR_clear_error();
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (ctx == nullptr) return Internal("rest: cannot make a TLS context: " + TlsErrors());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_alpn_select_cb(ctx.get(), SelectAlpn, nullptr);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_path.c_str()) != 1)
    return InvalidArgument("rest option tls.cert_path: cannot use " + cert_path +
                           " as a PEM certificate chain: " + TlsErrors());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_path.c_str(), SSL_FILETYPE_PEM) != 1)
    return InvalidArgument("rest option tls.key_path: cannot use " + key_path +
                           " as a PEM private key: " + TlsErrors());
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return InvalidArgument("rest options tls: the key " + key_path +
                           " does not match the certificate " + cert_path + ": " + TlsErrors());
  std::lock_guard<std::mutex> lock(mu_);
  ctx_ = std::move(ctx);
  cert_path_ = cert_path;
  key_path_ = key_path;
  return Status();
}

Status TlsContext::Reload() {
  std::string cert, key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ctx_ == nullptr) return FailedPrecondition("rest: TLS is not configured");
    cert = cert_path_;
    key = key_path_;
  }
  return Load(cert, key);
}

bool TlsContext::enabled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ctx_ != nullptr;
}

SSL* TlsContext::NewSession(int fd) const {
  std::shared_ptr<SSL_CTX> ctx;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ctx = ctx_;
  }
  if (ctx == nullptr) return nullptr;
  SSL* ssl = SSL_new(ctx.get());  // holds its own reference to ctx
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return ssl;
}

}  // namespace sluice::rest::http
