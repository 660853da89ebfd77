// IngestBoard: phases, error counting and places, persistence.
#include "pipeline/ingest_state.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace sluice::host {
namespace {

TEST(IngestStateTest, ErrorPlacesFollowTheFileLineColumnConvention) {
  ErrorPlace p = ParseErrorPlace("t/part-2.csv:17: column 3 \"fare\": expected float64");
  EXPECT_EQ(p.file, "t/part-2.csv");
  EXPECT_EQ(p.line, 17u);
  EXPECT_EQ(p.column, 3u);
  p = ParseErrorPlace("t.csv:9: expected 2 fields, found 1");
  EXPECT_EQ(p.line, 9u);
  EXPECT_EQ(p.column, 0u);
  EXPECT_EQ(ParseErrorPlace("table \"t\" not found: looked for x").line, 0u);
  EXPECT_EQ(ParseErrorPlace("open x: No such file").file, "");
}

TEST(IngestStateTest, ErrorsAreCountedOncePerFailureAndKeptAfterRecovery) {
  IngestBoard board;
  int changes = 0;
  board.AddListener([&] { ++changes; });
  board.Set("t", 1, IngestPhase::kRunning);
  board.Set("t", 1, IngestPhase::kFailed, "t.csv:3: column 1 \"id\": expected int64");
  board.Set("t", 1, IngestPhase::kFailed, "t.csv:3: column 1 \"id\": expected int64");  // a retry
  IngestStatus st = board.Get("t");
  EXPECT_EQ(st.phase, IngestPhase::kFailed);
  EXPECT_EQ(st.errors, 1u);
  EXPECT_EQ(st.last_error.place.line, 3u);
  EXPECT_EQ(changes, 2);
  board.Set("t", 1, IngestPhase::kCaughtUp);
  st = board.Get("t");
  EXPECT_EQ(st.phase, IngestPhase::kCaughtUp);
  EXPECT_EQ(st.detail, "");
  EXPECT_EQ(st.last_error.message, "t.csv:3: column 1 \"id\": expected int64");
  board.Set("t", 2, IngestPhase::kSchemaChanged, "t/b.csv:1: the header does not match");
  EXPECT_EQ(board.Get("t").errors, 2u);
}

TEST(IngestStateTest, PersistedStatesReadBack) {
  testing::TempDir dir;
  IngestBoard board(dir.path() / "state");
  board.Set("trips", 2, IngestPhase::kFailed, "trips.csv:12: column 2 \"x\": bad");
  board.AddDuplicates("trips", 3, "duplicate primary key (id=5) at trips.csv:40");
  board.Set("trips", 2, IngestPhase::kWaiting, "trips.csv:13: the last line is incomplete");
  IngestStatus st;
  ASSERT_TRUE(IngestBoard::Read(dir.path() / "state", "trips", &st).ok());
  EXPECT_EQ(st.phase, IngestPhase::kWaiting);
  EXPECT_EQ(st.version, 2u);
  EXPECT_EQ(st.detail, "trips.csv:13: the last line is incomplete");
  EXPECT_EQ(st.errors, 1u);
  EXPECT_EQ(st.last_error.place.column, 2u);
  EXPECT_EQ(st.duplicate_keys, 3u);
  EXPECT_EQ(IngestBoard::Read(dir.path() / "state", "nope", &st).code(), Code::kNotFound);
}

}  // namespace
}  // namespace sluice::host
