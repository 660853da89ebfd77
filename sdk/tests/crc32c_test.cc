// CRC-32C against published check values (RFC 3720, appendix B.4).
#include "sluice/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
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

TEST(Crc32cTest, MaskRoundTripsAndHardwareAgreesWithPortable) {
  uint32_t c = crc32c::Value("hello world", 11);
  EXPECT_EQ(crc32c::Unmask(crc32c::Mask(c)), c);
  EXPECT_NE(crc32c::Mask(c), c);
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7 + (i >> 3)));
  for (size_t len : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 997u})
    for (size_t start : {0u, 1u, 3u})
      EXPECT_EQ(crc32c::Extend(5, data.data() + start, len),
                crc32c::internal::ExtendPortable(5, data.data() + start, len));
}

}  // namespace
}  // namespace sluice
