// Internal: the sluice_api_vtable that forwards C calls to a
// sluice::ApiPlugin. Used by SLUICE_PLUGIN().
#ifndef SLUICE_INTERNAL_API_ADAPTER_H_
#define SLUICE_INTERNAL_API_ADAPTER_H_

#include <memory>
#include <string>
#include <vector>

#include "sluice/api.h"
#include "sluice/internal/common.h"

namespace sluice::internal {

template <class T>
struct ApiAdapter {
  static ApiPlugin* P(void* s) { return static_cast<ApiPlugin*>(s); }

  static int32_t Create(const sluice_host_services* host, const sluice_options* options,
                        const sluice_api_host* api, void** out, sluice_status* st) {
    return Guard(st, "create", [&] {
      std::unique_ptr<T> p;
      Status s = T::Create(MakeHost(host), Options(options), ApiHost(api), &p);
      if (s.ok()) *out = static_cast<ApiPlugin*>(p.release());
      return s;
    });
  }
  static void Destroy(void* s) {
    GuardVoid([&] { delete P(s); });
  }
  static int32_t WriteArtifacts(void* s, const char* endpoint, const char* path, uint32_t version,
                                const sluice_schema* schema, const char* dir, sluice_status* st) {
    return Guard(st, "write_artifacts", [&] {
      Schema sc;
      if (schema == nullptr || !Schema::FromC(*schema, &sc))
        return InvalidArgument("write_artifacts: malformed schema");
      return P(s)->WriteArtifacts(Str(endpoint), Str(path), version, sc, Str(dir));
    });
  }
  static int32_t Start(void* s, void (*fn)(void*, const char*), void* ctx, sluice_status* st) {
    return Guard(st, "start", [&] {
      std::vector<std::string> addresses;
      Status r = P(s)->Start(&addresses);
      if (r.ok() && fn != nullptr)
        for (const std::string& a : addresses) fn(ctx, a.c_str());
      return r;
    });
  }
  static void Stop(void* s) {
    GuardVoid([&] { P(s)->Stop(); });
  }
  static void CatalogChanged(void* s) {
    GuardVoid([&] { P(s)->CatalogChanged(); });
  }
  static int32_t Reload(void* s, sluice_status* st) {
    return Guard(st, "reload", [&] { return P(s)->Reload(); });
  }

  static const sluice_api_vtable* Vtable() {
    static const sluice_api_vtable v = {sizeof(sluice_api_vtable), &Create, &Destroy,
                                        &WriteArtifacts,           &Start,  &Stop,
                                        &CatalogChanged,           &Reload};
    return &v;
  }
};

}  // namespace sluice::internal

#endif  // SLUICE_INTERNAL_API_ADAPTER_H_
