// Exporting a plugin: include this header in exactly one .cc file of the
// plugin and write
//
//   SLUICE_PLUGIN(MyClass, "name", "1.0.0", "one-line description")
//
// MyClass derives from sluice::StoragePlugin, sluice::SourcePlugin or
// sluice::ApiPlugin (that decides the plugin's kind) and has a static
// Create() as documented in storage.h / source.h / api.h. The macro defines
// the one exported C symbol, sluice_plugin_entry, and the function table
// that turns C calls into C++ calls, catching every exception. When MyClass
// declares its options (`static constexpr sluice::OptionSpec kOptions[]`,
// sluice/option_spec.h), the descriptor carries them (ABI 1.2): the host
// then checks every instance's options before anything runs, through the
// descriptor's check_options, which also calls MyClass::CheckOptions when
// MyClass has one (see ChecksOptions below) for what a declaration cannot
// say (e.g. that a listening port is free).
//
// Build plugins with hidden visibility (-fvisibility=hidden): the macro
// marks its entry symbol visible; nothing else needs to be.
#ifndef SLUICE_PLUGIN_H_
#define SLUICE_PLUGIN_H_

#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/api.h"
#include "sluice/internal/api_adapter.h"
#include "sluice/internal/source_adapter.h"
#include "sluice/internal/storage_adapter.h"
#include "sluice/option_spec.h"
#include "sluice/options.h"
#include "sluice/source.h"
#include "sluice/storage.h"

namespace sluice::internal {

// True when T declares its options: `static constexpr OptionSpec kOptions[]`
// (or a static reference to such an array), see sluice/option_spec.h.
template <class T, class = void>
struct DeclaresOptions : std::false_type {};
template <class T>
struct DeclaresOptions<T, std::void_t<decltype(OptionSpecs(T::kOptions))>> : std::true_type {};

// T's declared options in C form; static storage.
template <class T>
const std::vector<sluice_option_decl>& OptionDecls() {
  static const std::vector<sluice_option_decl> decls = [] {
    std::vector<sluice_option_decl> out;
    for (const OptionSpec& s : OptionSpecs(T::kOptions)) out.push_back(s.ToC());
    return out;
  }();
  return decls;
}

// True when T adds its own checks to the declared ones:
//   static void CheckOptions(const Options& options, OptionScope scope,
//                            uint32_t flags, std::vector<OptionProblem>* problems);
// (flags: SLUICE_CHECK_*). Called only when the declared checks passed.
template <class T, class = void>
struct ChecksOptions : std::false_type {};
template <class T>
struct ChecksOptions<T, std::void_t<decltype(T::CheckOptions(std::declval<const Options&>(),
                                                             OptionScope::kInstance, 0u, nullptr))>>
    : std::true_type {};

// sluice_plugin_descriptor.check_options for T: the declared checks
// (Options::Problems), then T::CheckOptions when T has it.
template <class T>
uint32_t CheckOptionsC(uint32_t scope, uint32_t flags, const sluice_options* options, void* ctx,
                       void (*report)(void*, uint32_t, const char*, const char*)) {
  std::vector<OptionProblem> problems;
  try {
    Options o(options);
    OptionScope sc =
        scope == SLUICE_OPTION_SCOPE_TABLE ? OptionScope::kTable : OptionScope::kInstance;
    if constexpr (DeclaresOptions<T>::value) problems = o.Problems(T::kOptions, sc);
    if constexpr (ChecksOptions<T>::value)
      if (problems.empty()) T::CheckOptions(o, sc, flags, &problems);
  } catch (const std::exception& e) {
    problems.push_back({"", std::string("the option check failed: ") + e.what()});
  } catch (...) { problems.push_back({"", "the option check failed"}); }
  for (const OptionProblem& p : problems)
    report(ctx, static_cast<uint32_t>(p.kind), p.key.c_str(), p.message.c_str());
  return problems.empty() ? SLUICE_OK : SLUICE_INVALID_ARGUMENT;
}

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
    if constexpr (DeclaresOptions<T>::value) {
      static const sluice_option_decl kNone{};
      const std::vector<sluice_option_decl>& decls = OptionDecls<T>();
      x.options = decls.empty() ? &kNone : decls.data();
      x.option_count = static_cast<uint32_t>(decls.size());
    }
    // A class that declares no options but checks them itself still gets
    // its check called before the host writes anything.
    if constexpr (DeclaresOptions<T>::value || ChecksOptions<T>::value)
      x.check_options = &CheckOptionsC<T>;
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
