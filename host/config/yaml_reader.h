// Internal to host/config: small helpers for reading a yaml-cpp tree while
// collecting problems that name file, line, column and key path.
#ifndef SLUICE_HOST_CONFIG_YAML_READER_H_
#define SLUICE_HOST_CONFIG_YAML_READER_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/function_ref.h"
#include "sluice/status.h"
#include "util/suggest.h"

namespace sluice::host::config_internal {

// Problems found in one file; reported in file order.
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}

  // Records "<file>:<line>:<col>: <key_path>: <message>". The position is
  // left out when `at` is null, the key path when it is empty.
  void Add(const YAML::Mark& at, std::string_view key_path, std::string_view message);
  // "<file>:<line>:<col>: <key_path>", the prefix Add() gives a problem.
  std::string Where(const YAML::Mark& at, std::string_view key_path) const;
  bool empty() const { return lines_.empty(); }
  size_t count() const { return lines_.size(); }
  // OK when empty, else INVALID_ARGUMENT with one problem per line, sorted
  // by position (problems without one last).
  Status ToStatus() const;

 private:
  std::string file_;
  std::vector<std::pair<int64_t, std::string>> lines_;  // (position, text)
};

// One key/value pair of a YAML map.
struct Entry {
  std::string key;
  YAML::Node value;
  YAML::Mark key_mark;
  // Where to point at the value: the value itself, or its key when the
  // value is empty (an empty value's own mark is on the next line).
  YAML::Mark mark;
};

// The entry with `key`, or nullptr.
const Entry* FindEntry(const std::vector<Entry>& entries, std::string_view key);

// "parent.key", or "key" when parent is empty.
std::string JoinPath(std::string_view parent, std::string_view key);
// "parent[i]".
std::string IndexPath(std::string_view parent, size_t i);

// Calls fn with each item of the list `list` (written at `at`, key path
// `path`) and the item's path "path[i]", in order; true when `list` is a
// list. A null `list` is none (false); anything else is reported as
// "expected <what>, found ..." (false).
bool ForEachItem(const YAML::Node& list, const YAML::Mark& at, std::string_view path,
                 std::string_view what, Problems* problems,
                 FunctionRef<void(const YAML::Node& item, const std::string& item_path)> fn);

// What a node is, for "found ..." messages: "a map", "a list",
// "nothing (an empty value)", or the scalar quoted ("\"abc\"").
std::string Describe(const YAML::Node& node);

// The entries of map `node` in file order. Reports keys that are not
// scalars and keys that appear twice (the later one is dropped).
// REQUIRES: node.IsMap().
std::vector<Entry> ReadEntries(const YAML::Node& node, std::string_view path, Problems* problems);

// Reports each entry whose key is not in `known` (with a suggestion when a
// known key is within edit distance 2) and removes it from *entries.
void DropUnknownKeys(std::vector<Entry>* entries, const std::vector<std::string_view>& known,
                     std::string_view path, Problems* problems);

// The entries of the map `node` (written at `at`, key path `path`) into
// *entries, as ReadEntries, with the keys not in `known` reported and
// dropped, as DropUnknownKeys. False, with "expected <what>, found ..."
// reported, when `node` is not a map (a null one included).
bool ReadMap(const YAML::Node& node, const YAML::Mark& at, std::string_view path,
             std::string_view what, const std::vector<std::string_view>& known, Problems* problems,
             std::vector<Entry>* entries);

// Reads a scalar into *out. Reports "expected <what>, found ..." otherwise.
bool ReadScalar(const Entry& e, std::string_view path, std::string_view what, Problems* problems,
                std::string* out);
// Reads a whole number in [min, max]. Reports what was expected otherwise.
bool ReadUnsigned(const Entry& e, std::string_view path, uint64_t min, uint64_t max,
                  Problems* problems, uint64_t* out);
// Reads true/false (also yes/no). Reports what was expected otherwise.
bool ReadBool(const Entry& e, std::string_view path, Problems* problems, bool* out);

// Writes the subtree `node` as JSON text into *out: maps (plain keys) as
// objects, lists as arrays, quoted scalars as strings, plain scalars as
// JSON numbers, true, false or null when they are written like one (else
// as strings), empty values as null. False (with *out unspecified) when a
// map key is not a scalar.
bool YamlToJson(const YAML::Node& node, std::string* out);

// Flattens the subtree `node` into (key, value) pairs: nested map keys are
// joined with '.', list items use their index, empty values become "".
// `prefix` is the key of `node` itself ("" at the top).
// `marks` (may be null) gets each key and where it was written (the key
// of a map entry, the item of a list).
void Flatten(const YAML::Node& node, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>* out,
             std::vector<std::pair<std::string, std::pair<int, int>>>* marks = nullptr);

}  // namespace sluice::host::config_internal

#endif  // SLUICE_HOST_CONFIG_YAML_READER_H_
