// Value parsing, options, and schema inference (Describe).
#include <gtest/gtest.h>

#include "csv_source.h"
#include "csv_values.h"
#include "test_util.h"

namespace sluice::csv {
namespace {

using testing::Opts;
using testing::TempDir;
using testing::WriteFile;

TEST(ValuesTest, Numbers) {
  int64_t i;
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &i));
  EXPECT_EQ(i, INT64_MIN);
  EXPECT_TRUE(ParseInt64("42", &i));
  EXPECT_EQ(i, 42);
  EXPECT_TRUE(ParseInt64("0", &i));
  EXPECT_EQ(i, 0);
  // Texts that would come back as something else are not int64 values.
  for (const char* bad : {"+42", "007", "-0", "00", "1e3", " 7", "7 "})
    EXPECT_FALSE(ParseInt64(bad, &i)) << bad;
  EXPECT_FALSE(ParseInt64("9223372036854775808", &i));
  EXPECT_FALSE(ParseInt64("1 ", &i));
  EXPECT_FALSE(ParseInt64("-", &i));
  double d;
  EXPECT_TRUE(ParseFloat64("12.25", &d));
  EXPECT_EQ(d, 12.25);
  EXPECT_TRUE(ParseFloat64("0.1", &d));
  EXPECT_EQ(d, 0.1);
  EXPECT_TRUE(ParseFloat64("-1.5e3", &d));
  EXPECT_EQ(d, -1500);
  EXPECT_TRUE(ParseFloat64("1234567890.1234567", &d));  // beyond the fast path
  EXPECT_EQ(d, 1234567890.1234567);
  EXPECT_TRUE(ParseFloat64(".5", &d));
  EXPECT_EQ(d, 0.5);
  EXPECT_TRUE(ParseFloat64("1.50", &d));  // the same number as 1.5
  EXPECT_EQ(d, 1.5);
  EXPECT_TRUE(ParseFloat64("1e3", &d));
  EXPECT_EQ(d, 1000);
  EXPECT_TRUE(ParseFloat64("0.30000000000000004", &d));  // 17 digits a float64 keeps
  for (const char* bad : {"nan", "inf", "1e999", "1.2.3", "1,5", "", "e5", " 1", "+1.5", "00.5",
                          "3.14159265358979323846", "0.1000000000000000055511151231257827"})
    EXPECT_FALSE(ParseFloat64(bad, &d)) << bad;
  EXPECT_TRUE(HasLeadingZero("00501"));
  EXPECT_TRUE(HasLeadingZero("-01.5"));
  EXPECT_FALSE(HasLeadingZero("0"));
  EXPECT_FALSE(HasLeadingZero("0.5"));
  EXPECT_FALSE(HasLeadingZero("-0"));
}

TEST(ValuesTest, FitMaskAndNarrowest) {
  EXPECT_EQ(NarrowestType(FitMask("TRUE")), Type::kBool);
  EXPECT_EQ(NarrowestType(FitMask("1")), Type::kInt64);
  EXPECT_EQ(NarrowestType(FitMask("1") & FitMask("2.5")), Type::kFloat64);
  EXPECT_EQ(NarrowestType(FitMask("2024-02-29")), Type::kDate);
  EXPECT_EQ(NarrowestType(FitMask("2023-02-29")), Type::kString);
  EXPECT_EQ(NarrowestType(FitMask("2024-01-01 10:00:00+02:00")), Type::kTimestamp);
  EXPECT_EQ(NarrowestType(FitMask("2024-01-01") & FitMask("2024-01-01T00:00:00Z")), Type::kString);
  EXPECT_EQ(NarrowestType(FitMask("true") & FitMask("1")), Type::kString);
  EXPECT_EQ(NarrowestType(FitMask("00501")), Type::kString);
}

class InferTest : public ::testing::Test {
 protected:
  Status Describe(const std::string& table, Schema* out, Options table_options = Options(),
                  Options conn = Options()) {
    std::vector<std::pair<std::string, std::string>> items = conn.items();
    items.emplace_back("path", dir_.path());
    std::unique_ptr<CsvSource> src;
    SLUICE_RETURN_IF_ERROR(CsvSource::Create(HostServices(), Options(items), &src));
    return src->Describe(table, table_options, out);
  }
  // "name:type" per field.
  static std::string Types(const Schema& s) {
    std::string out;
    for (const Field& f : s.fields) {
      out += (out.empty() ? "" : " ") + f.name + ":" + TypeName(f.type);
      EXPECT_TRUE(f.nullable);
    }
    return out;
  }
  TempDir dir_;
};

TEST_F(InferTest, EveryTypeLeadingZerosAndEmptyColumns) {
  WriteFile(dir_ / "t.csv",
            " b , i,f,d,ts,s,zip,mixed,empty,zero\n"
            "true,1,1.5,2024-01-02,2024-01-02T03:04:05Z,x,00501,1,,0\n"
            "False,-7,2,2024-12-31,2024-01-02 03:04:05.5+01:00,y,10001,2.5,,0.5\n"
            ",,,,,,,,,\n");
  Schema s;
  ASSERT_TRUE(Describe("t", &s).ok());
  EXPECT_EQ(Types(s),
            "b:bool i:int64 f:float64 d:date ts:timestamp s:string zip:string mixed:float64 "
            "empty:string zero:float64");
  EXPECT_TRUE(s.primary_key.empty());
}

TEST_F(InferTest, NullTextAndSampleRows) {
  WriteFile(dir_ / "t.csv", "a,b\nNA,1\n2,x\n");
  Schema s;
  ASSERT_TRUE(Describe("t", &s, Opts({{"null", "NA"}}), Opts({{"sample_rows", "1"}})).ok());
  EXPECT_EQ(Types(s), "a:string b:int64");  // NA ignored; row 2 not sampled
  ASSERT_TRUE(Describe("t", &s, Opts({{"null", "NA"}})).ok());
  EXPECT_EQ(Types(s), "a:int64 b:string");
}

TEST_F(InferTest, TypeOverrides) {
  WriteFile(dir_ / "t.csv", "zip,n\n00501,1\n");
  Schema s;
  ASSERT_TRUE(Describe("t", &s, Opts({{"types.zip", "int64"}, {"types.n", "float64"}})).ok());
  EXPECT_EQ(Types(s), "zip:int64 n:float64");
  Status st = Describe("t", &s, Opts({{"types.nope", "int64"}}));
  EXPECT_EQ(st.message(),
            "option 'types.nope': the table has no column \"nope\"; its columns "
            "are: zip, n");
  st = Describe("t", &s, Opts({{"types.n", "integer"}}));
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "option 'types.n': expected int64, float64, bool, string, timestamp or date, found "
            "'integer'");
}

TEST_F(InferTest, HeaderErrors) {
  Schema s;
  WriteFile(dir_ / "e.csv", "a,,c\n1,2,3\n");
  EXPECT_EQ(Describe("e", &s).message(),
            "e.csv:1: header column 2 has an empty name; every column needs a name");
  WriteFile(dir_ / "d.csv", "a,b,a\n");
  EXPECT_EQ(Describe("d", &s).message(),
            "d.csv:1: header column 3 \"a\" repeats the name of column 1; column "
            "names must be unique");
  WriteFile(dir_ / "z.csv", "");  // an empty file is waited for, not an error
  Status st = Describe("z", &s);
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(st.message(), "z.csv is empty: waiting for a header row naming the columns");
}

TEST_F(InferTest, TableLookup) {
  Schema s;
  Status st = Describe("missing", &s);
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "table \"missing\" not found: looked for the file " + dir_.path() +
                              "/missing.csv and the directory " + dir_.path() + "/missing/");
  WriteFile(dir_ / "both.csv", "a\n1\n");
  WriteFile(dir_ / "both/x.csv", "a\n1\n");
  EXPECT_EQ(Describe("both", &s).code(), Code::kFailedPrecondition);
  std::filesystem::create_directories(dir_ / "empty");
  EXPECT_EQ(Describe("empty", &s).code(), Code::kNotFound);
  EXPECT_EQ(Describe("../x", &s).code(), Code::kInvalidArgument);
}

TEST_F(InferTest, DirectoryColumnsAreTheUnionOfTheHeaders) {
  WriteFile(dir_ / "t/a.csv", "x,y\n1,2\n");
  WriteFile(dir_ / "t/b.csv", "y,x,z\n3,1.5,00501\n");
  WriteFile(dir_ / "t/.hidden.csv", "junk\n");
  WriteFile(dir_ / "t/notes.txt", "junk\n");
  Schema s;
  ASSERT_TRUE(Describe("t", &s).ok());
  // Columns in order of first appearance; each typed from every file that has it.
  EXPECT_EQ(Types(s), "x:float64 y:int64 z:string");
}

TEST_F(InferTest, ZeroRowsCannotBeInferredFrom) {
  Schema s;
  WriteFile(dir_ / "h.csv", "a,b\n");
  Status st = Describe("h", &s);
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(st.message(),
            "h.csv has a header but no data row yet: sluice infers column types from data rows "
            "and cannot infer them from none; waiting for rows (or give every column its type "
            "with types.<column>)");
  ASSERT_TRUE(Describe("h", &s, Opts({{"types.a", "int64"}, {"types.b", "string"}})).ok());
  EXPECT_EQ(Types(s), "a:int64 b:string");
  WriteFile(dir_ / "q.csv", "a,b\n1,\"open quote,5\n");
  st = Describe("q", &s);
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(st.message().substr(0, 60),
            "q.csv:2: the last line is incomplete (no line break, an open");
}

TEST_F(InferTest, NotesSayHowManyRowsTheTypesComeFrom) {
  WriteFile(dir_ / "t.csv", "a\n1\n2\n3\n");
  std::vector<std::string> items{"path", dir_.path()};
  auto describe = [&](const Options& conn, std::vector<std::string>* notes) {
    std::vector<std::pair<std::string, std::string>> c = conn.items();
    c.emplace_back("path", dir_.path());
    std::unique_ptr<CsvSource> src;
    EXPECT_TRUE(CsvSource::Create(HostServices(), Options(c), &src).ok());
    Schema s;
    notes->clear();
    return src->DescribeWithNotes("t", Options(), &s, notes);
  };
  std::vector<std::string> notes;
  ASSERT_TRUE(describe(Opts({{"sample_rows", "2"}}), &notes).ok());
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].substr(0, 62),
            "types inferred from the first 2 rows (sample_rows: 2); the tab");
  ASSERT_TRUE(describe(Opts({{"sample_rows", "all"}}), &notes).ok());
  EXPECT_EQ(notes[0], "types inferred from all 3 rows (sample_rows: all)");
  ASSERT_TRUE(describe(Options(), &notes).ok());
  EXPECT_EQ(notes[0], "types inferred from all 3 rows of the table (sample_rows: 10000)");
}

TEST_F(InferTest, ZeroPaddedValuesBeyondTheSampleAreConflictsNotNumbers) {
  // The defect this guards against: 00501 after the sample read as 501.
  std::string csv = "zip\n";
  for (int i = 10000; i < 10100; ++i) csv += std::to_string(i) + "\n";
  csv += "00501\n";
  WriteFile(dir_ / "z.csv", csv);
  Schema s;
  ASSERT_TRUE(Describe("z", &s, Options(), Opts({{"sample_rows", "50"}})).ok());
  EXPECT_EQ(Types(s), "zip:int64");
  ASSERT_TRUE(Describe("z", &s, Options(), Opts({{"sample_rows", "all"}})).ok());
  EXPECT_EQ(Types(s), "zip:string");
}

TEST_F(InferTest, BadSampleRowsFollowThePolicy) {
  WriteFile(dir_ / "t.csv", "a,b\n1,2\n3\n4,5\n");
  Schema s;
  EXPECT_EQ(Describe("t", &s).message(),
            "t.csv:3: expected 2 fields, found 1 (fix the row, or set on_error: "
            "skip to skip bad rows)");
  ASSERT_TRUE(Describe("t", &s, Opts({{"on_error", "skip"}})).ok());
  EXPECT_EQ(Types(s), "a:int64 b:int64");
}

TEST(OptionsTest, ConnectionOptionsAreValidated) {
  TempDir dir;
  std::unique_ptr<CsvSource> src;
  auto create = [&](std::vector<std::pair<std::string, std::string>> o) {
    return CsvSource::Create(HostServices(), Options(std::move(o)), &src);
  };
  EXPECT_TRUE(
      create(
          {{"path", dir.path()}, {"delimiter", "tab"}, {"on_error", "skip"}, {"sample_rows", "5"}})
          .ok());
  EXPECT_EQ(create({{"path", dir.path()}, {"pth", "x"}}).message(),
            "option 'pth': unknown option (did you mean \"path\"?); known options: path, "
            "sample_rows, delimiter, on_error, incomplete_line_timeout");
  EXPECT_EQ(create({}).message(),
            "option 'path': is required: a path (the directory holding the tables)");
  EXPECT_EQ(create({{"path", dir / "nope"}}).code(), Code::kNotFound);
  EXPECT_EQ(create({{"path", dir.path()}, {"delimiter", ";;"}}).code(), Code::kInvalidArgument);
  EXPECT_EQ(create({{"path", dir.path()}, {"on_error", "ignore"}}).message(),
            "option 'on_error': expected fail or skip, found 'ignore'");
  EXPECT_EQ(create({{"path", dir.path()}, {"sample_rows", "0"}}).code(), Code::kInvalidArgument);
  EXPECT_TRUE(create({{"path", dir.path()}, {"sample_rows", "all"}}).ok());
  EXPECT_TRUE(create({{"path", dir.path()}, {"incomplete_line_timeout", "5m"}}).ok());
  EXPECT_EQ(create({{"path", dir.path()}, {"incomplete_line_timeout", "soon"}}).message(),
            "option 'incomplete_line_timeout': expected a duration such as 500ms, 30s, 5m or 1h, "
            "or never, found 'soon'");
  ASSERT_TRUE(create({{"path", dir.path()}}).ok());
  Schema s;
  EXPECT_EQ(src->Describe("t", Opts({{"typo", "1"}}), &s).message(),
            "option 'typo': unknown option (did you mean \"types\"?); known options: sample_rows, "
            "on_error, incomplete_line_timeout, types, null");
}

TEST(OptionsTest, OtherDelimiter) {
  TempDir dir;
  WriteFile(dir / "t.csv", "a;b\n1;\"x;y\"\n");
  std::unique_ptr<CsvSource> src;
  ASSERT_TRUE(
      CsvSource::Create(HostServices(), Opts({{"path", dir.path()}, {"delimiter", ";"}}), &src)
          .ok());
  Schema s;
  ASSERT_TRUE(src->Describe("t", Options(), &s).ok());
  ASSERT_EQ(s.fields.size(), 2u);
  EXPECT_EQ(s.fields[1].type, Type::kString);
}

}  // namespace
}  // namespace sluice::csv
