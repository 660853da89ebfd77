#include "pg_copy.h"

namespace pgsrc {
namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the unescaped form of `f` (which holds a backslash) to *out.
bool Unescape(std::string_view f, std::string* out) {
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++i == f.size()) return false;
    c = f[i];
    switch (c) {
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'v': out->push_back('\v'); break;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i + 1 < f.size() && Hex(f[i + 1]) >= 0) v = v * 16 + Hex(f[++i]), ++n;
        if (n == 0) out->push_back('x');
        else out->push_back(static_cast<char>(v));
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          int v = c - '0', n = 1;
          while (n < 3 && i + 1 < f.size() && f[i + 1] >= '0' && f[i + 1] <= '7')
            v = v * 8 + (f[++i] - '0'), ++n;
          out->push_back(static_cast<char>(v));
        } else {
          out->push_back(c);  // \\ and any other escaped character stand for themselves
        }
    }
  }
  return true;
}

}  // namespace

bool SplitCopyRow(std::string_view line, std::vector<CopyField>* fields, std::string* scratch) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  fields->clear();
  scratch->clear();
  scratch->reserve(line.size());  // unescaped text is never longer: views stay valid
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    std::string_view f =
        line.substr(start, tab == std::string_view::npos ? line.size() - start : tab - start);
    CopyField field;
    if (f == "\\N") {
      field.null = true;
    } else if (f.find('\\') == std::string_view::npos) {
      field.text = f;
    } else {
      size_t at = scratch->size();
      if (!Unescape(f, scratch)) return false;
      field.text = std::string_view(scratch->data() + at, scratch->size() - at);
    }
    fields->push_back(field);
    if (tab == std::string_view::npos) return true;
    start = tab + 1;
  }
}

}  // namespace pgsrc
