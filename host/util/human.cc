#include "util/human.h"

#include <cstddef>
#include <cstdio>

namespace sluice::host {

namespace {

// One step of a scale: a value of at least `at` is divided by `div` and
// printed with `format`.
struct Step {
  double at, div;
  const char* format;
};

// `n` printed by the first of `steps` (largest first) it reaches; the last
// step takes whatever is left.
template <size_t N>
std::string Scaled(double n, const Step (&steps)[N]) {
  const Step* s = steps;
  while (s + 1 < steps + N && n < s->at) ++s;
  char buf[32];
  std::snprintf(buf, sizeof buf, s->format, n / s->div);
  return buf;
}

}  // namespace

std::string HumanCount(double n) {
  static constexpr Step kSteps[] = {
      {1e9, 1e9, "%.2fG"}, {1e6, 1e6, "%.2fM"}, {1e4, 1e3, "%.1fk"}, {0, 1, "%.0f"}};
  return Scaled(n, kSteps);
}

std::string HumanBytes(double n) {
  static constexpr Step kSteps[] = {
      {1e9, 1e9, "%.2f GB"}, {1e6, 1e6, "%.1f MB"}, {1e3, 1e3, "%.1f kB"}, {0, 1, "%.0f B"}};
  return Scaled(n, kSteps);
}

}  // namespace sluice::host
