// "Did you mean" suggestions for names a user mistyped: config keys,
// connection names, plugin names.
#ifndef SLUICE_HOST_UTIL_SUGGEST_H_
#define SLUICE_HOST_UTIL_SUGGEST_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::host {

// Levenshtein distance between a and b (insertions, deletions, substitutions).
size_t EditDistance(std::string_view a, std::string_view b);

// " (did you mean \"x\"?)" naming the candidate closest to `word` when its
// edit distance is at most 2 (the first one on ties), else "".
std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates);

// The names joined with ", ".
std::string JoinNames(const std::vector<std::string_view>& names);

}  // namespace sluice::host

#endif  // SLUICE_HOST_UTIL_SUGGEST_H_
