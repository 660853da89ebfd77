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
  if (name == nullptr) return *why = "declares no name (name is NULL)", false;
  size_t n = strnlen(name, kMaxNameLength + 1);
  std::string text(name, n);
  if (n > kMaxNameLength)
    return *why = "declares a name longer than " + std::to_string(kMaxNameLength) +
                  " characters (\"" + text + "...\")",
           false;
  if (!IsValidPluginName(text)) return *why = "declares an invalid name \"" + text + "\"", false;
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
  // ABI 1.0 defines the whole struct. A minor version that appends fields
  // keeps this size for older minors and returns the larger one for itself.
  return sizeof(sluice_plugin_descriptor);
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
  *out = PluginInfo{path,
                    kind,
                    name,
                    d->version ? d->version : "",
                    d->description ? d->description : "",
                    d->abi_major,
                    d->abi_minor,
                    d->vtable};
  return Status();
}

}  // namespace sluice::host
