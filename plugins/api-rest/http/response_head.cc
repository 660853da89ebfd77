#include "http/response_head.h"

#include <ctime>

namespace sluice::rest::http {

namespace {

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 5.6.7), made once per second
// per thread.
std::string_view DateText() {
  thread_local time_t cached_second = 0;
  thread_local char text[40];
  time_t now = ::time(nullptr);
  if (now != cached_second) {
    struct tm tm;
    ::gmtime_r(&now, &tm);
    ::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return text;
}

void Header(std::string* h, std::string_view name, std::string_view value) {
  h->append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

namespace {

void AppendHeadFields(const HttpResponse& response, int minor_version, std::string* out);

}  // namespace

void AppendHead(const HttpResponse& response, int minor_version, bool keep_alive,
                std::string* out) {
  AppendHeadFields(response, minor_version, out);
  Header(out, "Connection", keep_alive ? "Keep-Alive" : "Close");
  Header(out, "Content-Length", std::to_string(response.body.size()));
  *out += "\r\n";
}

void AppendStreamHead(const HttpResponse& response, int minor_version, std::string* out) {
  AppendHeadFields(response, minor_version, out);
  Header(out, "Connection", "Close");
  *out += "\r\n";
}

void AppendUpgradeHead(const HttpResponse& response, std::string* out) {
  *out += "HTTP/1.1 101 Switching Protocols\r\n";
  Header(out, "Date", DateText());
  for (const auto& [name, value] : response.headers) Header(out, name, value);
  *out += "\r\n";
}

namespace {

void AppendHeadFields(const HttpResponse& response, int minor_version, std::string* out) {
  std::string& h = *out;
  h.reserve(h.size() + 256);
  h += minor_version == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  h += std::to_string(response.status);
  h += ' ';
  h += ReasonPhrase(response.status);
  h += "\r\n";
  Header(&h, "Content-Type",
         response.content_type.empty() ? "application/json" : response.content_type);
  Header(&h, "Date", DateText());
  if (!response.www_authenticate.empty()) Header(&h, "WWW-Authenticate", response.www_authenticate);
  if (!response.endpoint.empty()) Header(&h, "X-Sluice-Endpoint", response.endpoint);
  if (response.version != 0) Header(&h, "X-Sluice-Version", std::to_string(response.version));
  if (!response.plan.empty()) {
    Header(&h, "X-Sluice-Plan", response.plan);
    Header(&h, "X-Sluice-Scan", response.scan ? "true" : "false");
  }
  if (!response.allow.empty()) Header(&h, "Allow", response.allow);
  for (const auto& [name, value] : response.headers) Header(&h, name, value);
}

}  // namespace

std::string ErrorAnswer(int status, std::string_view code, std::string_view message,
                        int retry_after) {
  HttpResponse r;
  r.SetError(status, code, message);
  if (retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after));
  std::string out;
  AppendHead(r, 1, /*keep_alive=*/false, &out);
  out += r.body;
  return out;
}

}  // namespace sluice::rest::http
