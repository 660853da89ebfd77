// Exporting a plugin: include this header in exactly one .cc file of the
// plugin and write
//
//   SLUICE_PLUGIN(MyClass, "name", "1.0.0", "one-line description")
//
// MyClass derives from sluice::StoragePlugin, sluice::SourcePlugin or
// sluice::ApiPlugin (that decides the plugin's kind) and has a static
// Create() as documented in storage.h / source.h / api.h. The macro defines
// the one exported C symbol, sluice_plugin_entry, and the function table
// that turns C calls into C++ calls, catching every exception.
//
// Build plugins with hidden visibility (-fvisibility=hidden): the macro
// marks its entry symbol visible; nothing else needs to be.
#ifndef SLUICE_PLUGIN_H_
#define SLUICE_PLUGIN_H_

#include <type_traits>

#include "sluice/abi.h"
#include "sluice/api.h"
#include "sluice/internal/api_adapter.h"
#include "sluice/internal/source_adapter.h"
#include "sluice/internal/storage_adapter.h"
#include "sluice/source.h"
#include "sluice/storage.h"

namespace sluice::internal {

// The descriptor of plugin class T; static storage.
template <class T>
const sluice_plugin_descriptor* Describe(const char* name, const char* version,
                                         const char* description) {
  static_assert(
      std::is_base_of_v<StoragePlugin, T> + std::is_base_of_v<SourcePlugin, T> +
              std::is_base_of_v<ApiPlugin, T> ==
          1,
      "a plugin class derives from exactly one of StoragePlugin, SourcePlugin, ApiPlugin");
  static const sluice_plugin_descriptor d = [&] {
    sluice_plugin_descriptor x{};
    x.struct_size = sizeof(sluice_plugin_descriptor);
    x.abi_major = SLUICE_ABI_MAJOR;
    x.abi_minor = SLUICE_ABI_MINOR;
    x.name = name;
    x.version = version;
    x.description = description;
    if constexpr (std::is_base_of_v<StoragePlugin, T>) {
      PluginName() = name;
      x.kind = SLUICE_KIND_STORAGE;
      x.vtable = StorageAdapter<T>::Vtable();
    } else if constexpr (std::is_base_of_v<SourcePlugin, T>) {
      PluginName() = name;
      x.kind = SLUICE_KIND_SOURCE;
      x.vtable = SourceAdapter<T>::Vtable();
    } else {
      PluginName() = name;
      x.kind = SLUICE_KIND_API;
      x.vtable = ApiAdapter<T>::Vtable();
    }
    return x;
  }();
  return &d;
}

}  // namespace sluice::internal

#define SLUICE_PLUGIN(CLASS, NAME, VERSION, DESCRIPTION)                            \
  extern "C" __attribute__((visibility("default"))) const sluice_plugin_descriptor* \
  sluice_plugin_entry(void) {                                                       \
    return ::sluice::internal::Describe<CLASS>(NAME, VERSION, DESCRIPTION);         \
  }

#endif  // SLUICE_PLUGIN_H_
