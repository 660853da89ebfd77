#include "config/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <set>

#include "sluice/json.h"
#include "util/suggest.h"

namespace sluice::host::config_internal {

std::string Problems::Where(const YAML::Mark& at, std::string_view key_path) const {
  std::string line = file_;
  if (!at.is_null() && at.line >= 0)
    line += ":" + std::to_string(at.line + 1) + ":" + std::to_string(at.column + 1);
  if (!key_path.empty()) line.append(": ").append(key_path);
  return line;
}

void Problems::Add(const YAML::Mark& at, std::string_view key_path, std::string_view message) {
  std::string line = Where(at, key_path) + ": ";
  line.append(message);
  int64_t order = at.is_null() || at.line < 0 ? INT64_MAX : int64_t{at.line} << 32 | at.column;
  lines_.emplace_back(order, std::move(line));
}

Status Problems::ToStatus() const {
  if (lines_.empty()) return Status();
  std::vector<std::pair<int64_t, std::string>> sorted = lines_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string msg;
  for (const auto& l : sorted) msg += (msg.empty() ? "" : "\n") + l.second;
  return InvalidArgument(std::move(msg));
}

const Entry* FindEntry(const std::vector<Entry>& entries, std::string_view key) {
  for (const Entry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

std::string JoinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string IndexPath(std::string_view parent, size_t i) {
  return std::string(parent) + "[" + std::to_string(i) + "]";
}

bool ReadMap(const YAML::Node& node, const YAML::Mark& at, std::string_view path,
             std::string_view what, const std::vector<std::string_view>& known, Problems* problems,
             std::vector<Entry>* entries) {
  if (!node.IsMap()) {
    problems->Add(at, path, "expected " + std::string(what) + ", found " + Describe(node));
    return false;
  }
  *entries = ReadEntries(node, path, problems);
  DropUnknownKeys(entries, known, path, problems);
  return true;
}

bool ForEachItem(const YAML::Node& list, const YAML::Mark& at, std::string_view path,
                 std::string_view what, Problems* problems,
                 FunctionRef<void(const YAML::Node& item, const std::string& item_path)> fn) {
  if (list.IsNull()) return false;
  if (!list.IsSequence()) {
    problems->Add(at, path, "expected " + std::string(what) + ", found " + Describe(list));
    return false;
  }
  size_t i = 0;
  for (auto it = list.begin(); it != list.end(); ++it, ++i) fn(*it, IndexPath(path, i));
  return true;
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "\"" + node.Scalar() + "\"";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: break;
  }
  return "nothing (an empty value)";
}

std::vector<Entry> ReadEntries(const YAML::Node& node, std::string_view path, Problems* problems) {
  std::vector<Entry> out;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node key = it->first;  // copies: `it->` yields a temporary proxy
    YAML::Node value = it->second;
    if (!key.IsScalar()) {
      problems->Add(key.Mark(), path, "expected a plain key, found " + Describe(key));
      continue;
    }
    auto same =
        std::find_if(out.begin(), out.end(), [&](const Entry& e) { return e.key == key.Scalar(); });
    if (same != out.end()) {
      problems->Add(key.Mark(), JoinPath(path, key.Scalar()),
                    "duplicate key (first given at line " +
                        std::to_string(same->key_mark.line + 1) + "); keep one of them");
      continue;
    }
    Entry e{key.Scalar(), value, key.Mark(), value.Mark()};
    if (value.IsNull() || e.mark.is_null()) e.mark = key.Mark();
    out.push_back(std::move(e));
  }
  return out;
}

void DropUnknownKeys(std::vector<Entry>* entries, const std::vector<std::string_view>& known,
                     std::string_view path, Problems* problems) {
  auto unknown = [&](const Entry& e) {
    return std::find(known.begin(), known.end(), e.key) == known.end();
  };
  for (const Entry& e : *entries) {
    if (!unknown(e)) continue;
    problems->Add(
        e.key_mark, JoinPath(path, e.key),
        "unknown key" + DidYouMean(e.key, known) + "; expected one of: " + JoinNames(known));
  }
  entries->erase(std::remove_if(entries->begin(), entries->end(), unknown), entries->end());
}

bool ReadScalar(const Entry& e, std::string_view path, std::string_view what, Problems* problems,
                std::string* out) {
  if (e.value.IsScalar() && !e.value.Scalar().empty()) {
    *out = e.value.Scalar();
    return true;
  }
  problems->Add(e.mark, path, "expected " + std::string(what) + ", found " + Describe(e.value));
  return false;
}

bool ReadUnsigned(const Entry& e, std::string_view path, uint64_t min, uint64_t max,
                  Problems* problems, uint64_t* out) {
  std::string expected = "expected a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", found " + Describe(e.value);
  if (!e.value.IsScalar()) {
    problems->Add(e.mark, path, expected);
    return false;
  }
  const std::string& s = e.value.Scalar();
  bool digits = !s.empty() &&
                std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  errno = 0;
  uint64_t v = digits ? std::strtoull(s.c_str(), nullptr, 10) : 0;
  if (!digits || errno == ERANGE || v < min || v > max) {
    problems->Add(e.mark, path, expected);
    return false;
  }
  *out = v;
  return true;
}

bool ReadBool(const Entry& e, std::string_view path, Problems* problems, bool* out) {
  static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes", "YES"};
  static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "No", "NO"};
  if (e.value.IsScalar() && kTrue.count(e.value.Scalar())) {
    *out = true;
    return true;
  }
  if (e.value.IsScalar() && kFalse.count(e.value.Scalar())) {
    *out = false;
    return true;
  }
  problems->Add(e.mark, path, "expected true or false, found " + Describe(e.value));
  return false;
}

namespace {

// True for text JSON reads as a number: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

bool YamlToJson(const YAML::Node& node, std::string* out) {
  if (node.IsMap()) {
    *out += '{';
    bool first = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) return false;
      if (!first) *out += ',';
      first = false;
      AppendJsonString(out, it->first.Scalar());
      *out += ':';
      if (!YamlToJson(it->second, out)) return false;
    }
    *out += '}';
  } else if (node.IsSequence()) {
    *out += '[';
    bool first = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!first) *out += ',';
      first = false;
      if (!YamlToJson(*it, out)) return false;
    }
    *out += ']';
  } else if (!node.IsScalar()) {
    *out += "null";
  } else if (node.Tag() != "!" && (IsJsonNumber(node.Scalar()) || node.Scalar() == "true" ||
                                   node.Scalar() == "false" || node.Scalar() == "null")) {
    *out += node.Scalar();
  } else {
    AppendJsonString(out, node.Scalar());
  }
  return true;
}

namespace {
void FlattenAt(const YAML::Node& node, const std::string& prefix, const YAML::Mark& at,
               std::vector<std::pair<std::string, std::string>>* out,
               std::vector<std::pair<std::string, std::pair<int, int>>>* marks) {
  auto join = [&](const std::string& k) { return prefix.empty() ? k : prefix + "." + k; };
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it)
      FlattenAt(it->second, join(it->first.Scalar()), it->first.Mark(), out, marks);
  } else if (node.IsSequence()) {
    size_t i = 0;
    for (auto it = node.begin(); it != node.end(); ++it)
      FlattenAt(*it, join(std::to_string(i++)), it->Mark(), out, marks);
  } else if (!prefix.empty()) {
    out->emplace_back(prefix, node.IsScalar() ? node.Scalar() : std::string());
    if (marks != nullptr && !at.is_null() && at.line >= 0)
      marks->emplace_back(prefix, std::make_pair(at.line + 1, at.column + 1));
  }
}
}  // namespace

void Flatten(const YAML::Node& node, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>* out,
             std::vector<std::pair<std::string, std::pair<int, int>>>* marks) {
  FlattenAt(node, prefix, node.Mark(), out, marks);
}

}  // namespace sluice::host::config_internal
