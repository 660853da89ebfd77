// A plugin's configuration options (sluice_options: the YAML subtree
// flattened to text pairs) and their typed accessors, with one set of
// messages for every plugin. Header-only.
//
//   bool verify = false;
//   SLUICE_RETURN_IF_ERROR(options.GetBool("verify", false, &verify));
//   int64_t port = 0;
//   SLUICE_RETURN_IF_ERROR(options.GetInt("port", 8080, 0, 65535, &port));
//
// With declarations (sluice/option_spec.h) a plugin checks every option
// at once and reads each by name, taking default, range and values from
// its declaration:
//
//   SLUICE_RETURN_IF_ERROR(options.Check(kOptions, OptionScope::kInstance));
//   SLUICE_RETURN_IF_ERROR(options.Read(kOptions, "port", &port));
//
// Messages name the option, what is accepted and what was found:
//   option 'port': expected an integer from 0 to 65535, found 'eighty'
#ifndef SLUICE_OPTIONS_H_
#define SLUICE_OPTIONS_H_

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sluice/abi.h"
#include "sluice/option_spec.h"
#include "sluice/status.h"
#include "sluice/suggest.h"

namespace sluice {

inline Status ProblemsStatus(const std::vector<OptionProblem>& problems);

namespace internal {
// Integer types narrower than int64_t (bool aside): what Options::GetInt
// and Options::Read narrow to, with a range check.
template <class T>
inline constexpr bool kNarrowInt =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && sizeof(T) < sizeof(int64_t);
}  // namespace internal

// Flattened configuration options (see sluice_options). Owns copies.
class Options {
 public:
  Options() = default;
  explicit Options(const sluice_options* c) {
    if (c == nullptr) return;
    for (uint32_t i = 0; i < c->count; ++i)
      items_.emplace_back(c->items[i].key, c->items[i].value ? c->items[i].value : "");
  }
  explicit Options(std::vector<std::pair<std::string, std::string>> items)
      : items_(std::move(items)) {}

  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
  std::string GetString(std::string_view key, std::string_view fallback = {}) const {
    const std::string* v = Find(key);
    return v ? *v : std::string(fallback);
  }

  // ---- typed accessors: *out = fallback when `key` is absent; otherwise
  // the value, or INVALID_ARGUMENT "option 'key': expected ..., found '...'"
  // (value syntax in sluice/option_spec.h) ----

  // true, yes, on, 1 or false, no, off, 0 (any case).
  Status GetBool(std::string_view key, bool fallback, bool* out) const {
    return Typed(opt::Bool("", ""), key, [&](const std::string* v) {
      if (v != nullptr) return ParseBoolOption(*v, out);
      *out = fallback;
      return true;
    });
  }
  // A decimal integer.
  Status GetInt(std::string_view key, int64_t fallback, int64_t* out) const {
    return GetInt(key, fallback, INT64_MIN, INT64_MAX, out);
  }
  // A decimal integer from min to max.
  Status GetInt(std::string_view key, int64_t fallback, int64_t min, int64_t max,
                int64_t* out) const {
    return Typed(opt::Int("", "").Range(min, max), key, [&](const std::string* v) {
      if (v == nullptr) {
        *out = fallback;
        return true;
      }
      int64_t n = 0;
      if (!ParseIntOption(*v, &n) || n < min || n > max) return false;
      *out = n;
      return true;
    });
  }
  // A decimal integer from min to max into a narrower integer type (int,
  // uint16_t, uint32_t, ...): GetInt's value and messages; INTERNAL when
  // min..max does not fit T (a caller's mistake).
  template <class T, class = std::enable_if_t<internal::kNarrowInt<T>>>
  Status GetInt(std::string_view key, T fallback, int64_t min, int64_t max, T* out) const {
    if (!FitsIn<T>(min, max))
      return Internal("option '" + std::string(key) + "': range " + std::to_string(min) + " to " +
                      std::to_string(max) + " does not fit its type");
    int64_t n = 0;
    SLUICE_RETURN_IF_ERROR(GetInt(key, fallback, min, max, &n));
    *out = static_cast<T>(n);
    return Status();
  }
  // A duration (250ms, 30s, 5m, 2h, 1d, 0) from min_ms to max_ms, in ms.
  Status GetDuration(std::string_view key, uint64_t fallback_ms, uint64_t min_ms, uint64_t max_ms,
                     uint64_t* out_ms) const {
    OptionSpec s = opt::Duration("", "").Range(ClampI(min_ms), ClampI(max_ms));
    return Typed(s, key, [&](const std::string* v) {
      if (v == nullptr) {
        *out_ms = fallback_ms;
        return true;
      }
      uint64_t ms = 0;
      if (!ParseDurationOption(*v, &ms) || ms < min_ms || ms > max_ms) return false;
      *out_ms = ms;
      return true;
    });
  }
  // A size in bytes (4096, 64KiB, 16M, 1G) from min to max.
  Status GetSize(std::string_view key, uint64_t fallback, uint64_t min, uint64_t max,
                 uint64_t* out) const {
    OptionSpec s = opt::Size("", "").Range(ClampI(min), ClampI(max));
    return Typed(s, key, [&](const std::string* v) {
      if (v == nullptr) {
        *out = fallback;
        return true;
      }
      uint64_t n = 0;
      if (!ParseSizeOption(*v, &n) || n < min || n > max) return false;
      *out = n;
      return true;
    });
  }
  // One of `values`, as written.
  Status GetEnum(std::string_view key, std::initializer_list<std::string_view> values,
                 std::string_view fallback, std::string* out) const {
    std::string list;
    for (std::string_view v : values) list.append(list.empty() ? "" : "|").append(v);
    return Typed(opt::Enum("", list.c_str(), ""), key, [&](const std::string* v) {
      if (v == nullptr) {
        *out = std::string(fallback);
        return true;
      }
      for (std::string_view x : values)
        if (x == *v) {
          *out = *v;
          return true;
        }
      return false;
    });
  }
  // A non-empty path (made absolute by the host when the option is a
  // connection's, storage's or API's; docs/config.md "Paths").
  Status GetPath(std::string_view key, std::string_view fallback, std::string* out) const {
    return Typed(opt::Path("", ""), key, [&](const std::string* v) {
      if (v == nullptr) {
        *out = std::string(fallback);
        return true;
      }
      if (v->empty()) return false;
      *out = *v;
      return true;
    });
  }

  // ---- declared options (sluice/option_spec.h) ----

  // Every problem of these options against `specs` in `scope`, in option
  // order: unknown keys (with "did you mean"), bad values, then required
  // options that are missing.
  std::vector<OptionProblem> Problems(OptionSpecs specs, OptionScope scope) const {
    std::vector<OptionProblem> out;
    std::vector<std::string_view> names;
    for (const OptionSpec& s : specs)
      if (s.In(scope)) names.push_back(s.name);
    for (const auto& [key, value] : items_) {
      std::string_view item;
      const OptionSpec* s = SpecForKey(specs, scope, key, &item);
      if (s == nullptr) {
        std::string_view head = std::string_view(key).substr(0, key.find('.'));
        const OptionSpec* parent = specs.Find(head);
        std::string why = parent != nullptr && parent->In(scope)
                              ? "'" + std::string(head) + "' is not a map or list of values"
                              : "unknown option" + DidYouMean(head, names) + "; known options: " +
                                    (names.empty() ? std::string("none") : JoinNames(names));
        out.push_back({key, why, OptionProblemKind::kUnknown});
      } else if (!OptionValueValid(*s, value)) {
        out.push_back({key, "expected " + OptionExpectation(*s) + ", found " + Found(*s, value)});
      }
    }
    for (const OptionSpec& s : specs) {
      if (!s.In(scope) || !s.Has(SLUICE_OPTION_REQUIRED) || Given(s)) continue;
      std::string doc = *s.doc ? std::string(" (") + s.doc + ")" : std::string();
      out.push_back(
          {s.name, "is required: " + OptionExpectation(s) + doc, OptionProblemKind::kMissing});
    }
    return out;
  }
  // Problems() as one status (ProblemsStatus).
  Status Check(OptionSpecs specs, OptionScope scope) const {
    return ProblemsStatus(Problems(specs, scope));
  }

  // Reads declared option `name` of `specs` (its default when absent) into
  // *out: bool for kBool; int64_t for kInt; double for kNumber; uint64_t for
  // kDuration (ms) and kSize (bytes); std::string for kString, kEnum and
  // kPath; std::vector<std::string> for a list (one value alone is a list of
  // one); std::vector<std::pair<std::string, std::string>> for a map (name,
  // value). Words ("never=0") give their value. A kInt option also reads
  // into uint64_t when its declared range has no negative value, and into
  // a narrower integer type (int, uint16_t, uint32_t, ...) when its
  // declared range fits that type. INVALID_ARGUMENT as the typed
  // accessors; INTERNAL when `name` is not declared with that type (or
  // with a range that fits it).
  template <class T>
  Status Read(OptionSpecs specs, std::string_view name, T* out) const {
    const OptionSpec* s = specs.Find(name);
    if (s == nullptr) return Internal("option '" + std::string(name) + "' is not declared");
    return ReadSpec(*s, out);
  }
  // Several Reads in one call: Read(specs, "host", &host, "port", &port, ...),
  // in that order; the first error.
  template <class T, class... More>
  Status Read(OptionSpecs specs, std::string_view name, T* out, More... more) const {
    SLUICE_RETURN_IF_ERROR(Read(specs, name, out));
    return Read(specs, more...);
  }

  // INVALID_ARGUMENT "option 'key': unknown option; known options: <known>"
  // for the first key (in option order) for which known(key) is false; OK
  // when there is none. For the keys of maps, whose declaration (Check)
  // takes any item.
  template <class Known>
  Status CheckKeys(Known known, std::string_view known_list) const {
    for (const auto& kv : items_)
      if (!known(std::string_view(kv.first)))
        return InvalidArgument("option '" + kv.first +
                               "': unknown option; known options: " + std::string(known_list));
    return Status();
  }

  // Options whose key (before any '.') is not in `known`, for "unknown option" errors.
  std::vector<std::string> Unknown(std::initializer_list<std::string_view> known) const {
    std::vector<std::string> out;
    for (const auto& kv : items_) {
      std::string_view head = std::string_view(kv.first).substr(0, kv.first.find('.'));
      bool ok = false;
      for (std::string_view k : known) ok = ok || head == k;
      if (!ok) out.push_back(kv.first);
    }
    return out;
  }

 private:
  template <class T>
  static bool FitsIn(int64_t min, int64_t max) {
    return min <= max && min >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
           max <= static_cast<int64_t>(std::numeric_limits<T>::max());
  }
  static int64_t ClampI(uint64_t v) {
    return v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
  }
  static std::string Found(const OptionSpec& s, const std::string& v) {
    return s.Has(SLUICE_OPTION_SECRET) ? std::to_string(v.size()) + " characters" : "'" + v + "'";
  }
  const std::string* Find(std::string_view key) const {
    for (const auto& kv : items_)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
  bool Given(const OptionSpec& s) const {
    std::string_view item;
    for (const auto& kv : items_)
      if (SpecForKey(OptionSpecs(&s, 1), OptionScope::kTable, kv.first, &item) == &s ||
          SpecForKey(OptionSpecs(&s, 1), OptionScope::kInstance, kv.first, &item) == &s)
        return true;
    return false;
  }
  // Runs parse(value or nullptr); on false, the message for `s`.
  template <class F>
  Status Typed(const OptionSpec& s, std::string_view key, F parse) const {
    const std::string* v = Find(key);
    if (parse(v)) return Status();
    return InvalidArgument("option '" + std::string(key) + "': expected " + OptionExpectation(s) +
                           ", found " + Found(s, *v));
  }
  // The text of `s` (a word replaced by its value; the default when absent;
  // nullptr when neither); INVALID_ARGUMENT when invalid.
  Status Text(const OptionSpec& s, std::string_view key, const char** text,
              std::string* storage) const {
    const std::string* v = Find(key);
    if (v == nullptr) {
      *text = s.default_value;
      return Status();
    }
    if (!OptionValueValid(s, *v))
      return InvalidArgument("option '" + std::string(key) + "': expected " + OptionExpectation(s) +
                             ", found " + Found(s, *v));
    const char* word = WordValue(s, *v, storage);
    *text = word != nullptr ? word : v->c_str();
    return Status();
  }
  Status Unfit(const OptionSpec& s) const {
    return Internal("option '" + std::string(s.name) +
                    "' is declared with a range that does not fit its type");
  }
  Status Mismatch(const OptionSpec& s, const char* as) const {
    return Internal("option '" + std::string(s.name) + "' is not declared as " + as);
  }
  Status ReadSpec(const OptionSpec& s, bool* out) const {
    if (s.type != OptionType::kBool) return Mismatch(s, "a bool");
    return Parsed(s, [&](const char* t) { return ParseBoolOption(t, out); });
  }
  Status ReadSpec(const OptionSpec& s, int64_t* out) const {
    if (s.type != OptionType::kInt) return Mismatch(s, "an int");
    return Parsed(s, [&](const char* t) { return ParseIntOption(t, out); });
  }
  Status ReadSpec(const OptionSpec& s, double* out) const {
    if (s.type != OptionType::kNumber) return Mismatch(s, "a number");
    return Parsed(s, [&](const char* t) { return ParseNumberOption(t, out); });
  }
  template <class T>
  std::enable_if_t<internal::kNarrowInt<T>, Status> ReadSpec(const OptionSpec& s, T* out) const {
    if (s.type != OptionType::kInt) return Mismatch(s, "an int");
    if (!s.Ranged() || !FitsIn<T>(s.min, s.max)) return Unfit(s);
    int64_t n = *out;
    SLUICE_RETURN_IF_ERROR(ReadSpec(s, &n));
    *out = static_cast<T>(n);
    return Status();
  }
  Status ReadSpec(const OptionSpec& s, uint64_t* out) const {
    if (s.type == OptionType::kInt) {
      if (!s.Ranged() || s.min < 0) return Unfit(s);
      int64_t n = static_cast<int64_t>(*out);
      SLUICE_RETURN_IF_ERROR(ReadSpec(s, &n));
      *out = static_cast<uint64_t>(n);
      return Status();
    }
    if (s.type == OptionType::kDuration)
      return Parsed(s, [&](const char* t) { return ParseDurationOption(t, out); });
    if (s.type == OptionType::kSize)
      return Parsed(s, [&](const char* t) { return ParseSizeOption(t, out); });
    return Mismatch(s, "a duration, size or int");
  }
  Status ReadSpec(const OptionSpec& s, std::string* out) const {
    if (s.type != OptionType::kString && s.type != OptionType::kEnum && s.type != OptionType::kPath)
      return Mismatch(s, "a string, enum or path");
    return Parsed(s, [&](const char* t) {
      *out = t;
      return true;
    });
  }
  Status ReadSpec(const OptionSpec& s, std::vector<std::string>* out) const {
    if (!s.Has(SLUICE_OPTION_LIST)) return Mismatch(s, "a list");
    std::vector<std::pair<std::string, std::string>> items;
    SLUICE_RETURN_IF_ERROR(Items(s, true, &items));
    out->clear();
    for (auto& kv : items) out->push_back(std::move(kv.second));
    return Status();
  }
  Status ReadSpec(const OptionSpec& s,
                  std::vector<std::pair<std::string, std::string>>* out) const {
    if (!s.Has(SLUICE_OPTION_MAP)) return Mismatch(s, "a map");
    return Items(s, false, out);
  }
  // The items of list or map `s`, in option order, checked; a list also
  // takes the bare key as one item.
  Status Items(const OptionSpec& s, bool list,
               std::vector<std::pair<std::string, std::string>>* out) const {
    out->clear();
    std::string prefix = std::string(s.name) + ".";
    for (const auto& [key, value] : items_) {
      bool item = key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0;
      if (!item && !(list && key == s.name)) continue;
      std::string_view sub = item ? std::string_view(key).substr(prefix.size()) : "";
      if (list && item && sub.find_first_not_of("0123456789") != std::string_view::npos) continue;
      if (!OptionValueValid(s, value))
        return InvalidArgument("option '" + key + "': expected " + OptionExpectation(s) +
                               ", found " + Found(s, value));
      std::string word;
      const char* w = WordValue(s, value, &word);
      out->emplace_back(std::string(sub), w != nullptr ? std::string(w) : value);
    }
    return Status();
  }
  // Text(s) handed to parse (nothing happens when absent without default).
  template <class F>
  Status Parsed(const OptionSpec& s, F parse) const {
    const char* text = nullptr;
    std::string storage;
    SLUICE_RETURN_IF_ERROR(Text(s, s.name, &text, &storage));
    if (text == nullptr) return Status();
    if (!parse(text))
      return Internal("option '" + std::string(s.name) + "': the declared default '" + text +
                      "' is not " + OptionExpectation(s));
    return Status();
  }

  std::vector<std::pair<std::string, std::string>> items_;
};

// OK when `problems` is empty; else INVALID_ARGUMENT with one
// "option 'key': message" per line (UNAVAILABLE when every problem is of
// kind kInUse: the same options may pass later).
inline Status ProblemsStatus(const std::vector<OptionProblem>& problems) {
  std::string msg;
  bool in_use = true;
  for (const OptionProblem& p : problems) {
    msg += (msg.empty() ? "" : "\n") + std::string("option '") + p.key + "': " + p.message;
    in_use = in_use && p.kind == OptionProblemKind::kInUse;
  }
  if (msg.empty()) return Status();
  return in_use ? Unavailable(std::move(msg)) : InvalidArgument(std::move(msg));
}

// The problem of a value a plugin checks itself, in the words of every
// other: {key, "expected <expected>, found '<found>'"}.
inline OptionProblem BadOptionValue(std::string key, std::string_view expected,
                                    std::string_view found) {
  return {std::move(key),
          "expected " + std::string(expected) + ", found '" + std::string(found) + "'"};
}

// BadOptionValue as INVALID_ARGUMENT "option 'key': expected ..., found '...'".
inline Status InvalidOption(std::string key, std::string_view expected, std::string_view found) {
  return ProblemsStatus({BadOptionValue(std::move(key), expected, found)});
}

// Holds a sluice_options that points into an Options (for host-side calls).
class OptionsView {
 public:
  explicit OptionsView(const Options& o) {
    for (const auto& kv : o.items()) items_.push_back({kv.first.c_str(), kv.second.c_str()});
    c_ = {sizeof(sluice_options), static_cast<uint32_t>(items_.size()), items_.data()};
  }
  OptionsView(const OptionsView&) = delete;
  OptionsView& operator=(const OptionsView&) = delete;
  const sluice_options* get() const { return &c_; }

 private:
  std::vector<sluice_option> items_;
  sluice_options c_{};
};

}  // namespace sluice

#endif  // SLUICE_OPTIONS_H_
