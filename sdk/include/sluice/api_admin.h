// The admin calls of sluice::ApiHost (declared in sluice/api_host.h, which
// includes this header): metrics, prune, the loaded plugins and the
// current-version pin. Header-only wrappers over sluice_api_host.
//
//   std::vector<std::string> removed;
//   sluice::Status s = request.Authorize(sluice::Action::kAdmin);
//   if (s.ok()) s = request.api().Prune("trips", 2, &removed);
#ifndef SLUICE_API_ADMIN_H_
#define SLUICE_API_ADMIN_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/api_host.h"

namespace sluice {

inline Status ApiHost::Metrics(std::string* out) const {
  out->clear();
  if (!Has(offsetof(sluice_api_host, metrics))) return Status();
  sluice_status st{};
  auto fn = [](void* u, const char* t, size_t n) { static_cast<std::string*>(u)->append(t, n); };
  return Status::FromC(c_->metrics(c_->ctx, fn, out, &st), st);
}

inline Status ApiHost::Prune(std::string_view endpoint, uint32_t keep,
                             std::vector<std::string>* lines) const {
  if (!Has(offsetof(sluice_api_host, prune)))
    return Unimplemented("the host does not offer prune (ABI < 1.1)");
  std::string name(endpoint);
  sluice_status st{};
  auto fn = [](void* u, const char* line) {
    static_cast<std::vector<std::string>*>(u)->push_back(line);
  };
  return Status::FromC(c_->prune(c_->ctx, name.c_str(), keep, fn, lines, &st), st);
}

inline Status ApiHost::Plugins(std::vector<PluginEntry>* out) const {
  out->clear();
  if (!Has(offsetof(sluice_api_host, plugins)))
    return Unimplemented("the host does not list its plugins (ABI < 1.2)");
  sluice_status st{};
  auto fn = [](void* u, const sluice_loaded_plugin* p) {
    PluginEntry e;
    e.kind = p->kind;
    e.name = p->name;
    e.version = p->version;
    e.description = p->description;
    e.abi_major = p->abi_major;
    e.abi_minor = p->abi_minor;
    e.path = p->path;
    static_cast<std::vector<PluginEntry>*>(u)->push_back(std::move(e));
  };
  return Status::FromC(c_->plugins(c_->ctx, fn, out, &st), st);
}

inline Status ApiHost::SetCurrent(std::string_view endpoint, uint32_t version) const {
  std::string name(endpoint);
  sluice_status st{};
  return Status::FromC(c_->set_current(c_->ctx, name.c_str(), version, &st), st);
}

}  // namespace sluice

#endif  // SLUICE_API_ADMIN_H_
