// Runs the log half of the SDK's storage conformance suite against the nats
// plugin on a local nats-server: on the C++ object, through the C ABI of the
// built module, and with small messages so that every append spans several
// messages and large records are sent in fragments.

#include <cstring>

#include "nats_storage.h"
#include "server_env.h"
#include "sluice/client/storage_client.h"
#include "sluice/testing/plugin_module.h"
#include "sluice/testing/storage_conformance.h"

namespace {

using sluice::Status;
using sluice::StoragePlugin;
using sluice::log_nats::NatsStorage;
namespace t = sluice::log_nats::testing;

Status CreateDirect(std::unique_ptr<StoragePlugin>* out) {
  std::unique_ptr<NatsStorage> s;
  Status st = NatsStorage::Create(sluice::HostServices(), t::ServerOptions(t::FreshPrefix()), &s);
  if (st.ok()) *out = std::move(s);
  return st;
}

Status CreateSmallMessages(std::unique_ptr<StoragePlugin>* out) {
  std::unique_ptr<NatsStorage> s;
  Status st = NatsStorage::Create(sluice::HostServices(),
                                  t::ServerOptions(t::FreshPrefix(), {{"message_kb", "4"}}), &s);
  if (st.ok()) *out = std::move(s);
  return st;
}

Status CreateThroughAbi(std::unique_ptr<StoragePlugin>* out) {
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_RETURN_IF_ERROR(sluice::testing::LoadPluginModule(SLUICE_LOG_NATS_MODULE, &d));
  if (d->kind != SLUICE_KIND_STORAGE || std::strcmp(d->name, "nats") != 0)
    return sluice::Internal(std::string("unexpected descriptor: ") + d->name);
  return sluice::client::CreateStorage(static_cast<const sluice_storage_vtable*>(d->vtable),
                                       nullptr, t::ServerOptions(t::FreshPrefix()), out);
}

}  // namespace

SLUICE_LOG_CONFORMANCE_TESTS(Direct, CreateDirect);
SLUICE_LOG_CONFORMANCE_TESTS(SmallMessages, CreateSmallMessages);
SLUICE_LOG_CONFORMANCE_TESTS(CAbi, CreateThroughAbi);

TEST(NatsModuleTest, KvFacetIsUnimplementedWithAHint) {
  std::unique_ptr<StoragePlugin> storage;
  SLUICE_ASSERT_OK(CreateThroughAbi(&storage));
  std::unique_ptr<sluice::KvStore> kv;
  Status s = storage->OpenKv("/tmp/nowhere", true, &kv);
  EXPECT_EQ(s.code(), sluice::Code::kUnimplemented) << s.ToString();
  EXPECT_NE(s.message().find("configure storage.cache with leveldb or rocksdb"), std::string::npos)
      << s.message();
  EXPECT_EQ(kv, nullptr);
}

TEST(NatsModuleTest, OptionErrorsCrossTheAbi) {
  const sluice_plugin_descriptor* d = nullptr;
  SLUICE_ASSERT_OK(sluice::testing::LoadPluginModule(SLUICE_LOG_NATS_MODULE, &d));
  std::unique_ptr<StoragePlugin> storage;
  Status s = sluice::client::CreateStorage(
      static_cast<const sluice_storage_vtable*>(d->vtable), nullptr,
      sluice::Options(std::vector<std::pair<std::string, std::string>>{{"replica", "3"}}),
      &storage);
  EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("option 'replica': unknown option (did you mean \"replicas\"?)"),
            std::string::npos)
      << s.message();
}
