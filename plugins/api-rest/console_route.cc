// RestService's web console (docs/console.md): its files under /console,
// its session (log in, the CSRF token, log out), the checks on requests
// made with the console's cookie, and the headers every console answer
// carries (a strict Content-Security-Policy among them).
#include <simdjson.h>

#include "admin_rule.h"
#include "console_assets.h"
#include "rest_service.h"
#include "sluice/json.h"

namespace sluice::rest {

namespace {

constexpr std::string_view kPrefix = "/console";
constexpr std::string_view kSession = "/console/session";

// No inline script or style, nothing from elsewhere, not framed.
constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

void AddSecurityHeaders(HttpResponse* response) {
  response->headers.emplace_back("Content-Security-Policy", std::string(kCsp));
  response->headers.emplace_back("X-Content-Type-Options", "nosniff");
  response->headers.emplace_back("X-Frame-Options", "DENY");
  response->headers.emplace_back("Referrer-Policy", "no-referrer");
  response->headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  response->headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
}

// "host:port" of an Origin ("https://a.example:8080" -> "a.example:8080"),
// or "" when it is not of that shape.
std::string_view OriginAuthority(std::string_view origin) {
  size_t scheme = origin.find("://");
  return scheme == std::string_view::npos ? std::string_view() : origin.substr(scheme + 3);
}

simdjson::dom::parser& Parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// The login body: {} or {"key": "..."}; *key "" = no credential.
Status LoginBody(std::string_view body, std::string* key) {
  const char* expected = "expected a JSON body {\"key\": \"API key or token\"}, or {}";
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Status();
  simdjson::dom::object obj;
  auto error = Parser().parse(body.data(), body.size()).get(obj);
  if (error)
    return InvalidArgument(std::string("request body: ") + simdjson::error_message(error) + "; " +
                           expected);
  for (auto field : obj) {
    std::string_view text;
    if (field.key != "key" || field.value.get_string().get(text))
      return InvalidArgument("request body: unexpected member '" + std::string(field.key) + "'; " +
                             expected);
    *key = std::string(text);
  }
  return Status();
}

void SessionJson(std::string_view csrf, const RequestInfo& info, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("session");
  w.Bool(true);
  w.Key("csrf");
  w.String(csrf);
  w.Key("principal");
  w.String(info.principal);
  w.EndObject();
}

}  // namespace

bool RestService::SameOrigin(const HttpRequest& request) {
  std::optional<std::string_view> origin = request.Header("Origin");
  if (!origin) return true;  // not a browser's cross-origin request
  std::optional<std::string_view> host = request.Header("Host");
  return host && !host->empty() && OriginAuthority(*origin) == *host;
}

bool RestService::ConsoleSessionOf(const HttpRequest& request, ConsoleCall* out) {
  if (!options_.console) return false;
  std::optional<std::string_view> cookie = request.Header("Cookie");
  if (!cookie) return false;
  std::string_view id = CookieValue(*cookie, kConsoleCookie);
  if (!sessions_.Find(id, &out->session)) return false;
  out->id = std::string(id);
  return true;
}

Status RestService::ConsoleCsrf(const HttpRequest& request, const ConsoleCall& console) {
  if (request.method == "GET" || request.method == "HEAD") return Status();
  std::optional<std::string_view> token = request.Header(kCsrfHeader);
  if (!token || !SameSecret(*token, console.session.csrf))
    return PermissionDenied(
        "a request made with the console's session cookie that changes state needs the "
        "header X-Sluice-CSRF with the session's token (GET /console/session)");
  if (!SameOrigin(request))
    return PermissionDenied("the console's session cookie is only accepted from its own origin");
  return Status();
}

bool RestService::HandleConsole(Call& call, HttpResponse* response) {
  std::string_view path = call.http.path;
  if (!options_.console || path.substr(0, kPrefix.size()) != kPrefix ||
      (path.size() > kPrefix.size() && path[kPrefix.size()] != '/'))
    return false;
  AddSecurityHeaders(response);
  response->headers.emplace_back("Cache-Control", "no-store");
  if (path == kSession) {
    response->route = kSession;
    HandleConsoleSession(call, response);
    return true;
  }
  response->route = "/console/{file}";
  if (!MethodIs(call.http, "GET", response)) return true;
  std::string_view name = path.size() <= kPrefix.size() + 1 ? std::string_view("index.html")
                                                            : path.substr(kPrefix.size() + 1);
  const ConsoleAsset* asset = FindConsoleAsset(name);
  if (asset == nullptr) {
    response->SetError(NotFound("no console file " + std::string(path)));
    return true;
  }
  response->content_type = std::string(asset->content_type);
  response->body = std::string(asset->body);
  return true;
}

void RestService::HandleConsoleSession(Call& call, HttpResponse* response) {
  const HttpRequest& request = call.http;
  if (request.method == "GET" || request.method == "HEAD") {
    if (call.console != nullptr)
      return SessionJson(call.console->session.csrf, call.host.Info(), &response->body);
    // No session (an answer, not an error: the page asks this first). Say
    // whether logging in without a credential would be accepted.
    ApiHost::Request anonymous;
    Credential none;
    none.peer = request.peer;
    none.local = request.admin_channel;
    api_.BeginRequest(none, &anonymous);
    bool open = AdminRoutesServed(options_, request.listener, false) &&
                anonymous.Authorize(Action::kAdmin).ok();
    response->body =
        std::string("{\"session\":false,\"anonymous\":") + (open ? "true" : "false") + "}";
    return;
  }
  if (request.method == "DELETE") {
    if (call.console != nullptr) sessions_.Remove(call.console->id);
    response->headers.emplace_back(
        "Set-Cookie",
        std::string(kConsoleCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    response->body = "{\"logged_out\":true}";
    return;
  }
  if (request.method != "POST") {
    response->allow = "GET, HEAD, POST, DELETE";
    return response->SetError(405, "invalid_argument",
                              std::string(request.method) + " is not allowed on " +
                                  std::string(request.path) + "; allowed: " + response->allow);
  }
  if (!SameOrigin(request))
    return response->SetError(
        PermissionDenied("console log-in is only accepted from its own origin"));
  std::string key;
  Status s = LoginBody(request.body, &key);
  if (!s.ok()) return response->SetError(s);
  Credential credential;
  if (!key.empty()) {
    credential.kind = Credential::Kind::kBearer;
    credential.token = key;
  }
  credential.peer = request.peer;
  credential.local = request.admin_channel;
  bool sent = !key.empty();
  if (!AdminRoutesServed(options_, request.listener, sent))
    return response->SetError(
        401, "unauthenticated",
        "the console needs a credential with the admin role on this listener (or rest option "
        "admin_remote with auth.anonymous_admin)");
  ApiHost::Request login;
  api_.BeginRequest(credential, &login);
  s = login.Authorize(Action::kAdmin);
  if (!s.ok()) return response->SetRefusal(s, sent, login.Info().retry_after_ms);
  std::string csrf;
  std::string id = sessions_.Create(credential.kind, key, &csrf);
  if (id.empty()) return response->SetError(Internal("no randomness for a console session"));
  bool tls = !options_.transport.tls_cert_path.empty();
  response->headers.emplace_back("Set-Cookie", std::string(kConsoleCookie) + "=" + id +
                                                   "; Path=/; HttpOnly; SameSite=Strict" +
                                                   (tls ? "; Secure" : ""));
  SessionJson(csrf, login.Info(), &response->body);
}

}  // namespace sluice::rest
