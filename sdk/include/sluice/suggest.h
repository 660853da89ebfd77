// "Did you mean" suggestions for names a user mistyped (option keys, config
// keys, plugin names): the host and plugins word them the same way.
// Header-only.
//
//   std::string hint = sluice::DidYouMean("delimeter", {"path", "delimiter"});
//   // hint == " (did you mean \"delimiter\"?)"
#ifndef SLUICE_SUGGEST_H_
#define SLUICE_SUGGEST_H_

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// Levenshtein distance between a and b (insertions, deletions, substitutions).
inline size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (did you mean \"x\"?)" naming the candidate closest to `word` when its
// edit distance is at most 2 (the first one on ties), else "".
inline std::string DidYouMean(std::string_view word,
                              const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = 3;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) best = c, best_distance = d;
  }
  if (best.empty()) return "";
  return " (did you mean \"" + std::string(best) + "\"?)";
}

// The names joined with ", ".
inline std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view n : names) out.append(out.empty() ? "" : ", ").append(n);
  return out;
}

}  // namespace sluice

#endif  // SLUICE_SUGGEST_H_
