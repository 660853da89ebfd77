// Declared plugin options: what a plugin takes (name, type, default, range
// or values, one line of doc), in one place for the host (which checks a config against the
// declarations before anything runs, docs/config.md "Options") and for plugins (which read their
// options with the typed accessors of sluice/options.h). Header-only.
//
//   static constexpr sluice::OptionSpec kOptions[] = {
//       sluice::opt::Int("port", "TCP port; 0 picks a free one").Range(0, 65535).Default("8080"),
//       sluice::opt::Enum("on_error", "fail|skip", "what a bad row does").Default("fail"),
//   };
//
// A plugin class exposes its list as `static constexpr ... kOptions` (or a
// reference to one); SLUICE_PLUGIN() then puts it into the descriptor
// (sluice_plugin_descriptor.options, ABI 1.2), `sluice plugins --options`
// prints it and the host validates every instance's options against it.
//
// Value syntax, the same for every plugin: sluice/option_syntax.h.
#ifndef SLUICE_OPTION_SPEC_H_
#define SLUICE_OPTION_SPEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/abi.h"
#include "sluice/option_syntax.h"

namespace sluice {

enum class OptionType : uint32_t {
  kString = SLUICE_OPTION_STRING,
  kBool = SLUICE_OPTION_BOOL,
  kInt = SLUICE_OPTION_INT,
  kNumber = SLUICE_OPTION_NUMBER,
  kDuration = SLUICE_OPTION_DURATION,
  kSize = SLUICE_OPTION_SIZE,
  kEnum = SLUICE_OPTION_ENUM,
  kPath = SLUICE_OPTION_PATH,
};

// Where an option is given: the plugin instance's own `options:` (storage,
// API, a source's connection) or an endpoint's table options (sources).
enum class OptionScope : uint32_t {
  kInstance = SLUICE_OPTION_SCOPE_INSTANCE,
  kTable = SLUICE_OPTION_SCOPE_TABLE,
};

// One declared option. A literal type: build lists of them as constexpr
// arrays with the opt:: helpers and the chained setters.
struct OptionSpec {
  OptionType type = OptionType::kString;
  uint32_t flags = 0;   // SLUICE_OPTION_REQUIRED | _LIST | _MAP | _SECRET
  uint32_t scopes = 0;  // SLUICE_OPTION_SCOPE_*; 0 = the instance only
  const char* name = "";
  const char* default_value = nullptr;  // as text; nullptr = none
  // kEnum: the values, '|'-separated. Other types: words taken besides the
  // type's syntax, each "word=value" ("never=0", "all=0"); words are not
  // range-checked.
  const char* values = nullptr;
  const char* unit = nullptr;  // named after a range: "MiB", "rows"
  const char* doc = "";
  // kInt, kNumber: the value; kDuration: milliseconds; kSize: bytes;
  // kString, kPath: the length. min > max = unbounded.
  int64_t min = 1;
  int64_t max = 0;

  constexpr OptionSpec Default(const char* text) const {
    OptionSpec s = *this;
    s.default_value = text;
    return s;
  }
  constexpr OptionSpec Range(int64_t lo, int64_t hi) const {
    OptionSpec s = *this;
    s.min = lo, s.max = hi;
    return s;
  }
  constexpr OptionSpec Unit(const char* u) const {
    OptionSpec s = *this;
    s.unit = u;
    return s;
  }
  constexpr OptionSpec Words(const char* words) const {
    OptionSpec s = *this;
    s.values = words;
    return s;
  }
  constexpr OptionSpec Flag(uint32_t f) const {
    OptionSpec s = *this;
    s.flags |= f;
    return s;
  }
  constexpr OptionSpec Required() const { return Flag(SLUICE_OPTION_REQUIRED); }
  // A list: `key: [a, b]` (key.0, key.1, ...) or one value (`key: a`).
  constexpr OptionSpec List() const { return Flag(SLUICE_OPTION_LIST); }
  // A map of values of the type: `key: { any_name: value }` (key.any_name).
  constexpr OptionSpec Map() const { return Flag(SLUICE_OPTION_MAP); }
  // Never shown: messages and listings leave the value out.
  constexpr OptionSpec Secret() const { return Flag(SLUICE_OPTION_SECRET); }
  // Sources: also an endpoint's table option (`Table()`), or only one.
  constexpr OptionSpec Table() const {
    OptionSpec s = *this;
    s.scopes = SLUICE_OPTION_SCOPE_INSTANCE | SLUICE_OPTION_SCOPE_TABLE;
    return s;
  }
  constexpr OptionSpec TableOnly() const {
    OptionSpec s = *this;
    s.scopes = SLUICE_OPTION_SCOPE_TABLE;
    return s;
  }

  bool Has(uint32_t flag) const { return (flags & flag) != 0; }
  bool In(OptionScope scope) const {
    uint32_t s = scopes == 0 ? SLUICE_OPTION_SCOPE_INSTANCE : scopes;
    return (s & static_cast<uint32_t>(scope)) != 0;
  }
  bool Ranged() const { return min <= max; }

  // The C form (pointers into this spec's strings).
  sluice_option_decl ToC() const {
    sluice_option_decl d{};
    d.struct_size = sizeof d;
    d.type = static_cast<uint32_t>(type), d.flags = flags, d.scopes = scopes;
    d.name = name, d.default_value = default_value, d.values = values, d.unit = unit, d.doc = doc;
    d.min = min, d.max = max;
    return d;
  }
  // From the C form; fields a smaller (older) struct lacks keep their defaults.
  static OptionSpec FromC(const sluice_option_decl& d) {
    OptionSpec s;
    s.type = static_cast<OptionType>(d.type), s.flags = d.flags, s.scopes = d.scopes;
    s.name = d.name ? d.name : "", s.default_value = d.default_value, s.values = d.values;
    s.unit = d.unit, s.doc = d.doc ? d.doc : "", s.min = d.min, s.max = d.max;
    return s;
  }
};

// Helpers that start a declaration of each type.
namespace opt {
constexpr OptionSpec Make(OptionType t, const char* name, const char* doc) {
  OptionSpec s;
  s.type = t, s.name = name, s.doc = doc;
  return s;
}
constexpr OptionSpec String(const char* name, const char* doc) {
  return Make(OptionType::kString, name, doc);
}
constexpr OptionSpec Bool(const char* name, const char* doc) {
  return Make(OptionType::kBool, name, doc);
}
constexpr OptionSpec Int(const char* name, const char* doc) {
  return Make(OptionType::kInt, name, doc);
}
constexpr OptionSpec Number(const char* name, const char* doc) {
  return Make(OptionType::kNumber, name, doc);
}
constexpr OptionSpec Duration(const char* name, const char* doc) {
  return Make(OptionType::kDuration, name, doc);
}
constexpr OptionSpec Size(const char* name, const char* doc) {
  return Make(OptionType::kSize, name, doc);
}
constexpr OptionSpec Path(const char* name, const char* doc) {
  return Make(OptionType::kPath, name, doc);
}
// `values`: "a|b|c".
constexpr OptionSpec Enum(const char* name, const char* values, const char* doc) {
  return Make(OptionType::kEnum, name, doc).Words(values);
}
}  // namespace opt

// A list of declarations (a C array, or what a descriptor holds).
class OptionSpecs {
 public:
  OptionSpecs() = default;
  OptionSpecs(const OptionSpec* data, size_t size) : data_(data), size_(size) {}
  template <size_t N>
  OptionSpecs(const OptionSpec (&a)[N]) : data_(a), size_(N) {}  // NOLINT: implicit on purpose

  const OptionSpec* begin() const { return data_; }
  const OptionSpec* end() const { return data_ + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The declaration named `name` (the whole key), or nullptr.
  const OptionSpec* Find(std::string_view name) const {
    for (const OptionSpec& s : *this)
      if (name == s.name) return &s;
    return nullptr;
  }

 private:
  const OptionSpec* data_ = nullptr;
  size_t size_ = 0;
};

// The words of a '|'-separated list ("a|b|c").
inline std::vector<std::string_view> SplitWords(const char* list) {
  std::vector<std::string_view> out;
  std::string_view s = list ? list : "";
  while (!s.empty()) {
    size_t bar = s.find('|');
    out.push_back(s.substr(0, bar));
    if (bar == std::string_view::npos) break;
    s = s.substr(bar + 1);
  }
  return out;
}

namespace option_internal {
// A duration in the largest unit that divides it: "90s", "5m", "250ms".
inline std::string DurationText(uint64_t ms) {
  if (ms == 0) return "0";
  static const std::pair<uint64_t, const char*> kUnits[] = {
      {86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& [scale, unit] : kUnits)
    if (ms % scale == 0) return std::to_string(ms / scale) + unit;
  return std::to_string(ms) + "ms";
}
// A size in the largest binary unit that divides it: "16MiB", "4096".
inline std::string SizeText(uint64_t bytes) {
  static const char* kUnits[] = {"TiB", "GiB", "MiB", "KiB"};
  for (int i = 0; i < 4; ++i) {
    uint64_t scale = uint64_t{1} << (10 * (4 - i));
    if (bytes != 0 && bytes % scale == 0) return std::to_string(bytes / scale) + kUnits[i];
  }
  return std::to_string(bytes);
}
inline std::string Bound(const OptionSpec& s, int64_t v) {
  if (s.type == OptionType::kDuration) return DurationText(static_cast<uint64_t>(v));
  if (s.type == OptionType::kSize) return SizeText(static_cast<uint64_t>(v));
  return std::to_string(v);
}
// " from A to B", " >= A", " <= B" or "" for the spec's range.
inline std::string RangeText(const OptionSpec& s) {
  bool lo = s.min != INT64_MIN &&
            !(s.min <= 0 && s.type != OptionType::kInt && s.type != OptionType::kNumber);
  bool hi = s.max != INT64_MAX;
  if (!s.Ranged() || (!lo && !hi)) return "";
  if (lo && hi) return " from " + Bound(s, s.min) + " to " + Bound(s, s.max);
  return lo ? " >= " + Bound(s, s.min) : " <= " + Bound(s, s.max);
}
}  // namespace option_internal

// "a or b", "a, b or c".
inline std::string OrList(const std::vector<std::string_view>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out.append(words[i]);
  }
  return out;
}

// What a valid value of `spec` looks like, for "expected ..., found ..."
// messages: "an integer from 0 to 65535", "fail or skip", "a duration such
// as 500ms, 30s, 5m or 1h, or never".
inline std::string OptionExpectation(const OptionSpec& s) {
  using namespace option_internal;
  std::string out;
  switch (s.type) {
    case OptionType::kBool: return "true or false";
    case OptionType::kEnum: return OrList(SplitWords(s.values));
    case OptionType::kInt: out = "an integer" + RangeText(s); break;
    case OptionType::kNumber: out = "a number" + RangeText(s); break;
    case OptionType::kDuration:
      out = "a duration such as 500ms, 30s, 5m or 1h" + RangeText(s);
      break;
    case OptionType::kSize: out = "a size such as 4096, 64KiB or 16MiB" + RangeText(s); break;
    case OptionType::kPath: out = "a path"; break;
    case OptionType::kString:
      out = s.Ranged() && s.max == INT64_MAX && s.min == 1 ? "a non-empty text"
            : s.Ranged() ? "a text of " + std::to_string(s.min) + " to " + std::to_string(s.max) +
                               " characters"
                         : "a text";
      break;
  }
  if (s.unit != nullptr && s.Ranged()) out += std::string(" (") + s.unit + ")";
  std::vector<std::string_view> words;
  for (std::string_view w : SplitWords(s.values)) words.push_back(w.substr(0, w.find('=')));
  if (!words.empty()) out += ", or " + OrList(words);
  return out;
}

// The value a word of `spec` stands for ("never" -> "0"), or nullptr.
inline const char* WordValue(const OptionSpec& s, std::string_view text, std::string* storage) {
  if (s.type == OptionType::kEnum) return nullptr;
  for (std::string_view w : SplitWords(s.values)) {
    size_t eq = w.find('=');
    if (w.substr(0, eq) != text) continue;
    *storage = eq == std::string_view::npos ? std::string() : std::string(w.substr(eq + 1));
    return storage->c_str();
  }
  return nullptr;
}

// True when `text` is a valid value of `s` (one item of a list or map).
inline bool OptionValueValid(const OptionSpec& s, std::string_view text) {
  std::string word;
  if (WordValue(s, text, &word) != nullptr) return true;
  auto in_range = [&](int64_t v) { return !s.Ranged() || (v >= s.min && v <= s.max); };
  auto in_urange = [&](uint64_t v) {
    return !s.Ranged() || ((s.min <= 0 || v >= static_cast<uint64_t>(s.min)) &&
                           (s.max >= 0 && v <= static_cast<uint64_t>(s.max)));
  };
  switch (s.type) {
    case OptionType::kBool: {
      bool b;
      return ParseBoolOption(text, &b);
    }
    case OptionType::kInt: {
      int64_t v;
      return ParseIntOption(text, &v) && in_range(v);
    }
    case OptionType::kNumber: {
      double v;
      return ParseNumberOption(text, &v) &&
             (!s.Ranged() || (v >= static_cast<double>(s.min) && v <= static_cast<double>(s.max)));
    }
    case OptionType::kDuration: {
      uint64_t v;
      return ParseDurationOption(text, &v) && in_urange(v);
    }
    case OptionType::kSize: {
      uint64_t v;
      return ParseSizeOption(text, &v) && in_urange(v);
    }
    case OptionType::kEnum:
      for (std::string_view w : SplitWords(s.values))
        if (w == text) return true;
      return false;
    case OptionType::kPath: return !text.empty();
    case OptionType::kString:
      return !s.Ranged() || (static_cast<int64_t>(text.size()) >= s.min &&
                             static_cast<int64_t>(text.size()) <= s.max);
  }
  return false;
}

// What kind of problem an option has (SLUICE_OPTION_PROBLEM_*): the host
// decides by it, never by the message, whether the config must change.
enum class OptionProblemKind : uint32_t {
  kValue = SLUICE_OPTION_PROBLEM_VALUE,      // the value is not what the option takes
  kUnknown = SLUICE_OPTION_PROBLEM_UNKNOWN,  // the key is not declared
  kMissing = SLUICE_OPTION_PROBLEM_MISSING,  // a required option is absent
  kInUse = SLUICE_OPTION_PROBLEM_IN_USE,     // valid, but held by another process for now
};

// One problem found checking options against their declarations.
struct OptionProblem {
  std::string key;      // the option's key as given ("types.zip"); the declared name when missing
  std::string message;  // "expected ..., found '...'", "unknown option ...", "is required"
  OptionProblemKind kind = OptionProblemKind::kValue;
};

// Which declaration an option key belongs to: the spec named `key`, or
// the list or map spec `key` is an item of ("types.zip", "keys.0");
// nullptr when none.
inline const OptionSpec* SpecForKey(OptionSpecs specs, OptionScope scope, std::string_view key,
                                    std::string_view* item) {
  for (const OptionSpec& s : specs) {
    if (!s.In(scope)) continue;
    std::string_view name = s.name;
    if (key == name && !s.Has(SLUICE_OPTION_MAP)) {
      *item = {};
      return &s;
    }
    if (key.size() <= name.size() + 1 || key.substr(0, name.size()) != name ||
        key[name.size()] != '.')
      continue;
    std::string_view rest = key.substr(name.size() + 1);
    bool index = rest.find_first_not_of("0123456789") == std::string_view::npos;
    if (s.Has(SLUICE_OPTION_MAP) || (s.Has(SLUICE_OPTION_LIST) && index)) {
      *item = rest;
      return &s;
    }
  }
  return nullptr;
}

}  // namespace sluice

#endif  // SLUICE_OPTION_SPEC_H_
