#include "names.h"

#include <unordered_set>

namespace sluice::grpcapi {

namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return IsLower(c) || IsUpper(c) || IsDigit(c); }
char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// True when a word boundary falls between name[i-1] and name[i] (both word
// characters).
bool CaseBreak(std::string_view name, size_t i) {
  char prev = name[i - 1], cur = name[i];
  if (!IsUpper(cur)) return false;
  if (IsLower(prev) || IsDigit(prev)) return true;
  return IsUpper(prev) && i + 1 < name.size() && IsLower(name[i + 1]);
}

std::string WithoutUnderscores(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != '_') out.push_back(c);
  return out;
}

}  // namespace

std::string SnakeCase(std::string_view name) {
  std::string out;
  bool pending_break = false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!IsWordChar(c)) {
      pending_break = true;
      continue;
    }
    bool boundary = pending_break || (i > 0 && IsWordChar(name[i - 1]) && CaseBreak(name, i));
    if (boundary && !out.empty()) out.push_back('_');
    pending_break = false;
    out.push_back(Lower(c));
  }
  return out;
}

std::vector<std::string> ProtoFieldNames(const std::vector<std::string>& columns) {
  std::vector<std::string> out;
  std::unordered_set<std::string> taken;  // names without underscores
  for (size_t i = 0; i < columns.size(); ++i) {
    std::string name = SnakeCase(columns[i]);
    if (name.empty()) name = "field_" + std::to_string(i + 1);
    if (IsDigit(name[0])) name = "f_" + name;
    std::string candidate = name;
    for (int n = 2; taken.count(WithoutUnderscores(candidate)) != 0; ++n)
      candidate = name + "_" + std::to_string(n);
    taken.insert(WithoutUnderscores(candidate));
    out.push_back(std::move(candidate));
  }
  return out;
}

std::string EndpointComponent(std::string_view endpoint) {
  std::string c = SnakeCase(endpoint);
  if (c.empty()) return "e";
  if (IsDigit(c[0])) c = "e_" + c;
  return c;
}

std::string EndpointPackage(std::string_view endpoint) {
  return "sluice." + EndpointComponent(endpoint);
}

std::string VersionPackage(std::string_view endpoint, uint32_t version) {
  return EndpointPackage(endpoint) + ".v" + std::to_string(version);
}

std::string ServiceName(std::string_view endpoint) {
  std::string out;
  bool start = true;
  for (char c : EndpointComponent(endpoint)) {
    if (c == '_') {
      start = true;
      continue;
    }
    out.push_back(start && IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c);
    start = false;
  }
  return out;
}

std::string VersionServiceName(std::string_view endpoint, uint32_t version) {
  return ServiceName(endpoint) + "V" + std::to_string(version);
}

std::string VersionFileName(std::string_view endpoint, uint32_t version) {
  std::string c = EndpointComponent(endpoint);
  return "sluice/" + c + "/v" + std::to_string(version) + "/" + c + ".proto";
}

std::string EndpointFileName(std::string_view endpoint) {
  std::string c = EndpointComponent(endpoint);
  return "sluice/" + c + "/" + c + ".proto";
}

}  // namespace sluice::grpcapi
