//===- Tokenizer.h - The hand-written lexer of .scope files -----*- C++ -*-===//
//
// Private to the syntax library. The token source the ANTLR parser reads: a
// hand-written scanner for the tokens that grammar/ScopeLexer.g4 defines
// (longest match, ties to the earlier rule, exactly as ANTLR's lexer; a unit
// test compares the two on generated inputs), plus the layout Python's
// tokenizer adds: NEWLINE / INDENT / DEDENT, line ends ignored inside
// brackets, blank and comment-only lines skipped. Lexical errors (E001, E002,
// E003 for nesting limits) go to a callback with Python's wording.
//
// Whitespace and line joins produce no token; comments are tokens on the
// hidden channel (the driver reads suppressions from them).
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_SYNTAX_TOKENIZER_H
#define SCOPEC_SYNTAX_TOKENIZER_H

#include "antlr4-runtime.h"

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace scopec::syntax {

/// What the tokenizer reports: E001 (syntax) or E002 (indentation).
struct LexError {
  bool indentation = false;
  size_t line = 0;    ///< 1-based
  size_t column = 0;  ///< 0-based code points
  size_t length = 1;  ///< code points underlined
  std::string message;
};

/// The input as code points (what ANTLR's token indices count).
class CodePointStream : public antlr4::ANTLRInputStream {
public:
  explicit CodePointStream(const std::string &utf8) : antlr4::ANTLRInputStream(utf8) {}
  const char32_t *data() const { return _data.data(); }
  size_t length() const { return _data.size(); }
};

/// One token as the scanner matched it, before layout.
struct RawToken {
  size_t type = 0;
  size_t start = 0, stop = 0; ///< code-point indices, inclusive (stop = start - 1 when empty)
  size_t line = 1, column = 0;
  /// A triple-quoted string that runs into the end of the input (the
  /// grammar accepts it as STRING; the tokenizer reports it unterminated).
  bool openLongString = false;
};

/// The scanner alone: the rules of ScopeLexer.g4 (hidden tokens included).
class Scanner {
public:
  Scanner(const CodePointStream &input, size_t line, size_t column)
      : s_(input.data()), n_(input.length()), line_(line), column_(column) {}
  /// The next token; EOF (type antlr4::Token::EOF) at the end, repeatedly.
  RawToken next();
  /// The code point at index `i`, or EOF past the end.
  size_t at(size_t i) const { return i < n_ ? static_cast<size_t>(s_[i]) : antlr4::Token::EOF; }
  size_t index() const { return i_; }
  size_t line() const { return line_; }
  size_t column() const { return column_; }
  /// Consumes the rest of the input (after a nesting limit).
  void skipToEnd();
  /// The text of [start, stop] as UTF-8.
  std::string text(size_t start, size_t stop) const;

private:
  size_t nameEnd(size_t i) const;
  size_t numberEnd(size_t i) const;
  template <typename Digit> size_t groupsEnd(size_t i, Digit digit) const;
  size_t digitsEnd(size_t i) const;
  /// The string whose opening quote is at `quote` (its prefix, if any, is
  /// before it): sets the token's end, type (STRING, or UNTERMINATED_STRING
  /// for an unclosed one-line string) and openLongString.
  void scanString(size_t quote, RawToken &t, size_t &end) const;
  size_t operatorEnd(size_t i, size_t &type) const;
  void advanceTo(size_t end);

  const char32_t *s_;
  size_t n_;
  size_t i_ = 0;
  size_t line_, column_;
};

class Tokenizer : public antlr4::TokenSource {
public:
  /// `line`/`column` (1-based line, 0-based column) of the text's first code point.
  Tokenizer(CodePointStream &input, size_t line, size_t column);

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return scanner_.line(); }
  size_t getCharPositionInLine() override { return scanner_.column(); }
  antlr4::CharStream *getInputStream() override { return &input_; }
  std::string getSourceName() override { return input_.getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken> *getTokenFactory() override;

  void setErrorHandler(std::function<void(const LexError &)> h) { onError_ = std::move(h); }
  /// Parser errors at or after this position (1-based line, 0-based column)
  /// are consequences of a lexical error (an unclosed bracket or string, a
  /// nesting limit) and are not reported.
  bool suppressesErrorAt(size_t line, size_t column) const {
    return line > suppressLine_ || (line == suppressLine_ && column >= suppressColumn_);
  }
  /// Lines on which the tokenizer reported an error.
  const std::vector<size_t> &errorLines() const { return errorLines_; }

private:
  struct Indent {
    size_t col;    ///< tabs to multiples of 8, as Python
    size_t altCol; ///< tabs as one column: both must agree (TabError)
  };
  struct Bracket {
    char ch;
    size_t line, column;
  };

  std::unique_ptr<antlr4::CommonToken> makeToken(size_t type, std::string text, size_t line,
                                                 size_t column, size_t start, size_t stop,
                                                 size_t channel = antlr4::Token::DEFAULT_CHANNEL);
  std::unique_ptr<antlr4::CommonToken> layoutToken(size_t type, const char *text, size_t line,
                                                   size_t column);
  /// Layout after a line end; false when the line end yields no token.
  bool onNewline(const RawToken &t, std::string &text);
  bool openBracket(const RawToken &t, char ch);
  bool closeBracket(const RawToken &t, char ch);
  void handle(const RawToken &raw);
  /// Tracks how deeply the expression being lexed can nest (operators,
  /// attribute and call chains); true when it passes the limit.
  bool expressionTooDeep(size_t type);
  void finishAtEOF(const RawToken &eof);
  void error(size_t line, size_t column, size_t length, std::string message,
             bool indentation = false);
  void suppressFrom(size_t line, size_t column);

  CodePointStream &input_;
  Scanner scanner_;
  std::deque<std::unique_ptr<antlr4::Token>> pending_;
  std::vector<std::unique_ptr<antlr4::Token>> pendingLayout_;
  std::vector<Indent> indents_{Indent{0, 0}};
  std::vector<Bracket> brackets_;
  size_t exprDepth_ = 0;
  std::vector<size_t> exprDepthAtOpen_;
  std::function<void(const LexError &)> onError_;
  std::vector<size_t> errorLines_;
  bool emittedAny_ = false;
  bool lastWasNewline_ = true;
  bool done_ = false;
  size_t suppressLine_ = static_cast<size_t>(-1);
  size_t suppressColumn_ = 0;
};

} // namespace scopec::syntax

#endif
