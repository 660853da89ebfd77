// Numbers for people: counts and byte sizes in progress lines and reports.
#ifndef SLUICE_HOST_UTIL_HUMAN_H_
#define SLUICE_HOST_UTIL_HUMAN_H_

#include <string>

namespace sluice::host {

// "1.2M", "512k", "999"
std::string HumanCount(double n);
// "61.2 MB"
std::string HumanBytes(double n);

}  // namespace sluice::host

#endif  // SLUICE_HOST_UTIL_HUMAN_H_
