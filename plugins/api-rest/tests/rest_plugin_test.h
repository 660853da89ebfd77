// The fixture of the tests of whole requests: the REST plugin serving the
// fake host's sample endpoints (testing::AddSampleEndpoints) over real HTTP
// on 127.0.0.1, an ephemeral port, and on an admin socket of its own.
// Each test starts it (StartServer); after each test it is stopped and
// every read view it opened must have been closed.
#ifndef SLUICE_PLUGINS_API_REST_TESTS_REST_PLUGIN_TEST_H_
#define SLUICE_PLUGINS_API_REST_TESTS_REST_PLUGIN_TEST_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fake_api_host.h"
#include "http_client.h"
#include "rest_plugin.h"

namespace sluice::rest::testing {

class RestPluginTest : public ::testing::Test {
 protected:
  void SetUp() override { AddSampleEndpoints(&fake_); }
  void TearDown() override {
    if (plugin_) plugin_->Stop();
    EXPECT_EQ(fake_.open_views(), 0);
  }

  // Starts the plugin with port 0 and the admin socket socket_, plus
  // `extra` options; port_ is then its TCP port.
  void StartServer(std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.emplace_back("port", "0");
    extra.emplace_back("admin_socket_path", socket_);
    Status s = RestPlugin::Create(HostServices(), Options(extra), ApiHost(fake_.c()), &plugin_);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::vector<std::string> addresses;
    s = plugin_->Start(&addresses);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(addresses.size(), 2u);
    EXPECT_EQ(addresses[1], "unix:" + socket_);
    ASSERT_EQ(addresses[0].rfind("http://127.0.0.1:", 0), 0u) << addresses[0];
    port_ = static_cast<uint16_t>(std::stoi(addresses[0].substr(addresses[0].rfind(':') + 1)));
    ASSERT_NE(port_, 0);
  }

  FakeApiHost fake_;
  std::unique_ptr<RestPlugin> plugin_;
  uint16_t port_ = 0;
  const std::string socket_ = TestSocketPath();
};

}  // namespace sluice::rest::testing

#endif  // SLUICE_PLUGINS_API_REST_TESTS_REST_PLUGIN_TEST_H_
