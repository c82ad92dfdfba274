//===- ScopeLexerBase.cpp - INDENT/DEDENT and bracket tracking ------------===//
#include "ScopeLexerBase.h"

#include "ScopeLexer.h"

#include "scopec/Basic/SourceManager.h"

#include <cstdio>

namespace scopec::syntax {
namespace {
/// Nesting limits (language.md section 2: nesting depth 200). Past them the
/// lexer reports E003 and ends the input, so no later phase recurses deeper.
constexpr size_t kMaxBracketDepth = 200;
constexpr size_t kMaxIndentDepth = 200;
/// The deepest expression accepted: `1 + 1 + ...` nests one level per
/// operator, `a.b.c...` and `f()()...` one per trailer. CPython's compiler
/// gives up between 2,000 and 3,000 (RecursionError during compilation);
/// without a limit a 10 MB line would nest millions of levels deep.
constexpr size_t kMaxExpressionDepth = 2000;

} // namespace

std::unique_ptr<antlr4::CommonToken>
ScopeLexerBase::makeToken(size_t type, const std::string &text, size_t line,
                          size_t column) {
  auto t = std::make_unique<antlr4::CommonToken>(
      std::make_pair(static_cast<antlr4::TokenSource *>(this), _input), type,
      antlr4::Token::DEFAULT_CHANNEL, _input->index(), _input->index() - 1);
  t->setText(text);
  t->setLine(line);
  t->setCharPositionInLine(column);
  return t;
}

void ScopeLexerBase::error(size_t line, size_t column, size_t length,
                           std::string message, bool indentation) {
  errorLines_.push_back(line);
  if (onError_)
    onError_(LexError{indentation, line, column, length, std::move(message)});
}

void ScopeLexerBase::suppressFrom(size_t line, size_t column) {
  if (line < suppressLine_ || (line == suppressLine_ && column < suppressColumn_)) {
    suppressLine_ = line;
    suppressColumn_ = column;
  }
}

void ScopeLexerBase::onNewline() {
  if (!brackets_.empty()) {
    skip();
    return;
  }
  size_t next = _input->LA(1);
  std::string text = getText();
  bool atStart = false;
  if (next == '\n' || next == '#' || next == '\\' || next == antlr4::Token::EOF) {
    // A blank or comment-only line follows: the first line end after a
    // statement ends its logical line; the rest carry no layout at all.
    // (A line holding only a continuation backslash is joined to the next.)
    if (atStart || lastWasNewline_)
      skip();
    else
      setText("\n");
    return;
  }
  size_t col = 0, altCol = 0, codePoints = 0;
  for (char c : text) {
    if (c == '\n')
      continue;
    ++codePoints;
    if (c == ' ') {
      ++col;
      ++altCol;
    } else if (c == '\t') {
      col = (col / 8 + 1) * 8;
      ++altCol;
    } else if (c == '\f') {
      col = altCol = 0;
    }
  }
  size_t line = atStart ? tokenStartLine : tokenStartLine + 1;
  std::vector<std::unique_ptr<antlr4::Token>> layout;
  const Indent &top = indents_.back();
  auto tabError = [&] {
    error(line, 0, codePoints ? codePoints : 1,
          "inconsistent use of tabs and spaces in indentation", true);
  };
  if (col == top.col) {
    if (altCol != top.altCol)
      tabError();
  } else if (col > top.col) {
    if (altCol <= top.altCol)
      tabError();
    if (indents_.size() > kMaxIndentDepth) {
      error(line, 0, codePoints, "too many levels of indentation");
      suppressFrom(line, 0);
      dropCurrent_ = true;
      while (_input->LA(1) != antlr4::Token::EOF)
        _input->consume();
      return;
    }
    indents_.push_back(Indent{col, altCol});
    layout.push_back(makeToken(ScopeLexer::INDENT, "<INDENT>", line, codePoints));
  } else {
    while (indents_.size() > 1 && col < indents_.back().col) {
      indents_.pop_back();
      layout.push_back(makeToken(ScopeLexer::DEDENT, "<DEDENT>", line, codePoints));
    }
    if (col != indents_.back().col)
      error(line, 0, codePoints ? codePoints : 1,
            "unindent does not match any outer indentation level", true);
    else if (altCol != indents_.back().altCol)
      tabError();
  }
  if (atStart || lastWasNewline_)
    dropCurrent_ = true; // only the layout: the logical line already ended
  else
    setText("\n");
  for (auto &t : layout)
    pendingLayout_.push_back(std::move(t));
}

void ScopeLexerBase::openBracket() {
  if (brackets_.size() >= kMaxBracketDepth) {
    error(tokenStartLine, tokenStartCharPositionInLine, 1,
          "too many nested parentheses");
    suppressFrom(tokenStartLine, tokenStartCharPositionInLine);
    brackets_.clear();
    while (_input->LA(1) != antlr4::Token::EOF)
      _input->consume();
    dropCurrent_ = true;
    return;
  }
  brackets_.push_back(Bracket{getText()[0], tokenStartLine,
                              tokenStartCharPositionInLine});
}

void ScopeLexerBase::closeBracket() {
  char close = getText()[0];
  if (brackets_.empty()) {
    error(tokenStartLine, tokenStartCharPositionInLine, 1,
          std::string("unmatched '") + close + "'");
    dropCurrent_ = true;
    return;
  }
  Bracket open = brackets_.back();
  brackets_.pop_back();
  char expected = open.ch == '(' ? ')' : open.ch == '[' ? ']' : '}';
  if (close != expected) {
    std::string msg = std::string("closing parenthesis '") + close +
                      "' does not match opening parenthesis '" + open.ch + "'";
    if (open.line != tokenStartLine)
      msg += " on line " + std::to_string(open.line);
    error(tokenStartLine, tokenStartCharPositionInLine, 1, msg);
  }
}

bool ScopeLexerBase::expressionTooDeep(size_t type) {
  auto reset = [&] { exprDepth_ = exprDepthAtOpen_.empty() ? 0 : exprDepthAtOpen_.back(); };
  switch (type) {
  case ScopeLexer::NEWLINE:
    exprDepth_ = 0;
    exprDepthAtOpen_.clear();
    return false;
  case ScopeLexer::LPAREN: case ScopeLexer::LBRACK: case ScopeLexer::LBRACE:
    exprDepthAtOpen_.push_back(++exprDepth_);
    break;
  case ScopeLexer::RPAREN: case ScopeLexer::RBRACK: case ScopeLexer::RBRACE:
    reset();
    if (!exprDepthAtOpen_.empty())
      exprDepthAtOpen_.pop_back();
    return false;
  case ScopeLexer::COMMA: case ScopeLexer::SEMI: case ScopeLexer::ASSIGN: case ScopeLexer::ARROW:
  case ScopeLexer::WALRUS: case ScopeLexer::ADD_ASSIGN: case ScopeLexer::SUB_ASSIGN:
  case ScopeLexer::MUL_ASSIGN: case ScopeLexer::AT_ASSIGN: case ScopeLexer::DIV_ASSIGN:
  case ScopeLexer::MOD_ASSIGN: case ScopeLexer::AND_ASSIGN: case ScopeLexer::OR_ASSIGN:
  case ScopeLexer::XOR_ASSIGN: case ScopeLexer::LSHIFT_ASSIGN: case ScopeLexer::RSHIFT_ASSIGN:
  case ScopeLexer::POWER_ASSIGN: case ScopeLexer::IDIV_ASSIGN:
    reset();
    return false;
  case ScopeLexer::DOT: case ScopeLexer::STAR: case ScopeLexer::POWER: case ScopeLexer::PIPE:
  case ScopeLexer::CARET: case ScopeLexer::AMP: case ScopeLexer::LSHIFT: case ScopeLexer::RSHIFT:
  case ScopeLexer::PLUS: case ScopeLexer::MINUS: case ScopeLexer::SLASH: case ScopeLexer::PERCENT:
  case ScopeLexer::FLOORDIV: case ScopeLexer::TILDE: case ScopeLexer::AT: case ScopeLexer::LT:
  case ScopeLexer::GT: case ScopeLexer::EQ: case ScopeLexer::GE: case ScopeLexer::LE:
  case ScopeLexer::NE: case ScopeLexer::AND: case ScopeLexer::OR: case ScopeLexer::NOT:
  case ScopeLexer::IN: case ScopeLexer::IS: case ScopeLexer::IF: case ScopeLexer::ELSE:
  case ScopeLexer::LAMBDA: case ScopeLexer::AWAIT: case ScopeLexer::YIELD:
    ++exprDepth_;
    break;
  default:
    return false;
  }
  return exprDepth_ > kMaxExpressionDepth;
}

void ScopeLexerBase::handleToken(std::unique_ptr<antlr4::Token> t) {
  std::vector<std::unique_ptr<antlr4::Token>> layout;
  layout.swap(pendingLayout_);
  bool drop = dropCurrent_;
  dropCurrent_ = false;
  size_t type = t->getType();
  if (!drop && expressionTooDeep(type)) {
    // Like the bracket limit: report, and end the input here.
    error(t->getLine(), t->getCharPositionInLine(), 1, "too many nested operators in an expression");
    suppressFrom(t->getLine(), t->getCharPositionInLine());
    brackets_.clear();
    exprDepthAtOpen_.clear();
    while (_input->LA(1) != antlr4::Token::EOF)
      _input->consume();
    drop = true;
  }
  auto *ct = static_cast<antlr4::CommonToken *>(t.get());
  if (type == ScopeLexer::ERROR_CHAR) {
    std::string text = t->getText();
    uint32_t cp = 0;
    if (!text.empty()) {
      auto u = antlr4::ANTLRInputStream(text).LA(1);
      cp = static_cast<uint32_t>(u);
    }
    std::string msg;
    if (cp == '\\')
      msg = "unexpected character after line continuation character";
    else if (cp >= 0x80) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", cp);
      std::string ch;
      appendUTF8(ch, cp);
      msg = "invalid character '" + ch + "' (" + buf + ")";
    } else
      msg = "invalid syntax";
    error(t->getLine(), t->getCharPositionInLine(), 1, msg);
    drop = true;
  } else if (type == ScopeLexer::UNTERMINATED_STRING) {
    std::string text = t->getText();
    error(t->getLine(), t->getCharPositionInLine(), 1,
          "unterminated string literal (detected at line " +
              std::to_string(t->getLine()) + ")");
    char quote = text.find('\'') != std::string::npos &&
                         (text.find('"') == std::string::npos ||
                          text.find('\'') < text.find('"'))
                     ? '\''
                     : '"';
    ct->setText(text + quote);
    ct->setType(ScopeLexer::STRING);
  } else if (type == ScopeLexer::STRING) {
    std::string text = t->getText();
    size_t q = text.find_first_of("'\"");
    if (q != std::string::npos && text.size() >= q + 3 && text[q + 1] == text[q] &&
        text[q + 2] == text[q]) {
      std::string triple(3, text[q]);
      std::string body = text.substr(q + 3);
      bool closed = body.size() >= 3 && body.compare(body.size() - 3, 3, triple) == 0;
      // A closing quote preceded by an odd number of backslashes is escaped.
      if (closed) {
        size_t bs = 0;
        for (size_t i = body.size() - 3; i > 0 && body[i - 1] == '\\'; --i)
          ++bs;
        closed = bs % 2 == 0;
      }
      if (!closed) {
        size_t lastLine = getLine() - (!text.empty() && text.back() == '\n' ? 1 : 0);
        error(t->getLine(), t->getCharPositionInLine(), 3,
              "unterminated triple-quoted string literal (detected at line " +
                  std::to_string(lastLine) + ")");
        suppressFrom(t->getLine(), t->getCharPositionInLine());
        ct->setText(text + triple);
      }
    }
  }
  std::string before;
  if (!drop && !emittedAny_ && t->getChannel() == antlr4::Token::DEFAULT_CHANNEL &&
      t->getStartIndex() > 0)
    before = _input->getText(antlr4::misc::Interval(size_t(0), t->getStartIndex() - 1));
  if (!before.empty() && before.find('\n') == std::string::npos) {
    // An indented first line: INDENT before its first token, as Python's
    // tokenizer does (the parser reports "unexpected indent").
    size_t col = 0, alt = 0;
    const std::string &first = before;
    for (char c : first) {
      if (c == '\t') {
        col = (col / 8 + 1) * 8;
        ++alt;
      } else {
        ++col;
        ++alt;
      }
    }
    indents_.push_back(Indent{col, alt});
    pending_.push_back(makeToken(ScopeLexer::INDENT, "<INDENT>", 1, t->getCharPositionInLine()));
    emittedAny_ = true;
  }
  if (!drop) {
    if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
      emittedAny_ = true;
      lastWasNewline_ = type == ScopeLexer::NEWLINE;
    }
    pending_.push_back(std::move(t));
  }
  for (auto &l : layout) {
    lastWasNewline_ = false;
    emittedAny_ = true;
    pending_.push_back(std::move(l));
  }
}

void ScopeLexerBase::finishAtEOF(std::unique_ptr<antlr4::Token> eof) {
  std::vector<std::unique_ptr<antlr4::Token>> layout;
  layout.swap(pendingLayout_);
  for (auto &l : layout)
    pending_.push_back(std::move(l));
  size_t line = eof->getLine(), col = eof->getCharPositionInLine();
  if (!brackets_.empty()) {
    const Bracket &b = brackets_.back();
    error(b.line, b.column, 1, std::string("'") + b.ch + "' was never closed");
    suppressFrom(b.line, b.column);
    brackets_.clear();
  }
  if (emittedAny_ && !lastWasNewline_)
    pending_.push_back(makeToken(ScopeLexer::NEWLINE, "\n", line, col));
  while (indents_.size() > 1) {
    indents_.pop_back();
    pending_.push_back(makeToken(ScopeLexer::DEDENT, "<DEDENT>", line, col));
  }
  lastWasNewline_ = true;
  pending_.push_back(std::move(eof));
  done_ = true;
}

std::unique_ptr<antlr4::Token> ScopeLexerBase::nextToken() {
  while (pending_.empty()) {
    if (done_)
      return makeToken(antlr4::Token::EOF, "<EOF>", getLine(),
                       getCharPositionInLine());
    auto t = antlr4::Lexer::nextToken();
    if (t->getType() == antlr4::Token::EOF)
      finishAtEOF(std::move(t));
    else
      handleToken(std::move(t));
  }
  auto t = std::move(pending_.front());
  pending_.pop_front();
  return t;
}

} // namespace scopec::syntax
