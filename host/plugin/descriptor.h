// Checks of what a plugin's sluice_plugin_entry() returned, kept apart from
// loading so that they can be tested on descriptors built in memory.
//
// Compatibility rule (sluice/abi.h): a host loads a plugin when the ABI
// majors are equal and the plugin's minor is not newer than the host's.
#ifndef SLUICE_HOST_PLUGIN_DESCRIPTOR_H_
#define SLUICE_HOST_PLUGIN_DESCRIPTOR_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "plugin/plugin_catalog.h"
#include "sluice/abi.h"
#include "sluice/status.h"

namespace sluice::host {

// OK when a plugin built for ABI major.minor can run in a host providing
// host_major.host_minor. Otherwise FAILED_PRECONDITION whose message reads
// "built for ABI 2.0, host provides 1.0 — <how to fix>".
Status CheckAbi(uint16_t major, uint16_t minor, uint16_t host_major, uint16_t host_minor);

// Bytes of the descriptor that ABI SLUICE_ABI_MAJOR.`minor` defines.
size_t RequiredDescriptorSize(uint16_t minor);

// Bytes of the function table of `kind` that ABI SLUICE_ABI_MAJOR.`minor`
// defines (a plugin of that minor provides at least these). 0 for an
// unknown kind.
size_t RequiredVtableSize(PluginKind kind, uint16_t minor);

// Validates the descriptor `d` returned by the entry of the library at
// `path` and fills *out from it. FAILED_PRECONDITION naming the file, what
// is wrong and how to fix it when `d` is null, too small, built for an
// incompatible ABI, has an invalid name, an unknown kind, or a missing or
// too small function table. Reads only the frozen fields of a descriptor
// whose ABI is incompatible.
Status ValidateDescriptor(const sluice_plugin_descriptor* d, const std::filesystem::path& path,
                          PluginInfo* out);

}  // namespace sluice::host

#endif  // SLUICE_HOST_PLUGIN_DESCRIPTOR_H_
