// The built plugin through the C ABI, as the host uses it: dlopen, the
// descriptor, and the client proxies of sluice/client/source_client.h.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "generator_rows.h"
#include "sluice/client/source_client.h"
#include "sluice/testing/plugin_module.h"

namespace generator {
namespace {

// Options from key/value pairs ({{"k", "v"}} alone would be ambiguous).
sluice::Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return sluice::Options(std::move(items));
}

const sluice_plugin_descriptor* LoadDescriptor() {
  const sluice_plugin_descriptor* d = nullptr;
  sluice::Status s = sluice::testing::LoadPluginModule(GENERATOR_PLUGIN_SO, &d);
  EXPECT_TRUE(s.ok()) << s.message();
  return d;
}

TEST(AbiTest, DescriptorDeclaresASourceOfThisAbi) {
  const sluice_plugin_descriptor* d = LoadDescriptor();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->abi_major, SLUICE_ABI_MAJOR);
  EXPECT_EQ(d->abi_minor, SLUICE_ABI_MINOR);
  EXPECT_EQ(d->kind, static_cast<uint32_t>(SLUICE_KIND_SOURCE));
  EXPECT_STREQ(d->name, "generator");
  EXPECT_GE(static_cast<const sluice_source_vtable*>(d->vtable)->struct_size,
            sizeof(sluice_source_vtable));
}

TEST(AbiTest, ReadsAndResumesThroughTheFunctionTable) {
  const sluice_plugin_descriptor* d = LoadDescriptor();
  ASSERT_NE(d, nullptr);
  const auto* vt = static_cast<const sluice_source_vtable*>(d->vtable);

  std::unique_ptr<sluice::client::SourceClient> bad;
  sluice::Status s = sluice::client::CreateSourceClient(vt, nullptr, Opts({{"rate", "-1"}}), &bad);
  EXPECT_EQ(s.code(), sluice::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'rate'"), std::string::npos) << s.message();

  std::unique_ptr<sluice::client::SourceClient> src;
  ASSERT_TRUE(sluice::client::CreateSourceClient(vt, nullptr, Opts({{"seed", "9"}}), &src).ok());
  sluice::Schema schema;
  ASSERT_TRUE(src->Describe("t", sluice::Options(), &schema).ok());
  EXPECT_EQ(schema, GeneratorSchema());

  const sluice::Options table = Opts({{"rows", "6"}});
  std::unique_ptr<sluice::client::SourceReaderClient> reader;
  ASSERT_TRUE(src->OpenReaderClient("t", table, schema, "", &reader).ok());
  const sluice_row_batch* batch = nullptr;
  ASSERT_TRUE(reader->NextBatch(4, &batch).ok());
  ASSERT_EQ(batch->row_count, 4u);
  EXPECT_EQ(batch->at_end, 0u);
  std::string expected;
  EncodeRow(RowAt(9, 3), &expected);
  EXPECT_EQ(sluice::BatchRow(*batch, 3), expected);
  const std::string offset(sluice::BatchOffset(*batch, 3));
  EXPECT_EQ(offset, "4");

  ASSERT_TRUE(src->OpenReaderClient("t", table, schema, offset, &reader).ok());
  ASSERT_TRUE(reader->NextBatch(100, &batch).ok());
  ASSERT_EQ(batch->row_count, 2u);
  EXPECT_EQ(batch->at_end, 1u);
  expected.clear();
  EncodeRow(RowAt(9, 4), &expected);
  EXPECT_EQ(sluice::BatchRow(*batch, 0), expected);
}

}  // namespace
}  // namespace generator
