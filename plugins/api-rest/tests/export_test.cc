// Export's pieces (export_stream.h): the Accept header, CSV and NDJSON
// lines, and the split of a client's query into pages.
#include <gtest/gtest.h>

#include "export_stream.h"
#include "fake_api_host.h"

namespace sluice::rest {
namespace {

TEST(AcceptedExport, FirstKnownTypeDecides) {
  EXPECT_EQ(AcceptedExport("text/csv"), ExportFormat::kCsv);
  EXPECT_EQ(AcceptedExport("Text/CSV; charset=utf-8"), ExportFormat::kCsv);
  EXPECT_EQ(AcceptedExport("application/x-ndjson"), ExportFormat::kNdjson);
  EXPECT_EQ(AcceptedExport("image/png, application/ndjson;q=0.9"), ExportFormat::kNdjson);
  EXPECT_EQ(AcceptedExport("application/json, text/csv"), ExportFormat::kNone);
  EXPECT_EQ(AcceptedExport("*/*"), ExportFormat::kNone);
  EXPECT_EQ(AcceptedExport(""), ExportFormat::kNone);
}

TEST(RecordText, CsvIsRfc4180) {
  Schema schema = testing::TypedSchema();  // id, fare?, paid, note?, at, day?
  std::string row;
  {
    RowWriter w(&row, 6);
    w.Int64(7);
    w.Null();
    w.Bool(true);
    w.String("say \"hi\", then\r\nbye");
    w.Timestamp(1706711295000000);
    w.Date(19753);
  }
  RecordText csv(schema, ExportFormat::kCsv);
  std::string out;
  csv.AppendHeader(&out);
  ASSERT_TRUE(csv.Append(row, &out).ok());
  EXPECT_EQ(out,
            "id,fare,paid,note,at,day\r\n"
            "7,,true,\"say \"\"hi\"\", then\r\nbye\",2024-01-31T14:28:15Z,2024-01-31\r\n");
  csv.Select({3, 0});
  out.clear();
  csv.AppendHeader(&out);
  ASSERT_TRUE(csv.Append(row, &out).ok());
  EXPECT_EQ(out, "note,id\r\n\"say \"\"hi\"\", then\r\nbye\",7\r\n");
  RecordText nd(schema, ExportFormat::kNdjson);
  nd.Select({0, 1});
  out.clear();
  ASSERT_TRUE(nd.Append(row, &out).ok());
  EXPECT_EQ(out, "{\"id\":7,\"fare\":null}\n");
}

TEST(RecordText, CsvQuotesWhatWouldNotReadBack) {
  std::string out;
  for (const char* s : {"", "plain", " lead", "trail\t", "a,b", "q\"", "é"}) {
    RecordText::AppendCsvField(s, &out);
    out += "|";
  }
  EXPECT_EQ(out, "\"\"|plain|\" lead\"|\"trail\t\"|\"a,b\"|\"q\"\"\"|é|");
}

TEST(PrepareExport, KeepsTheQueryAndTakesPaging) {
  ExportCursor c;
  ASSERT_TRUE(PrepareExport(R"({"$limit": 5000, "$filter": {"a": [1, 2]}, "$skip": 3,
                                "$after": {"id": 9}})",
                            &c)
                  .ok());
  EXPECT_EQ(c.query, R"({"$filter":{"a":[1,2]}})");
  EXPECT_EQ(c.limit, 5000u);
  EXPECT_EQ(c.skip, 3u);
  EXPECT_EQ(c.after, R"({"id":9})");
  ASSERT_TRUE(PrepareExport("", &c).ok());
  EXPECT_EQ(c.query, "{}");
  EXPECT_EQ(c.limit, UINT64_MAX);
  EXPECT_FALSE(PrepareExport(R"({"$limit": "x"})", &c).ok());
}

}  // namespace
}  // namespace sluice::rest
