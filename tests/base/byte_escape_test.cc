#include "base/byte_escape.h"
#include "testing/seed.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>

namespace greenrun {
namespace {

uint64_t test_seed() { return greenrun::testing::property_seed(); }

// Bytes that exercise the escaping: high bytes, partial sequences, the
// backslash and the characters of an escape.
std::string random_bytes(std::mt19937_64& rng) {
  static constexpr char kTricky[] = {'\\', 'x', 'f',  'F', '0',
                                     '9',  'a', '\n', '\0'};
  std::string s(std::uniform_int_distribution<size_t>(0, 24)(rng), '\0');
  for (char& c : s) {
    switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
      case 0:
        c = kTricky[std::uniform_int_distribution<size_t>(
            0, sizeof kTricky - 1)(rng)];
        break;
      case 1:
        c = static_cast<char>(
            std::uniform_int_distribution<int>(0x80, 0xff)(rng));
        break;
      default:
        c = static_cast<char>(std::uniform_int_distribution<int>(0, 0xff)(rng));
        break;
    }
  }
  return s;
}

TEST(ByteEscape, ValidUtf8WithoutBackslashesIsKeptAsItIs) {
  for (const std::string s : {"", "python3", "train.py --lr=0.1", "Zürich",
                              "日本語", "\xf0\x9f\x8c\xb1 seedling"}) {
    EXPECT_TRUE(is_valid_utf8(s)) << s;
    EXPECT_EQ(escape_bytes(s), s);
  }
}

TEST(ByteEscape, BadBytesAndBackslashesAreEscaped) {
  EXPECT_EQ(escape_bytes("ok\xff\n"), "ok\\xff\n");
  EXPECT_EQ(escape_bytes("a\\n"), "a\\\\n");
  EXPECT_EQ(escape_bytes("\xc3"), "\\xc3");           // a truncated sequence
  EXPECT_EQ(escape_bytes("\xc0\xaf"), "\\xc0\\xaf");  // an overlong '/'
  EXPECT_EQ(escape_bytes("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(escape_bytes("\xf4\x90\x80\x80"),
            "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  for (const char* bad :
       {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"})
    EXPECT_FALSE(is_valid_utf8(bad));
  EXPECT_EQ(*unescape_bytes("ok\\xff\n"), "ok\xff\n");
  EXPECT_EQ(*unescape_bytes("a\\\\n"), "a\\n");
}

TEST(ByteEscape, AStrayBackslashIsAnErrorNamingItsOffset) {
  auto r = unescape_bytes("ab\\q");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "at byte 2: expected \\\\ or \\xHH after a backslash");
  EXPECT_FALSE(unescape_bytes("\\x4"));
  EXPECT_FALSE(unescape_bytes("\\xg0"));
  EXPECT_FALSE(unescape_bytes("\\"));
}

// Property: every byte string survives escape -> unescape, and its escaped
// form is valid UTF-8 (so JSON can carry it). GREENRUN_TEST_SEED replays a run.
TEST(ByteEscape, AnyByteStringRoundTrips) {
  const uint64_t seed = test_seed();
  SCOPED_TRACE("GREENRUN_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 5000; ++i) {
    const std::string bytes = random_bytes(rng);
    const std::string text = escape_bytes(bytes);
    ASSERT_TRUE(is_valid_utf8(text)) << text;
    auto back = unescape_bytes(text);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(*back, bytes) << text;
  }
}

}  // namespace
}  // namespace greenrun
