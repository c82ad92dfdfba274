//===- LexerTest.cpp - Token streams of the scope lexer -------------------===//
#include "TestSupport.h"

#include <gtest/gtest.h>

using scopec::test::briefDiagnostics;
using scopec::test::parseOnly;
#define compile parseOnly
using scopec::test::tokens;

TEST(Lexer, SimpleStatement) {
  EXPECT_EQ(tokens("x = 1\n"), "1:1 NAME 'x'\n"
                               "1:3 ASSIGN '='\n"
                               "1:5 NUMBER '1'\n"
                               "1:6 NEWLINE\n"
                               "2:1 EOF\n");
}

TEST(Lexer, BlankAndCommentOnlyLinesCarryNoLayout) {
  EXPECT_EQ(tokens("a = 1\n\n   \n# note\n  # indented note\nb = 2\n"),
            "1:1 NAME 'a'\n"
            "1:3 ASSIGN '='\n"
            "1:5 NUMBER '1'\n"
            "1:6 NEWLINE\n"
            "4:1 COMMENT '# note'\n"
            "5:3 COMMENT '# indented note'\n"
            "6:1 NAME 'b'\n"
            "6:3 ASSIGN '='\n"
            "6:5 NUMBER '2'\n"
            "6:6 NEWLINE\n"
            "7:1 EOF\n");
}

TEST(Lexer, BracketsSpanningLinesJoinThem) {
  EXPECT_EQ(tokens("f(1,\n      2)\n"), "1:1 NAME 'f'\n"
                                         "1:2 LPAREN '('\n"
                                         "1:3 NUMBER '1'\n"
                                         "1:4 COMMA ','\n"
                                         "2:7 NUMBER '2'\n"
                                         "2:8 RPAREN ')'\n"
                                         "2:9 NEWLINE\n"
                                         "3:1 EOF\n");
}

TEST(Lexer, BackslashContinuation) {
  EXPECT_EQ(tokens("x = 1 + \\\n    2\n"), "1:1 NAME 'x'\n"
                                           "1:3 ASSIGN '='\n"
                                           "1:5 NUMBER '1'\n"
                                           "1:7 PLUS '+'\n"
                                           "2:5 NUMBER '2'\n"
                                           "2:6 NEWLINE\n"
                                           "3:1 EOF\n");
}

TEST(Lexer, IndentAndDedent) {
  EXPECT_EQ(tokens("if a:\n    b\nc\n"), "1:1 IF 'if'\n"
                                          "1:4 NAME 'a'\n"
                                          "1:5 COLON ':'\n"
                                          "1:6 NEWLINE\n"
                                          "2:5 INDENT\n"
                                          "2:5 NAME 'b'\n"
                                          "2:6 NEWLINE\n"
                                          "3:1 DEDENT\n"
                                          "3:1 NAME 'c'\n"
                                          "3:2 NEWLINE\n"
                                          "4:1 EOF\n");
}

TEST(Lexer, DedentAtEndOfFileWithoutNewline) {
  EXPECT_EQ(tokens("if a:\n  if b:\n    c"), "1:1 IF 'if'\n"
                                               "1:4 NAME 'a'\n"
                                               "1:5 COLON ':'\n"
                                               "1:6 NEWLINE\n"
                                               "2:3 INDENT\n"
                                               "2:3 IF 'if'\n"
                                               "2:6 NAME 'b'\n"
                                               "2:7 COLON ':'\n"
                                               "2:8 NEWLINE\n"
                                               "3:5 INDENT\n"
                                               "3:5 NAME 'c'\n"
                                               "3:6 NEWLINE\n"
                                               "3:6 DEDENT\n"
                                               "3:6 DEDENT\n"
                                               "3:6 EOF\n");
}

TEST(Lexer, TabsIndentToMultiplesOfEight) {
  // A tab and eight spaces are the same indentation level only if they also
  // agree with tabs counted as one column: Python's TabError otherwise.
  auto r = compile("if a:\n\tb\n        c\n");
  EXPECT_EQ(briefDiagnostics(r),
            "E002 3:1 inconsistent use of tabs and spaces in indentation\n");
  EXPECT_EQ(tokens("if a:\n\tb\n\tc\n"), "1:1 IF 'if'\n"
                                         "1:4 NAME 'a'\n"
                                         "1:5 COLON ':'\n"
                                         "1:6 NEWLINE\n"
                                         "2:2 INDENT\n"
                                         "2:2 NAME 'b'\n"
                                         "2:3 NEWLINE\n"
                                         "3:2 NAME 'c'\n"
                                         "3:3 NEWLINE\n"
                                         "4:1 DEDENT\n"
                                         "4:1 EOF\n");
}

TEST(Lexer, CRLFAndLoneCRAreLineEnds) {
  std::string expected = "1:1 NAME 'a'\n"
                         "1:2 NEWLINE\n"
                         "2:1 NAME 'b'\n"
                         "2:2 NEWLINE\n"
                         "3:1 NAME 'c'\n"
                         "3:2 NEWLINE\n"
                         "4:1 EOF\n";
  EXPECT_EQ(tokens("a\r\nb\r\nc\r\n"), expected);
  EXPECT_EQ(tokens("a\rb\rc\r"), expected);
  EXPECT_EQ(tokens("a\r\nb\rc\n"), expected);
}

TEST(Lexer, InconsistentDedent) {
  auto r = compile("if a:\n        b\n    c\n");
  EXPECT_EQ(briefDiagnostics(r),
            "E002 3:1 unindent does not match any outer indentation level\n");
}

TEST(Lexer, IndentedFirstLine) {
  EXPECT_EQ(tokens("  x\n"), "1:3 INDENT\n"
                             "1:3 NAME 'x'\n"
                             "1:4 NEWLINE\n"
                             "2:1 DEDENT\n"
                             "2:1 EOF\n");
  EXPECT_EQ(briefDiagnostics(compile("  x\n")), "E002 1:3 unexpected indent\n");
}

TEST(Lexer, StringForms) {
  EXPECT_EQ(tokens("'a' \"b\" r'\\d' f'{x}' b'y' '''t\nu''' u\"v\"\n"),
            R"(1:1 STRING '\'a\''
1:5 STRING '"b"'
1:9 STRING 'r\'\\d\''
1:15 STRING 'f\'{x}\''
1:22 STRING 'b\'y\''
1:27 STRING '\'\'\'t\nu\'\'\''
2:6 STRING 'u"v"'
2:10 NEWLINE
3:1 EOF
)");
}

TEST(Lexer, NumbersAndOperators) {
  EXPECT_EQ(tokens("1_000 0x1F 1e-3 .5 x**=2 a//b a->b\n"),
            "1:1 NUMBER '1_000'\n"
            "1:7 NUMBER '0x1F'\n"
            "1:12 NUMBER '1e-3'\n"
            "1:17 NUMBER '.5'\n"
            "1:20 NAME 'x'\n"
            "1:21 POWER_ASSIGN '**='\n"
            "1:24 NUMBER '2'\n"
            "1:26 NAME 'a'\n"
            "1:27 FLOORDIV '//'\n"
            "1:29 NAME 'b'\n"
            "1:31 NAME 'a'\n"
            "1:32 ARROW '->'\n"
            "1:34 NAME 'b'\n"
            "1:35 NEWLINE\n"
            "2:1 EOF\n");
}

TEST(Lexer, ColumnsCountCodePoints) {
  EXPECT_EQ(tokens("s = 'é'; t\n"), "1:1 NAME 's'\n"
                                     "1:3 ASSIGN '='\n"
                                     "1:5 STRING '\\'é\\''\n"
                                     "1:8 SEMI ';'\n"
                                     "1:10 NAME 't'\n"
                                     "1:11 NEWLINE\n"
                                     "2:1 EOF\n");
}

TEST(Lexer, LexicalErrors) {
  EXPECT_EQ(briefDiagnostics(compile("x = 'abc\n")),
            "E001 1:5 unterminated string literal (detected at line 1)\n");
  EXPECT_EQ(briefDiagnostics(compile("x = '''abc\n\n")),
            "E001 1:5 unterminated triple-quoted string literal (detected at line 2)\n");
  EXPECT_EQ(briefDiagnostics(compile("x = (1,\ny = 2\n")), "E001 1:5 '(' was never closed\n");
  EXPECT_EQ(briefDiagnostics(compile("x = 1)\n")), "E001 1:6 unmatched ')'\n");
  EXPECT_EQ(briefDiagnostics(compile("x = (1]\n")),
            "E001 1:7 closing parenthesis ']' does not match opening parenthesis '('\n");
  EXPECT_EQ(briefDiagnostics(compile("x = ∂\n")), "E001 1:5 invalid character '∂' (U+2202)\n");
}

TEST(Lexer, UndecodableInput) {
  EXPECT_EQ(briefDiagnostics(compile("x = 1\ny = '\xff'\n")),
            "E001 2:6 'utf-8' codec can't decode byte 0xff in position 11: invalid start byte\n");
  EXPECT_EQ(briefDiagnostics(compile(std::string("x = 1\0\n", 7))),
            "E001 1:6 source code cannot contain null bytes\n");
}

TEST(Lexer, ByteOrderMarkIsDropped) {
  EXPECT_EQ(tokens("\xEF\xBB\xBFx\n"), "1:1 NAME 'x'\n"
                                       "1:2 NEWLINE\n"
                                       "2:1 EOF\n");
}
