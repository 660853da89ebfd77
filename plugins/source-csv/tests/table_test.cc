// Table names resolve only to files directly under the connection's path.
#include <gtest/gtest.h>

#include "csv_table.h"
#include "test_util.h"

namespace sluice::csv {
namespace {

TEST(TableFiles, NamesThatWouldLeaveTheConnectionDirectoryAreRefused) {
  testing::TempDir root;
  testing::WriteFile(root / "inside/t.csv", "id\n1\n");
  testing::WriteFile(root / "secret.csv", "id\n1\n");
  std::string data = root / "inside";
  TableFiles files;
  ASSERT_TRUE(TableFiles::Resolve(data, "t", "csv", &files).ok());
  for (const char* name : {"../secret", "../../etc/passwd", "/etc/passwd", "a/b", "..", ".", ""}) {
    Status s = TableFiles::Resolve(data, name, "csv", &files);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << name;
    EXPECT_NE(s.message().find("is not a plain file name"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("without '/'"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(data + "/NAME.csv"), std::string::npos) << s.message();
  }
  EXPECT_EQ(TableFiles::Resolve(data, std::string("t\0x", 3), "csv", &files).code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::csv
