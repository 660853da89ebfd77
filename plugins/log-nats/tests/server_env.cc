#include "server_env.h"

#include <gtest/gtest.h>

#include <atomic>

#include "test_server.h"

namespace sluice::log_nats::testing {
namespace {

NatsServer* server = nullptr;

class ServerEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (FindNatsServer().empty()) GTEST_SKIP() << "nats-server is not installed";
    server = new NatsServer();
    std::string error;
    ASSERT_TRUE(server->Start(&error)) << error;
  }
  void TearDown() override {
    delete server;
    server = nullptr;
  }
};

[[maybe_unused]] ::testing::Environment* const env =
    ::testing::AddGlobalTestEnvironment(new ServerEnvironment);

}  // namespace

const std::string& ServerUrl() {
  static std::string url;
  url = server ? server->url() : "nats://127.0.0.1:1";
  return url;
}

std::string FreshPrefix() {
  static std::atomic<int> n{0};
  return "t" + std::to_string(++n);
}

Options ServerOptions(const std::string& prefix,
                      std::vector<std::pair<std::string, std::string>> extra) {
  std::vector<std::pair<std::string, std::string>> items = {
      {"servers", ServerUrl()}, {"stream_prefix", prefix}, {"retry_timeout_ms", "5000"}};
  for (auto& kv : extra) items.push_back(std::move(kv));
  return Options(std::move(items));
}

}  // namespace sluice::log_nats::testing
