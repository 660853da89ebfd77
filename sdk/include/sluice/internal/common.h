// Internal to the SDK's export machinery; plugin code does not use it.
#ifndef SLUICE_INTERNAL_COMMON_H_
#define SLUICE_INTERNAL_COMMON_H_

#include <string>

#include "sluice/host_services.h"

namespace sluice::internal {

// The exporting plugin's name, for log lines. One plugin per shared object.
inline std::string& PluginName() {
  static std::string name;
  return name;
}

inline HostServices MakeHost(const sluice_host_services* c) {
  return HostServices(c, PluginName());
}

inline std::string Str(const char* s) { return s == nullptr ? std::string() : std::string(s); }

}  // namespace sluice::internal

#endif  // SLUICE_INTERNAL_COMMON_H_
