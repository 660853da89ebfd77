// The full-text tokenizer (docs/full_text.md, "Tokens"): splits UTF-8 text
// into words, folded so that case and accents do not matter.
//
//   std::vector<std::string> words;
//   Tokenize("Crème Brûlée, ÉTÉ 2024!", &words);  // {"creme", "brulee", "ete", "2024"}
//
// A token is a maximal run of word characters: ASCII letters and digits,
// and every code point from U+0080 up except the separators (Latin-1
// punctuation and symbols U+0080-U+00BF, U+00D7, U+00F7, the punctuation
// and symbol blocks U+2000-U+2BFF, U+3000-U+303F, U+FE30-U+FE4F, the
// fullwidth ASCII punctuation and U+FFF0-U+FFFF). Folding: ASCII, Latin-1,
// Latin Extended-A, Greek and Cyrillic letters to lower case; Latin
// letters with diacritics to their base letters (ß -> ss, æ -> ae, œ -> oe,
// þ -> th, ĳ -> ij); combining marks U+0300-U+036F dropped (so decomposed
// and precomposed text fold alike). Bytes that are not valid UTF-8 are
// separators. Tokens are cut to 64 bytes (at a code point boundary).
#ifndef SLUICE_HOST_CORE_TEXT_TOKENS_H_
#define SLUICE_HOST_CORE_TEXT_TOKENS_H_

#include <string>
#include <string_view>
#include <vector>

namespace sluice::host {

inline constexpr size_t kMaxTokenBytes = 64;

// Appends the folded tokens of `text` to *out, in text order (repeats kept).
void Tokenize(std::string_view text, std::vector<std::string>* out);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CORE_TEXT_TOKENS_H_
