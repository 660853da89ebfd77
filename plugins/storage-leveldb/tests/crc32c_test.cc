// CRC-32C against published check values (RFC 3720, appendix B.4).
#include "crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::storage_leveldb {
namespace {

TEST(Crc32cTest, KnownValues) {
  EXPECT_EQ(crc32c::Value("123456789", 9), 0xE3069283u);
  std::string zeros(32, '\0'), ones(32, '\xff'), up(32, 0), down(32, 0);
  for (int i = 0; i < 32; ++i) up[i] = static_cast<char>(i), down[i] = static_cast<char>(31 - i);
  EXPECT_EQ(crc32c::Value(zeros.data(), 32), 0x8A9136AAu);
  EXPECT_EQ(crc32c::Value(ones.data(), 32), 0x62A8AB43u);
  EXPECT_EQ(crc32c::Value(up.data(), 32), 0x46DD794Eu);
  EXPECT_EQ(crc32c::Value(down.data(), 32), 0x113FDB5Cu);
  EXPECT_EQ(crc32c::Value("", 0), 0u);
}

TEST(Crc32cTest, ExtendEqualsOneCallAtEverySplit) {
  std::string data;
  for (int i = 0; i < 100; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  uint32_t whole = crc32c::Value(data.data(), data.size());
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    uint32_t part =
        crc32c::Extend(crc32c::Value(data.data(), cut), data.data() + cut, data.size() - cut);
    EXPECT_EQ(part, whole) << "split at " << cut;
  }
}

}  // namespace
}  // namespace sluice::storage_leveldb
