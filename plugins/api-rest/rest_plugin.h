// The "rest" API plugin: serves every endpoint version the host's catalog
// lists over HTTP/JSON (docs/rest.md) and writes each version's
// openapi.json at migrate time.
//
//   std::unique_ptr<RestPlugin> p;
//   Status s = RestPlugin::Create(host, options, api, &p);
//   std::vector<std::string> addresses;
//   if (s.ok()) s = p->Start(&addresses);   // {"http://127.0.0.1:8080"}
#ifndef SLUICE_PLUGINS_API_REST_REST_PLUGIN_H_
#define SLUICE_PLUGINS_API_REST_REST_PLUGIN_H_

#include <memory>
#include <string>
#include <vector>

#include "http_server.h"
#include "rest_service.h"
#include "sluice/api.h"
#include "sluice/listen_check.h"

namespace sluice::rest {

class RestPlugin : public ApiPlugin {
 public:
  static constexpr const auto& kOptions = kRestOptionSpecs;
  // What the declarations cannot say: with SLUICE_CHECK_LISTEN in `flags`,
  // that host:port is free to listen on (sluice/listen_check.h).
  static void CheckOptions(const Options& options, OptionScope, uint32_t flags,
                           std::vector<OptionProblem>* out) {
    CheckListenOptions(options, flags, &ParseRestOptions, out);
  }
  // Validates `options` (rest_options.h); INVALID_ARGUMENT on a bad or
  // unknown key. Does not listen yet. `api` must outlive the plugin.
  static Status Create(const HostServices& host, const Options& options, const ApiHost& api,
                       std::unique_ptr<RestPlugin>* out);
  // Stops serving first.
  ~RestPlugin() override;

  // Writes `dir`/openapi.json (atomically) for the version.
  Status WriteArtifacts(const std::string& endpoint, const std::string& path, uint32_t version,
                        const Schema& schema, const std::string& dir) override;
  // Listens on host:port (HTTPS with TLS options) and on admin_socket_path
  // when set; appends "http://HOST:PORT" (the bound port), "unix:PATH".
  Status Start(std::vector<std::string>* addresses) override;
  // Finishes requests in flight within shutdown_grace_ms, then stops. Idempotent.
  void Stop() override;
  // Re-reads the host's catalog.
  void CatalogChanged() override;
  // Re-reads the TLS certificate and key (when TLS is configured); on error
  // keeps serving with the ones loaded before.
  Status Reload() override;

 private:
  RestPlugin(const HostServices& host, const ApiHost& api, const RestOptions& options);

  std::shared_ptr<RestService> service_;
  HttpServer server_;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_REST_PLUGIN_H_
