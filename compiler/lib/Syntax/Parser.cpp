//===- Parser.cpp - Driving the ANTLR lexer and parser --------------------===//
#include "scopec/Syntax/Parser.h"

#include "ASTBuilder.h"
#include "ParserSession.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdio>

namespace scopec::syntax {

//===--- ParserSession ----------------------------------------------------===//

ParserSession::ParserSession(const std::string &text, FileID file, size_t line,
                             size_t column, DiagnosticsEngine &diags,
                             std::string messagePrefix)
    : input_(text), lexer_(input_, line, column), tokens_(&lexer_), parser_(&tokens_),
      diags_(diags), file_(file), prefix_(std::move(messagePrefix)),
      listener_(*this), bail_(std::make_shared<antlr4::BailErrorStrategy>()),
      recover_(std::make_shared<antlr4::DefaultErrorStrategy>()) {
  lexer_.setErrorHandler([this](const LexError &e) {
    ++lexErrors_;
    report(e.indentation ? diag::indentation_error
           : e.message.rfind("too many", 0) == 0 ? diag::unsupported_syntax
                                                 : diag::syntax_error,
           e.line, e.column, e.length, e.message);
  });
  parser_.removeErrorListeners();
}

void ParserSession::report(diag::ID id, size_t line, size_t column,
                           size_t length, const std::string &message) {
  SourceRange r;
  r.file = file_;
  r.begin = SourceLoc{static_cast<uint32_t>(line), static_cast<uint32_t>(column + 1)};
  r.end = SourceLoc{static_cast<uint32_t>(line),
                    static_cast<uint32_t>(column + 1 + (length ? length : 1))};
  diags_.report(r, id) << prefix_ + message;
}

//===--- SyntaxErrorListener ----------------------------------------------===//

namespace {

/// Python's name for the statement that owns an indented block.
std::string blockOwner(antlr4::ParserRuleContext *ctx) {
  if (!ctx || !ctx->parent)
    return {};
  auto *owner = dynamic_cast<antlr4::ParserRuleContext *>(ctx->parent);
  if (!owner)
    return {};
  std::string what;
  switch (owner->getRuleIndex()) {
  case ScopeParser::RuleIf_stmt: what = "'if' statement"; break;
  case ScopeParser::RuleElif_clause: what = "'elif' statement"; break;
  case ScopeParser::RuleElse_clause: what = "'else' statement"; break;
  case ScopeParser::RuleFor_stmt: what = "'for' statement"; break;
  case ScopeParser::RuleWhile_stmt: what = "'while' statement"; break;
  case ScopeParser::RuleWith_stmt: what = "'with' statement"; break;
  case ScopeParser::RuleFuncdef: what = "function definition"; break;
  case ScopeParser::RuleClassdef: what = "class definition"; break;
  case ScopeParser::RuleTry_stmt: what = "'try' statement"; break;
  case ScopeParser::RuleExcept_clause: what = "'except' statement"; break;
  case ScopeParser::RuleFinally_clause: what = "'finally' statement"; break;
  default: return {};
  }
  return " after " + what + " on line " + std::to_string(owner->getStart()->getLine());
}

size_t tokenWidth(antlr4::Token *t) {
  if (t->getType() == antlr4::Token::EOF || t->getType() == ScopeLexer::NEWLINE ||
      t->getType() == ScopeLexer::INDENT || t->getType() == ScopeLexer::DEDENT)
    return 1;
  std::string text = t->getText();
  size_t nl = text.find('\n');
  return countCodePoints(nl == std::string::npos ? text : text.substr(0, nl));
}

} // namespace

void SyntaxErrorListener::syntaxError(antlr4::Recognizer *recognizer,
                                      antlr4::Token *offending, size_t line,
                                      size_t column, const std::string &,
                                      std::exception_ptr) {
  ++count_;
  if (reportedInStatement_)
    return; // one error per top-level statement: the rest are cascades
  auto &tokens = session_.tokens();
  auto &lexer = session_.lexer();
  size_t index = offending ? offending->getTokenIndex() : tokens.index();
  // No cascades: one error per logical line.
  if (lastErrorToken_ != static_cast<size_t>(-1) && index >= lastErrorToken_) {
    bool newLine = false;
    for (size_t i = lastErrorToken_; i < index && i < tokens.size(); ++i)
      if (tokens.get(i)->getType() == ScopeLexer::NEWLINE) {
        newLine = true;
        break;
      }
    if (!newLine)
      return;
  }
  lastErrorToken_ = index;
  reportedInStatement_ = true;
  missingBlock_ = false;
  size_t type = offending ? offending->getType() : antlr4::Token::EOF;
  if (lexer.suppressesErrorAt(line, column))
    return;
  for (size_t l : lexer.errorLines())
    if (l == line)
      return;

  // `match` is a soft keyword: a line `match x:` fails to parse as anything
  // else, and is reported as the unsupported construct it is.
  size_t first = index;
  while (first > 0) {
    size_t t = tokens.get(first - 1)->getType();
    if (t == ScopeLexer::NEWLINE || t == ScopeLexer::INDENT || t == ScopeLexer::DEDENT)
      break;
    --first;
  }
  for (size_t i = first; i < tokens.size(); ++i) {
    antlr4::Token *t = tokens.get(i);
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL)
      continue;
    if (t->getType() == ScopeLexer::NAME && t->getText() == "match" && i + 1 < tokens.size() &&
        tokens.get(i + 1)->getType() != ScopeLexer::ASSIGN &&
        tokens.get(i + 1)->getType() != ScopeLexer::DOT &&
        tokens.get(i + 1)->getType() != ScopeLexer::LPAREN) {
      session_.report(diag::unsupported_syntax, t->getLine(), t->getCharPositionInLine(), 5,
                      "'match' statements are not supported by scopec");
      return;
    }
    break;
  }

  auto *parser = dynamic_cast<antlr4::Parser *>(recognizer);
  antlr4::misc::IntervalSet expected;
  if (parser) {
    try {
      expected = parser->getExpectedTokens();
    } catch (...) {
    }
  }
  size_t width = offending ? tokenWidth(offending) : 1;
  if (type == ScopeLexer::INDENT) {
    session_.report(diag::indentation_error, line, column, 1, "unexpected indent");
    return;
  }
  if (expected.contains(static_cast<size_t>(ScopeLexer::INDENT)) && type != ScopeLexer::INDENT) {
    missingBlock_ = true;
    session_.report(diag::indentation_error, line, column, width,
                    "expected an indented block" +
                        (parser ? blockOwner(parser->getContext()) : std::string()));
    return;
  }
  if (expected.size() == 1 && expected.contains(static_cast<size_t>(ScopeLexer::COLON))) {
    session_.report(diag::syntax_error, line, column, width, "expected ':'");
    return;
  }
  session_.report(diag::syntax_error, line, column, width, "invalid syntax");
}

//===--- Input checks -----------------------------------------------------===//

namespace {

/// Python refuses source that is not UTF-8 or holds NUL bytes before it
/// tokenizes anything; so do we, at the offending byte.
bool checkEncoding(FileID file, const SourceManager &sm, DiagnosticsEngine &diags) {
  const std::string &text = sm.getText(file);
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0) {
      SourceLoc loc = sm.getLocForOffset(file, i);
      diags.report(SourceRange{file, loc, SourceLoc{loc.line, loc.col + 1}},
                   diag::syntax_error)
          << "source code cannot contain null bytes";
      return false;
    }
    size_t n = validUTF8SequenceLength(text, i);
    if (n == 0) {
      const char *why = "invalid start byte";
      if (c >= 0xC2 && c <= 0xF4) {
        size_t need = c <= 0xDF ? 2 : c <= 0xEF ? 3 : 4;
        why = i + need > text.size() ? "unexpected end of data"
                                     : "invalid continuation byte";
      }
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "'utf-8' codec can't decode byte 0x%02x in position %zu: %s", c,
                    i + (sm.hadBOM(file) ? 3 : 0), why);
      SourceLoc loc = sm.getLocForOffset(file, i);
      diags.report(SourceRange{file, loc, SourceLoc{loc.line, loc.col + 1}},
                   diag::syntax_error)
          << buf;
      return false;
    }
    i += n;
  }
  return true;
}

} // namespace

//===--- Entry points -----------------------------------------------------===//

std::unique_ptr<ast::Module> parse(FileID file, const SourceManager &sm,
                                   DiagnosticsEngine &diags) {
  auto module = std::make_unique<ast::Module>(file);
  unsigned errorsBefore = diags.numErrors();
  if (!checkEncoding(file, sm, diags)) {
    module->hasSyntaxErrors = true;
    return module;
  }
  ParserSession session(sm.getText(file), file, 1, 0, diags);
  ASTBuilder builder(*module, sm, diags, file);
  auto &tokens = session.tokens();
  auto &parser = session.parser();
  tokens.fill(); // all lexical errors are known before the parser reports any
  while (true) {
    antlr4::Token *t = tokens.LT(1);
    size_t type = t->getType();
    if (type == antlr4::Token::EOF)
      break;
    if (type == ScopeLexer::NEWLINE) {
      tokens.consume();
      continue;
    }
    if (type == ScopeLexer::INDENT || type == ScopeLexer::DEDENT) {
      // An indented block where no block may start: Python's "unexpected
      // indent". Skip the whole block, so its lines do not cascade.
      if (type == ScopeLexer::INDENT)
        session.report(diag::indentation_error, t->getLine(),
                       t->getCharPositionInLine(), 1, "unexpected indent");
      int depth = 0;
      do {
        size_t k = tokens.LT(1)->getType();
        if (k == antlr4::Token::EOF)
          break;
        if (k == ScopeLexer::INDENT)
          ++depth;
        else if (k == ScopeLexer::DEDENT)
          --depth;
        tokens.consume();
      } while (depth > 0);
      continue;
    }
    size_t start = tokens.index();
    unsigned errorsBeforeStmt = session.errorCount();
    session.listener().beginStatement();
    ScopeParser::StmtContext *ctx = session.parseTwoStage(&ScopeParser::stmt);
    bool failed = session.errorCount() != errorsBeforeStmt;
    if (!failed && ctx)
      builder.stmt(ctx, module->body);
    parser.getTreeTracker().reset();
    if (failed) {
      // Resume at the next top-level statement, wherever ANTLR's recovery
      // stopped: the rest of a broken statement only yields cascades.
      // After "expected an indented block" the next statement is the body
      // that lost its indentation: skip it too.
      unsigned boundaries = session.listener().lastErrorWasMissingBlock() ? 2 : 1;
      tokens.seek(start);
      int depth = 0;
      for (size_t prev = 0;; prev = tokens.LT(1)->getType(), tokens.consume()) {
        size_t k = tokens.LT(1)->getType();
        if (k == antlr4::Token::EOF)
          break;
        if (tokens.index() > start && depth == 0 &&
            (prev == ScopeLexer::NEWLINE || prev == ScopeLexer::DEDENT) &&
            k != ScopeLexer::INDENT && k != ScopeLexer::DEDENT && --boundaries == 0)
          break;
        if (k == ScopeLexer::INDENT)
          ++depth;
        else if (k == ScopeLexer::DEDENT && depth > 0)
          --depth;
      }
    }
    if (tokens.index() == start)
      tokens.consume(); // always make progress
  }
  for (antlr4::Token *t : tokens.getTokens())
    if (t->getType() == ScopeLexer::COMMENT)
      module->comments.push_back(ast::Comment{builder.tokenRange(t), t->getText()});
  module->hasSyntaxErrors = diags.numErrors() != errorsBefore;
  return module;
}

void dumpTokens(FileID file, const SourceManager &sm, DiagnosticsEngine &diags,
                llvm::raw_ostream &os) {
  if (!checkEncoding(file, sm, diags))
    return;
  ParserSession session(sm.getText(file), file, 1, 0, diags);
  auto &tokens = session.tokens();
  tokens.fill();
  const antlr4::dfa::Vocabulary &vocab = session.parser().getVocabulary();
  for (antlr4::Token *t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL &&
        t->getType() != ScopeLexer::COMMENT)
      continue;
    os << t->getLine() << ':' << t->getCharPositionInLine() + 1 << ' '
       << (t->getType() == antlr4::Token::EOF ? std::string("EOF")
                                              : vocab.getSymbolicName(t->getType()));
    size_t type = t->getType();
    if (type != ScopeLexer::NEWLINE && type != ScopeLexer::INDENT &&
        type != ScopeLexer::DEDENT && type != antlr4::Token::EOF) {
      os << " '";
      for (char c : t->getText()) {
        if (c == '\n')
          os << "\\n";
        else if (c == '\\')
          os << "\\\\";
        else if (c == '\'')
          os << "\\'";
        else
          os << c;
      }
      os << '\'';
    }
    os << '\n';
  }
}

} // namespace scopec::syntax
