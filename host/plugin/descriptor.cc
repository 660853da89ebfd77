#include "plugin/descriptor.h"

#include <cstddef>
#include <cstring>
#include <string>

#include "config/config.h"

namespace sluice::host {
namespace {

constexpr size_t kMaxNameLength = 64;

// Bytes every descriptor starts with, whatever its ABI: struct_size,
// abi_major, abi_minor.
constexpr size_t kFrozenPrefix = offsetof(sluice_plugin_descriptor, abi_minor) + sizeof(uint16_t);

std::string Version(uint16_t major, uint16_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

std::string Rebuild() {
  return "rebuild it against sluice SDK " + std::to_string(SLUICE_ABI_MAJOR) + ".x";
}

// `plugin "name" (path)`.
std::string Lead(std::string_view name, const std::filesystem::path& path) {
  return "plugin \"" + std::string(name) + "\" (" + path.string() + ")";
}

Status Broken(std::string_view name, const std::filesystem::path& path, const std::string& why) {
  return FailedPrecondition(Lead(name, path) + " is broken: " + why);
}

// The declared name when it is a valid plugin name; else why not.
bool ReadName(const char* name, std::string* out, std::string* why) {
  if (name == nullptr) {
    *why = "declares no name (name is NULL)";
    return false;
  }
  size_t n = strnlen(name, kMaxNameLength + 1);
  std::string text(name, n);
  if (n > kMaxNameLength) {
    *why = "declares a name longer than " + std::to_string(kMaxNameLength) + " characters (\"" +
           text + "...\")";
    return false;
  }
  if (!IsValidPluginName(text)) {
    *why = "declares an invalid name \"" + text + "\"";
    return false;
  }
  *out = std::move(text);
  return true;
}

Status CheckVtable(const sluice_plugin_descriptor& d, PluginKind kind, const std::string& name,
                   const std::filesystem::path& path) {
  std::string table = std::string(KindName(kind)) + " function table";
  if (d.vtable == nullptr)
    return Broken(name, path,
                  "its " + table + " (vtable) is NULL — " + Rebuild() +
                      " and export it with SLUICE_PLUGIN()");
  uint32_t size = *static_cast<const uint32_t*>(d.vtable);  // every table starts with struct_size
  size_t required = RequiredVtableSize(kind, d.abi_minor);
  if (size < required)
    return Broken(name, path,
                  "its " + table + " is " + std::to_string(size) + " bytes, ABI " +
                      Version(d.abi_major, d.abi_minor) + " requires at least " +
                      std::to_string(required) + " — " + Rebuild());
  return Status();
}

// Why option declaration `d` (number i) is unusable, or "".
std::string DeclProblem(const sluice_option_decl& d, size_t i) {
  std::string which = "its option " + std::to_string(i);
  if (d.struct_size < offsetof(sluice_option_decl, max) + sizeof(int64_t))
    return which + " declaration is " + std::to_string(d.struct_size) + " bytes, ABI 1.2 needs " +
           std::to_string(offsetof(sluice_option_decl, max) + sizeof(int64_t));
  std::string name = d.name ? d.name : "";
  bool good_name =
      !name.empty() && name.size() <= kMaxNameLength &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
  if (!good_name) return which + " has an invalid name \"" + name + "\" (expected [a-z0-9_]+)";
  which = "its option \"" + name + "\"";
  if (d.type < SLUICE_OPTION_STRING || d.type > SLUICE_OPTION_PATH)
    return which + " has unknown type " + std::to_string(d.type);
  if (d.type == SLUICE_OPTION_ENUM && (d.values == nullptr || *d.values == '\0'))
    return which + " is an enum without values";
  OptionSpec spec = OptionSpec::FromC(d);
  if (d.default_value != nullptr && !OptionValueValid(spec, d.default_value))
    return which + " has the default \"" + std::string(d.default_value) + "\", not " +
           OptionExpectation(spec);
  return "";
}

// Reads the declared options of `d` (when its struct_size covers them) into *out.
Status ReadOptions(const sluice_plugin_descriptor& d, const std::string& name,
                   const std::filesystem::path& path, PluginInfo* out) {
  size_t end = offsetof(sluice_plugin_descriptor, option_count) + sizeof(uint32_t);
  if (d.struct_size < end) return Status();
  size_t check_end = offsetof(sluice_plugin_descriptor, check_options) + sizeof(d.check_options);
  if (d.struct_size >= check_end) out->check_options = d.check_options;
  if (d.options == nullptr) return Status();
  out->declares_options = true;
  for (uint32_t i = 0; i < d.option_count; ++i) {
    std::string why = DeclProblem(d.options[i], i);
    if (!why.empty()) return Broken(name, path, why + " — fix its declaration and rebuild");
    OptionSpec spec = OptionSpec::FromC(d.options[i]);
    for (const OptionSpec& seen : out->options)
      if (std::string_view(seen.name) == spec.name)
        return Broken(name, path,
                      "it declares option \"" + std::string(spec.name) +
                          "\" twice — fix its declaration and rebuild");
    out->options.push_back(spec);
  }
  return Status();
}

}  // namespace

Status CheckAbi(uint16_t major, uint16_t minor, uint16_t host_major, uint16_t host_minor) {
  std::string versions = "built for ABI " + Version(major, minor) + ", host provides " +
                         Version(host_major, host_minor);
  if (major != host_major)
    return FailedPrecondition(versions + " — rebuild it against sluice SDK " +
                              std::to_string(host_major) + ".x");
  if (minor > host_minor)
    return FailedPrecondition(
        versions + " — upgrade sluice to a release providing ABI " + Version(major, minor) +
        " or later, or rebuild the plugin against sluice SDK " + Version(host_major, host_minor));
  return Status();
}

size_t RequiredDescriptorSize(uint16_t /*minor*/) {
  // ABI 1.0 defines everything up to vtable; what 1.2 appended (options)
  // is optional and read only when struct_size covers it.
  return offsetof(sluice_plugin_descriptor, vtable) + sizeof(void*);
}

size_t RequiredVtableSize(PluginKind kind, uint16_t minor) {
  // As for descriptors: every table of ABI 1.0 is the whole struct, except
  // where a later minor appended functions (the source table and the API
  // table's reload in 1.2).
  switch (kind) {
    case PluginKind::kStorage: return sizeof(sluice_storage_vtable);
    case PluginKind::kSource:
      return minor >= 2 ? sizeof(sluice_source_vtable) : SLUICE_SOURCE_VTABLE_SIZE_1_1;
    case PluginKind::kApi:
      return minor >= 2 ? sizeof(sluice_api_vtable)
                        : offsetof(sluice_api_vtable, catalog_changed) +
                              sizeof(sluice_api_vtable::catalog_changed);
  }
  return 0;
}

Status ValidateDescriptor(const sluice_plugin_descriptor* d, const std::filesystem::path& path,
                          PluginInfo* out) {
  std::string stem = path.stem().string();
  if (d == nullptr)
    return Broken(
        stem, path,
        "sluice_plugin_entry() returned NULL — it must return a pointer to a static "
        "sluice_plugin_descriptor; export plugins with SLUICE_PLUGIN() (sluice/plugin.h)");
  if (d->struct_size < kFrozenPrefix)
    return Broken(stem, path,
                  "its descriptor declares struct_size " + std::to_string(d->struct_size) +
                      ", less than the " + std::to_string(kFrozenPrefix) +
                      " bytes every ABI version starts with — " + Rebuild());
  Status abi = CheckAbi(d->abi_major, d->abi_minor, SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR);
  if (!abi.ok()) return FailedPrecondition(Lead(stem, path) + " is incompatible: " + abi.message());
  size_t required = RequiredDescriptorSize(d->abi_minor);
  if (d->struct_size < required)
    return Broken(stem, path,
                  "its descriptor is " + std::to_string(d->struct_size) + " bytes, ABI " +
                      Version(d->abi_major, d->abi_minor) + " requires at least " +
                      std::to_string(required) + " — " + Rebuild());
  std::string name, why;
  if (!ReadName(d->name, &name, &why))
    return FailedPrecondition(
        Lead(stem, path) + " " + why +
        " — plugin names use lower-case letters, digits, '_' and '-'; fix the "
        "name given to SLUICE_PLUGIN() and rebuild");
  if (d->kind < SLUICE_KIND_STORAGE || d->kind > SLUICE_KIND_API)
    return FailedPrecondition(Lead(name, path) + " has unknown kind " + std::to_string(d->kind) +
                              "; this host knows 1 (storage), 2 (source) and 3 (api) — " +
                              Rebuild());
  PluginKind kind = static_cast<PluginKind>(d->kind);
  SLUICE_RETURN_IF_ERROR(CheckVtable(*d, kind, name, path));
  PluginInfo info{path,
                  kind,
                  name,
                  d->version ? d->version : "",
                  d->description ? d->description : "",
                  d->abi_major,
                  d->abi_minor,
                  d->vtable};
  SLUICE_RETURN_IF_ERROR(ReadOptions(*d, name, path, &info));
  *out = std::move(info);
  return Status();
}

}  // namespace sluice::host
