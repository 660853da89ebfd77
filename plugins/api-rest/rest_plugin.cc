#include "rest_plugin.h"

#include "openapi.h"
#include "sluice/atomic_file.h"

namespace sluice::rest {

Status RestPlugin::Create(const HostServices& host, const Options& options, const ApiHost& api,
                          std::unique_ptr<RestPlugin>* out) {
  if (api.c() == nullptr) return InvalidArgument("rest: no query service given to create()");
  RestOptions parsed;
  SLUICE_RETURN_IF_ERROR(ParseRestOptions(options, &parsed));
  out->reset(new RestPlugin(host, api, parsed));
  return Status();
}

RestPlugin::RestPlugin(const HostServices& host, const ApiHost& api, const RestOptions& options)
    : service_(std::make_shared<RestService>(api, options)), server_(service_, host) {}

RestPlugin::~RestPlugin() { Stop(); }

Status RestPlugin::WriteArtifacts(const std::string& endpoint, const std::string& path,
                                  uint32_t version, const Schema& schema, const std::string& dir) {
  if (path.empty() || path[0] != '/')
    return InvalidArgument("rest: endpoint " + endpoint + " has path '" + path +
                           "'; expected a path starting with '/', e.g. /" + endpoint);
  std::string document = OpenApiDocument(endpoint, path, version, schema);
  return WriteFileAtomically(dir + "/openapi.json", document)
      .WithContext("rest: writing the OpenAPI document of " + endpoint + " v" +
                   std::to_string(version));
}

Status RestPlugin::Start(std::vector<std::string>* addresses) { return server_.Start(addresses); }

void RestPlugin::Stop() { server_.Stop(); }

void RestPlugin::CatalogChanged() { service_->CatalogChanged(); }

Status RestPlugin::Reload() { return server_.Reload(); }

}  // namespace sluice::rest
