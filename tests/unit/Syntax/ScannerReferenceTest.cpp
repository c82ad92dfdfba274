//===- ScannerReferenceTest.cpp - The scanner against ANTLR's lexer -------===//
//
// The hand-written scanner (compiler/lib/Syntax/Tokenizer.cpp) must match the
// tokens of grammar/ScopeLexer.g4 exactly: type, start and stop index, line
// and column of every token, hidden ones included. The reference is the lexer
// ANTLR generates from that grammar. Inputs: every .scope file of the
// repository, and random token soups built from the awkward cases (number
// forms, string prefixes, escapes before quotes, unterminated strings,
// non-ASCII letters and symbols, line joins, form feeds).
//
//===----------------------------------------------------------------------===//
#include "ScopeLexer.h"
#include "Tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace scopec::syntax;

namespace {

struct Tok {
  size_t type, start, stop, line, column;
  bool operator==(const Tok &o) const {
    return type == o.type && start == o.start && stop == o.stop && line == o.line &&
           column == o.column;
  }
};

std::string show(const std::vector<Tok> &toks, size_t at) {
  std::ostringstream os;
  for (size_t i = at > 3 ? at - 3 : 0; i < toks.size() && i < at + 3; ++i)
    os << (i == at ? "> " : "  ") << toks[i].type << " [" << toks[i].start << ","
       << toks[i].stop << "] " << toks[i].line << ":" << toks[i].column << "\n";
  return os.str();
}

std::vector<Tok> reference(const std::string &text) {
  antlr4::ANTLRInputStream input(text);
  ScopeLexer lexer(&input);
  lexer.removeErrorListeners();
  std::vector<Tok> out;
  for (;;) {
    auto t = lexer.nextToken();
    out.push_back(Tok{t->getType(), t->getStartIndex(), t->getStopIndex(), t->getLine(),
                      t->getCharPositionInLine()});
    if (t->getType() == antlr4::Token::EOF)
      return out;
  }
}

std::vector<Tok> scanned(const std::string &text) {
  CodePointStream input(text);
  Scanner scanner(input, 1, 0);
  std::vector<Tok> out;
  for (;;) {
    RawToken t = scanner.next();
    out.push_back(Tok{t.type, t.start, t.stop, t.line, t.column});
    if (t.type == antlr4::Token::EOF)
      return out;
  }
}

void expectSame(const std::string &text, const std::string &what) {
  std::vector<Tok> want = reference(text), got = scanned(text);
  for (size_t i = 0; i < want.size() && i < got.size(); ++i)
    if (!(want[i] == got[i])) {
      ADD_FAILURE() << what << ": token " << i << " differs\nANTLR:\n"
                    << show(want, i) << "scanner:\n"
                    << show(got, i) << "input: " << text;
      return;
    }
  EXPECT_EQ(want.size(), got.size()) << what << "\ninput: " << text;
}

} // namespace

TEST(ScannerReference, RepositorySources) {
  namespace fs = std::filesystem;
  size_t files = 0;
  for (const char *dir : {"tests", "examples"}) {
    fs::path root = fs::path(SCOPEC_SOURCE_DIR) / dir;
    for (const auto &e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file() || e.path().extension() != ".scope")
        continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), {});
      // The source manager hands the lexer valid UTF-8 with LF line ends.
      std::string lf;
      for (size_t i = 0; i < text.size(); ++i)
        if (text[i] != '\r')
          lf += text[i];
        else if (i + 1 >= text.size() || text[i + 1] != '\n')
          lf += '\n';
      antlr4::ANTLRInputStream probe;
      try {
        probe.load(lf);
      } catch (...) {
        continue; // not UTF-8: refused before lexing
      }
      expectSame(lf, e.path().string());
      ++files;
    }
  }
  EXPECT_GT(files, 100u);
}

TEST(ScannerReference, RandomTokenSoups) {
  const std::vector<std::string> pieces = {
      // names, keywords, prefixes that are and are not string prefixes
      "x", "_y1", "classy", "if", "None", "True", "nonlocal", "r", "b", "f", "u", "rb", "Br",
      "fR", "ub", "rr", "bf", "é", "λx", "名前", "x١", "ª",
      // numbers
      "0", "00", "0_0", "0777", "1_000", "1__0", "1_", "0x", "0x_f", "0XfF", "0o17", "0o8",
      "0b101", "0b2", "1.", ".5", "1.5", "1.e5", "1e", "1e+", "1e-3", "1E5j", "5j", ".5J",
      "007j", "1.5.3", "1..2", "12.34e+5_6",
      // strings
      "'a'", "\"b\"", "'''t'''", "\"\"\"d\"\"\"", "'\\''", "'\\\\'", "'''a\\''' '''",
      "\"\"\"q\\\"\"\"\"", "'''''", "'open", "\"open\\", "'\\\n'", "'''\n'''", "''", "\"\"",
      "'''", "\"\"\"", "\\'",
      // operators and delimiters
      "(", ")", "[", "]", "{", "}", ".", "...", "..", "*", "**", "**=", "*=", "/", "//", "//=",
      "/=", "<", "<<", "<<=", "<=", ">", ">>", ">>=", ">=", "=", "==", "!=", "!", ":", ":=",
      "->", "-", "-=", "+", "+=", "%", "%=", "@", "@=", "&", "&=", "|", "|=", "^", "^=", "~",
      ",", ";",
      // layout, comments, joins, junk
      " ", "  ", "\t", "\f", "\n", "\n    ", "\n\t", "# note", "\\\n", "\\ \n", "\\", "$", "?",
      "`", "€", "😀", "\v"};
  std::mt19937 rng(20261202);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(1, 40), space(0, 2);
  for (int n = 0; n < 5000; ++n) {
    std::string text;
    for (int k = length(rng); k > 0; --k) {
      text += pieces[pick(rng)];
      if (space(rng) == 0)
        text += ' ';
    }
    expectSame(text, "soup " + std::to_string(n));
    if (HasFailure())
      return;
  }
}
