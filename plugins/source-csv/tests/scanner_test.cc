// CsvScanner: RFC 4180 parsing, line numbers, positions, end-of-file tails,
// and records straddling the read buffer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "csv_scanner.h"
#include "test_util.h"

namespace sluice::csv {
namespace {

using testing::TempDir;
using testing::WriteFile;

// One record as text: fields joined by '|', quoted fields marked with "q:".
std::string Text(const CsvRecord& r) {
  std::string out;
  for (size_t i = 0; i < r.fields.size(); ++i)
    out += (i ? "|" : "") + std::string(r.fields[i].quoted ? "q:" : "") +
           std::string(r.fields[i].value);
  return out;
}

struct Scanned {
  std::vector<std::string> records;
  std::vector<uint64_t> lines, end_pos;
  std::vector<std::string> errors;
  ScanResult last = ScanResult::kEnd;
};

Scanned ScanAll(const std::string& data, size_t buffer, bool final_file = true,
                size_t expected = 0) {
  TempDir dir;
  WriteFile(dir / "f.csv", data);
  int fd = ::open((dir / "f.csv").c_str(), O_RDONLY);
  CsvScanner s(buffer, ',');
  s.Reset(fd, 0, 1);
  Scanned out;
  CsvRecord rec;
  for (;;) {
    EXPECT_TRUE(s.Next(expected, final_file, &rec, &out.last).ok());
    if (out.last != ScanResult::kRecord) break;
    out.records.push_back(Text(rec));
    out.lines.push_back(rec.line);
    out.end_pos.push_back(rec.end_pos);
    out.errors.push_back(rec.error);
  }
  ::close(fd);
  return out;
}

const size_t kBuffers[] = {4, 5, 7, 16, 1 << 20};

TEST(ScannerTest, PlainQuotedEscapedAndMultiline) {
  std::string data =
      "a,b,c\n"
      "1,\"x,y\",3\n"
      "\"say \"\"hi\"\"\",,\"\"\n"
      "\"two\nlines\",\"cr\r\nlf\",z\n"
      "4,5,6\n";
  for (size_t buf : kBuffers) {
    SCOPED_TRACE(buf);
    Scanned s = ScanAll(data, buf);
    ASSERT_EQ(s.records.size(), 5u);
    EXPECT_EQ(s.records[0], "a|b|c");
    EXPECT_EQ(s.records[1], "1|q:x,y|3");
    EXPECT_EQ(s.records[2], "q:say \"hi\"||q:");
    EXPECT_EQ(s.records[3], "q:two\nlines|q:cr\r\nlf|z");
    EXPECT_EQ(s.records[4], "4|5|6");
    EXPECT_EQ(s.lines, (std::vector<uint64_t>{1, 2, 3, 4, 7}));
    EXPECT_EQ(s.end_pos.back(), data.size());
    for (const std::string& e : s.errors) EXPECT_EQ(e, "");
  }
}

TEST(ScannerTest, CrlfBomBlankLinesAndNoTrailingNewline) {
  std::string data =
      "\xEF\xBB\xBF"
      "a,b\r\n1,2\r\n\r\n\n3,\"4\"\r\n5,6";
  for (size_t buf : kBuffers) {
    SCOPED_TRACE(buf);
    Scanned s = ScanAll(data, buf);
    EXPECT_EQ(s.records, (std::vector<std::string>{"a|b", "1|2", "3|q:4", "5|6"}));
    EXPECT_EQ(s.lines, (std::vector<uint64_t>{1, 2, 5, 6}));
    EXPECT_EQ(s.end_pos.back(), data.size());
  }
}

TEST(ScannerTest, TrailingEmptyFieldsAndLoneQuoteInsideUnquotedField) {
  Scanned s = ScanAll("a,,\n5'10\",x\n,\n", 7);
  EXPECT_EQ(s.records, (std::vector<std::string>{"a||", "5'10\"|x", "|"}));
}

TEST(ScannerTest, TextAfterClosingQuoteIsAnErrorButTheRecordEndsCorrectly) {
  Scanned s = ScanAll("\"ab\"c,d\nx,y\n", 5);
  ASSERT_EQ(s.records.size(), 2u);
  EXPECT_EQ(s.errors[0],
            "unexpected 'c' after the closing quote (a quote inside a quoted field must be "
            "doubled)");
  EXPECT_EQ(s.records[1], "x|y");
}

TEST(ScannerTest, TailIsHeldBackUnlessCompleteOrFinal) {
  // Not final: a tail with the expected field count is a record, others wait.
  Scanned s = ScanAll("a,b\n1,2", 7, /*final_file=*/false, /*expected=*/2);
  EXPECT_EQ(s.records, (std::vector<std::string>{"a|b", "1|2"}));
  EXPECT_EQ(s.last, ScanResult::kEnd);
  s = ScanAll("a,b\n1", 7, false, 2);
  EXPECT_EQ(s.records, (std::vector<std::string>{"a|b"}));
  EXPECT_EQ(s.last, ScanResult::kTail);
  s = ScanAll("a,b\n1,\"open", 7, false, 2);
  EXPECT_EQ(s.last, ScanResult::kTail);
  // Final: the tail is a record; an open quote is an error.
  s = ScanAll("a,b\n1", 7, true, 2);
  EXPECT_EQ(s.records, (std::vector<std::string>{"a|b", "1"}));
  s = ScanAll("a,b\n1,\"open\nmore", 7, true, 2);
  ASSERT_EQ(s.records.size(), 2u);
  EXPECT_EQ(s.errors[1], "unterminated quoted field (the file ends before its closing quote)");
}

TEST(ScannerTest, RecordLargerThanTheBufferGrowsItForThatRecordOnly) {
  std::string big(100000, 'x');
  std::string data = "a,b\n1,\"" + big + "\"\"" + big + "\"\n" + big + ",2\n3,4\n";
  Scanned s = ScanAll(data, 16);
  ASSERT_EQ(s.records.size(), 4u);
  EXPECT_EQ(s.records[1], "1|q:" + big + "\"" + big);
  EXPECT_EQ(s.records[2], big + "|2");
  EXPECT_EQ(s.records[3], "3|4");
}

TEST(ScannerTest, AppendedBytesArePickedUp) {
  TempDir dir;
  std::string path = dir / "f.csv";
  WriteFile(path, "a,b\n1");
  int fd = ::open(path.c_str(), O_RDONLY);
  CsvScanner s(5, ',');
  s.Reset(fd, 0, 1);
  CsvRecord rec;
  ScanResult r;
  ASSERT_TRUE(s.Next(2, false, &rec, &r).ok());
  EXPECT_EQ(r, ScanResult::kRecord);
  ASSERT_TRUE(s.Next(2, false, &rec, &r).ok());
  EXPECT_EQ(r, ScanResult::kTail);
  EXPECT_EQ(s.position(), 4u);
  testing::AppendFile(path, ",2\n3,4\n");
  ASSERT_TRUE(s.Next(2, false, &rec, &r).ok());
  ASSERT_EQ(r, ScanResult::kRecord);
  EXPECT_EQ(Text(rec), "1|2");
  EXPECT_EQ(rec.line, 2u);
  ASSERT_TRUE(s.Next(2, false, &rec, &r).ok());
  EXPECT_EQ(Text(rec), "3|4");
  EXPECT_EQ(rec.next_line, 4u);
  ASSERT_TRUE(s.Next(2, false, &rec, &r).ok());
  EXPECT_EQ(r, ScanResult::kEnd);
  ::close(fd);
}

TEST(ScannerTest, AsciiFlagSetOnlyForAsciiRecords) {
  TempDir dir;
  WriteFile(dir / "f.csv", "a\n\xC3\xA9\n");
  int fd = ::open((dir / "f.csv").c_str(), O_RDONLY);
  CsvScanner s(64, ',');
  s.Reset(fd, 0, 1);
  CsvRecord rec;
  ScanResult r;
  ASSERT_TRUE(s.Next(1, true, &rec, &r).ok());
  EXPECT_TRUE(rec.ascii);
  ASSERT_TRUE(s.Next(1, true, &rec, &r).ok());
  EXPECT_FALSE(rec.ascii);
  ::close(fd);
}

}  // namespace
}  // namespace sluice::csv
