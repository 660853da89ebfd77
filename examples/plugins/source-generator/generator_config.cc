#include "generator_config.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

namespace generator {
namespace {

using sluice::InvalidArgument;
using sluice::Status;

Status ParseCount(const std::string& key, const std::string& text, const char* where,
                  uint64_t* out) {
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] < '0' || text[0] > '9' || *end != '\0' || errno == ERANGE)
    return InvalidArgument(std::string(where) + " '" + key +
                           "': expected a whole number >= 0, found '" + text + "'");
  *out = v;
  return Status();
}

Status ParseRate(const std::string& text, const char* where, double* out) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0)
    return InvalidArgument(std::string(where) +
                           " 'rate': expected rows per second, a number >= 0 "
                           "(0 = as fast as possible), found '" +
                           text + "'");
  *out = v;
  return Status();
}

}  // namespace

Status GeneratorConfig::Apply(const sluice::Options& options, const char* where) {
  for (const auto& [key, value] : options.items()) {
    if (key == "rows") {
      SLUICE_RETURN_IF_ERROR(ParseCount(key, value, where, &rows));
    } else if (key == "seed") {
      SLUICE_RETURN_IF_ERROR(ParseCount(key, value, where, &seed));
    } else if (key == "rate") {
      SLUICE_RETURN_IF_ERROR(ParseRate(value, where, &rate));
    } else {
      return InvalidArgument("unknown " + std::string(where) + " '" + key +
                             "'; the generator source knows: rows, rate, seed");
    }
  }
  return Status();
}

}  // namespace generator
