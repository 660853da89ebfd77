// RestService without HTTP: where admin routes are served (by listener,
// never by peer address) and the catalog cache.
#include "rest_service.h"

#include <gtest/gtest.h>

#include "fake_api_host.h"

namespace sluice::rest {
namespace {

class RestServiceTest : public ::testing::Test {
 protected:
  RestServiceTest() : api_(fake_.c()) { testing::AddSampleEndpoints(&fake_); }

  HttpResponse Call(RestService& service, const char* method, const char* path,
                    const char* body = "", Listener listener = Listener::kData) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.listener = listener;
    req.from_loopback = true;  // never decides anything
    HttpResponse resp;
    service.Handle(req, &resp);
    return resp;
  }

  testing::FakeApiHost fake_;
  ApiHost api_;
};

TEST_F(RestServiceTest, AdminRoutesOnlyOnTheAdminListenerWithoutCredential) {
  RestService service(api_, RestOptions());
  HttpResponse r = Call(service, "PUT", "/admin/endpoints/trips/current", "{\"version\":1}");
  EXPECT_EQ(r.status, 404);  // a loopback peer changes nothing
  EXPECT_NE(r.body.find("\"code\":\"not_found\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("admin_socket_path"), std::string::npos);
  // Nothing changed.
  EXPECT_EQ(Call(service, "GET", "/trips/oapi").version, 2u);
  // Only admin routes are restricted.
  EXPECT_EQ(Call(service, "GET", "/trips").status, 200);
  r = Call(service, "PUT", "/admin/endpoints/trips/current", "{\"version\":1}", Listener::kAdmin);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Call(service, "GET", "/trips/oapi").version, 1u);
}

TEST_F(RestServiceTest, AdminRemoteServesAdminRoutesOnTheDataListener) {
  RestOptions options;
  options.admin_remote = true;
  RestService open(api_, options);
  HttpResponse r = Call(open, "PUT", "/admin/endpoints/trips/current", "{\"version\":1}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{\"endpoint\":\"trips\",\"current_version\":1,\"pinned\":1}");
}

TEST_F(RestServiceTest, CatalogChangedRereadsTheCatalog) {
  RestService service(api_, RestOptions());
  EXPECT_EQ(Call(service, "GET", "/trips/oapi").version, 2u);  // caches the catalog
  fake_.SetCurrentDirectly("trips", 1);
  service.CatalogChanged();
  EXPECT_EQ(Call(service, "GET", "/trips/oapi").version, 1u);
}

TEST_F(RestServiceTest, NewEndpointFoundWithoutNotification) {
  RestService service(api_, RestOptions());
  EXPECT_EQ(Call(service, "GET", "/later").status, 404);
  testing::FakeVersion v;
  v.schema.fields = {{"k", Type::kString, false}};
  v.schema.primary_key = {0};
  fake_.AddEndpoint({"later", "/later", 1, false, {v}});
  HttpResponse r = Call(service, "GET", "/v1/later");  // a miss re-reads the catalog
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "[]");
}

TEST_F(RestServiceTest, ViewsAreReleased) {
  RestService service(api_, RestOptions());
  Call(service, "GET", "/trips/1");
  Call(service, "GET", "/trips/999");
  Call(service, "POST", "/trips/count", "{}");
  Call(service, "POST", "/trips/query", "{\"$limit\":\"x\"}");
  EXPECT_EQ(fake_.open_views(), 0);
}

// Which requests go to the query worker pool (docs/rest.md, "What runs
// where"): list, count and query on an endpoint, with their own method.
TEST_F(RestServiceTest, RunsQueryForListCountAndQueryOnly) {
  RestService service(api_, RestOptions());
  struct Case {
    const char* method;
    const char* path;
    bool runs;
    const char* route;
  } cases[] = {{"GET", "/trips", true, "/{endpoint}"},
               {"HEAD", "/trips", true, "/{endpoint}"},
               {"GET", "/v1/trips", true, "/v{n}/{endpoint}"},
               {"POST", "/trips/count", true, "/{endpoint}/count"},
               {"POST", "/trips/query", true, "/{endpoint}/query"},
               {"POST", "/trips", false, ""},
               {"GET", "/trips/query", false, ""},
               {"GET", "/trips/1", false, ""},
               {"GET", "/trips/oapi", false, ""},
               {"GET", "/health", false, ""},
               {"GET", "/nowhere", false, ""}};
  for (const Case& c : cases) {
    HttpRequest req;
    req.method = c.method;
    req.path = c.path;
    std::string_view route;
    std::string endpoint;
    EXPECT_EQ(service.RunsQuery(req, &route, &endpoint), c.runs) << c.method << " " << c.path;
    if (!c.runs) continue;
    EXPECT_EQ(route, c.route) << c.method << " " << c.path;
    EXPECT_EQ(endpoint, "trips");
  }
}

TEST(QueryBody, EmptyMeansEverythingAndNonObjectsAreRefused) {
  std::string_view q;
  ASSERT_TRUE(QueryBody("", &q).ok());
  EXPECT_EQ(q, "{}");
  ASSERT_TRUE(QueryBody(" \r\n", &q).ok());
  EXPECT_EQ(q, "{}");
  ASSERT_TRUE(QueryBody("{\"$limit\": 1}", &q).ok());
  EXPECT_EQ(q, "{\"$limit\": 1}");
  Status s = QueryBody("[1,2]", &q);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("must be a JSON object"), std::string::npos) << s.message();
  s = QueryBody("{\"a\":", &q);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("not valid JSON"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace sluice::rest
