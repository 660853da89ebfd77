#include "core/text_tokens.h"

#include <cstdint>

namespace sluice::host {
namespace {

// Base letters of U+00C0..U+00FF ('.': a separator; '2': two letters, see
// Fold).
constexpr const char* kLatin1 = "aaaaaa2ceeeeiiiidnooooo.ouuuuy22aaaaaa2ceeeeiiiidnooooo.ouuuuy2y";
// Base letters of U+0100..U+017F ('2': two letters, see Fold).
constexpr const char* kExtA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii22jjkkklllllll"
    "lllnnnnnnnnnoooooo22rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

// Reads one code point at s[*i] and moves past it; -1 for bytes that are
// not valid UTF-8 there (one byte is then consumed).
int32_t Next(std::string_view s, size_t* i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(*i);
  if (c < 0x80) {
    ++*i;
    return c;
  }
  int n = (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
  if (n < 0 || *i + static_cast<size_t>(n) >= s.size()) {
    ++*i;
    return -1;
  }
  int32_t cp = c & (0x3f >> n);
  for (int k = 1; k <= n; ++k) {
    if ((b(*i + k) & 0xc0) != 0x80) {
      ++*i;
      return -1;
    }
    cp = (cp << 6) | (b(*i + k) & 0x3f);
  }
  static const int32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    ++*i;
    return -1;
  }
  *i += static_cast<size_t>(n) + 1;
  return cp;
}

bool Separator(int32_t cp) {
  if (cp < 0) return true;
  if (cp < 0x80)
    return !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'));
  return cp <= 0xbf || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x2bff) ||
         (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
         (cp >= 0xff01 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20) ||
         (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65) || cp >= 0xfff0;
}

void AppendUtf8(std::string* out, int32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Appends the folded form of word character `cp`.
void Fold(std::string* out, int32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
    return;
  }
  if (cp >= 0x300 && cp <= 0x36f) return;  // combining marks
  if (cp >= 0xc0 && cp <= 0xff) {
    char c = kLatin1[cp - 0xc0];
    if (c != '2') return out->push_back(c);
    switch (cp) {
      case 0xc6:
      case 0xe6: out->append("ae"); return;
      case 0xdf: out->append("ss"); return;
      default: out->append("th"); return;  // Þ þ
    }
  }
  if (cp >= 0x100 && cp <= 0x17f) {
    char c = kExtA[cp - 0x100];
    if (c != '2') return out->push_back(c);
    out->append(cp == 0x132 || cp == 0x133 ? "ij" : "oe");  // Ĳ ĳ, Œ œ
    return;
  }
  if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) cp += 0x20;  // Greek capitals
  else if (cp >= 0x410 && cp <= 0x42f) cp += 0x20;            // Cyrillic capitals
  else if (cp >= 0x400 && cp <= 0x40f) cp += 0x50;
  AppendUtf8(out, cp);
}

}  // namespace

void Tokenize(std::string_view text, std::vector<std::string>* out) {
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (word.size() > kMaxTokenBytes) {
      size_t cut = kMaxTokenBytes;
      while (cut > 0 && (static_cast<uint8_t>(word[cut]) & 0xc0) == 0x80) --cut;
      word.resize(cut);
    }
    out->push_back(std::move(word));
    word.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    int32_t cp = Next(text, &i);
    if (Separator(cp)) flush();
    else Fold(&word, cp);
  }
  flush();
}

}  // namespace sluice::host
