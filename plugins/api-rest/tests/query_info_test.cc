// How a query ran, as the REST answers report it: X-Sluice-Plan and
// X-Sluice-Scan on list and query answers (from ApiHost::Query with
// QueryInfo, ABI 1.1), none from a 1.0 host or on other routes.
#include <gtest/gtest.h>

#include "fake_api_host.h"
#include "http_client.h"
#include "rest_plugin.h"
#include "rest_service.h"

namespace sluice::rest {
namespace {

using testing::Fetch;
using testing::HttpReply;

class QueryInfoTest : public ::testing::Test {
 protected:
  QueryInfoTest() : api_(fake_.c()), service_(api_, RestOptions()) {
    testing::AddSampleEndpoints(&fake_);
  }

  HttpResponse Call(const char* method, const char* path, const char* body = "",
                    std::vector<std::pair<std::string, std::string>> query = {}) {
    HttpRequest req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.query = std::move(query);
    req.from_loopback = true;
    HttpResponse resp;
    service_.Handle(req, &resp);
    return resp;
  }

  testing::FakeApiHost fake_;
  ApiHost api_;
  RestService service_;
};

TEST_F(QueryInfoTest, QueryAndListCarryThePlanTheHostReported) {
  HttpResponse q = Call("POST", "/trips/query", "{\"$limit\":2}");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(q.plan, "scan");
  EXPECT_TRUE(q.scan);
  fake_.set_plan("index [note] eq + sort", false);
  HttpResponse l = Call("GET", "/v1/trips", "", {{"limit", "1"}});
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(l.plan, "index [note] eq + sort");
  EXPECT_FALSE(l.scan);
}

TEST_F(QueryInfoTest, OtherRoutesReportNoPlan) {
  EXPECT_EQ(Call("GET", "/trips/1").plan, "");
  EXPECT_EQ(Call("POST", "/trips/count", "{}").plan, "");
  EXPECT_EQ(Call("GET", "/trips/oapi").plan, "");
  EXPECT_EQ(Call("GET", "/health").plan, "");
}

TEST_F(QueryInfoTest, MalformedQueryHasNoPlan) {
  HttpResponse r = Call("POST", "/trips/query", "{\"$limit\":\"x\"}");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.plan, "");
}

TEST_F(QueryInfoTest, ControlCharactersInThePlanCannotBreakTheHeader) {
  fake_.set_plan("index [a\r\nX-Evil: 1] eq", false);
  HttpResponse r = Call("POST", "/trips/query", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.plan, "index [a  X-Evil: 1] eq");
}

TEST_F(QueryInfoTest, AnAbi10HostAnswersWithoutAPlan) {
  fake_.set_abi_1_0();
  HttpResponse r = Call("POST", "/trips/query", "{\"$skip\":1,\"$limit\":2}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.plan, "");
  EXPECT_EQ(fake_.last_query(), "{\"$skip\":1,\"$limit\":2}");  // answered through query
  EXPECT_EQ(r.body.substr(0, 8), "[{\"id\":2");
}

uint16_t PortOf(const std::string& address) {
  return static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

class QueryInfoHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::AddSampleEndpoints(&fake_);
    std::vector<std::pair<std::string, std::string>> options = {{"port", "0"}};
    Status s = RestPlugin::Create(HostServices(), Options(options), ApiHost(fake_.c()), &plugin_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::vector<std::string> addresses;
    s = plugin_->Start(&addresses);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(addresses.size(), 1u);
    port_ = PortOf(addresses[0]);
  }
  void TearDown() override {
    if (plugin_) plugin_->Stop();
  }

  testing::FakeApiHost fake_;
  std::unique_ptr<RestPlugin> plugin_;
  uint16_t port_ = 0;
};

TEST_F(QueryInfoHttpTest, HeadersOnQueryAndListAnswers) {
  HttpReply q = Fetch(port_, "POST", "/trips/query", "{\"$limit\":1}");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(q.header("x-sluice-plan"), "scan");
  EXPECT_EQ(q.header("x-sluice-scan"), "true");
  fake_.set_plan("primary key range", false);
  HttpReply l = Fetch(port_, "GET", "/v2/trips?limit=2&order_by=id");
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(l.header("x-sluice-plan"), "primary key range");
  EXPECT_EQ(l.header("x-sluice-scan"), "false");
  EXPECT_EQ(l.header("x-sluice-version"), "2");
}

TEST_F(QueryInfoHttpTest, NoHeadersWhereNoQueryRan) {
  for (const char* target : {"/trips/1", "/trips/oapi", "/health"}) {
    HttpReply r = Fetch(port_, "GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_EQ(r.headers.count("x-sluice-plan"), 0u) << target;
    EXPECT_EQ(r.headers.count("x-sluice-scan"), 0u) << target;
  }
  HttpReply c = Fetch(port_, "POST", "/trips/count", "{}");
  EXPECT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.headers.count("x-sluice-plan"), 0u);
}

}  // namespace
}  // namespace sluice::rest
