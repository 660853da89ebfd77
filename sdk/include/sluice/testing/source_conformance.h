// The source conformance suite: GoogleTest cases that check the promises
// of sluice/source.h every source plugin must keep, whatever its input:
// the schema Describe gives, every row read once and in order, at_end,
// offsets that resume exactly after their row (never repeating or skipping
// one), batch sizes that change nothing, and a bad row that fails the read
// after the good rows before it, again on every resume. Header-only.
//
// A plugin gives the suite a fixture that makes a table holding given rows
// of two columns, `id` (int64) and `name` (string), in its own input
// (files, a database, its options), and runs it in ONE .cc file of a test
// binary linked with GTest::gtest_main:
//
//   #include "sluice/testing/source_conformance.h"
//
//   sluice::testing::SourceFixture MyFixture() {
//     sluice::testing::SourceFixture f;
//     f.make = [](const sluice::testing::SourceTable& t, sluice::testing::SourceUnderTest* out) {
//       // write t.rows (each "id,name") as table t.name where the source reads it;
//       // out->source = a fresh instance; out->table_options = what the table needs.
//     };
//     f.append = ...;    // optional: add rows to a table made before (live inputs)
//     f.bad_rows = true; // the input can hold an id that is not an integer
//     return f;
//   }
//   SLUICE_SOURCE_CONFORMANCE_TESTS(MySource, MyFixture());
//
// The source may be the plugin's class or its module through the C ABI
// (sluice/testing/plugin_module.h, sluice/client/source_client.h). Each
// test gets a table name of its own ("conf_<test>", lower case) and a fresh
// instance; a fixture cleans up what it made in its destructor or
// `cleanup`.
#ifndef SLUICE_TESTING_SOURCE_CONFORMANCE_H_
#define SLUICE_TESTING_SOURCE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sluice/row.h"
#include "sluice/source.h"
#include "sluice/testing/status_macros.h"

namespace sluice::testing {

// A table the suite asks for: `rows` in order, each "id,name" (id the
// integer's text, or something else for a bad row; name a non-empty text
// of letters and digits).
struct SourceTable {
  std::string name;
  std::vector<std::string> rows;
};

// What a fixture makes: the source, and the table options that read the
// table with columns id int64 and name string.
struct SourceUnderTest {
  std::unique_ptr<SourcePlugin> source;
  Options table_options;
};

struct SourceFixture {
  // Makes table `t` and a fresh source instance that reads it.
  std::function<Status(const SourceTable& t, SourceUnderTest* out)> make;
  // Appends rows to table `t` made before (the source sees them on a later
  // Next of an open reader); empty when the input cannot grow.
  std::function<Status(const SourceTable& t, const std::vector<std::string>& rows)> append;
  // Called after each test with every table it made.
  std::function<void(const std::vector<std::string>& tables)> cleanup;
  // True when the input can hold a row whose id is not an integer (a typed
  // database cannot): the bad-row tests are skipped otherwise.
  bool bad_rows = false;
};

// The suite's parameter: a fixture and the name it is reported under.
struct SourceCase {
  std::string name;
  SourceFixture fixture;
};
inline void PrintTo(const SourceCase& c, std::ostream* os) { *os << c.name; }

// One row as read: (id, name, op, offset); id -1 when it did not decode.
struct ReadRow {
  int64_t id = -1;
  std::string name;
  sluice_op op = SLUICE_OP_INSERT;
  std::string offset;
};

class SourceConformanceTest : public ::testing::TestWithParam<SourceCase> {
 protected:
  void TearDown() override {
    reader_.reset();
    under_.source.reset();
    if (GetParam().fixture.cleanup) GetParam().fixture.cleanup(tables_);
  }

  // "conf_<test name>" in lower case, [a-z0-9_].
  static std::string TableName() {
    std::string n = "conf_";
    for (char c : std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())) {
      char l = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      n.push_back((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') ? l : '_');
    }
    return n;
  }
  // "1,n1" ... "<count>,n<count>".
  static std::vector<std::string> Rows(int from, int count) {
    std::vector<std::string> out;
    for (int i = from; i < from + count; ++i)
      out.push_back(std::to_string(i) + ",n" + std::to_string(i));
    return out;
  }

  // Makes the table and describes it into schema_.
  void Make(std::vector<std::string> rows) {
    table_ = {TableName(), std::move(rows)};
    tables_.push_back(table_.name);
    Status s = GetParam().fixture.make(table_, &under_);
    ASSERT_TRUE(s.ok()) << "fixture make failed: " << s.ToString();
    ASSERT_NE(under_.source, nullptr) << "fixture returned OK but no source";
    s = under_.source->Describe(table_.name, under_.table_options, &schema_);
    ASSERT_TRUE(s.ok()) << "Describe: " << s.ToString();
  }
  std::unique_ptr<SourceReader> Open(std::string_view offset) {
    std::unique_ptr<SourceReader> r;
    Status s = under_.source->OpenReader(table_.name, under_.table_options, schema_, offset, &r);
    EXPECT_TRUE(s.ok()) << "OpenReader(offset \"" << std::string(offset) << "\"): " << s.ToString();
    return r;
  }
  // Reads batches of max_rows until a batch is empty and at_end, or an
  // error (in *status), or `limit` rows.
  std::vector<ReadRow> ReadAll(SourceReader* r, uint32_t max_rows, Status* status,
                               size_t limit = SIZE_MAX) {
    std::vector<ReadRow> out;
    *status = Status();
    for (int calls = 0; calls < 100000 && out.size() < limit; ++calls) {
      RowBatchBuilder b;
      BatchInfo info;
      *status = r->Next(max_rows, &b, &info);
      if (!status->ok()) break;
      EXPECT_LE(b.row_count(), max_rows) << "a batch holds more rows than asked for";
      const sluice_row_batch* batch = b.batch();
      for (uint32_t i = 0; i < batch->row_count; ++i) out.push_back(Decode(*batch, i));
      if (batch->row_count == 0 && info.at_end) break;
    }
    return out;
  }
  ReadRow Decode(const sluice_row_batch& b, uint32_t i) const {
    ReadRow row;
    row.op = BatchOp(b, i);
    row.offset = std::string(BatchOffset(b, i));
    std::vector<Value> values;
    std::string why = DecodeRow(schema_, BatchRow(b, i), &values);
    EXPECT_EQ(why, "") << "row " << i << " does not decode against the described schema";
    if (!why.empty() || values.size() != 2) return row;
    if (!values[id_].null) row.id = values[id_].i;
    if (!values[name_].null) row.name = std::string(values[name_].str);
    return row;
  }
  // Every row id, in order.
  static std::vector<int64_t> Ids(const std::vector<ReadRow>& rows) {
    std::vector<int64_t> out;
    for (const ReadRow& r : rows) out.push_back(r.id);
    return out;
  }
  static std::vector<int64_t> Range(int64_t from, int64_t to) {
    std::vector<int64_t> out;
    for (int64_t i = from; i <= to; ++i) out.push_back(i);
    return out;
  }
  // Makes the table of `rows` and reads it all from the start in batches
  // of max_rows with reader_ (a test failure on any error).
  std::vector<ReadRow> MakeAndRead(std::vector<std::string> rows, uint32_t max_rows) {
    Make(std::move(rows));
    if (HasFatalFailure()) return {};
    FindColumns();
    reader_ = Open("");
    if (reader_ == nullptr) return {};
    Status s;
    std::vector<ReadRow> out = ReadAll(reader_.get(), max_rows, &s);
    EXPECT_TRUE(s.ok()) << "reading " << table_.name << ": " << s.ToString();
    return out;
  }
  // One Next gives no rows and at_end.
  static void ExpectAtEndNow(SourceReader* r) {
    RowBatchBuilder b;
    BatchInfo info;
    SLUICE_ASSERT_OK(r->Next(100, &b, &info));
    EXPECT_EQ(b.row_count(), 0u);
    EXPECT_TRUE(info.at_end);
  }
  // Finds the columns in schema_ (any order).
  void FindColumns() {
    for (size_t i = 0; i < schema_.fields.size(); ++i) {
      if (schema_.fields[i].name == "id") id_ = i;
      if (schema_.fields[i].name == "name") name_ = i;
    }
  }

  SourceTable table_;
  SourceUnderTest under_;
  std::unique_ptr<SourceReader> reader_;  // MakeAndRead's
  Schema schema_;
  size_t id_ = 0, name_ = 1;
  std::vector<std::string> tables_;
};

TEST_P(SourceConformanceTest, DescribeGivesTheColumnsAndTypes) {
  ASSERT_NO_FATAL_FAILURE(Make(Rows(1, 3)));
  ASSERT_EQ(schema_.fields.size(), 2u) << "expected columns id and name";
  FindColumns();
  EXPECT_EQ(schema_.fields[id_].name, "id");
  EXPECT_EQ(schema_.fields[id_].type, Type::kInt64);
  EXPECT_EQ(schema_.fields[name_].name, "name");
  EXPECT_EQ(schema_.fields[name_].type, Type::kString);
  Schema again;
  SLUICE_ASSERT_OK(under_.source->Describe(table_.name, under_.table_options, &again));
  EXPECT_EQ(again.fields, schema_.fields) << "Describe is not stable";
}

TEST_P(SourceConformanceTest, ReadsEveryRowOnceInOrderThenAtEnd) {
  std::vector<ReadRow> rows = MakeAndRead(Rows(1, 25), 4);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(Ids(rows), Range(1, 25));
  for (const ReadRow& row : rows) {
    EXPECT_EQ(row.name, "n" + std::to_string(row.id));
    EXPECT_EQ(row.op, SLUICE_OP_INSERT);
  }
  ASSERT_FALSE(rows.empty());
  EXPECT_FALSE(rows.back().offset.empty()) << "the last row must carry an offset to resume from";
  // Past the end: nothing new, again and again.
  for (int i = 0; i < 3; ++i) ExpectAtEndNow(reader_.get());
}

TEST_P(SourceConformanceTest, ResumingAfterTheLastRowIsAtEnd) {
  std::vector<ReadRow> rows = MakeAndRead(Rows(1, 1), 100);
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(rows.size(), 1u);
  // Resuming after the only row is the end at once.
  auto after = Open(rows[0].offset);
  ASSERT_NE(after, nullptr);
  ExpectAtEndNow(after.get());
}

TEST_P(SourceConformanceTest, EveryOffsetResumesExactlyAfterItsRow) {
  std::vector<ReadRow> all = MakeAndRead(Rows(1, 12), 5);
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(Ids(all), Range(1, 12));
  Status s;
  for (size_t k = 0; k < all.size(); ++k) {
    if (all[k].offset.empty()) continue;  // inside a transaction: not a resume point
    SCOPED_TRACE("resuming after row " + std::to_string(all[k].id));
    auto again = Open(all[k].offset);
    ASSERT_NE(again, nullptr);
    std::vector<ReadRow> rest = ReadAll(again.get(), 3, &s);
    SLUICE_ASSERT_OK(s);
    EXPECT_EQ(Ids(rest), Range(all[k].id + 1, 12));
    for (size_t i = 0; i < rest.size(); ++i)
      EXPECT_EQ(rest[i].offset, all[k + 1 + i].offset) << "offsets differ on a resumed read";
  }
}

TEST_P(SourceConformanceTest, BatchSizesChangeNothing) {
  ASSERT_NO_FATAL_FAILURE(Make(Rows(1, 30)));
  FindColumns();
  std::vector<std::vector<ReadRow>> reads;
  for (uint32_t max : {1u, 7u, 1000u}) {
    auto r = Open("");
    ASSERT_NE(r, nullptr);
    Status s;
    reads.push_back(ReadAll(r.get(), max, &s));
    ASSERT_TRUE(s.ok()) << "max_rows " << max << ": " << s.ToString();
  }
  for (size_t i = 1; i < reads.size(); ++i) {
    ASSERT_EQ(reads[i].size(), reads[0].size());
    for (size_t k = 0; k < reads[0].size(); ++k) {
      EXPECT_EQ(reads[i][k].id, reads[0][k].id);
      EXPECT_EQ(reads[i][k].offset, reads[0][k].offset);
    }
  }
}

TEST_P(SourceConformanceTest, RowsAddedAfterTheEndAreReadByTheOpenReader) {
  if (!GetParam().fixture.append) GTEST_SKIP() << GetParam().name << "'s input cannot grow";
  std::vector<ReadRow> rows = MakeAndRead(Rows(1, 5), 10);
  ASSERT_FALSE(HasFailure());
  ASSERT_EQ(Ids(rows), Range(1, 5));
  SourceReader* r = reader_.get();
  Status s;
  SLUICE_ASSERT_OK(GetParam().fixture.append(table_, Rows(6, 4)));
  // The new rows come within a deadline (a live source may take a moment).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (rows.size() < 9 && std::chrono::steady_clock::now() < deadline) {
    std::vector<ReadRow> more = ReadAll(r, 10, &s, 9 - rows.size());
    SLUICE_ASSERT_OK(s);
    rows.insert(rows.end(), more.begin(), more.end());
    if (more.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Ids(rows), Range(1, 9));
}

TEST_P(SourceConformanceTest, ABadRowFailsAfterTheGoodRowsBeforeIt) {
  if (!GetParam().fixture.bad_rows) GTEST_SKIP() << GetParam().name << " cannot hold a bad row";
  std::vector<std::string> rows = Rows(1, 3);
  rows.push_back("not-a-number,n4");
  rows.push_back("5,n5");
  ASSERT_NO_FATAL_FAILURE(Make(rows));
  FindColumns();
  for (uint32_t max : {1u, 100u}) {
    SCOPED_TRACE("max_rows " + std::to_string(max));
    auto r = Open("");
    ASSERT_NE(r, nullptr);
    Status s;
    std::vector<ReadRow> got = ReadAll(r.get(), max, &s);
    EXPECT_FALSE(s.ok()) << "a row whose id is not an integer was not refused";
    EXPECT_FALSE(s.message().empty());
    EXPECT_EQ(Ids(got), Range(1, 3)) << "the rows before the bad one come first, once";
    // Resuming after the last good row meets the bad row again.
    if (got.empty() || got.back().offset.empty()) continue;
    auto again = Open(got.back().offset);
    ASSERT_NE(again, nullptr);
    std::vector<ReadRow> more = ReadAll(again.get(), max, &s);
    EXPECT_FALSE(s.ok()) << "resuming skipped the bad row";
    EXPECT_TRUE(more.empty());
  }
}

}  // namespace sluice::testing

// Runs the suite against a source fixture (sluice::testing::SourceFixture).
// Use once per fixture, in one .cc file, at namespace scope.
#define SLUICE_SOURCE_CONFORMANCE_TESTS(Prefix, fixture)                       \
  namespace sluice_source_conformance_##Prefix {                               \
    using SourceConformanceTest = ::sluice::testing::SourceConformanceTest;    \
    INSTANTIATE_TEST_SUITE_P(                                                  \
        Prefix, SourceConformanceTest,                                         \
        ::testing::Values(::sluice::testing::SourceCase{#Prefix, (fixture)})); \
  } /* namespace */                                                            \
  static_assert(true, "")

#endif  // SLUICE_TESTING_SOURCE_CONFORMANCE_H_
