//===- ParserSession.h - One ANTLR lexer+parser over a text -----*- C++ -*-===//
//
// Private to the syntax library. A session lexes and parses one text (a file,
// or an f-string's replacement field) whose first character sits at a given
// line and column of a file, and routes every lexical and syntax error to the
// diagnostics engine with Python's wording.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_SYNTAX_PARSERSESSION_H
#define SCOPEC_SYNTAX_PARSERSESSION_H

#include "ScopeLexer.h"
#include "ScopeParser.h"
#include "Tokenizer.h"

#include "scopec/Basic/Diagnostics.h"

#include <memory>
#include <string>

namespace scopec::syntax {

class ParserSession;

/// Turns ANTLR's syntax errors into E001/E002/E003 diagnostics, suppressing
/// cascades: after an error, nothing more is reported until the next logical
/// line.
class SyntaxErrorListener : public antlr4::BaseErrorListener {
public:
  explicit SyntaxErrorListener(ParserSession &s) : session_(s) {}
  void syntaxError(antlr4::Recognizer *recognizer, antlr4::Token *offending,
                   size_t line, size_t charPositionInLine,
                   const std::string &msg, std::exception_ptr e) override;
  /// Errors seen, reported or suppressed.
  unsigned errorCount() const { return count_; }
  /// A new top-level statement starts: it may report one error.
  void beginStatement() { reportedInStatement_ = false; }
  /// Whether the last reported error was "expected an indented block".
  bool lastErrorWasMissingBlock() const { return missingBlock_; }

private:
  ParserSession &session_;
  unsigned count_ = 0;
  bool reportedInStatement_ = false;
  bool missingBlock_ = false;
  size_t lastErrorToken_ = static_cast<size_t>(-1);
};

class ParserSession {
public:
  /// `line`/`column` (1-based line, 0-based column) of the text's first
  /// character; `messagePrefix` is put before every message ("f-string: ").
  ParserSession(const std::string &text, FileID file, size_t line,
                size_t column, DiagnosticsEngine &diags,
                std::string messagePrefix = {});

  Tokenizer &lexer() { return lexer_; }
  antlr4::CommonTokenStream &tokens() { return tokens_; }
  ScopeParser &parser() { return parser_; }
  DiagnosticsEngine &diags() { return diags_; }
  FileID file() const { return file_; }
  SyntaxErrorListener &listener() { return listener_; }
  const std::string &messagePrefix() const { return prefix_; }
  /// Lexical plus syntax errors so far.
  unsigned errorCount() const { return lexErrors_ + listener_.errorCount(); }

  /// Reports one syntax-phase diagnostic at a token-based position.
  void report(diag::ID id, size_t line, size_t column, size_t length,
              const std::string &message);

  /// Runs `rule` on the parser with SLL prediction first and falls back to
  /// full LL (with error reporting and recovery) when SLL fails. The token
  /// stream is rewound for the second attempt.
  template <typename Ctx> Ctx *parseTwoStage(Ctx *(ScopeParser::*rule)());

private:
  CodePointStream input_;
  Tokenizer lexer_;
  antlr4::CommonTokenStream tokens_;
  ScopeParser parser_;
  DiagnosticsEngine &diags_;
  FileID file_;
  std::string prefix_;
  SyntaxErrorListener listener_;
  std::shared_ptr<antlr4::BailErrorStrategy> bail_;
  std::shared_ptr<antlr4::DefaultErrorStrategy> recover_;
  unsigned lexErrors_ = 0;
};

template <typename Ctx>
Ctx *ParserSession::parseTwoStage(Ctx *(ScopeParser::*rule)()) {
  size_t start = tokens_.index();
  auto *sim = parser_.getInterpreter<antlr4::atn::ParserATNSimulator>();
  sim->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser_.setErrorHandler(bail_);
  parser_.removeErrorListeners();
  try {
    return (parser_.*rule)();
  } catch (antlr4::ParseCancellationException &) {
  } catch (antlr4::RecognitionException &) {
  }
  tokens_.seek(start);
  parser_.setTokenStream(&tokens_); // resets the parser, not the stream
  tokens_.seek(start);
  sim->setPredictionMode(antlr4::atn::PredictionMode::LL);
  parser_.setErrorHandler(recover_);
  parser_.addErrorListener(&listener_);
  return (parser_.*rule)();
}

} // namespace scopec::syntax

#endif
