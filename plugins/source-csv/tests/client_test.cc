// The built plugin through the C ABI: dlopen, the descriptor, and
// client::CreateSource / SourceReaderClient over the function table.
#include <gtest/gtest.h>

#include "sluice/client/source_client.h"
#include "sluice/testing/plugin_module.h"
#include "test_util.h"

namespace sluice {
namespace {

using csv::testing::Opts;
using csv::testing::ReadAll;
using csv::testing::TempDir;
using csv::testing::WriteFile;

const sluice_source_vtable* LoadPlugin() {
  const sluice_source_vtable* vt = nullptr;
  Status s = sluice::testing::LoadSourceModule(SLUICE_SOURCE_CSV_SO, "csv", &vt);
  EXPECT_TRUE(s.ok()) << s.message();
  return vt;
}

TEST(ClientTest, DescribeAndReadThroughTheCAbi) {
  const sluice_source_vtable* vt = LoadPlugin();
  ASSERT_NE(vt, nullptr);
  TempDir dir;
  WriteFile(dir / "t.csv", "id,name\n1,\"a,b\"\n2,\n3,c\n");

  std::unique_ptr<SourcePlugin> bad;
  Status s = client::CreateSource(vt, nullptr, Opts({{"path", dir.path()}, {"x", "1"}}), &bad);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "option 'x': unknown option; known options: path, sample_rows, delimiter, on_error, "
            "incomplete_line_timeout");

  std::unique_ptr<SourcePlugin> src;
  ASSERT_TRUE(client::CreateSource(vt, nullptr, Opts({{"path", dir.path()}}), &src).ok());
  Schema schema;
  ASSERT_TRUE(src->Describe("t", Options(), &schema).ok());
  ASSERT_EQ(schema.fields.size(), 2u);
  EXPECT_EQ(schema.fields[0].type, Type::kInt64);
  EXPECT_EQ(src->Describe("nope", Options(), &schema).code(), Code::kNotFound);

  // Copying Next().
  std::unique_ptr<SourceReader> r;
  ASSERT_TRUE(src->OpenReader("t", Options(), schema, {}, &r).ok());
  csv::testing::ReadResult all = ReadAll(r.get(), schema, 2);
  ASSERT_TRUE(all.status.ok());
  EXPECT_EQ(all.rows, (std::vector<std::string>{"1|'a,b'", "2|NULL", "3|'c'"}));

  // Zero-copy NextBatch(), resuming after the first row.
  auto* client = static_cast<client::SourceClient*>(src.get());
  std::unique_ptr<client::SourceReaderClient> rc;
  ASSERT_TRUE(client->OpenReaderClient("t", Options(), schema, all.offsets[0], &rc).ok());
  const sluice_row_batch* batch = nullptr;
  ASSERT_TRUE(rc->NextBatch(10, &batch).ok());
  ASSERT_EQ(batch->row_count, 2u);
  EXPECT_EQ(csv::testing::RowText(schema, BatchRow(*batch, 0)), "2|NULL");
  EXPECT_EQ(BatchOffset(*batch, 1), all.offsets[2]);
  EXPECT_EQ(BatchOp(*batch, 0), SLUICE_OP_INSERT);
  EXPECT_TRUE(batch->at_end);
  EXPECT_EQ(batch->bytes_done, batch->bytes_total);

  // Errors cross the boundary with their code and message.
  WriteFile(dir / "t.csv", "id,name\nx,1\n");
  ASSERT_TRUE(client->OpenReaderClient("t", Options(), schema, {}, &rc).ok());
  s = rc->NextBatch(10, &batch);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "t.csv:2: column 1 \"id\": expected int64, found \"x\" (a type conflict: the type "
            "was inferred from a sample of rows; to keep such values set types.id: string, or "
            "widen the sample with sample_rows (or all), then run `sluice migrate --new "
            "ENDPOINT`) (fix the row, or set on_error: skip to skip bad rows)");
}

TEST(ClientTest, RejectsAnIncompleteFunctionTable) {
  sluice_source_vtable vt{};
  vt.struct_size = sizeof(vt);
  std::unique_ptr<SourcePlugin> src;
  EXPECT_EQ(client::CreateSource(&vt, nullptr, Options(), &src).code(), Code::kInvalidArgument);
  EXPECT_EQ(client::CreateSource(nullptr, nullptr, Options(), &src).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace sluice
