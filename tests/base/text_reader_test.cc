#include "greenrun/base/text_reader.h"

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

TEST(QuoteCsv, QuotesOnlyWhatNeedsItAndSplitCsvReadsItBack) {
  EXPECT_EQ(quote_csv("plain"), "plain");
  EXPECT_EQ(quote_csv("a,b"), "\"a,b\"");
  EXPECT_EQ(quote_csv("say \"hi\""), "\"say \"\"hi\"\"\"");
  const std::vector<std::string> fields = {"x", "a,b", "q\"uote", "line\nbreak", ""};
  std::string line;
  for (const auto& f : fields) line += (line.empty() ? "" : ",") + quote_csv(f);
  std::vector<std::string_view> back;
  std::string scratch;
  split_csv(line, back, scratch);
  ASSERT_EQ(back.size(), fields.size()) << line;
  for (size_t k = 0; k < fields.size(); ++k) EXPECT_EQ(back[k], fields[k]) << k;
}

}  // namespace
}  // namespace greenrun
