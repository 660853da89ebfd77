// Loading a built plugin module in a test the way the host does (dlopen,
// sluice_plugin_entry; the one module loader of every test, first-party or
// not), and factories of storage plugins for the test
// suites (sluice/testing/storage_conformance.h and the others): one that
// makes the plugin's class directly, one that goes through the module's C
// ABI with the host's own client proxies. Header-only; link the test with
// ${CMAKE_DL_LIBS}.
//
//   const sluice_plugin_descriptor* d = nullptr;
//   SLUICE_ASSERT_OK(sluice::testing::LoadPluginModule(MY_PLUGIN_SO, &d));
//   auto direct = sluice::testing::DirectStorageFactory<MyStorage>({{"cache_mb", "8"}});
//   auto abi = sluice::testing::ModuleStorageFactory(MY_PLUGIN_SO, "mystore", {});
#ifndef SLUICE_TESTING_PLUGIN_MODULE_H_
#define SLUICE_TESTING_PLUGIN_MODULE_H_

#include <dlfcn.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/client/storage_client.h"
#include "sluice/host_services.h"
#include "sluice/status.h"
#include "sluice/storage.h"

namespace sluice::testing {

using StorageFactory = std::function<Status(std::unique_ptr<StoragePlugin>*)>;

// Loads the module at `path` (once per path; it is never unloaded, as in
// the host) and sets *out to its descriptor. INTERNAL saying why when it
// does not load or has no entry symbol.
inline Status LoadPluginModule(const std::string& path, const sluice_plugin_descriptor** out) {
  static std::mutex mu;
  static std::map<std::string, void*> handles;
  std::lock_guard<std::mutex> lock(mu);
  void*& handle = handles[path];
  if (handle == nullptr) handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return Internal("dlopen " + path + ": " + dlerror());
  auto entry = reinterpret_cast<sluice_plugin_entry_fn>(dlsym(handle, SLUICE_ENTRY_SYMBOL));
  if (entry == nullptr) return Internal(path + " lacks " SLUICE_ENTRY_SYMBOL);
  *out = entry();
  return Status();
}

// The function table of plugin `name` of `kind` (SLUICE_KIND_*) in the
// module at `path`. INTERNAL when the module is something else.
inline Status LoadModuleVtable(const std::string& path, uint32_t kind, const std::string& name,
                               const void** out) {
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_RETURN_IF_ERROR(LoadPluginModule(path, &d));
  static const char* const kKinds[] = {"?", "storage", "source", "api"};
  const char* want = kind <= 3 ? kKinds[kind] : "?";
  if (d->kind != kind || name != d->name)
    return Internal(path + ": expected " + want + " plugin '" + name + "', found " +
                    (d->kind <= 3 ? kKinds[d->kind] : "?") + " plugin '" + d->name + "'");
  *out = d->vtable;
  return Status();
}

// The storage vtable of storage plugin `name` in the module at `path`.
// INTERNAL when the module is something else.
inline Status LoadStorageModule(const std::string& path, const std::string& name,
                                const sluice_storage_vtable** out) {
  const void* vt = nullptr;
  SLUICE_RETURN_IF_ERROR(LoadModuleVtable(path, SLUICE_KIND_STORAGE, name, &vt));
  *out = static_cast<const sluice_storage_vtable*>(vt);
  return Status();
}

// The source vtable of source plugin `name` in the module at `path`.
inline Status LoadSourceModule(const std::string& path, const std::string& name,
                               const sluice_source_vtable** out) {
  const void* vt = nullptr;
  SLUICE_RETURN_IF_ERROR(LoadModuleVtable(path, SLUICE_KIND_SOURCE, name, &vt));
  *out = static_cast<const sluice_source_vtable*>(vt);
  return Status();
}

// The API vtable of API plugin `name` in the module at `path`.
inline Status LoadApiModule(const std::string& path, const std::string& name,
                            const sluice_api_vtable** out) {
  const void* vt = nullptr;
  SLUICE_RETURN_IF_ERROR(LoadModuleVtable(path, SLUICE_KIND_API, name, &vt));
  *out = static_cast<const sluice_api_vtable*>(vt);
  return Status();
}

// Makes storage plugin `name` from its module at `path`, with `options`,
// through the C ABI (no host services: the plugin's logging is dropped).
inline StorageFactory ModuleStorageFactory(std::string path, std::string name,
                                           std::vector<std::pair<std::string, std::string>> items) {
  return [path, name, options = Options(std::move(items))](std::unique_ptr<StoragePlugin>* out) {
    const sluice_storage_vtable* vt = nullptr;
    SLUICE_RETURN_IF_ERROR(LoadStorageModule(path, name, &vt));
    return client::CreateStorage(vt, nullptr, options, out);
  };
}

// Makes T (a StoragePlugin with T::Create) directly, with `options`.
template <class T>
StorageFactory DirectStorageFactory(std::vector<std::pair<std::string, std::string>> items) {
  return [options = Options(std::move(items))](std::unique_ptr<StoragePlugin>* out) {
    std::unique_ptr<T> plugin;
    SLUICE_RETURN_IF_ERROR(T::Create(HostServices(), options, &plugin));
    *out = std::move(plugin);
    return Status();
  };
}

}  // namespace sluice::testing

#endif  // SLUICE_TESTING_PLUGIN_MODULE_H_
