// Operational routes over real HTTP on 127.0.0.1: /ready, /metrics after
// known traffic, how the host's refusals are answered (401, 403, 429 with
// their headers) on data and admin routes, POST /admin/prune.
#include <gtest/gtest.h>

#include "rest_plugin_test.h"

namespace sluice::rest {
namespace {

using testing::HttpConnection;
using testing::HttpReply;
using testing::RequestText;

class OpsRoutesTest : public testing::RestPluginTest {
 protected:
  // One request on a fresh connection with extra header lines ("Name: value\r\n").
  HttpReply Fetch(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& headers = "") {
    HttpConnection c;
    HttpReply reply;
    EXPECT_TRUE(c.Ask(port_, RequestText(method, target, body, headers), &reply)) << c.error();
    return reply;
  }

  // The same on the admin socket.
  HttpReply Admin(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& headers = "") {
    HttpReply reply = testing::FetchUnix(socket_, method, target, body, headers);
    EXPECT_NE(reply.status, 0) << method << " " << target;
    return reply;
  }
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(OpsRoutesTest, ReadyNamesWhatIsNotCaughtUp) {
  StartServer();
  HttpReply r = Fetch("GET", "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body,
            "{\"ready\":false,\"endpoints\":["
            "{\"name\":\"trips\",\"current_version\":2,\"lag\":100,\"ready\":false,"
            "\"reason\":\"the cache of v2 is 100 log records behind (ready_max_lag 0)\"},"
            "{\"name\":\"zones\",\"current_version\":1,\"lag\":0,\"ready\":true}]}");
  fake_.SetCurrentDirectly("trips", 1);  // v1 has caught up
  r = Fetch("GET", "/ready");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r.body, "{\"ready\":true,")) << r.body;
  fake_.SetReady("trips", 1, false);
  r = Fetch("GET", "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(Has(r.body, "the cache of v1 has not caught up with its log since it was opened"))
      << r.body;
  EXPECT_EQ(Fetch("POST", "/ready").status, 405);
}

TEST_F(OpsRoutesTest, ReadyToleratesConfiguredLag) {
  StartServer({{"ready_max_lag", "100"}});
  HttpReply r = Fetch("GET", "/ready");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(OpsRoutesTest, ReadyWithoutCurrentVersion) {
  testing::FakeEndpoint e;
  e.name = "empty";
  e.path = "/empty";
  fake_.AddEndpoint(e);
  fake_.SetCurrentDirectly("trips", 1);
  StartServer();
  HttpReply r = Fetch("GET", "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(Has(r.body,
                  "{\"name\":\"empty\",\"current_version\":0,\"lag\":0,\"ready\":false,"
                  "\"reason\":\"no version exists yet; run `sluice migrate`\"}"))
      << r.body;
}

TEST_F(OpsRoutesTest, MetricsAfterKnownTraffic) {
  fake_.set_metrics_text(
      "# TYPE sluice_cache_rows gauge\nsluice_cache_rows{endpoint=\"trips\",version=\"2\"} 5\n");
  StartServer();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Fetch("GET", "/trips/1").status, 200);
  EXPECT_EQ(Fetch("GET", "/trips/999").status, 404);
  EXPECT_EQ(Fetch("GET", "/v1/trips/10").status, 200);
  EXPECT_EQ(Fetch("POST", "/geo/zones/count", "{}").status, 200);
  EXPECT_EQ(Fetch("POST", "/geo/zones/count", "{}").status, 200);
  EXPECT_EQ(Fetch("GET", "/nowhere/at/all").status, 404);
  EXPECT_EQ(Fetch("GET", "/health").status, 200);
  HttpReply r = Fetch("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& t = r.body;
  EXPECT_EQ(
      t.rfind(
          "# TYPE sluice_cache_rows gauge\nsluice_cache_rows{endpoint=\"trips\",version=\"2\"} 5\n",
          0),
      0u)
      << t;
  const std::string c = "sluice_http_requests_total{api=\"rest\",";
  EXPECT_TRUE(Has(
      t, c + "method=\"GET\",route=\"/{endpoint}/{pk}\",endpoint=\"trips\",status=\"200\"} 3\n"))
      << t;
  EXPECT_TRUE(Has(
      t, c + "method=\"GET\",route=\"/{endpoint}/{pk}\",endpoint=\"trips\",status=\"404\"} 1\n"))
      << t;
  EXPECT_TRUE(Has(
      t,
      c + "method=\"GET\",route=\"/v{n}/{endpoint}/{pk}\",endpoint=\"trips\",status=\"200\"} 1\n"))
      << t;
  EXPECT_TRUE(Has(
      t, c + "method=\"POST\",route=\"/{endpoint}/count\",endpoint=\"zones\",status=\"200\"} 2\n"))
      << t;
  EXPECT_TRUE(Has(t, c + "method=\"GET\",route=\"other\",endpoint=\"\",status=\"404\"} 1\n")) << t;
  EXPECT_TRUE(Has(t, c + "method=\"GET\",route=\"/health\",endpoint=\"\",status=\"200\"} 1\n"))
      << t;
  EXPECT_FALSE(Has(t, "route=\"/metrics\"")) << "a scrape is counted after it answers";
  EXPECT_FALSE(Has(t, "/nowhere")) << "raw paths never become labels";
  EXPECT_TRUE(Has(t,
                  "sluice_http_request_duration_seconds_count{api=\"rest\",method=\"GET\","
                  "route=\"/{endpoint}/{pk}\",endpoint=\"trips\"} 4\n"))
      << t;
  EXPECT_TRUE(Has(t,
                  "sluice_http_request_duration_seconds_bucket{api=\"rest\",method=\"POST\","
                  "route=\"/{endpoint}/count\",endpoint=\"zones\",le=\"+Inf\"} 2\n"))
      << t;
  r = Fetch("GET", "/metrics");
  EXPECT_TRUE(
      Has(r.body, c + "method=\"GET\",route=\"/metrics\",endpoint=\"\",status=\"200\"} 1\n"))
      << r.body;
}

TEST_F(OpsRoutesTest, OversizedBodiesAreCountedAsOther) {
  StartServer({{"max_body_bytes", "10"}});
  EXPECT_EQ(Fetch("POST", "/trips/query", std::string(100, ' ')).status, 413);
  HttpReply r = Fetch("GET", "/metrics");
  EXPECT_TRUE(Has(r.body, "method=\"POST\",route=\"other\",endpoint=\"\",status=\"413\"} 1\n"))
      << r.body;
}

TEST_F(OpsRoutesTest, NoKeysConfiguredDataOpenAdminOnlyOnTheSocket) {
  StartServer();
  EXPECT_EQ(Fetch("GET", "/trips/1").status, 200);
  EXPECT_EQ(Fetch("GET", "/").status, 200);
  EXPECT_EQ(Fetch("GET", "/metrics").status, 200);
  // Without an admin credential, admin routes do not exist on the TCP
  // listener, whoever the peer (here: loopback).
  HttpReply r = Fetch("PUT", "/admin/endpoints/trips/current", "{\"version\":1}");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(Has(r.body, "admin_socket_path")) << r.body;
  EXPECT_EQ(Fetch("POST", "/admin/prune", "{\"keep\":1}").status, 404);
  EXPECT_TRUE(fake_.prune_calls().empty());
  EXPECT_EQ(Fetch("GET", "/trips/oapi").header("x-sluice-version"), "2");
  EXPECT_EQ(Admin("PUT", "/admin/endpoints/trips/current", "{\"version\":1}").status, 200);
  EXPECT_EQ(Fetch("GET", "/trips/oapi").header("x-sluice-version"), "1");
  // The socket serves the data routes too.
  EXPECT_EQ(Admin("GET", "/trips/10").status, 200);
}

TEST_F(OpsRoutesTest, TheHostsRefusalsBecome401And403) {
  fake_.set_access({{"data-key", "data"}, {"admin-key", "admin"}}, /*required=*/true);
  StartServer();
  HttpReply r = Fetch("GET", "/trips/1");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer realm=\"sluice\"");
  EXPECT_TRUE(Has(r.body, "\"code\":\"unauthenticated\"")) << r.body;
  r = Fetch("GET", "/trips/1", "", "X-API-Key: wrong\r\n");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer realm=\"sluice\", error=\"invalid_token\"");
  EXPECT_EQ(Fetch("GET", "/trips/1", "", "X-API-Key: data-key\r\n").status, 200);
  EXPECT_EQ(Fetch("GET", "/trips/1", "", "Authorization: Bearer data-key\r\n").status, 200);
  EXPECT_EQ(Fetch("GET", "/trips/1", "", "Authorization: Basic ZGF0YS1rZXk6\r\n").status, 401);
  EXPECT_EQ(fake_.credentials_seen().back(), "0:");
  EXPECT_EQ(Fetch("GET", "/").status, 401);
  // Unknown paths say nothing about endpoints to a caller who may read nothing.
  r = Fetch("GET", "/nowhere");
  EXPECT_EQ(r.status, 401);
  EXPECT_FALSE(Has(r.body, "/trips")) << r.body;
  // Probes stay open; /ready names no endpoint to them.
  EXPECT_EQ(Fetch("GET", "/health").status, 200);
  r = Fetch("GET", "/ready");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "{\"ready\":false}");
  EXPECT_TRUE(Has(Fetch("GET", "/ready", "", "X-API-Key: data-key\r\n").body, "\"trips\""));
  // Admin routes and metrics.
  const std::string body = "{\"version\":1}";
  r = Fetch("PUT", "/admin/endpoints/trips/current", body, "X-API-Key: data-key\r\n");
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(Has(r.body, "\"code\":\"permission_denied\"")) << r.body;
  // Without a credential on the TCP listener, admin routes are not served.
  EXPECT_EQ(Fetch("PUT", "/admin/endpoints/trips/current", body).status, 404);
  EXPECT_EQ(Fetch("PUT", "/admin/endpoints/trips/current", body, "X-API-Key: admin-key\r\n").status,
            200);
  EXPECT_EQ(Fetch("GET", "/metrics").status, 401);
  EXPECT_EQ(Fetch("GET", "/metrics", "", "X-API-Key: data-key\r\n").status, 403);
  EXPECT_EQ(Fetch("GET", "/metrics", "", "Authorization: Bearer admin-key\r\n").status, 200);
  EXPECT_EQ(Fetch("POST", "/admin/prune", "{\"keep\":1}", "X-API-Key: data-key\r\n").status, 403);
  EXPECT_TRUE(fake_.prune_calls().empty());
}

TEST_F(OpsRoutesTest, RateLimitsBecome429WithRetryAfterAndRateLimitHeaders) {
  fake_.set_access({{"data-key", "data"}}, /*required=*/true);
  StartServer();
  HttpReply r = Fetch("GET", "/trips/1", "", "X-API-Key: limited\r\n");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.header("retry-after"), "3");  // 2.5 s, rounded up
  EXPECT_EQ(r.header("ratelimit-limit"), "10");
  EXPECT_EQ(r.header("ratelimit-remaining"), "0");
  EXPECT_TRUE(Has(r.body, "\"code\":\"resource_exhausted\"")) << r.body;
  r = Fetch("GET", "/trips/1", "", "X-API-Key: data-key\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("ratelimit-limit"), "10");
  EXPECT_EQ(r.header("ratelimit-remaining"), "9");
  EXPECT_EQ(r.header("ratelimit-reset"), "1");
  EXPECT_EQ(r.header("retry-after"), "");
}

TEST_F(OpsRoutesTest, AdminRemoteServesAdminRoutesOnTcpWithoutCredential) {
  StartServer({{"admin_remote", "true"}});
  EXPECT_EQ(Fetch("PUT", "/admin/endpoints/trips/current", "{\"version\":1}").status, 200);
}

TEST_F(OpsRoutesTest, Prune) {
  StartServer();
  HttpReply r = Admin("POST", "/admin/prune", "{\"keep\":1,\"endpoint\":\"zones\"}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"pruned\":[]}");  // v1 is current, v2 the newest
  fake_.SetCurrentDirectly("trips", 2);
  r = Admin("POST", "/admin/prune", "{\"keep\":1}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"pruned\":[\"trips: pruned v1\"]}");
  EXPECT_EQ(fake_.prune_calls(), (std::vector<std::string>{"zones 1", " 1"}));
  EXPECT_EQ(Fetch("GET", "/v1/trips/10").status, 404);
}

TEST_F(OpsRoutesTest, PruneRefusesBadBodies) {
  StartServer();
  struct Case {
    const char* body;
    int status;
    const char* part;
  } cases[] = {
      {"{}", 400, "missing 'keep'"},
      {"{\"keep\":0}", 400, "'keep' must be an integer in [1, 4294967295], found 0"},
      {"{\"keep\":\"2\"}", 400, "'keep' must be an integer"},
      {"{\"keep\":1,\"endpoint\":3}", 400, "'endpoint' must be an endpoint name"},
      {"{\"keep\":1,\"extra\":1}", 400, "unknown key 'extra'"},
      {"[1]", 400, "expected a JSON body {\\\"keep\\\": N"},
      {"{\"keep\":1,\"endpoint\":\"nope\"}", 404, "no endpoint \\\"nope\\\""},
      {"{\"keep\":1,\"keep\":5}", 400, "key 'keep' given twice"},
  };
  for (const Case& c : cases) {
    HttpReply r = Admin("POST", "/admin/prune", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_TRUE(Has(r.body, c.part)) << c.body << " -> " << r.body;
  }
  HttpReply r = Admin("GET", "/admin/prune");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "POST");
  r = Admin("PUT", "/admin/endpoints/trips/current", "{\"version\":1,\"version\":2}");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Has(r.body, "key 'version' given twice")) << r.body;
  EXPECT_EQ(fake_.prune_calls(), std::vector<std::string>{"nope 1"});  // only the valid body
}

}  // namespace
}  // namespace sluice::rest
