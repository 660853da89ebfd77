// The built plugin through its C entry point, as the host loads it: dlopen,
// sluice_plugin_entry, then create/start/stop/destroy through the vtable.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "fake_api_host.h"
#include "http_client.h"
#include "sluice/abi.h"
#include "sluice/testing/plugin_module.h"

namespace sluice::rest {
namespace {

const sluice_plugin_descriptor* LoadPlugin() {
  const sluice_plugin_descriptor* d = nullptr;
  Status s = sluice::testing::LoadPluginModule(SLUICE_REST_PLUGIN_PATH, &d);
  EXPECT_TRUE(s.ok()) << s.message();
  return d;
}

struct LogSink {
  std::mutex mu;
  std::vector<std::string> lines;
  sluice_host_services c{};

  LogSink() {
    c.struct_size = sizeof c;
    c.abi_major = SLUICE_ABI_MAJOR;
    c.abi_minor = SLUICE_ABI_MINOR;
    c.ctx = this;
    c.log = [](void* ctx, int32_t, const char* plugin, const char* message) {
      auto* self = static_cast<LogSink*>(ctx);
      std::lock_guard<std::mutex> lock(self->mu);
      self->lines.push_back(std::string(plugin) + ": " + message);
    };
    c.log_enabled = [](void*, int32_t) -> int32_t { return 1; };
  }
};

sluice_options MakeOptions(const std::vector<sluice_option>& items) {
  return sluice_options{sizeof(sluice_options), static_cast<uint32_t>(items.size()), items.data()};
}

TEST(PluginAbi, DescriptorDescribesTheRestApi) {
  const sluice_plugin_descriptor* d = LoadPlugin();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->abi_major, SLUICE_ABI_MAJOR);
  EXPECT_EQ(d->kind, static_cast<uint32_t>(SLUICE_KIND_API));
  EXPECT_STREQ(d->name, "rest");
  auto* v = static_cast<const sluice_api_vtable*>(d->vtable);
  ASSERT_NE(v, nullptr);
  EXPECT_GE(v->struct_size, sizeof(sluice_api_vtable));
}

TEST(PluginAbi, CreateStartServeStopDestroy) {
  const sluice_plugin_descriptor* d = LoadPlugin();
  ASSERT_NE(d, nullptr);
  auto* v = static_cast<const sluice_api_vtable*>(d->vtable);
  testing::FakeApiHost fake;
  testing::AddSampleEndpoints(&fake);
  LogSink log;
  std::vector<sluice_option> items = {{"port", "0"}, {"threads", "1"}};
  sluice_options options = MakeOptions(items);
  sluice_status st{};
  void* instance = nullptr;
  ASSERT_EQ(v->create(&log.c, &options, fake.c(), &instance, &st), SLUICE_OK) << st.message;

  std::vector<std::string> addresses;
  auto on_address = [](void* ctx, const char* a) {
    static_cast<std::vector<std::string>*>(ctx)->push_back(a);
  };
  ASSERT_EQ(v->start(instance, on_address, &addresses, &st), SLUICE_OK) << st.message;
  ASSERT_EQ(addresses.size(), 1u);
  uint16_t port =
      static_cast<uint16_t>(std::stoi(addresses[0].substr(addresses[0].rfind(':') + 1)));
  testing::HttpReply r = testing::Fetch(port, "GET", "/v1/trips/11");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"trip_id\":11,\"name\":\"trip 11\"}");
  EXPECT_EQ(r.header("x-sluice-version"), "1");

  v->catalog_changed(instance);
  ASSERT_GE(v->struct_size, offsetof(sluice_api_vtable, reload) + sizeof(v->reload));  // ABI 1.2
  ASSERT_NE(v->reload, nullptr);
  EXPECT_EQ(v->reload(instance, &st), SLUICE_OK) << st.message;  // no TLS: nothing to re-read
  v->stop(instance);
  v->stop(instance);  // idempotent
  EXPECT_EQ(testing::Fetch(port, "GET", "/health").status, 0);
  v->destroy(instance);
  EXPECT_EQ(fake.open_views(), 0);
  std::lock_guard<std::mutex> lock(log.mu);
  ASSERT_FALSE(log.lines.empty());
  EXPECT_EQ(log.lines[0], "rest: serving REST on " + addresses[0]);
}

TEST(PluginAbi, DestroyWhileServingStops) {
  const sluice_plugin_descriptor* d = LoadPlugin();
  ASSERT_NE(d, nullptr);
  auto* v = static_cast<const sluice_api_vtable*>(d->vtable);
  testing::FakeApiHost fake;
  std::vector<sluice_option> items = {{"port", "0"}};
  sluice_options options = MakeOptions(items);
  sluice_status st{};
  void* instance = nullptr;
  LogSink log;
  ASSERT_EQ(v->create(&log.c, &options, fake.c(), &instance, &st), SLUICE_OK) << st.message;
  ASSERT_EQ(v->start(instance, nullptr, nullptr, &st), SLUICE_OK) << st.message;
  v->destroy(instance);
}

TEST(PluginAbi, CreateRejectsUnknownOption) {
  const sluice_plugin_descriptor* d = LoadPlugin();
  ASSERT_NE(d, nullptr);
  auto* v = static_cast<const sluice_api_vtable*>(d->vtable);
  testing::FakeApiHost fake;
  std::vector<sluice_option> items = {{"listen", "x"}};
  sluice_options options = MakeOptions(items);
  sluice_status st{};
  void* instance = nullptr;
  LogSink log;
  EXPECT_EQ(v->create(&log.c, &options, fake.c(), &instance, &st), SLUICE_INVALID_ARGUMENT);
  EXPECT_EQ(st.code, SLUICE_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(st.message, "option 'listen': unknown option"), nullptr) << st.message;
  EXPECT_EQ(instance, nullptr);
}

TEST(PluginAbi, WriteArtifactsThroughVtable) {
  const sluice_plugin_descriptor* d = LoadPlugin();
  ASSERT_NE(d, nullptr);
  auto* v = static_cast<const sluice_api_vtable*>(d->vtable);
  testing::FakeApiHost fake;
  sluice_options options = MakeOptions({});
  sluice_status st{};
  void* instance = nullptr;
  LogSink log;
  ASSERT_EQ(v->create(&log.c, &options, fake.c(), &instance, &st), SLUICE_OK) << st.message;
  char tmpl[] = "/tmp/sluice-rest-abi-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  Schema schema = testing::TypedSchema();
  SchemaView c_schema(schema);
  ASSERT_EQ(v->write_artifacts(instance, "trips", "/trips", 7, c_schema.get(), dir.c_str(), &st),
            SLUICE_OK)
      << st.message;
  std::ifstream in(dir + "/openapi.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"/v7/trips/{pk}\""), std::string::npos);
  v->destroy(instance);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::rest
