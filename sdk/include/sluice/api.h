// Writing an API plugin: implement sluice::ApiPlugin and export it with
// SLUICE_PLUGIN(). The plugin serves what the host's query service
// (sluice::ApiHost) answers; it never touches storage itself.
//
//   class MyApi : public sluice::ApiPlugin {
//    public:
//     static sluice::Status Create(const sluice::HostServices& host,
//                                  const sluice::Options& options,
//                                  const sluice::ApiHost& api,
//                                  std::unique_ptr<MyApi>* out);
//     ...
//   };
//   SLUICE_PLUGIN(MyApi, "myapi", "1.0.0", "my protocol")
#ifndef SLUICE_API_H_
#define SLUICE_API_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/api_host.h"
#include "sluice/host_services.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice {

class ApiPlugin {
 public:
  virtual ~ApiPlugin() = default;
  // Writes the artifacts this API derives from a version's schema into
  // `dir` (exists). Called by `migrate`, possibly with no server running.
  virtual Status WriteArtifacts(const std::string& endpoint, const std::string& path,
                                uint32_t version, const Schema& schema, const std::string& dir) = 0;
  // Starts serving and returns once listening; appends each address served
  // (e.g. "http://127.0.0.1:8080") to *addresses.
  virtual Status Start(std::vector<std::string>* addresses) = 0;
  // Stops accepting, finishes requests in flight. Idempotent.
  virtual void Stop() = 0;
  // The catalog changed: a version appeared, became ready or current.
  // Called from a host thread; must not block for long.
  virtual void CatalogChanged() {}
  // The host was told to reload (SIGHUP, `systemctl reload`): re-read what
  // is loaded from files while serving (TLS certificates and keys, ...).
  // On error keep serving with what was loaded before and return why (the
  // host logs it). Called from a host thread while requests run. Default:
  // nothing to reload. Since ABI 1.2; a host that predates it never calls it.
  virtual Status Reload() { return Status(); }
};

}  // namespace sluice

#endif  // SLUICE_API_H_
