#include "route.h"

#include <algorithm>

#include "sluice/json.h"

namespace sluice::rest {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses a decimal count written with digits only (no sign, no spaces).
bool ParseCount(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

bool SplitVersion(std::string_view path, uint32_t* version, std::string_view* rest) {
  if (path.size() < 3 || path[0] != '/' || path[1] != 'v') return false;
  size_t end = path.find('/', 1);
  if (end == std::string_view::npos || end + 1 >= path.size()) return false;
  std::string_view digits = path.substr(2, end - 2);
  uint64_t n = 0;
  if (digits.size() > 10 || (digits.size() > 1 && digits[0] == '0') || !ParseCount(digits, &n) ||
      n == 0 || n > UINT32_MAX)
    return false;
  *version = static_cast<uint32_t>(n);
  *rest = path.substr(end);
  return true;
}

std::vector<std::string_view> PathPrefixes(std::string_view path) {
  std::vector<std::string_view> out;
  for (size_t end = path.size(); end > 0; end = path.rfind('/', end - 1)) {
    out.push_back(path.substr(0, end));
    if (end == std::string_view::npos) break;
  }
  return out;
}

EndpointAction ParseAction(std::string_view suffix) {
  EndpointAction a;
  if (suffix.empty()) {
    a.kind = EndpointAction::kCollection;
  } else if (suffix == "/count") {
    a.kind = EndpointAction::kCount;
  } else if (suffix == "/query") {
    a.kind = EndpointAction::kQuery;
  } else if (suffix == "/aggregate") {
    a.kind = EndpointAction::kAggregate;
  } else if (suffix == "/oapi") {
    a.kind = EndpointAction::kOapi;
  } else if (suffix == "/events") {
    a.kind = EndpointAction::kEvents;
  } else if (suffix.size() > 1 && suffix[0] == '/' &&
             suffix.find('/', 1) == std::string_view::npos) {
    a.kind = EndpointAction::kRecord;
    a.key = suffix.substr(1);
  }
  return a;
}

bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+' && plus_is_space) {
      c = ' ';
    } else if (c == '%') {
      int hi = i + 2 < in.size() ? HexDigit(in[i + 1]) : -1;
      int lo = hi >= 0 ? HexDigit(in[i + 2]) : -1;
      if (lo < 0 || (hi == 0 && lo == 0)) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    out->push_back(c);
  }
  return true;
}

std::string_view RouteTemplate(EndpointAction::Kind kind, bool versioned) {
  switch (kind) {
    case EndpointAction::kCollection: return versioned ? "/v{n}/{endpoint}" : "/{endpoint}";
    case EndpointAction::kRecord: return versioned ? "/v{n}/{endpoint}/{pk}" : "/{endpoint}/{pk}";
    case EndpointAction::kCount: return versioned ? "/v{n}/{endpoint}/count" : "/{endpoint}/count";
    case EndpointAction::kQuery: return versioned ? "/v{n}/{endpoint}/query" : "/{endpoint}/query";
    case EndpointAction::kOapi: return versioned ? "/v{n}/{endpoint}/oapi" : "/{endpoint}/oapi";
    case EndpointAction::kEvents:
      return versioned ? "/v{n}/{endpoint}/events" : "/{endpoint}/events";
    case EndpointAction::kAggregate:
      return versioned ? "/v{n}/{endpoint}/aggregate" : "/{endpoint}/aggregate";
    case EndpointAction::kUnknown: break;
  }
  return "other";
}

}  // namespace sluice::rest
