// CsvReader: rows and values, bad rows under both policies, resuming from
// every offset, following appends and new files, header checks, progress.
#include <gtest/gtest.h>

#include <random>

#include "csv_offset.h"
#include "csv_source.h"
#include "test_util.h"

namespace sluice::csv {
namespace {

using testing::AppendFile;
using testing::MakeIdle;
using testing::Opts;
using testing::ReadAll;
using testing::ReadResult;
using testing::TempDir;
using testing::WriteFile;

// Records log lines for checking what a skip policy reports.
// `s` has code `code` and a message that starts with `start`.
void ExpectStatus(const Status& s, Code code, std::string_view start) {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.message().substr(0, start.size()), start);
}

struct LogSink {
  std::vector<std::string> lines;
  sluice_host_services c{sizeof(sluice_host_services),
                         SLUICE_ABI_MAJOR,
                         SLUICE_ABI_MINOR,
                         this,
                         [](void* ctx, int32_t, const char*, const char* m) {
                           static_cast<LogSink*>(ctx)->lines.push_back(m);
                         },
                         [](void*, int32_t) -> int32_t { return 1; }};
};

class ReaderTest : public ::testing::TestWithParam<size_t> {
 protected:
  std::unique_ptr<CsvSource> Source(size_t buffer) {
    ConnectionConfig c;
    c.path = dir_.path();
    c.buffer_size = buffer;
    std::unique_ptr<CsvSource> src;
    EXPECT_TRUE(CsvSource::CreateWithConfig(HostServices(&log_.c, "csv"), c, &src).ok());
    return src;
  }
  // Describes and opens `table` at `offset`; the schema lands in schema_.
  std::unique_ptr<SourceReader> Open(const std::string& table, std::string_view offset = {},
                                     const Options& opts = Options()) {
    auto src = Source(GetParam());
    Status s = src->Describe(table, opts, &schema_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::unique_ptr<SourceReader> r;
    s = src->OpenReader(table, opts, schema_, offset, &r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }
  Status OpenStatus(const std::string& table, std::string_view offset,
                    const Options& opts = Options()) {
    std::unique_ptr<SourceReader> r;
    return Source(GetParam())->OpenReader(table, opts, schema_, offset, &r);
  }

  TempDir dir_;
  LogSink log_;
  Schema schema_;
};

const char kTrips[] =
    "id,name,score,day,at,ok\n"
    "1,\"Smith, J\",1.5,2024-01-02,2024-01-02T03:04:05Z,true\n"
    "2,,,,,\n"
    "3,\"say \"\"hi\"\"\nthere\",-2,2024-02-29,2024-02-29 23:59:59.25+01:00,FALSE\n"
    "4,\xC3\xA9t\xC3\xA9,3e2,1970-01-01,1970-01-01T00:00:00Z,false\n";

TEST_P(ReaderTest, DecodesEveryTypeQuotesNullsAndUtf8) {
  WriteFile(dir_ / "t.csv", kTrips);
  auto r = Open("t");
  ReadResult res = ReadAll(r.get(), schema_);
  ASSERT_TRUE(res.status.ok()) << res.status.ToString();
  EXPECT_EQ(res.rows, (std::vector<std::string>{
                          "1|'Smith, J'|1.5|2024-01-02|2024-01-02T03:04:05Z|true",
                          "2|NULL|NULL|NULL|NULL|NULL",
                          "3|'say \"hi\"\nthere'|-2|2024-02-29|2024-02-29T22:59:59.250000Z|false",
                          "4|'\xC3\xA9t\xC3\xA9'|300|1970-01-01|1970-01-01T00:00:00Z|false"}));
  EXPECT_TRUE(res.last.at_end);
  EXPECT_EQ(res.last.bytes_done, sizeof(kTrips) - 1);
  EXPECT_EQ(res.last.bytes_total, sizeof(kTrips) - 1);
}

TEST_P(ReaderTest, CrlfBomAndMissingFinalNewline) {
  WriteFile(dir_ / "t.csv",
            "\xEF\xBB\xBF"
            "a,b\r\n1,x\r\n2,\"y\r\nz\"\r\n3,w");
  MakeIdle(dir_ / "t.csv");
  auto r = Open("t");
  ReadResult res = ReadAll(r.get(), schema_);
  ASSERT_TRUE(res.status.ok());
  EXPECT_EQ(res.rows, (std::vector<std::string>{"1|'x'", "2|'y\r\nz'", "3|'w'"}));
}

TEST_P(ReaderTest, DirectoryFilesInByteOrder) {
  WriteFile(dir_ / "t/b.csv", "n\n3\n");
  WriteFile(dir_ / "t/B.csv", "n\n2\n");
  WriteFile(dir_ / "t/a.csv", "n\n4\n5\n");
  WriteFile(dir_ / "t/A.csv", "n\n1\n");
  WriteFile(dir_ / "t/empty.csv", "");
  auto r = Open("t");
  ReadResult res = ReadAll(r.get(), schema_);
  ASSERT_TRUE(res.status.ok()) << res.status.ToString();
  EXPECT_EQ(res.rows, (std::vector<std::string>{"1", "2", "4", "5", "3"}));
}

TEST_P(ReaderTest, BadRowFailsAfterDeliveringTheRowsBeforeIt) {
  WriteFile(dir_ / "t.csv", "id,passenger_count\n1,2\n2,3\n\"x\ny\",4\n4,abc\n5,6\n");
  auto r = Open("t", {}, Opts({{"types.id", "int64"}}));
  RowBatchBuilder b;
  BatchInfo info;
  ASSERT_TRUE(r->Next(10, &b, &info).ok());
  EXPECT_EQ(b.row_count(), 2u);
  b.Clear();
  Status s = r->Next(10, &b, &info);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "t.csv:4: column 1 \"id\": expected int64, found \"x\\ny\" (the type comes from the "
            "option types.id) (fix the row, or set "
            "on_error: skip to skip bad rows)");
  EXPECT_EQ(b.row_count(), 0u);
  EXPECT_EQ(r->Next(10, &b, &info).message(), s.message());  // sticky
}

TEST_P(ReaderTest, BadRowsAreSkippedCountedAndLogged) {
  WriteFile(dir_ / "t.csv",
            "id,passenger_count,name\n1,2,a\n2,abc,b\n3,4\n4,5,\"open\"x\n5,6,\xFF\n6,,f\n"
            "7,8,\"never closed\n");
  Schema schema{{{"id", Type::kInt64, false},
                 {"passenger_count", Type::kInt64, false},
                 {"name", Type::kString, true}},
                {0}};
  std::unique_ptr<SourceReader> r;
  ASSERT_TRUE(
      Source(GetParam())->OpenReader("t", Opts({{"on_error", "skip"}}), schema, {}, &r).ok());
  ReadResult res = ReadAll(r.get(), schema, 100);
  ASSERT_TRUE(res.status.ok());
  EXPECT_EQ(res.rows, (std::vector<std::string>{"1|2|'a'"}));
  EXPECT_EQ(res.rejected, 5u);
  std::vector<std::string> want = {
      "t.csv:3: column 2 \"passenger_count\": expected int64, found \"abc\" (a type conflict: "
      "the type was inferred from a sample of rows; to keep such values set "
      "types.passenger_count: string, or widen the sample with sample_rows (or all), then run "
      "`sluice migrate --new ENDPOINT`)",
      "t.csv:4: expected 3 fields, found 2",
      "t.csv:5: column 3 \"name\": unexpected 'x' after the closing quote (a quote inside a "
      "quoted field must be doubled)",
      "t.csv:6: column 3 \"name\": invalid UTF-8 (byte 0xff at position 1 of the value); the "
      "file must be UTF-8 encoded",
      "t.csv:7: column 2 \"passenger_count\": null (empty) value in a non-nullable column"};
  ASSERT_EQ(log_.lines.size(), want.size() + 1);
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(log_.lines[i], "skipped bad row " + want[i] + " (" + std::to_string(i + 1) +
                                 " skipped so far; logging the first 10, then every 1000th)");
  // The open quote at the end of the last file may still be closed by a writer.
  EXPECT_EQ(log_.lines.back(),
            "t.csv:8: the last line is incomplete (no line break, a missing closing quote or too "
            "few fields); waiting for the rest of it (writers must append whole lines)");
}

TEST_P(ReaderTest, OpenQuoteAtTheEndOfAFileFollowedByAnother) {
  WriteFile(dir_ / "t/1.csv", "id,name\n1,\"never closed\n");
  WriteFile(dir_ / "t/2.csv", "id,name\n2,b\n");
  Schema schema;
  EXPECT_EQ(Source(GetParam())->Describe("t", Options(), &schema).message(),
            "t/1.csv:2: column 2 \"name\": unterminated quoted field (the file ends "
            "before its closing quote) (fix the row, or set on_error: skip to skip bad rows)");
  schema_ = Schema{{{"id", Type::kInt64, true}, {"name", Type::kString, true}}, {}};
  std::unique_ptr<SourceReader> r;
  ASSERT_TRUE(Source(GetParam())->OpenReader("t", Options(), schema_, {}, &r).ok());
  ReadResult res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.status.message(),
            "t/1.csv:2: column 2 \"name\": unterminated quoted field (the file ends before its "
            "closing quote) (fix the row, or set on_error: skip to skip bad rows)");
}

// Resuming from the offset of row i yields exactly rows i+1.. of a full read.
TEST_P(ReaderTest, ResumeFromEveryOffsetReproducesTheRest) {
  std::mt19937 rng(7);
  std::string data = "id,text,x\n";
  const char* texts[] = {"plain", "\"a,b\"", "\"multi\nline\"", "\"q\"\"q\"", "", "\xC3\xA9"};
  for (int i = 0; i < 60; ++i)
    data += std::to_string(i) + "," + texts[rng() % 6] + "," + std::to_string(rng() % 100) +
            (rng() % 4 == 0 ? "\r\n" : "\n");
  WriteFile(dir_ / "t/part-1.csv", data);
  WriteFile(dir_ / "t/part-2.csv", "id,text,x\n100,z,1\n101,\"y\n\",2");
  MakeIdle(dir_ / "t/part-2.csv");
  auto r = Open("t");
  ReadResult all = ReadAll(r.get(), schema_, 7);
  ASSERT_TRUE(all.status.ok());
  ASSERT_EQ(all.rows.size(), 62u);
  for (size_t i = 0; i < all.rows.size(); ++i) {
    auto rr = Open("t", all.offsets[i]);
    ReadResult rest = ReadAll(rr.get(), schema_, 5);
    ASSERT_TRUE(rest.status.ok());
    std::vector<std::string> want(all.rows.begin() + static_cast<long>(i) + 1, all.rows.end());
    ASSERT_EQ(rest.rows, want) << "resuming after row " << i;
    std::vector<std::string> want_offsets(all.offsets.begin() + static_cast<long>(i) + 1,
                                          all.offsets.end());
    ASSERT_EQ(rest.offsets, want_offsets);
  }
  CsvOffset last;
  ASSERT_TRUE(DecodeOffset(all.offsets.back(), &last).ok());
  EXPECT_EQ(last.file, "part-2.csv");
  EXPECT_EQ(last.line, 4u);  // the last record spans lines 3-4 and has no final newline
}

TEST_P(ReaderTest, FollowsAppendsAndNewFiles) {
  WriteFile(dir_ / "t/1.csv", "a,b\n1,x\n");
  auto r = Open("t");
  ReadResult res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.rows, (std::vector<std::string>{"1|'x'"}));
  EXPECT_TRUE(res.last.at_end);
  AppendFile(dir_ / "t/1.csv", "2,y\n3");  // "3" is a partial line: held back
  res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.rows, (std::vector<std::string>{"2|'y'"}));
  AppendFile(dir_ / "t/1.csv", ",z\n");
  WriteFile(dir_ / "t/2.csv", "a,b\n4,w\n5,v");  // complete at EOF: 2 fields
  MakeIdle(dir_ / "t/2.csv");                    // and the file is idle
  WriteFile(dir_ / "t/0.csv", "a,b\n0,late\n");  // sorts before: ignored with a warning
  res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.rows, (std::vector<std::string>{"3|'z'", "4|'w'", "5|'v'"}));
  ASSERT_EQ(log_.lines.size(), 2u);
  EXPECT_EQ(log_.lines[0],
            "t/1.csv:4: the last line is incomplete (no line break, a missing closing quote or "
            "too few fields); waiting for the rest of it (writers must append whole lines)");
  EXPECT_EQ(log_.lines[1],
            "ignoring t/0.csv: it appeared after t/1.csv was read and sorts before it; new files "
            "must sort after the ones read");
  AppendFile(dir_ / "t/2.csv", "\n6,u\n");  // the line break completing "5,v" is skipped
  WriteFile(dir_ / "t/3.csv", "a,b");
  res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.rows, (std::vector<std::string>{"6|'u'"}));
  EXPECT_EQ(res.last.bytes_done, res.last.bytes_total);
  AppendFile(dir_ / "t/3.csv", "\n7,t\n");
  res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.rows, (std::vector<std::string>{"7|'t'"}));
}

// A reader can see part of one write() (the kernel copies a write into the
// file in pieces): "2,ab" of "2,abc\n" has every field but is no whole line.
// It is held until the rest comes, or until the file has been idle.
TEST_P(ReaderTest, AWholeLookingLastLineIsHeldWhileTheFileMayBeMidWrite) {
  WriteFile(dir_ / "t.csv", "a,b\n1,x\n2,ab");
  auto r = Open("t", {}, Opts({{"types.b", "string"}}));
  ReadResult res;
  for (int i = 0; i < 3; ++i) {  // rows so far, then nothing: neither the tail nor the end
    RowBatchBuilder b;
    BatchInfo info;
    ASSERT_TRUE(r->Next(10, &b, &info).ok());
    for (uint32_t k = 0; k < b.batch()->row_count; ++k)
      res.rows.push_back(testing::RowText(schema_, BatchRow(*b.batch(), k)));
    EXPECT_FALSE(info.at_end);
    EXPECT_EQ(info.note, "");
  }
  EXPECT_EQ(res.rows, (std::vector<std::string>{"1|'x'"}));
  AppendFile(dir_ / "t.csv", "c\n3,y\n");  // the rest of the write
  res = ReadAll(r.get(), schema_);
  ASSERT_TRUE(res.status.ok()) << res.status.ToString();
  EXPECT_EQ(res.rows, (std::vector<std::string>{"2|'abc'", "3|'y'"}));
  EXPECT_TRUE(log_.lines.empty());
  // A last line that stays without a line break is a row once the file is idle.
  AppendFile(dir_ / "t.csv", "4,z");
  std::filesystem::last_write_time(
      dir_ / "t.csv", std::filesystem::file_time_type::clock::now() - std::chrono::seconds(5));
  res = ReadAll(r.get(), schema_);
  ASSERT_TRUE(res.status.ok()) << res.status.ToString();
  EXPECT_EQ(res.rows, (std::vector<std::string>{"4|'z'"}));
  EXPECT_TRUE(res.last.at_end);
}

TEST_P(ReaderTest, PartialLineBecomesABadRowOnceALaterFileAppears) {
  WriteFile(dir_ / "t/1.csv", "a,b\n1,x\n2");
  auto r = Open("t");
  EXPECT_EQ(ReadAll(r.get(), schema_).rows.size(), 1u);
  WriteFile(dir_ / "t/2.csv", "a,b\n3,y\n");
  ReadResult res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.status.message(),
            "t/1.csv:3: expected 2 fields, found 1 (fix the row, or set on_error: skip to skip "
            "bad rows)");
}

TEST_P(ReaderTest, FilesWithFewerColumnsReadThemAsNullNewColumnsAbort) {
  WriteFile(dir_ / "t/1.csv", "a,b\n1,2\n");
  auto r = Open("t");
  // Same columns in another order, and a file without b: mapped by name.
  WriteFile(dir_ / "t/2.csv", "b,a\n3,4\n");
  WriteFile(dir_ / "t/3.csv", "a\n5\n");
  ReadResult res = ReadAll(r.get(), schema_);
  ASSERT_TRUE(res.status.ok()) << res.status.ToString();
  EXPECT_EQ(res.rows, (std::vector<std::string>{"1|2", "4|3", "5|NULL"}));
  // A file with a column the version lacks is a schema change: ABORTED.
  WriteFile(dir_ / "t/4.csv", "a,c,d\n1,2,3\n");
  res = ReadAll(r.get(), schema_);
  EXPECT_TRUE(res.rows.empty());
  EXPECT_EQ(res.status.code(), Code::kAborted);
  EXPECT_EQ(res.status.message(),
            "t/4.csv:1: the header does not match the endpoint's schema: it has column(s) \"c\", "
            "\"d\" that the endpoint's schema lacks; the table's columns changed: run `sluice "
            "migrate` to create a version with them");
  // A key column missing from a file cannot be read as null.
  schema_.fields[0].nullable = false;
  Status s = OpenStatus("t", {});
  WriteFile(dir_ / "k/1.csv", "b\n1\n");
  s = OpenStatus("k", {});
  EXPECT_EQ(s.code(), Code::kAborted);
  EXPECT_NE(s.message().find("it lacks the key column(s) \"a\""), std::string::npos);
}

TEST_P(ReaderTest, TsvTablesAndTablesNamedWithTheirExtension) {
  WriteFile(dir_ / "t.tsv", "a\tb\n1\tx\n");
  WriteFile(dir_ / "u.txt", "a,b\n2,y\n");
  ConnectionConfig c;
  c.path = dir_.path();
  c.delimiter = '\t';
  std::unique_ptr<CsvSource> tsv;
  ASSERT_TRUE(CsvSource::CreateWithConfig(HostServices(), c, &tsv).ok());
  Schema schema;
  ASSERT_TRUE(tsv->Describe("t", Options(), &schema).ok());
  ASSERT_TRUE(tsv->Describe("t.tsv", Options(), &schema).ok());
  std::unique_ptr<SourceReader> r;
  ASSERT_TRUE(tsv->OpenReader("t.tsv", Options(), schema, {}, &r).ok());
  EXPECT_EQ(ReadAll(r.get(), schema).rows, (std::vector<std::string>{"1|'x'"}));
  auto u = Open("u.txt");
  EXPECT_EQ(ReadAll(u.get(), schema_).rows, (std::vector<std::string>{"2|'y'"}));
}

TEST_P(ReaderTest, AnEmptyFileIsWaitedForWithANote) {
  WriteFile(dir_ / "t.csv", "");
  schema_ = Schema{{{"a", Type::kInt64, true}}, {}};
  std::unique_ptr<SourceReader> r;
  ASSERT_TRUE(Source(GetParam())->OpenReader("t", Options(), schema_, {}, &r).ok());
  ReadResult res = ReadAll(r.get(), schema_);
  ASSERT_TRUE(res.status.ok());
  EXPECT_TRUE(res.last.at_end);
  EXPECT_EQ(res.last.note, "t.csv is empty: waiting for its header row");
  AppendFile(dir_ / "t.csv", "a\n7\n");
  res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.rows, (std::vector<std::string>{"7"}));
  EXPECT_EQ(res.last.note, "");
}

TEST_P(ReaderTest, AnIncompleteLastLineIsANoteThenAnErrorOnceTheFileIsIdle) {
  WriteFile(dir_ / "t.csv", "a,b\n1,x\n2,\"open");
  auto r = Open("t", {}, Opts({{"types.b", "string"}}));
  ReadResult res = ReadAll(r.get(), schema_);
  ASSERT_TRUE(res.status.ok());
  EXPECT_EQ(res.rows.size(), 1u);
  EXPECT_EQ(res.last.note,
            "t.csv:3: the last line is incomplete (no line break, an open quote or too few "
            "fields); waiting for the rest of it");
  // The file last changed long ago: past incomplete_line_timeout, an error.
  auto old = std::filesystem::file_time_type::clock::now() - std::chrono::minutes(5);
  std::filesystem::last_write_time(dir_ / "t.csv", old);
  res = ReadAll(r.get(), schema_);
  ExpectStatus(res.status, Code::kInvalidArgument,
               "t.csv:3: the last line is incomplete (no line break, an open quote or too few "
               "fields) and the file ");
  // Completing the line is what a writer would do: a new reader reads it.
  AppendFile(dir_ / "t.csv", "\"\n");
  std::unique_ptr<SourceReader> again;
  ASSERT_TRUE(Source(GetParam())
                  ->OpenReader("t", Opts({{"types.b", "string"}}), schema_,
                               res.offsets.empty() ? std::string_view() : std::string_view(),
                               &again)
                  .ok());
  EXPECT_EQ(ReadAll(again.get(), schema_).rows.size(), 2u);
}

TEST_P(ReaderTest, AFileReplacedWithMvIsFollowedOnlyWhenItExtendsWhatWasRead) {
  WriteFile(dir_ / "t.csv", "a\n1\n2\n");
  auto r = Open("t");
  EXPECT_EQ(ReadAll(r.get(), schema_).rows.size(), 2u);
  // A writer rewrites the file elsewhere and renames it over the old one.
  WriteFile(dir_ / ".t.tmp", "a\n1\n2\n3\n");
  std::filesystem::rename(dir_ / ".t.tmp", dir_ / "t.csv");
  ReadResult res = ReadAll(r.get(), schema_);
  ASSERT_TRUE(res.status.ok()) << res.status.ToString();
  EXPECT_EQ(res.rows, (std::vector<std::string>{"3"}));
  // A replacement that changes rows already read cannot be followed.
  WriteFile(dir_ / ".t.tmp", "a\n1\n9\n3\n4\n");
  std::filesystem::rename(dir_ / ".t.tmp", dir_ / "t.csv");
  res = ReadAll(r.get(), schema_);
  ExpectStatus(res.status, Code::kFailedPrecondition,
               "t.csv was replaced (renamed over or rewritten) by a file that does not continue "
               "the 8 bytes al");
  // Truncation in place is refused the same way.
  WriteFile(dir_ / "u.csv", "a\n1\n2\n");
  auto u = Open("u");
  EXPECT_EQ(ReadAll(u.get(), schema_).rows.size(), 2u);
  std::filesystem::resize_file(dir_ / "u.csv", 4);
  res = ReadAll(u.get(), schema_);
  ExpectStatus(res.status, Code::kFailedPrecondition,
               "u.csv was truncated to 4 bytes after 6 bytes of it");
}

TEST_P(ReaderTest, BadOffsets) {
  WriteFile(dir_ / "t/1.csv", "a\n1\n2\n");
  auto r = Open("t");
  ReadResult res = ReadAll(r.get(), schema_);
  ASSERT_EQ(res.rows.size(), 2u);
  EXPECT_EQ(OpenStatus("t", "junk").code(), Code::kInvalidArgument);
  std::string gone = EncodeOffset({"0.csv", 4, 3});
  ExpectStatus(OpenStatus("t", gone), Code::kFailedPrecondition,
               "cannot resume: t/0.csv, named by the saved offset, no longer exists");
  WriteFile(dir_ / "t/1.csv", "a\n1\n");
  ExpectStatus(OpenStatus("t", res.offsets[1]), Code::kFailedPrecondition,
               "cannot resume: t/1.csv is 4 bytes, shorter than the saved offset (byte 6, line 4): "
               "was it");
  EXPECT_EQ(OpenStatus("t", EncodeOffset({"1.csv", 1, 1})).code(), Code::kFailedPrecondition);
}

TEST_P(ReaderTest, NullTextOption) {
  WriteFile(dir_ / "t.csv", "a,b\nNA,\"NA\"\n1,x\n");
  auto r = Open("t", {}, Opts({{"null", "NA"}}));
  ReadResult res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.rows, (std::vector<std::string>{"NULL|'NA'", "1|'x'"}));
}

TEST_P(ReaderTest, QuotedEmptyIsEmptyStringButNullForOtherTypes) {
  WriteFile(dir_ / "t.csv", "a,b\n\"\",\"\"\n1,x\n");
  auto r = Open("t");
  ReadResult res = ReadAll(r.get(), schema_);
  EXPECT_EQ(res.rows, (std::vector<std::string>{"NULL|''", "1|'x'"}));
}

TEST_P(ReaderTest, BoolOverrideAcceptsZeroAndOne) {
  WriteFile(dir_ / "t.csv", "flag\n1\n0\nTrue\n");
  auto r = Open("t", {}, Opts({{"types.flag", "bool"}}));
  EXPECT_EQ(ReadAll(r.get(), schema_).rows, (std::vector<std::string>{"true", "false", "true"}));
}

INSTANTIATE_TEST_SUITE_P(Buffers, ReaderTest, ::testing::Values(7, 64, size_t{1} << 20));

}  // namespace
}  // namespace sluice::csv
