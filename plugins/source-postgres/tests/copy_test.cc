// COPY text format rows: fields, nulls and every escape PostgreSQL writes.
#include <gtest/gtest.h>

#include "pg_copy.h"

namespace pgsrc {
namespace {

std::vector<std::string> Fields(std::string_view line) {
  std::vector<CopyField> f;
  std::string scratch;
  EXPECT_TRUE(SplitCopyRow(line, &f, &scratch));
  std::vector<std::string> out;
  for (const CopyField& x : f) out.push_back(x.null ? "<null>" : std::string(x.text));
  return out;
}

TEST(CopyTest, SplitsAtTabsAndKnowsNull) {
  EXPECT_EQ(Fields("1\tann\t\\N\t\n"), (std::vector<std::string>{"1", "ann", "<null>", ""}));
  EXPECT_EQ(Fields("only"), (std::vector<std::string>{"only"}));
  EXPECT_EQ(Fields(""), (std::vector<std::string>{""}));
}

TEST(CopyTest, UndoesEscapes) {
  EXPECT_EQ(Fields("a\\tb\\nc\\\\d\\re"), (std::vector<std::string>{"a\tb\nc\\d\re"}));
  EXPECT_EQ(Fields("\\b\\f\\v"), (std::vector<std::string>{"\b\f\v"}));
  EXPECT_EQ(Fields("\\101\\x42\\x4a!"), (std::vector<std::string>{"ABJ!"}));
  // A literal "\N" in a text value is written as \\N: not a null.
  EXPECT_EQ(Fields("\\\\N\t\\N"), (std::vector<std::string>{"\\N", "<null>"}));
}

TEST(CopyTest, ViewsStayValidAcrossManyEscapedFields) {
  std::string line;
  for (int i = 0; i < 200; ++i) line += (i ? "\t" : "") + std::string("x\\ty") + std::to_string(i);
  std::vector<CopyField> f;
  std::string scratch;
  ASSERT_TRUE(SplitCopyRow(line, &f, &scratch));
  ASSERT_EQ(f.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(f[i].text, "x\ty" + std::to_string(i));
}

TEST(CopyTest, RefusesALoneTrailingBackslash) {
  std::vector<CopyField> f;
  std::string scratch;
  EXPECT_FALSE(SplitCopyRow("abc\\", &f, &scratch));
}

}  // namespace
}  // namespace pgsrc
