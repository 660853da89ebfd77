// sluice/utf8.h: what counts as valid UTF-8, and replacing what does not.
#include "sluice/utf8.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Utf8, FindsTheFirstIllFormedByte) {
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("ab\xf2"
                            "cd"),
            2u);                                       // a lead byte without continuation
  EXPECT_EQ(FindInvalidUtf8("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xed\xa0\x80"), 1u);     // a surrogate
  EXPECT_EQ(FindInvalidUtf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ok\xe2\x82"), 2u);        // cut short
  EXPECT_TRUE(IsAscii("only ascii here, 27 bytes.!", 27));
  EXPECT_FALSE(IsAscii("caf\xc3\xa9", 5));
}

TEST(Utf8, ValidUtf8ReplacesEachIllFormedByte) {
  EXPECT_EQ(ValidUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(ValidUtf8("HEADr Easti\xf2Sde"), "HEADr Easti\xef\xbf\xbdSde");
  EXPECT_EQ(ValidUtf8("\xff\xfe"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(ValidUtf8(""), "");
}

}  // namespace
}  // namespace sluice
