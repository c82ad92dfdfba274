//===- SourceManagerTest.cpp ----------------------------------------------===//
#include "scopec/Basic/SourceManager.h"

#include <gtest/gtest.h>

using namespace scopec;

TEST(SourceManager, NormalisesLineEndsAndLocatesOffsets) {
  SourceManager sm;
  FileID f = sm.addBuffer("a.scope", "ab\r\ncé\rd");
  EXPECT_EQ(sm.getText(f), "ab\ncé\nd");
  EXPECT_EQ(sm.getNumLines(f), 3u);
  EXPECT_EQ(sm.getLine(f, 2), "cé");
  EXPECT_EQ(sm.getLine(f, 4), "");
  SourceLoc loc = sm.getLocForOffset(f, 7); // the 'd' after the 2-byte 'é'
  EXPECT_EQ(loc.line, 3u);
  EXPECT_EQ(loc.col, 1u);
  loc = sm.getLocForOffset(f, 6); // the line end after 'é': column 3
  EXPECT_EQ(loc.line, 2u);
  EXPECT_EQ(loc.col, 3u);
  EXPECT_EQ(sm.getOffset(f, SourceLoc{2, 3}), 6u);
}

TEST(SourceManager, DropsTheByteOrderMark) {
  SourceManager sm;
  FileID f = sm.addBuffer("b.scope", "\xEF\xBB\xBFx = 1\n");
  EXPECT_TRUE(sm.hadBOM(f));
  EXPECT_EQ(sm.getLine(f, 1), "x = 1");
}

TEST(SourceManager, UTF8Helpers) {
  EXPECT_EQ(countCodePoints("aé∂😀"), 4u);
  EXPECT_EQ(validUTF8SequenceLength("\xC3\xA9", 0), 2u);
  EXPECT_EQ(validUTF8SequenceLength("\xC3", 0), 0u);
  EXPECT_EQ(validUTF8SequenceLength("\xED\xA0\x80", 0), 0u); // a surrogate
  EXPECT_EQ(sanitizeUTF8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
}
