// End to end over generated taxi trips: every row decodes to exactly the
// values Python's csv module reads from the same file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "csv_source.h"
#include "sluice/timefmt.h"
#include "test_util.h"

namespace sluice::csv {
namespace {

using testing::ReadFile;
using testing::TempDir;

// Undoes the escaping of the Python dump below (\\, \n, \r, \t).
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    out += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
  }
  return out;
}

std::vector<std::vector<std::string>> ParseDump(const std::string& dump) {
  std::vector<std::vector<std::string>> rows;
  size_t start = 0;
  while (start < dump.size()) {
    size_t nl = dump.find('\n', start);
    std::string_view line(dump.data() + start, nl - start);
    std::vector<std::string> fields;
    size_t f = 0;
    for (;;) {
      size_t tab = line.find('\t', f);
      fields.push_back(Unescape(line.substr(f, tab == std::string_view::npos ? tab : tab - f)));
      if (tab == std::string_view::npos) break;
      f = tab + 1;
    }
    rows.push_back(std::move(fields));
    start = nl + 1;
  }
  return rows;
}

// Checks that `v` (a decoded value) is what the text `want` says.
void ExpectValue(const Value& v, const std::string& want, const std::string& where) {
  if (want.empty()) {
    EXPECT_TRUE(v.null) << where;
    return;
  }
  ASSERT_FALSE(v.null) << where;
  switch (v.type) {
    case Type::kInt64: EXPECT_EQ(v.i, std::strtoll(want.c_str(), nullptr, 10)) << where; break;
    case Type::kFloat64: EXPECT_EQ(v.f, std::strtod(want.c_str(), nullptr)) << where; break;
    case Type::kBool: EXPECT_EQ(v.i != 0, want == "true") << where; break;
    case Type::kString: EXPECT_EQ(v.str, want) << where; break;
    case Type::kTimestamp: {
      std::string got;
      AppendTimestamp(&got, v.i);
      EXPECT_EQ(got, want) << where;
      break;
    }
    case Type::kDate: FAIL() << "no date column expected: " << where;
  }
}

TEST(TripsTest, EveryRowMatchesPythonsCsvModule) {
  const std::string gen = SLUICE_GEN_TRIPS_PY;
  if (!std::filesystem::exists(gen)) GTEST_SKIP() << "generator not found: " << gen;
  TempDir dir;
  std::string csv = dir / "trips.csv", dump = dir / "trips.tsv";
  std::string cmd = "/usr/bin/python3 " + gen + " --rows 20000 --out " + csv +
                    " && /usr/bin/python3 -c '\n"
                    "import csv, sys\n"
                    "esc = lambda s: s.replace(\"\\\\\", \"\\\\\\\\\").replace(\"\\n\", \"\\\\n\")"
                    ".replace(\"\\r\", \"\\\\r\").replace(\"\\t\", \"\\\\t\")\n"
                    "with open(sys.argv[1], newline=\"\", encoding=\"utf-8\") as f, "
                    "open(sys.argv[2], \"w\", encoding=\"utf-8\", newline=\"\") as o:\n"
                    "  for row in list(csv.reader(f))[1:]:\n"
                    "    o.write(\"\\t\".join(esc(x) for x in row) + \"\\n\")\n"
                    "' " +
                    csv + " " + dump;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::vector<std::vector<std::string>> want = ParseDump(ReadFile(dump));
  ASSERT_EQ(want.size(), 20000u);

  ConnectionConfig conf;
  conf.path = dir.path();
  conf.buffer_size = 4096;  // many buffer boundaries
  std::unique_ptr<CsvSource> src;
  ASSERT_TRUE(CsvSource::CreateWithConfig(HostServices(), conf, &src).ok());
  Schema schema;
  ASSERT_TRUE(src->Describe("trips", Options(), &schema).ok());
  std::string types;
  for (const Field& f : schema.fields) types += std::string(TypeName(f.type)) + " ";
  EXPECT_EQ(types,
            "int64 int64 timestamp timestamp int64 float64 int64 int64 string string float64 "
            "float64 float64 bool string ");
  std::unique_ptr<SourceReader> r;
  ASSERT_TRUE(src->OpenReader("trips", Options(), schema, {}, &r).ok());
  size_t row = 0;
  std::vector<Value> values;
  for (;;) {
    RowBatchBuilder b;
    BatchInfo info;
    ASSERT_TRUE(r->Next(1000, &b, &info).ok());
    const sluice_row_batch* batch = b.batch();
    for (uint32_t i = 0; i < batch->row_count; ++i, ++row) {
      ASSERT_LT(row, want.size());
      ASSERT_EQ(DecodeRow(schema, BatchRow(*batch, i), &values), "");
      ASSERT_EQ(values.size(), want[row].size());
      for (size_t c = 0; c < values.size(); ++c)
        ExpectValue(values[c], want[row][c],
                    "row " + std::to_string(row) + " column " + schema.fields[c].name);
    }
    if (info.at_end && batch->row_count == 0) {
      EXPECT_EQ(info.bytes_done, std::filesystem::file_size(csv));
      break;
    }
  }
  EXPECT_EQ(row, want.size());
}

}  // namespace
}  // namespace sluice::csv
