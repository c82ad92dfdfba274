//===- ScopeLexerBase.h - Layout for the generated lexer --------*- C++ -*-===//
//
// The base class of the ANTLR-generated ScopeLexer. It turns line structure
// into NEWLINE / INDENT / DEDENT tokens exactly as Python's tokenizer does,
// tracks bracket nesting (inside brackets line ends are ignored), and reports
// lexical errors (E001/E002) through a callback. Grammar actions are one-call
// hooks: onNewline(), openBracket(), closeBracket(). Private to the syntax
// library.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_SYNTAX_SCOPELEXERBASE_H
#define SCOPEC_SYNTAX_SCOPELEXERBASE_H

#include "antlr4-runtime.h"

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace scopec::syntax {

/// What the lexer reports: E001 (syntax) or E002 (indentation).
struct LexError {
  bool indentation = false;
  size_t line = 0;    ///< 1-based
  size_t column = 0;  ///< 0-based code points
  size_t length = 1;  ///< code points underlined
  std::string message;
};

class ScopeLexerBase : public antlr4::Lexer {
public:
  explicit ScopeLexerBase(antlr4::CharStream *input) : antlr4::Lexer(input) {}

  std::unique_ptr<antlr4::Token> nextToken() override;

  void setErrorHandler(std::function<void(const LexError &)> h) {
    onError_ = std::move(h);
  }
  /// Parser errors at or after this position (1-based line, 0-based column)
  /// are consequences of a lexical error (an unclosed bracket or string, a
  /// nesting limit) and are not reported.
  bool suppressesErrorAt(size_t line, size_t column) const {
    return line > suppressLine_ || (line == suppressLine_ && column >= suppressColumn_);
  }
  /// Lines on which the lexer reported an error.
  const std::vector<size_t> &errorLines() const { return errorLines_; }

protected:
  void onNewline();
  void openBracket();
  void closeBracket();

private:
  struct Indent {
    size_t col;    ///< tabs to multiples of 8, as Python
    size_t altCol; ///< tabs as one column: both must agree (TabError)
  };
  struct Bracket {
    char ch;
    size_t line, column;
  };

  std::unique_ptr<antlr4::CommonToken> makeToken(size_t type,
                                                 const std::string &text,
                                                 size_t line, size_t column);
  void handleToken(std::unique_ptr<antlr4::Token> t);
  /// Tracks how deeply the expression being lexed can nest (operators,
  /// attribute and call chains); true when it passes the limit.
  bool expressionTooDeep(size_t type);
  void finishAtEOF(std::unique_ptr<antlr4::Token> eof);
  void error(size_t line, size_t column, size_t length, std::string message,
             bool indentation = false);

  std::deque<std::unique_ptr<antlr4::Token>> pending_;
  std::vector<std::unique_ptr<antlr4::Token>> pendingLayout_;
  std::vector<Indent> indents_{Indent{0, 0}};
  std::vector<Bracket> brackets_;
  /// expressionTooDeep: the depth so far, and at each open bracket.
  size_t exprDepth_ = 0;
  std::vector<size_t> exprDepthAtOpen_;
  std::function<void(const LexError &)> onError_;
  std::vector<size_t> errorLines_;
  bool dropCurrent_ = false;
  bool emittedAny_ = false;
  bool lastWasNewline_ = true;
  size_t suppressLine_ = static_cast<size_t>(-1);
  size_t suppressColumn_ = 0;
  void suppressFrom(size_t line, size_t column);
  bool done_ = false;
};

} // namespace scopec::syntax

#endif
