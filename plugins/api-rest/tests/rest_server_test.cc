// The REST plugin over real HTTP on 127.0.0.1 (ephemeral port), answering
// from the in-memory query service.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <future>
#include <thread>

#include "rest_plugin_test.h"

namespace sluice::rest {
namespace {

using testing::Fetch;
using testing::HttpConnection;
using testing::HttpReply;
using testing::RequestText;

class RestServerTest : public testing::RestPluginTest {
 protected:
  HttpReply Get(const std::string& target) { return Fetch(port_, "GET", target); }
  // The answer to `raw` sent on a new connection, which the server must
  // close after it, saying so (Connection: Close).
  HttpReply AnswerThenClose(const std::string& raw) {
    HttpConnection c;
    HttpReply r;
    EXPECT_TRUE(c.Ask(port_, raw, &r)) << c.error();
    EXPECT_EQ(r.header("connection"), "Close");
    EXPECT_TRUE(c.ClosedByPeer(2000));
    return r;
  }
  HttpReply Admin(const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return testing::FetchUnix(socket_, method, target, body);
  }
  HttpReply Post(const std::string& target, const std::string& body) {
    return Fetch(port_, "POST", target, body);
  }
};

void ExpectError(const HttpReply& r, int status, const std::string& code,
                 const std::string& message_part) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body.rfind("{\"error\":{\"code\":\"" + code + "\",\"message\":\"", 0), 0u) << r.body;
  EXPECT_NE(r.body.find(message_part), std::string::npos) << r.body;
}

TEST_F(RestServerTest, HealthAndIndex) {
  StartServer();
  HttpReply h = Get("/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "{\"status\":\"ok\"}");
  HttpReply r = Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(
      r.body,
      "{\"endpoints\":["
      "{\"name\":\"trips\",\"path\":\"/trips\",\"current_version\":2,\"pinned\":false,"
      "\"versions\":["
      "{\"version\":1,\"ready\":true,\"log_end\":300,\"cache_offset\":300,\"lag\":0,\"rows\":3,"
      "\"created_at\":\"\",\"schema\":\"*trip_id int64!, name string!\"},"
      "{\"version\":2,\"ready\":true,\"log_end\":1000,\"cache_offset\":900,\"lag\":100,"
      "\"rows\":5,\"created_at\":\"\",\"schema\":\"*id int64!, fare float64, paid bool!, "
      "note string, at timestamp!, day date\"}]},"
      "{\"name\":\"zones\",\"path\":\"/geo/zones\",\"current_version\":1,\"pinned\":true,"
      "\"versions\":["
      "{\"version\":1,\"ready\":true,\"log_end\":0,\"cache_offset\":0,\"lag\":0,\"rows\":2,"
      "\"created_at\":\"\",\"schema\":\"*zone string!, borough string\"},"
      "{\"version\":2,\"ready\":false,\"log_end\":0,\"cache_offset\":0,\"lag\":0,\"rows\":2,"
      "\"created_at\":\"\",\"schema\":\"*zone string!, borough string\"}"
      "]}]}");
}

TEST_F(RestServerTest, UnversionedListServesCurrentInPlace) {
  StartServer();
  HttpReply r = Get("/trips");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-sluice-endpoint"), "trips");
  EXPECT_EQ(r.header("x-sluice-version"), "2");
  EXPECT_EQ(fake_.last_query(), "{}");
  simdjson::dom::parser parser;
  simdjson::dom::array rows;
  ASSERT_FALSE(parser.parse(r.body).get(rows)) << r.body;
  EXPECT_EQ(rows.size(), 5u);  // across three batches of the query service
}

TEST_F(RestServerTest, VersionedListServesThatVersion) {
  StartServer();
  HttpReply r = Get("/v1/trips");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-sluice-version"), "1");
  EXPECT_EQ(r.body,
            "[{\"trip_id\":10,\"name\":\"trip 10\"},{\"trip_id\":11,\"name\":\"trip 11\"},"
            "{\"trip_id\":12,\"name\":\"trip 12\"}]");
}

TEST_F(RestServerTest, ListParametersBecomeAQuery) {
  StartServer();
  HttpReply r = Get("/v2/trips?limit=2&skip=1&order_by=note,-fare");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(fake_.last_query(),
            "{\"$order_by\":[{\"note\":\"asc\"},{\"fare\":\"desc\"}],\"$limit\":2,\"$skip\":1}");
  EXPECT_EQ(r.body.rfind("[{\"id\":2,", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("},{\"id\":3,"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"id\":4"), std::string::npos) << r.body;
}

TEST_F(RestServerTest, ListParameterErrors) {
  StartServer();
  ExpectError(Get("/trips?limit=5&where=x&filter=y"), 400, "invalid_argument",
              "unknown query parameter 'where'; accepted: select, order, order_by, limit, skip, "
              "after, or, and, or a field name");
  ExpectError(Get("/trips?fare=gte.x"), 400, "invalid_argument",
              "query parameter 'fare': field fare is float64: expected a number, found 'x'");
  ExpectError(Get("/trips?limit=-3"), 400, "invalid_argument",
              "'limit': expected a non-negative integer, found '-3'");
  ExpectError(Get("/trips/1?limit=1"), 400, "invalid_argument",
              "query parameter 'limit' is not accepted on /trips/1; get by key takes select only");
  ExpectError(Get("/trips/1?select=nope"), 400, "invalid_argument", "unknown field 'nope'");
  HttpReply r = Get("/trips/1?select=note,id");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.rfind("{\"note\":", 0), 0u) << r.body;
  EXPECT_NE(r.body.find(",\"id\":1}"), std::string::npos) << r.body;
}

TEST_F(RestServerTest, RecordJsonTypesEveryValue) {
  StartServer();
  HttpReply r = Get("/trips/1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-sluice-version"), "2");
  EXPECT_EQ(r.body,
            "{\"id\":1,\"fare\":12.75,\"paid\":true,\"note\":\"tab\\there \\\"q\\\"\","
            "\"at\":\"2024-01-31T14:28:15.123456Z\",\"day\":\"2024-01-31\"}");
  EXPECT_EQ(Get("/trips/2").body,
            "{\"id\":2,\"fare\":null,\"paid\":false,\"note\":null,"
            "\"at\":\"1970-01-01T00:00:00Z\",\"day\":null}");
  EXPECT_EQ(Get("/v2/trips/3").body,
            "{\"id\":3,\"fare\":0.1,\"paid\":true,"
            "\"note\":\"ctl\\u0001 caf\xc3\xa9 back\\\\slash\\nnew\","
            "\"at\":\"1969-12-31T23:59:59.999999Z\",\"day\":\"1969-12-31\"}");
  EXPECT_EQ(Get("/trips/5").body,
            "{\"id\":5,\"fare\":1e+21,\"paid\":true,\"note\":\"five\","
            "\"at\":\"1970-01-01T00:00:01Z\",\"day\":\"1970-01-03\"}");
  // And every body parses as JSON.
  simdjson::dom::parser parser;
  for (const char* t : {"/trips", "/trips/1", "/trips/2", "/trips/3"}) {
    simdjson::dom::element e;
    EXPECT_FALSE(parser.parse(Get(t).body).get(e)) << t;
  }
}

TEST_F(RestServerTest, KeyIsUrlDecodedUnderMultiSegmentPath) {
  StartServer();
  HttpReply r = Get("/geo/zones/Upper%20East%2FSide");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-sluice-endpoint"), "zones");
  EXPECT_EQ(r.body, "{\"zone\":\"Upper East/Side\",\"borough\":\"Manhattan\"}");
  ExpectError(Get("/geo/zones/%zz"), 400, "invalid_argument", "percent-encoding");
}

TEST_F(RestServerTest, NotFound) {
  StartServer();
  HttpReply r = Get("/trips/999");
  ExpectError(r, 404, "not_found", "no record with key \\\"999\\\"");
  EXPECT_EQ(r.header("x-sluice-version"), "2");
  ExpectError(Get("/nope"), 404, "not_found", "endpoint paths: /trips, /geo/zones");
  ExpectError(Get("/trips/1/extra"), 404, "not_found", "no route GET /trips/1/extra");
  HttpReply v = Get("/v9/trips");
  ExpectError(v, 404, "not_found", "endpoint trips has no version 9; versions: 1, 2");
  EXPECT_EQ(v.header("x-sluice-endpoint"), "trips");
  EXPECT_EQ(v.header("x-sluice-version"), "");
}

TEST_F(RestServerTest, CountAndQuery) {
  StartServer();
  HttpReply c = Post("/trips/count", "");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.body, "{\"count\":5}");
  EXPECT_EQ(fake_.last_query(), "{}");
  EXPECT_EQ(c.header("x-sluice-version"), "2");
  EXPECT_EQ(Post("/v1/trips/count", "{\"$filter\": {}}").body, "{\"count\":3}");
  EXPECT_EQ(fake_.last_query(), "{\"$filter\": {}}");

  std::string q = "{\"$limit\": 1, \"$skip\": 2, \"$order_by\": {\"name\": \"desc\"}}";
  HttpReply r = Post("/v1/trips/query", q);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(fake_.last_query(), q);  // passed through untouched
  EXPECT_EQ(r.body, "[{\"trip_id\":12,\"name\":\"trip 12\"}]");
  EXPECT_EQ(r.header("x-sluice-version"), "1");
  EXPECT_EQ(Post("/trips/query", "").body.rfind("[{\"id\":1,", 0), 0u);
}

TEST_F(RestServerTest, BadBodiesAndHostErrorsMapToStatuses) {
  StartServer();
  ExpectError(Post("/trips/query", "{\"$limit\": "), 400, "invalid_argument",
              "request body is not valid JSON: ");
  ExpectError(Post("/trips/count", "[1]"), 400, "invalid_argument", "must be a JSON object");
  // Errors of the query service pass through with their code.
  ExpectError(Post("/trips/query", "{\"$limit\": \"x\"}"), 400, "invalid_argument",
              "$limit: expected a non-negative integer");
  ExpectError(Post("/trips/count", "{\"$filter\": {\"id\": 1}}"), 501, "unimplemented",
              "only with an empty $filter");
}

TEST_F(RestServerTest, NotReadyVersionIs503) {
  StartServer();
  HttpReply r = Get("/v2/geo/zones");
  ExpectError(r, 503, "unavailable", "zones v2 is not ready");
  EXPECT_EQ(r.header("x-sluice-endpoint"), "zones");
  EXPECT_EQ(r.header("x-sluice-version"), "");
  ExpectError(Get("/v2/geo/zones/Midtown"), 503, "unavailable", "not ready");
  // Its OpenAPI document is served from the catalog all the same.
  EXPECT_EQ(Get("/v2/geo/zones/oapi").status, 200);
}

TEST_F(RestServerTest, WrongMethodIs405WithAllow) {
  StartServer();
  struct {
    const char* method;
    const char* target;
    const char* allow;
  } cases[] = {{"POST", "/trips", "GET, HEAD"},
               {"GET", "/trips/count", "POST"},
               {"PUT", "/v1/trips/query", "POST"},
               {"DELETE", "/trips/1", "GET, HEAD"},
               {"POST", "/trips/oapi", "GET, HEAD"},
               {"POST", "/health", "GET, HEAD"},
               {"GET", "/admin/endpoints/trips/current", "PUT"}};
  for (const auto& c : cases) {
    bool admin = std::string(c.target).rfind("/admin/", 0) == 0;
    HttpReply r = admin ? Admin(c.method, c.target) : Fetch(port_, c.method, c.target);
    ExpectError(r, 405, "invalid_argument", std::string("allowed: ") + c.allow);
    EXPECT_EQ(r.header("allow"), c.allow) << c.method << " " << c.target;
  }
}

TEST_F(RestServerTest, HeadAnswersEveryGetWithoutTheBody) {
  StartServer();
  for (const char* target : {"/trips", "/trips/1", "/v1/trips/10", "/trips/oapi", "/", "/health",
                             "/ready", "/metrics", "/nowhere"}) {
    HttpConnection c;
    HttpReply get, head;
    ASSERT_TRUE(c.Connect(port_) && c.Send(RequestText("GET", target)) && c.Read(&get));
    // On the same connection: a HEAD answer must not carry a body.
    ASSERT_TRUE(c.Send(RequestText("HEAD", target)) && c.Read(&head, /*no_body=*/true));
    ASSERT_TRUE(c.Send(RequestText("GET", "/health")) && c.Read(&get)) << target;
    EXPECT_EQ(get.status, 200) << target << ": the HEAD answer had a body";
    HttpReply again = Fetch(port_, "GET", target);
    EXPECT_EQ(head.status, again.status) << target;
    EXPECT_EQ(head.body, "");
    std::string t = target;
    if (t != "/metrics" && t != "/" && t != "/nowhere") {  // counts move; 404s name the method
      EXPECT_EQ(head.header("content-length"), std::to_string(again.body.size())) << target;
    }
    EXPECT_EQ(head.header("content-type"), again.header("content-type")) << target;
    EXPECT_EQ(head.header("x-sluice-version"), again.header("x-sluice-version")) << target;
  }
}

TEST_F(RestServerTest, CorsAllowListAndPreflight) {
  StartServer({{"cors.origins.0", "https://app.example"},
               {"cors.headers.0", "Authorization"},
               {"cors.headers.1", "Content-Type"},
               {"cors.max_age_s", "60"}});
  HttpReply r = Fetch(port_, "OPTIONS", "/trips/query", "",
                      "Origin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n"
                      "Access-Control-Request-Headers: content-type, authorization\r\n");
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.header("access-control-allow-origin"), "https://app.example");
  EXPECT_EQ(r.header("access-control-allow-methods"), "GET, HEAD, POST");
  EXPECT_EQ(r.header("access-control-allow-headers"), "Authorization, Content-Type");
  EXPECT_EQ(r.header("access-control-max-age"), "60");
  EXPECT_EQ(r.header("vary"), "Origin");
  EXPECT_EQ(r.body, "");
  r = Fetch(port_, "OPTIONS", "/trips", "",
            "Origin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\n");
  ExpectError(r, 403, "permission_denied", "origin https://evil.example is not in");
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  r = Fetch(port_, "OPTIONS", "/trips", "",
            "Origin: https://app.example\r\nAccess-Control-Request-Method: PUT\r\n");
  ExpectError(r, 403, "permission_denied", "method PUT is not in the rest option cors.methods");
  r = Fetch(port_, "OPTIONS", "/trips", "",
            "Origin: https://app.example\r\nAccess-Control-Request-Method: GET\r\n"
            "Access-Control-Request-Headers: X-API-Key\r\n");
  ExpectError(r, 403, "permission_denied", "header X-API-Key is not in");
  // Actual requests: allowed origins get the CORS headers, others none.
  r = Fetch(port_, "GET", "/trips/1", "", "Origin: https://app.example\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("access-control-allow-origin"), "https://app.example");
  EXPECT_NE(r.header("access-control-expose-headers").find("X-Sluice-Version"), std::string::npos);
  r = Fetch(port_, "GET", "/trips/1", "", "Origin: https://evil.example\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  // Without CORS configured, OPTIONS is just a method no route answers.
  plugin_->Stop();
  plugin_.reset();
  StartServer();
  r = Fetch(port_, "OPTIONS", "/trips", "",
            "Origin: https://app.example\r\nAccess-Control-Request-Method: GET\r\n");
  EXPECT_EQ(r.status, 405);
}

TEST_F(RestServerTest, AdminSwitchesCurrentVersion) {
  StartServer();  // no admin credential: admin routes are on the admin socket
  HttpReply r = Admin("PUT", "/admin/endpoints/trips/current", "{\"version\": 1}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"endpoint\":\"trips\",\"current_version\":1,\"pinned\":1}");
  HttpReply list = Get("/trips");
  EXPECT_EQ(list.header("x-sluice-version"), "1");
  EXPECT_EQ(list.body.rfind("[{\"trip_id\":10,", 0), 0u) << list.body;
  EXPECT_EQ(Get("/trips/oapi").header("x-sluice-version"), "1");
  EXPECT_EQ(Get("/v2/trips/1").status, 200);  // the other version still serves

  ExpectError(Admin("PUT", "/admin/endpoints/trips/current", "{\"version\": 9}"), 404, "not_found",
              "trips has no version 9");
  ExpectError(Admin("PUT", "/admin/endpoints/zones/current", "{\"version\": 2}"), 409,
              "failed_precondition", "not ready");
  ExpectError(Admin("PUT", "/admin/endpoints/nope/current", "{\"version\": 1}"), 404, "not_found",
              "no endpoint nope");
  ExpectError(Admin("PUT", "/admin/endpoints/trips/current", "{\"version\": 0}"), 400,
              "invalid_argument", "'version' must be an integer");
  ExpectError(Admin("PUT", "/admin/endpoints/trips/current", "{\"version\": \"newest\"}"), 400,
              "invalid_argument", "expected a number or");
  // "latest" unpins: the endpoint follows its newest ready version again.
  r = Admin("PUT", "/admin/endpoints/trips/current", "{\"version\": \"latest\"}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"endpoint\":\"trips\",\"current_version\":2,\"pinned\":\"latest\"}");
  EXPECT_EQ(Get("/trips").header("x-sluice-version"), "2");
  ExpectError(Admin("PUT", "/admin/endpoints/trips/current", "{\"v\": 1}"), 400, "invalid_argument",
              "unknown key 'v'");
  ExpectError(Admin("PUT", "/admin/endpoints/trips/current", "nope"), 400, "invalid_argument",
              "request body: ");
}

TEST_F(RestServerTest, OpenApiPerVersion) {
  StartServer();
  HttpReply r = Get("/trips/oapi");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-sluice-version"), "2");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(r.body).get(doc));
  std::string_view s;
  ASSERT_FALSE(doc.at_pointer("/info/version").get(s));
  EXPECT_EQ(s, "2");
  simdjson::dom::element e;
  EXPECT_FALSE(doc.at_pointer("/paths/~1v2~1trips~1{pk}/get").get(e));
  HttpReply v1 = Get("/v1/trips/oapi");
  ASSERT_FALSE(parser.parse(v1.body).get(doc));
  EXPECT_FALSE(doc.at_pointer("/components/schemas/Record/properties/trip_id").get(e));
  EXPECT_FALSE(doc.at_pointer("/paths/~1v1~1trips~1count/post").get(e));
}

TEST_F(RestServerTest, BodyOverLimitIs413) {
  StartServer({{"max_body_bytes", "64"}});
  std::string big = "{\"$filter\": {\"note\": \"" + std::string(100, 'x') + "\"}}";
  ExpectError(Post("/trips/query", big), 413, "resource_exhausted",
              "exceeds the limit of 64 bytes");
  EXPECT_EQ(Post("/trips/count", "{}").status, 200);
}

TEST_F(RestServerTest, OversizedBodyRefusedFromHeadersAlone) {
  StartServer({{"max_body_bytes", "64"}});
  // Announce 10 MB, send only the headers: the answer must not wait for it.
  ExpectError(
      AnswerThenClose("POST /trips/query HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n"),
      413, "resource_exhausted", "request body of 10000000 bytes");
}

TEST_F(RestServerTest, MalformedRequestGetsJson400AndClose) {
  StartServer();
  ExpectError(AnswerThenClose("GET /health HTTP/9.9\r\nHost: x\r\n\r\n"), 400, "invalid_argument",
              "malformed HTTP request: ");
}

TEST_F(RestServerTest, Http11KeepsConnectionsWithoutHeader) {
  StartServer();
  HttpConnection c;
  ASSERT_TRUE(c.Connect(port_)) << c.error();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(RequestText("GET", "/trips/1"))) << c.error();
    HttpReply r;
    ASSERT_TRUE(c.Read(&r)) << "request " << i << ": " << c.error();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("connection"), "Keep-Alive");
  }
  EXPECT_FALSE(c.ClosedByPeer(100));
}

// A response larger than the socket takes at once (a slow client) is
// finished through the server's write queue, whole and before the next
// response on the connection.
TEST_F(RestServerTest, ResponseLargerThanTheSocketTakesArrivesWholeAndInOrder) {
  std::string text;
  for (int i = 0; text.size() < (8u << 20); ++i)
    text += "sluice_test_series{n=\"" + std::to_string(i) + "\"} " + std::to_string(i * 7) + "\n";
  fake_.set_metrics_text(text);
  StartServer();
  HttpConnection c;
  ASSERT_TRUE(c.Connect(port_, /*receive_buffer=*/4096)) << c.error();
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(c.Send(RequestText("GET", "/metrics"))) << c.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the server's send stops short
    HttpReply r;
    ASSERT_TRUE(c.Read(&r)) << "round " << round << ": " << c.error();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
    ASSERT_GE(r.body.size(), text.size());
    EXPECT_TRUE(r.body.compare(0, text.size(), text) == 0) << "round " << round;
    ASSERT_TRUE(c.Send(RequestText("GET", "/trips/1"))) << c.error();
    ASSERT_TRUE(c.Read(&r)) << c.error();
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.rfind("{\"id\":1,", 0), 0u) << r.body;
  }
  EXPECT_FALSE(c.ClosedByPeer(100));
}

TEST_F(RestServerTest, ExplicitKeepAliveKeepsConnection) {
  StartServer();
  HttpConnection c;
  ASSERT_TRUE(c.Connect(port_));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(c.Send(RequestText("POST", "/trips/count", "{}", "Connection: keep-alive\r\n")));
    HttpReply r;
    ASSERT_TRUE(c.Read(&r)) << c.error();
    EXPECT_EQ(r.body, "{\"count\":5}");
    EXPECT_EQ(r.header("connection"), "Keep-Alive");
  }
}

TEST_F(RestServerTest, ConnectionCloseClosesAfterTheAnswer) {
  StartServer();
  EXPECT_EQ(AnswerThenClose(RequestText("GET", "/trips/1", "", "Connection: close\r\n")).status,
            200);
}

TEST_F(RestServerTest, Http10ClosesUnlessAsked) {
  StartServer();
  EXPECT_EQ(AnswerThenClose("GET /health HTTP/1.0\r\n\r\n").status, 200);

  HttpConnection k;
  HttpReply r;
  ASSERT_TRUE(k.Connect(port_));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(k.Send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    ASSERT_TRUE(k.Read(&r)) << k.error();
    EXPECT_EQ(r.header("connection"), "Keep-Alive");
  }
}

TEST_F(RestServerTest, StopFinishesRequestsInFlight) {
  StartServer();
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> once{false};
  fake_.set_on_query([&] {
    if (once.exchange(true)) return;
    entered.set_value();
    released.wait();
  });
  auto reply = std::async(std::launch::async, [&] { return Get("/trips?limit=1"); });
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto stopped = std::async(std::launch::async, [&] { plugin_->Stop(); });
  EXPECT_EQ(stopped.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  release.set_value();
  HttpReply r = reply.get();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.rfind("[{\"id\":1,", 0), 0u);
  stopped.get();
  plugin_->Stop();                      // idempotent
  EXPECT_EQ(Get("/health").status, 0);  // no longer listening
}

TEST_F(RestServerTest, StartErrors) {
  StartServer();
  std::vector<std::string> addresses;
  EXPECT_EQ(plugin_->Start(&addresses).code(), Code::kFailedPrecondition);
  std::unique_ptr<RestPlugin> other;
  ASSERT_TRUE(RestPlugin::Create(HostServices(), Options({{"port", std::to_string(port_)}}),
                                 ApiHost(fake_.c()), &other)
                  .ok());
  Status s = other->Start(&addresses);
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(port_)), std::string::npos)
      << s.message();
  EXPECT_TRUE(addresses.empty());
}

}  // namespace
}  // namespace sluice::rest
