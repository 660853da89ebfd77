// Reads a plugin's options (sluice::Options) into typed settings, with one
// set of messages, each naming the option, the value found and what is
// accepted. Header-only.
//
//   sluice::OptionReader r(options, "mystore storage option");
//   SLUICE_RETURN_IF_ERROR(r.OnlyKnown({"cache_mb", "verify"}));
//   SLUICE_RETURN_IF_ERROR(r.Int("cache_mb", 1, 1024, "MiB", &settings.cache_mb));
//   SLUICE_RETURN_IF_ERROR(r.Bool("verify", &settings.verify));
//
// Every reader leaves *out (the default) alone when the key is absent.
#ifndef SLUICE_OPTION_READER_H_
#define SLUICE_OPTION_READER_H_

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/host_services.h"
#include "sluice/status.h"

namespace sluice {

class OptionReader {
 public:
  // `what` starts every message: "leveldb storage option 'key': ...".
  OptionReader(const Options& options, std::string what)
      : options_(options), what_(std::move(what)) {}

  // INVALID_ARGUMENT "<what> '<key>' is unknown; known options: a, b" for
  // the first key that is not one of `known` (whole keys: a nested key
  // such as "a.b" is unknown unless listed).
  Status OnlyKnown(const std::vector<std::string_view>& known) const {
    for (const auto& item : options_.items()) {
      bool ok = false;
      for (std::string_view k : known) ok = ok || item.first == k;
      if (ok) continue;
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return InvalidArgument(what_ + " '" + item.first + "' is unknown; known options: " + list);
    }
    return Status();
  }

  // An integer from lo to hi; `unit` ("MiB"), when not empty, is named in
  // the message: "expected an integer from 1 to 1024 (MiB), found 'x'".
  Status Int(std::string_view key, int64_t lo, int64_t hi, std::string_view unit,
             int64_t* out) const {
    if (!options_.Has(key)) return Status();
    std::string v = options_.GetString(key);
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < lo || n > hi) {
      std::string expected = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
      if (!unit.empty()) expected += " (" + std::string(unit) + ")";
      return Bad(key, v, expected);
    }
    *out = n;
    return Status();
  }

  // true, yes, on, 1 or false, no, off, 0.
  Status Bool(std::string_view key, bool* out) const {
    if (!options_.Has(key)) return Status();
    std::string v = options_.GetString(key);
    if (v == "true" || v == "yes" || v == "on" || v == "1") {
      *out = true;
    } else if (v == "false" || v == "no" || v == "off" || v == "0") {
      *out = false;
    } else {
      return Bad(key, v, "true or false");
    }
    return Status();
  }

  bool Has(std::string_view key) const { return options_.Has(key); }
  std::string Get(std::string_view key) const { return options_.GetString(key); }

  // INVALID_ARGUMENT "<what> '<key>': expected <expected>, found '<found>'",
  // for values a plugin checks itself.
  Status Bad(std::string_view key, const std::string& found, std::string_view expected) const {
    return InvalidArgument(what_ + " '" + std::string(key) + "': expected " +
                           std::string(expected) + ", found '" + found + "'");
  }
  // "a or b", "one of a, b, c": what Bad says is expected of a choice.
  static std::string Choices(const std::vector<std::string>& names) {
    if (names.size() == 2) return names[0] + " or " + names[1];
    std::string out = "one of ";
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out;
  }
  // INVALID_ARGUMENT "<what> '<key>': <why>".
  Status Invalid(std::string_view key, std::string_view why) const {
    return InvalidArgument(what_ + " '" + std::string(key) + "': " + std::string(why));
  }

 private:
  const Options& options_;
  const std::string what_;
};

}  // namespace sluice

#endif  // SLUICE_OPTION_READER_H_
