// Helpers shared by the csv source tests: temp directories, files, and
// reading every row of a reader as text.
#ifndef SLUICE_PLUGINS_SOURCE_CSV_TESTS_TEST_UTIL_H_
#define SLUICE_PLUGINS_SOURCE_CSV_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sluice/host_services.h"
#include "sluice/row.h"
#include "sluice/source.h"
#include "sluice/timefmt.h"

namespace sluice::csv::testing {

// A fresh directory removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice_csv_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}
inline void AppendFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::app) << data;
}
// Dates the file's last change a minute back: a last line without a line
// break is then taken at once (the reader holds it while the file may be
// mid-write).
inline void MakeIdle(const std::string& path) {
  std::filesystem::last_write_time(
      path, std::filesystem::file_time_type::clock::now() - std::chrono::minutes(1));
}
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Options from key/value pairs (Options({{"k", "v"}}) is ambiguous).
inline Options Opts(std::vector<std::pair<std::string, std::string>> items) {
  return Options(std::move(items));
}

// A value as text: NULL, 42, 1.5, true, 2024-01-02, 2024-01-02T03:04:05Z, 's'.
inline std::string ValueText(const Value& v) {
  if (v.null) return "NULL";
  std::string out;
  switch (v.type) {
    case Type::kInt64: return std::to_string(v.i);
    case Type::kFloat64: {
      std::ostringstream os;
      os.precision(17);
      os << v.f;
      return os.str();
    }
    case Type::kBool: return v.i ? "true" : "false";
    case Type::kDate: AppendDate(&out, static_cast<int32_t>(v.i)); return out;
    case Type::kTimestamp: AppendTimestamp(&out, v.i); return out;
    case Type::kString: return "'" + std::string(v.str) + "'";
  }
  return "?";
}

// Row i of a batch decoded as "v1|v2|...". Fails the test on a malformed row.
inline std::string RowText(const Schema& schema, std::string_view row) {
  std::vector<Value> values;
  std::string err = DecodeRow(schema, row, &values);
  EXPECT_EQ(err, "");
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "|" : "") + ValueText(values[i]);
  return out;
}

struct ReadResult {
  std::vector<std::string> rows;
  std::vector<std::string> offsets;
  uint64_t rejected = 0;
  Status status;  // first error
  BatchInfo last;
};

// Calls Next(max_rows) until an empty at_end batch or an error.
inline ReadResult ReadAll(SourceReader* r, const Schema& schema, uint32_t max_rows = 3) {
  ReadResult res;
  for (int guard = 0; guard < 1000000; ++guard) {
    RowBatchBuilder b;
    BatchInfo info;
    res.status = r->Next(max_rows, &b, &info);
    if (!res.status.ok()) break;
    const sluice_row_batch* c = b.batch();
    EXPECT_LE(c->row_count, max_rows);
    for (uint32_t i = 0; i < c->row_count; ++i) {
      res.rows.push_back(RowText(schema, BatchRow(*c, i)));
      res.offsets.emplace_back(BatchOffset(*c, i));
    }
    res.rejected += info.rejected_rows;
    res.last = info;
    if (info.at_end && c->row_count == 0) break;
  }
  return res;
}

}  // namespace sluice::csv::testing

#endif  // SLUICE_PLUGINS_SOURCE_CSV_TESTS_TEST_UTIL_H_
