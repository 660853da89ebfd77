// Request metrics: exact Prometheus text after known requests.
#include "rest_metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sluice::rest {
namespace {

TEST(RequestMetrics, EmptyHasOnlyFamilyHeaders) {
  RequestMetrics m;
  EXPECT_EQ(
      m.Text(),
      "# HELP sluice_http_requests_total HTTP requests answered, by route template and status.\n"
      "# TYPE sluice_http_requests_total counter\n"
      "# HELP sluice_http_request_duration_seconds Time to answer HTTP requests (until the "
      "answer is ready to send), by route template.\n"
      "# TYPE sluice_http_request_duration_seconds histogram\n");
}

TEST(RequestMetrics, CountsPerRouteAndStatusAndBucketsLatency) {
  RequestMetrics m;
  m.Record("GET", "/{endpoint}/{pk}", "trips", 200, 0.0004);
  m.Record("GET", "/{endpoint}/{pk}", "trips", 200, 0.003);
  m.Record("GET", "/{endpoint}/{pk}", "trips", 404, 20.0);
  std::string t = m.Text();
  const std::string l = "api=\"rest\",method=\"GET\",route=\"/{endpoint}/{pk}\",endpoint=\"trips\"";
  EXPECT_NE(t.find("sluice_http_requests_total{" + l + ",status=\"200\"} 2\n"), std::string::npos)
      << t;
  EXPECT_NE(t.find("sluice_http_requests_total{" + l + ",status=\"404\"} 1\n"), std::string::npos)
      << t;
  EXPECT_NE(t.find("_bucket{" + l + ",le=\"0.0005\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("_bucket{" + l + ",le=\"0.0025\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("_bucket{" + l + ",le=\"0.005\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("_bucket{" + l + ",le=\"10\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("_bucket{" + l + ",le=\"+Inf\"} 3\n"), std::string::npos) << t;
  EXPECT_NE(t.find("sluice_http_request_duration_seconds_sum{" + l + "} 20.0034\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("sluice_http_request_duration_seconds_count{" + l + "} 3\n"), std::string::npos)
      << t;
}

TEST(RequestMetrics, BucketBoundIsInclusive) {
  RequestMetrics m;
  m.Record("POST", "/{endpoint}/count", "t", 200, 0.01);
  std::string t = m.Text();
  EXPECT_NE(t.find("le=\"0.005\"} 0\n"), std::string::npos) << t;
  EXPECT_NE(t.find("le=\"0.01\"} 1\n"), std::string::npos) << t;
}

TEST(RequestMetrics, ConcurrentRecordsAllCount) {
  RequestMetrics m;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 1000; ++j) m.Record("GET", "/health", "", 200, 0.0001);
    });
  for (auto& t : threads) t.join();
  EXPECT_NE(m.Text().find("route=\"/health\",endpoint=\"\",status=\"200\"} 4000\n"),
            std::string::npos);
}

TEST(RequestMetrics, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace sluice::rest
