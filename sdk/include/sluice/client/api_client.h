// Calling an API plugin from the host side: a sluice::ApiPlugin that
// forwards every call through a plugin's C function table. Header-only.
//
//   const auto* vt = static_cast<const sluice_api_vtable*>(info->vtable);
//   std::unique_ptr<sluice::ApiPlugin> rest;
//   sluice::Status s = sluice::client::CreateApi(vt, &host_c, options, &api_host_c, &rest);
//   std::vector<std::string> addresses;
//   if (s.ok()) s = rest->Start(&addresses);   // e.g. "http://127.0.0.1:8080"
//
// Ownership: the proxy owns the plugin instance and destroys it in its
// destructor (the plugin stops serving then if it still does). The shared
// object that provides the table must stay loaded while the proxy lives.
#ifndef SLUICE_CLIENT_API_CLIENT_H_
#define SLUICE_CLIENT_API_CLIENT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/api.h"
#include "sluice/host_services.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::client {

namespace api_internal {

// A status buffer for one call; only the parts FromC reads are initialized.
struct ApiCallStatus {
  ApiCallStatus() { st.code = 0, st.reserved = 0, st.message[0] = '\0'; }
  Status Result(int32_t rc) const { return Status::FromC(rc, st); }
  sluice_status st;
};

class ApiProxy : public ApiPlugin {
 public:
  ApiProxy(const sluice_api_vtable* vt, void* instance) : vt_(vt), instance_(instance) {}
  ApiProxy(const ApiProxy&) = delete;
  ApiProxy& operator=(const ApiProxy&) = delete;
  ~ApiProxy() override { vt_->destroy(instance_); }

  Status WriteArtifacts(const std::string& endpoint, const std::string& path, uint32_t version,
                        const Schema& schema, const std::string& dir) override {
    SchemaView view(schema);
    ApiCallStatus cs;
    return cs.Result(vt_->write_artifacts(instance_, endpoint.c_str(), path.c_str(), version,
                                          view.get(), dir.c_str(), &cs.st));
  }
  // Addresses the plugin reports are appended even when it then fails.
  Status Start(std::vector<std::string>* addresses) override {
    ApiCallStatus cs;
    internal::CallbackCtx<std::vector<std::string>> c{addresses};
    int32_t rc = vt_->start(instance_, &OnAddress, &c, &cs.st);
    c.Rethrow();
    return cs.Result(rc);
  }
  void Stop() override { vt_->stop(instance_); }
  void CatalogChanged() override { vt_->catalog_changed(instance_); }
  // OK without calling anything when the plugin predates ABI 1.2 or has no
  // reload function.
  Status Reload() override {
    if (vt_->struct_size < offsetof(sluice_api_vtable, reload) + sizeof(vt_->reload) ||
        vt_->reload == nullptr)
      return Status();
    ApiCallStatus cs;
    return cs.Result(vt_->reload(instance_, &cs.st));
  }

 private:
  static void OnAddress(void* ctx, const char* address) {
    auto* c = static_cast<internal::CallbackCtx<std::vector<std::string>>*>(ctx);
    if (c->target != nullptr && address != nullptr)
      c->Run([&](std::vector<std::string>& out) { out.emplace_back(address); });
  }

  const sluice_api_vtable* const vt_;
  void* const instance_;
};

// The size a table must have to hold every function this header calls.
inline constexpr size_t kRequiredApiVtableSize =
    offsetof(sluice_api_vtable, catalog_changed) + sizeof(sluice_api_vtable::catalog_changed);

// FAILED_PRECONDITION naming the first missing function, or OK.
inline Status CheckApiVtable(const sluice_api_vtable* vt) {
  if (vt == nullptr) return InvalidArgument("api plugin function table is null");
  if (vt->struct_size < kRequiredApiVtableSize)
    return FailedPrecondition("api plugin function table has " + std::to_string(vt->struct_size) +
                              " bytes, expected at least " +
                              std::to_string(kRequiredApiVtableSize) +
                              " — rebuild the plugin against this SDK");
  const std::pair<const char*, bool> fns[] = {{"create", vt->create != nullptr},
                                              {"destroy", vt->destroy != nullptr},
                                              {"write_artifacts", vt->write_artifacts != nullptr},
                                              {"start", vt->start != nullptr},
                                              {"stop", vt->stop != nullptr},
                                              {"catalog_changed", vt->catalog_changed != nullptr}};
  for (const auto& f : fns)
    if (!f.second)
      return FailedPrecondition(std::string("api plugin function table lacks ") + f.first);
  return Status();
}

}  // namespace api_internal

// Creates an instance of the API plugin whose function table is `vt`,
// passing it `host` (may be null: the plugin then logs nothing; otherwise it
// must outlive the instance), `options` and the query service `api` (must
// outlive the instance). On success *out forwards every ApiPlugin call
// through `vt`; Start() collects the addresses the plugin reports.
// FAILED_PRECONDITION when the table is too small or lacks a function;
// otherwise the plugin's own status. Thread-safety is the plugin's.
inline Status CreateApi(const sluice_api_vtable* vt, const sluice_host_services* host,
                        const Options& options, const sluice_api_host* api,
                        std::unique_ptr<ApiPlugin>* out) {
  SLUICE_RETURN_IF_ERROR(api_internal::CheckApiVtable(vt));
  OptionsView view(options);
  void* instance = nullptr;
  api_internal::ApiCallStatus cs;
  SLUICE_RETURN_IF_ERROR(cs.Result(vt->create(host, view.get(), api, &instance, &cs.st)));
  *out = std::make_unique<api_internal::ApiProxy>(vt, instance);
  return Status();
}

}  // namespace sluice::client

#endif  // SLUICE_CLIENT_API_CLIENT_H_
