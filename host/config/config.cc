#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "config/config_parser.h"

namespace sluice::host {
namespace {

namespace fs = std::filesystem;

const char* const kReservedSegments[] = {"admin", "health", "ready", "metrics", "feeds"};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// "v" followed by digits only: the prefix of versioned routes.
bool IsVersionSegment(std::string_view s) {
  if (s.size() < 2 || s[0] != 'v') return false;
  for (char c : s.substr(1))
    if (c < '0' || c > '9') return false;
  return true;
}

std::string SegmentProblem(std::string_view seg, bool first) {
  if (seg.empty()) return "it has an empty segment (\"//\")";
  if (seg == "." || seg == "..") return "it has a \"" + std::string(seg) + "\" segment";
  for (char c : seg)
    if (!IsNameChar(c) && c != '.')
      return "segment \"" + std::string(seg) + "\" has the character '" + std::string(1, c) +
             "'; use letters, digits, '_', '-' and '.'";
  if (!first) return "";
  for (const char* reserved : kReservedSegments)
    if (seg == reserved) return "/" + std::string(seg) + " is reserved for the server itself";
  if (IsVersionSegment(seg))
    return "/" + std::string(seg) + " looks like a version prefix (/v1/...), which is reserved";
  return "";
}

// The directory of `file`, absolute. Falls back to `file`'s own parent
// when the current directory cannot be determined.
fs::path AbsoluteDir(const fs::path& file) {
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec);
  if (ec) abs = file;
  return abs.lexically_normal().parent_path();
}

}  // namespace

const char* OnDuplicateName(OnDuplicate d) {
  switch (d) {
    case OnDuplicate::kLast: return "last";
    case OnDuplicate::kFirst: return "first";
    case OnDuplicate::kError: return "error";
  }
  return "last";
}

bool IsValidConfigName(std::string_view name) {
  if (name.empty() || name[0] == '-') return false;
  for (char c : name)
    if (!IsNameChar(c)) return false;
  return true;
}

bool IsValidPluginName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

std::string EndpointPathProblem(std::string_view path) {
  std::string prefix = "expected a URL path such as /trips, found \"" + std::string(path) + "\": ";
  if (path.empty() || path[0] != '/') return prefix + "it must start with '/'";
  if (path == "/") return prefix + "it must name something after '/'";
  if (path.back() == '/') return prefix + "it must not end with '/'";
  std::string_view rest = path.substr(1);
  for (bool first = true;; first = false) {
    size_t slash = rest.find('/');
    std::string why = SegmentProblem(rest.substr(0, slash), first);
    if (!why.empty()) return prefix + why;
    if (slash == std::string_view::npos) return "";
    rest = rest.substr(slash + 1);
  }
}

std::string OptionsSite::Where(std::string_view file, std::string_view key) const {
  std::pair<int, int> at{line, column};
  for (const auto& [k, pos] : keys)
    if (k == key) at = pos;
  std::string out(file);
  if (at.first > 0) out += ":" + std::to_string(at.first) + ":" + std::to_string(at.second);
  out += ": " + path;
  if (!key.empty()) out += (path.empty() ? "" : ".") + std::string(key);
  return out;
}

Status ParseConfig(std::string_view yaml, const fs::path& file, Config* out) {
  config_internal::ConfigParser parser(file, AbsoluteDir(file));
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    Config cfg;
    cfg.config_dir = AbsoluteDir(file);
    cfg.config_file = cfg.config_dir / file.filename();
    cfg.config_name = file.string();
    SLUICE_RETURN_IF_ERROR(parser.Parse(root, &cfg));
    *out = std::move(cfg);
    return Status();
  } catch (const YAML::Exception& e) {
    parser.problems()->Add(e.mark, "", "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    parser.problems()->Add(YAML::Mark::null_mark(), "", std::string("cannot read: ") + e.what());
  }
  return parser.problems()->ToStatus();
}

Status LoadConfig(const fs::path& file, Config* out) {
  std::error_code ec;
  fs::path abs = fs::absolute(file, ec);
  if (ec) abs = file;
  if (!fs::exists(abs, ec))
    return NotFound("config file " + file.string() + " not found (looked for " + abs.string() +
                    "); create it (see docs/config.md) or pass another one with -c FILE");
  if (fs::is_directory(abs, ec))
    return InvalidArgument("config file " + file.string() +
                           " is a directory; pass the YAML file itself with -c FILE");
  std::ifstream in(abs, std::ios::binary);
  if (!in.is_open()) return IoError("open config file " + abs.string(), errno);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return IoError("read config file " + abs.string(), errno);
  return ParseConfig(text.str(), file, out);
}

}  // namespace sluice::host
