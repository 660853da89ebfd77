// The export machinery: a plugin that throws must surface as a status, and
// the descriptor must carry the SDK's ABI version.
#include <gtest/gtest.h>

#include "sluice/plugin.h"

namespace {

class ThrowingSource : public sluice::SourcePlugin {
 public:
  static sluice::Status Create(const sluice::HostServices&, const sluice::Options& o,
                               std::unique_ptr<ThrowingSource>* out) {
    if (o.Has("refuse")) return sluice::InvalidArgument("refused: " + o.GetString("refuse"));
    *out = std::make_unique<ThrowingSource>();
    return sluice::Status();
  }
  sluice::Status Describe(const std::string&, const sluice::Options&, sluice::Schema*) override {
    throw std::runtime_error("boom");
  }
  sluice::Status OpenReader(const std::string&, const sluice::Options&, const sluice::Schema&,
                            std::string_view, std::unique_ptr<sluice::SourceReader>*) override {
    throw 42;
  }
};

}  // namespace

SLUICE_PLUGIN(ThrowingSource, "thrower", "0.0.1", "throws on purpose")

TEST(AdapterTest, DescriptorAndExceptionsBecomeStatuses) {
  const sluice_plugin_descriptor* d = sluice_plugin_entry();
  EXPECT_EQ(d->abi_major, SLUICE_ABI_MAJOR);
  EXPECT_EQ(d->abi_minor, SLUICE_ABI_MINOR);
  EXPECT_EQ(d->kind, static_cast<uint32_t>(SLUICE_KIND_SOURCE));
  EXPECT_STREQ(d->name, "thrower");
  auto* vt = static_cast<const sluice_source_vtable*>(d->vtable);

  sluice_status st{};
  void* conn = nullptr;
  sluice_option opt{"refuse", "because"};
  sluice_options opts{sizeof(sluice_options), 1, &opt};
  EXPECT_EQ(vt->create(nullptr, &opts, &conn, &st), SLUICE_INVALID_ARGUMENT);
  EXPECT_STREQ(st.message, "refused: because");

  ASSERT_EQ(vt->create(nullptr, nullptr, &conn, &st), SLUICE_OK);
  EXPECT_EQ(vt->describe(
                conn, "t", nullptr, [](void*, const sluice_schema*) {}, nullptr, &st),
            SLUICE_INTERNAL);
  EXPECT_STREQ(st.message, "describe threw an exception: boom");
  void* reader = nullptr;
  sluice_field f{sizeof(sluice_field), "a", SLUICE_TYPE_INT64, 0};
  sluice_schema schema{sizeof(sluice_schema), 1, &f, 0, nullptr};
  EXPECT_EQ(vt->reader_open(conn, "t", nullptr, &schema, {nullptr, 0}, &reader, &st),
            SLUICE_INTERNAL);
  EXPECT_STREQ(st.message, "reader_open threw a non-standard exception");
  vt->destroy(conn);
}
