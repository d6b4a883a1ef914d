#include "base/text_reader.h"

#include <gtest/gtest.h>

namespace greenrun {
namespace {

TEST(LineReader, CountsLinesAndStripsBomAndCr) {
  LineReader r("\xEF\xBB\xBF" "a,b\r\nc,d\n\ne,f");
  std::string_view line;
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "a,b");
  EXPECT_EQ(r.line_number(), 1u);
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "c,d");
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "");
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "e,f");
  EXPECT_EQ(r.line_number(), 4u);
  EXPECT_FALSE(r.next(line));
}

TEST(LineReader, JoinsQuotedFieldsSpanningLines) {
  LineReader r("h1,\"two\nlines\"\nnext\n");
  std::string_view line;
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "h1,\"two\nlines\"");
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "next");
  EXPECT_EQ(r.line_number(), 3u);
}

TEST(SplitCsv, HandlesQuotesEscapesAndEmptyFields) {
  std::vector<std::string_view> f;
  std::string scratch;
  split_csv("a,\"b,c\",,\"say \"\"hi\"\"\",\"0,29\"", f, scratch);
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0], "a");
  EXPECT_EQ(f[1], "b,c");
  EXPECT_EQ(f[2], "");
  EXPECT_EQ(f[3], "say \"hi\"");
  EXPECT_EQ(f[4], "0,29");
}

TEST(SplitCsv, KeepsTrailingEmptyField) {
  std::vector<std::string_view> f;
  std::string scratch;
  split_csv("x,y,", f, scratch);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[2], "");
}

}  // namespace
}  // namespace greenrun
