// The web console's routes over real HTTP on 127.0.0.1: its files only
// when the option is on, with the Content-Security-Policy; log-in through
// the host's admin rule; the session cookie acting with the log-in
// credential; the CSRF token and the origin check on state changes; the
// admin routes it uses (diff, versions). Cookie parsing and sessions on
// their own. The browser side is tests/e2e/test_console.py.
#include <gtest/gtest.h>

#include "console_session.h"
#include "rest_plugin_test.h"

namespace sluice::rest {
namespace {

using testing::HttpReply;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class ConsoleTest : public testing::RestPluginTest {
 protected:
  HttpReply Fetch(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& headers = "") {
    return testing::Fetch(port_, method, target, body, headers);
  }
  // Logs in with `key`; the cookie header line and the CSRF token.
  void LogIn(const std::string& key, std::string* cookie, std::string* csrf) {
    HttpReply r = Fetch("POST", "/console/session", "{\"key\":\"" + key + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
    std::string set = r.header("set-cookie");
    EXPECT_TRUE(Has(set, "; HttpOnly; SameSite=Strict")) << set;
    *cookie = "Cookie: " + set.substr(0, set.find(';')) + "\r\n";
    size_t at = r.body.find("\"csrf\":\"");
    ASSERT_NE(at, std::string::npos) << r.body;
    *csrf = r.body.substr(at + 8, 64);
  }
};

TEST_F(ConsoleTest, OffUnlessEnabled) {
  StartServer();
  EXPECT_EQ(Fetch("GET", "/console").status, 404);
  EXPECT_EQ(Fetch("POST", "/console/session", "{}").status, 404);
}

TEST_F(ConsoleTest, FilesCarryAStrictPolicy) {
  StartServer({{"console", "true"}});
  HttpReply r = Fetch("GET", "/console");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  EXPECT_TRUE(Has(r.body, "<script type=\"module\" src=\"/console/app.js\">")) << r.body;
  std::string csp = r.header("content-security-policy");
  EXPECT_TRUE(Has(csp, "default-src 'self'; script-src 'self'; style-src 'self'")) << csp;
  EXPECT_FALSE(Has(csp, "unsafe")) << csp;
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  r = Fetch("GET", "/console/app.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_FALSE(r.header("content-security-policy").empty());
  EXPECT_EQ(Fetch("GET", "/console/").status, 200);
  EXPECT_EQ(Fetch("GET", "/console/nothing.js").status, 404);
  EXPECT_EQ(Fetch("GET", "/consoles").status, 404);  // not under /console
  EXPECT_EQ(Fetch("POST", "/console/app.js").status, 405);
}

TEST_F(ConsoleTest, LogInNeedsAdminRights) {
  fake_.set_access({{"adminkey", "admin"}, {"datakey", "data"}}, true);
  StartServer({{"console", "true"}});
  HttpReply r = Fetch("GET", "/console/session");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"session\":false,\"anonymous\":false}");
  EXPECT_EQ(Fetch("POST", "/console/session", "{}").status, 401);
  EXPECT_EQ(Fetch("POST", "/console/session", "{\"key\":\"wrong\"}").status, 401);
  r = Fetch("POST", "/console/session", "{\"key\":\"datakey\"}");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_TRUE(r.header("set-cookie").empty());
  EXPECT_EQ(Fetch("POST", "/console/session", "{\"key\":1}").status, 400);
  EXPECT_EQ(
      Fetch("POST", "/console/session", "{\"key\":\"adminkey\"}", "Origin: http://evil.example\r\n")
          .status,
      403);
  std::string cookie, csrf;
  LogIn("adminkey", &cookie, &csrf);
  r = Fetch("GET", "/console/session", "", cookie);
  EXPECT_TRUE(Has(r.body, "\"session\":true,\"csrf\":\"" + csrf + "\"")) << r.body;
}

TEST_F(ConsoleTest, TheCookieActsWithTheCredentialAndStateChangesNeedTheToken) {
  fake_.set_access({{"adminkey", "admin"}}, true);
  StartServer({{"console", "true"}});
  std::string cookie, csrf;
  LogIn("adminkey", &cookie, &csrf);
  EXPECT_EQ(Fetch("GET", "/").status, 401);
  EXPECT_EQ(Fetch("GET", "/", "", cookie).status, 200);
  EXPECT_EQ(fake_.credentials_seen().back(), "2:adminkey");  // as a bearer credential
  const std::string put = "/admin/endpoints/trips/current", body = "{\"version\":1}";
  HttpReply r = Fetch("PUT", put, body, cookie);
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(Has(r.body, "X-Sluice-CSRF")) << r.body;
  EXPECT_EQ(
      Fetch("PUT", put, body, cookie + "X-Sluice-CSRF: " + std::string(64, '0') + "\r\n").status,
      403);
  std::string token = "X-Sluice-CSRF: " + csrf + "\r\n";
  EXPECT_EQ(Fetch("PUT", put, body, cookie + token + "Origin: http://evil.example\r\n").status,
            403);
  r = Fetch("PUT", put, body, cookie + token);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Fetch("POST", "/trips/query", "{}", cookie).status, 403);  // queries too
  EXPECT_EQ(Fetch("POST", "/trips/query", "{}", cookie + token).status, 200);
  // A key of its own wins over the cookie, and needs no token.
  EXPECT_EQ(Fetch("PUT", put, body, cookie + "X-API-Key: adminkey\r\n").status, 200);
  r = Fetch("DELETE", "/console/session", "", cookie + token);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Has(r.header("set-cookie"), "Max-Age=0")) << r.header("set-cookie");
  EXPECT_EQ(Fetch("GET", "/", "", cookie).status, 401);  // the session is gone
}

TEST_F(ConsoleTest, AnonymousLogInWhereAdminRoutesAreOpen) {
  StartServer({{"console", "true"}, {"admin_remote", "true"}});  // no access control
  EXPECT_EQ(Fetch("GET", "/console/session").body, "{\"session\":false,\"anonymous\":true}");
  EXPECT_EQ(Fetch("POST", "/console/session", "").status, 200);
}

TEST_F(ConsoleTest, DiffAndVersionsRoutes) {
  fake_.set_access({{"adminkey", "admin"}}, true);
  StartServer();
  const std::string key = "X-API-Key: adminkey\r\n";
  HttpReply r = Fetch("GET", "/admin/endpoints/trips/diff?from=1&to=2", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r.body, "\"changes\":[\"column renamed (looks like): trip_id -> id\","))
      << r.body;
  EXPECT_TRUE(Has(r.body, "\"primary key changed: [trip_id] -> [id]\"")) << r.body;
  EXPECT_TRUE(Has(r.body, "\"from_schema\":{\"fields\":[{\"name\":\"trip_id\",\"type\":\"int64\""))
      << r.body;
  r = Fetch("GET", "/admin/endpoints/zones/diff?from=1&to=2", "", key);
  EXPECT_TRUE(Has(r.body, "\"changes\":[]")) << r.body;
  EXPECT_EQ(Fetch("GET", "/admin/endpoints/zones/diff?from=1&to=9", "", key).status, 404);
  EXPECT_EQ(Fetch("GET", "/admin/endpoints/nope/diff?from=1&to=2", "", key).status, 404);
  EXPECT_EQ(Fetch("GET", "/admin/endpoints/zones/diff?from=1", "", key).status, 400);
  EXPECT_EQ(Fetch("GET", "/admin/endpoints/zones/diff?from=1&to=2").status, 404);  // no key
  EXPECT_EQ(
      Fetch("GET", "/admin/endpoints/zones/diff?from=1&to=2", "", "X-API-Key: other\r\n").status,
      401);
  r = Fetch("GET", "/admin/endpoints/zones/versions", "", key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r.body, "{\"endpoint\":\"zones\",\"path\":\"/geo/zones\",\"current_version\":1"))
      << r.body;
  EXPECT_TRUE(Has(r.body, "\"primary_key\":[\"zone\"]")) << r.body;
  EXPECT_EQ(Fetch("GET", "/admin/plugins", "", key).status, 501);  // the fake lists none
}

TEST(ConsoleSessionTest, CookieValues) {
  EXPECT_EQ(CookieValue("a=1; sluice_console=abc; b=2", "sluice_console"), "abc");
  EXPECT_EQ(CookieValue("sluice_console=abc", "sluice_console"), "abc");
  EXPECT_EQ(CookieValue("xsluice_console=abc", "sluice_console"), "");
  EXPECT_EQ(CookieValue("a=1;b=2", "sluice_console"), "");
  EXPECT_EQ(CookieValue("", "sluice_console"), "");
}

TEST(ConsoleSessionTest, CreateFindRemove) {
  ConsoleSessions sessions;
  std::string csrf;
  std::string id = sessions.Create(Credential::Kind::kBearer, "k", &csrf);
  ASSERT_EQ(id.size(), 64u);
  EXPECT_EQ(csrf.size(), 64u);
  EXPECT_NE(id, csrf);
  ConsoleSessions::Session s;
  ASSERT_TRUE(sessions.Find(id, &s));
  EXPECT_EQ(s.token, "k");
  EXPECT_EQ(s.csrf, csrf);
  EXPECT_FALSE(sessions.Find(id.substr(1), &s));
  EXPECT_FALSE(sessions.Find("", &s));
  sessions.Remove(id);
  EXPECT_FALSE(sessions.Find(id, &s));
  EXPECT_TRUE(SameSecret("abc", "abc"));
  EXPECT_FALSE(SameSecret("abc", "abd"));
  EXPECT_FALSE(SameSecret("abc", "ab"));
}

TEST(ConsoleSessionTest, KeepsAtMostTheLimit) {
  ConsoleSessions sessions;
  std::string csrf, first = sessions.Create(Credential::Kind::kNone, "", &csrf);
  for (size_t i = 0; i < ConsoleSessions::kMaxSessions; ++i)
    sessions.Create(Credential::Kind::kNone, "", &csrf);
  ConsoleSessions::Session s;
  EXPECT_FALSE(sessions.Find(first, &s));  // the least recently used went
}

}  // namespace
}  // namespace sluice::rest
