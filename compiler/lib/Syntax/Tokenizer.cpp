//===- Tokenizer.cpp - Scanner, INDENT/DEDENT and bracket tracking --------===//
#include "Tokenizer.h"

#include "ScopeLexer.h"

#include "scopec/Basic/SourceManager.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

namespace scopec::syntax {
namespace {
using L = ScopeLexer;

/// Nesting limits (language.md section 2: nesting depth 200). Past them the
/// tokenizer reports E003 and ends the input, so no later phase recurses deeper.
constexpr size_t kMaxBracketDepth = 200;
constexpr size_t kMaxIndentDepth = 200;
/// The deepest expression accepted: `1 + 1 + ...` nests one level per
/// operator, `a.b.c...` and `f()()...` one per trailer. CPython's compiler
/// gives up between 2,000 and 3,000 (RecursionError during compilation);
/// without a limit a 10 MB line would nest millions of levels deep.
constexpr size_t kMaxExpressionDepth = 2000;

//===--- Identifier characters --------------------------------------------===//

struct CodePointRange {
  uint32_t lo, hi; ///< inclusive
};
// kIdStart and kIdContinue: ID_START and ID_CONTINUE of ScopeLexer.g4, read
// from the generated lexer at build time (compiler/tools/idtables).
#include "IdTables.inc"

template <size_t N> bool inRanges(const CodePointRange (&ranges)[N], char32_t c) {
  auto it = std::upper_bound(std::begin(ranges), std::end(ranges), c,
                             [](char32_t v, const CodePointRange &r) { return v < r.lo; });
  return it != std::begin(ranges) && c <= std::prev(it)->hi;
}

bool isIdStart(char32_t c) {
  if (c < 0x80)
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  return inRanges(kIdStart, c);
}

bool isIdContinue(char32_t c) {
  if (c < 0x80)
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           (c >= '0' && c <= '9');
  return inRanges(kIdContinue, c);
}

bool isDigit(size_t c) { return c >= '0' && c <= '9'; }
bool isBlank(size_t c) { return c == ' ' || c == '\t' || c == '\f'; }

/// Python 3's hard keywords, sorted.
constexpr std::pair<const char *, size_t> kKeywords[] = {
    {"False", L::FALSE},   {"None", L::NONE},       {"True", L::TRUE},       {"and", L::AND},
    {"as", L::AS},         {"assert", L::ASSERT},   {"async", L::ASYNC},     {"await", L::AWAIT},
    {"break", L::BREAK},   {"class", L::CLASS},     {"continue", L::CONTINUE}, {"def", L::DEF},
    {"del", L::DEL},       {"elif", L::ELIF},       {"else", L::ELSE},       {"except", L::EXCEPT},
    {"finally", L::FINALLY}, {"for", L::FOR},       {"from", L::FROM},       {"global", L::GLOBAL},
    {"if", L::IF},         {"import", L::IMPORT},   {"in", L::IN},           {"is", L::IS},
    {"lambda", L::LAMBDA}, {"nonlocal", L::NONLOCAL}, {"not", L::NOT},       {"or", L::OR},
    {"pass", L::PASS},     {"raise", L::RAISE},     {"return", L::RETURN},   {"try", L::TRY},
    {"while", L::WHILE},   {"with", L::WITH},       {"yield", L::YIELD}};

/// The keyword spelled by [s, s+n), or NAME.
size_t keywordOrName(const char32_t *s, size_t n) {
  if (n < 2 || n > 8)
    return L::NAME;
  char word[9];
  for (size_t i = 0; i < n; ++i) {
    if (s[i] >= 0x80)
      return L::NAME;
    word[i] = static_cast<char>(s[i]);
  }
  word[n] = 0;
  auto it = std::lower_bound(std::begin(kKeywords), std::end(kKeywords), word,
                             [](const auto &k, const char *w) { return std::strcmp(k.first, w) < 0; });
  return it != std::end(kKeywords) && std::strcmp(it->first, word) == 0 ? it->second
                                                                        : size_t(L::NAME);
}

/// STRING_PREFIX: r, u, f, b, or r with one of b/f in either order.
bool isStringPrefix(const char32_t *s, size_t n) {
  auto lower = [](char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
  if (n == 1)
    return s[0] < 0x80 && std::strchr("rufb", static_cast<int>(lower(s[0])));
  if (n != 2)
    return false;
  char32_t a = lower(s[0]), b = lower(s[1]);
  return (a == 'r' && (b == 'b' || b == 'f')) || ((a == 'b' || a == 'f') && b == 'r');
}

} // namespace

//===--- Scanner ----------------------------------------------------------===//

size_t Scanner::nameEnd(size_t i) const {
  ++i;
  while (i < n_ && isIdContinue(s_[i]))
    ++i;
  return i;
}

/// The end of ('_'? D)* from `i`, D the code points `digit` accepts.
template <typename Digit> size_t Scanner::groupsEnd(size_t i, Digit digit) const {
  while (i < n_ && (digit(s_[i]) || (s_[i] == '_' && i + 1 < n_ && digit(s_[i + 1]))))
    i += digit(s_[i]) ? 1 : 2;
  return i;
}

/// DIGITS : [0-9] ('_'? [0-9])*
size_t Scanner::digitsEnd(size_t i) const {
  return groupsEnd(i + 1, [](size_t c) { return isDigit(c); });
}

/// The longest NUMBER at `i` (a digit, or '.' before a digit): the longest of
/// its alternatives, as ANTLR's lexer matches.
size_t Scanner::numberEnd(size_t i) const {
  size_t end = 0;
  size_t digits = 0; // end of DIGITS at i, 0 if none
  if (isDigit(s_[i])) {
    digits = digitsEnd(i);
    if (s_[i] != '0') {
      end = digits; // DEC_INTEGER : [1-9] ('_'? [0-9])*
    } else {
      // DEC_INTEGER : '0'+ ('_'? '0')*
      end = groupsEnd(i + 1, [](size_t c) { return c == '0'; });
      // '0' [xX] / [oO] / [bB] ('_'? digit)+
      size_t k = at(i + 1) | 0x20;
      auto valid = [&](size_t c) {
        return k == 'x' ? isDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
               : k == 'o' ? c >= '0' && c <= '7'
                          : c == '0' || c == '1';
      };
      if (i + 1 < n_ && (k == 'x' || k == 'o' || k == 'b'))
        if (size_t p = groupsEnd(i + 2, valid); p > i + 2) // at least one digit
          end = std::max(end, p);

    }
  }
  // POINT_FLOAT : DIGITS? '.' DIGITS | DIGITS '.'
  size_t point = 0;
  if (digits && at(digits) == '.')
    point = isDigit(at(digits + 1)) ? digitsEnd(digits + 1) : digits + 1;
  else if (!digits)
    point = digitsEnd(i + 1); // s_[i] == '.', a digit follows
  // EXPONENT_FLOAT : (DIGITS | POINT_FLOAT) [eE] [+-]? DIGITS
  size_t base = point ? point : digits;
  size_t real = point;
  if ((at(base) | 0x20) == 'e') {
    size_t k = base + 1;
    if (at(k) == '+' || at(k) == '-')
      ++k;
    if (isDigit(at(k)))
      real = digitsEnd(k);
  }
  end = std::max(end, real);
  // (FLOAT_NUMBER | DIGITS) [jJ]
  size_t imag = real ? real : digits;
  if ((at(imag) | 0x20) == 'j')
    end = std::max(end, imag + 1);
  return end;
}

void Scanner::scanString(size_t q, RawToken &t, size_t &end) const {
  t.type = L::STRING;
  char32_t quote = s_[q];
  if (at(q + 1) == quote && at(q + 2) == quote) {
    // LONG_STRING: to the first unescaped triple quote, or the end of input.
    for (size_t j = q + 3; j < n_;) {
      if (s_[j] == '\\') {
        j += j + 1 < n_ ? 2 : 1;
        continue;
      }
      if (s_[j] == quote && at(j + 1) == quote && at(j + 2) == quote) {
        end = j + 3;
        return;
      }
      ++j;
    }
    t.openLongString = true;
    end = n_;
    return;
  }
  // SHORT_STRING : quote ( '\\' . | ~[\\\n quote] )* quote
  for (size_t j = q + 1; j < n_;) {
    char32_t c = s_[j];
    if (c == quote) {
      end = j + 1;
      return;
    }
    if (c == '\n' || (c == '\\' && j + 1 == n_))
      break;
    j += c == '\\' ? 2 : 1;
  }
  // UNTERMINATED_STRING : quote ( '\\' ~[\n] | ~[\\\n quote] )*
  t.type = L::UNTERMINATED_STRING;
  size_t j = q + 1;
  while (j < n_) {
    char32_t c = s_[j];
    if (c == '\\') {
      if (j + 1 < n_ && s_[j + 1] != '\n') {
        j += 2;
        continue;
      }
      break;
    }
    if (c == '\n' || c == quote)
      break;
    ++j;
  }
  end = j;
}

size_t Scanner::operatorEnd(size_t i, size_t &type) const {
  size_t c1 = at(i + 1), c2 = at(i + 2);
  auto pick = [&](size_t t, size_t len) {
    type = t;
    return i + len;
  };
  // `c` or `c=`
  auto orAssign = [&](size_t one, size_t oneAssign) {
    return c1 == '=' ? pick(oneAssign, 2) : pick(one, 1);
  };
  // `c`, `c=`, `cc` or `cc=`
  auto doubled = [&](size_t one, size_t oneAssign, size_t two, size_t twoAssign) {
    if (c1 == s_[i])
      return c2 == '=' ? pick(twoAssign, 3) : pick(two, 2);
    return orAssign(one, oneAssign);
  };
  switch (s_[i]) {
  case '(': return pick(L::LPAREN, 1);
  case ')': return pick(L::RPAREN, 1);
  case '[': return pick(L::LBRACK, 1);
  case ']': return pick(L::RBRACK, 1);
  case '{': return pick(L::LBRACE, 1);
  case '}': return pick(L::RBRACE, 1);
  case ',': return pick(L::COMMA, 1);
  case ';': return pick(L::SEMI, 1);
  case '~': return pick(L::TILDE, 1);
  case '.': return c1 == '.' && c2 == '.' ? pick(L::ELLIPSIS, 3) : pick(L::DOT, 1);
  case ':': return orAssign(L::COLON, L::WALRUS);
  case '=': return orAssign(L::ASSIGN, L::EQ);
  case '!': return orAssign(L::ERROR_CHAR, L::NE);
  case '+': return orAssign(L::PLUS, L::ADD_ASSIGN);
  case '-': return c1 == '>' ? pick(L::ARROW, 2) : orAssign(L::MINUS, L::SUB_ASSIGN);
  case '%': return orAssign(L::PERCENT, L::MOD_ASSIGN);
  case '@': return orAssign(L::AT, L::AT_ASSIGN);
  case '&': return orAssign(L::AMP, L::AND_ASSIGN);
  case '|': return orAssign(L::PIPE, L::OR_ASSIGN);
  case '^': return orAssign(L::CARET, L::XOR_ASSIGN);
  case '*': return doubled(L::STAR, L::MUL_ASSIGN, L::POWER, L::POWER_ASSIGN);
  case '/': return doubled(L::SLASH, L::DIV_ASSIGN, L::FLOORDIV, L::IDIV_ASSIGN);
  case '<': return doubled(L::LT, L::LE, L::LSHIFT, L::LSHIFT_ASSIGN);
  case '>': return doubled(L::GT, L::GE, L::RSHIFT, L::RSHIFT_ASSIGN);
  default: return pick(L::ERROR_CHAR, 1);
  }
}

void Scanner::advanceTo(size_t end) {
  for (; i_ < end; ++i_) {
    if (s_[i_] == '\n') {
      ++line_;
      column_ = 0;
    } else {
      ++column_;
    }
  }
}

void Scanner::skipToEnd() { advanceTo(n_); }

std::string Scanner::text(size_t start, size_t stop) const {
  std::string out;
  if (stop + 1 <= start)
    return out;
  out.reserve(stop + 1 - start);
  for (size_t i = start; i <= stop; ++i) {
    if (s_[i] < 0x80)
      out.push_back(static_cast<char>(s_[i]));
    else
      appendUTF8(out, static_cast<uint32_t>(s_[i]));
  }
  return out;
}

RawToken Scanner::next() {
  RawToken t;
  t.start = i_;
  t.line = line_;
  t.column = column_;
  if (i_ >= n_) {
    t.type = antlr4::Token::EOF;
    t.stop = i_ - 1;
    return t;
  }
  char32_t c = s_[i_];
  size_t end = i_ + 1;
  if (c == '\n') {
    while (end < n_ && isBlank(s_[end]))
      ++end;
    t.type = L::NEWLINE;
  } else if (isBlank(c)) {
    while (end < n_ && isBlank(s_[end]))
      ++end;
    t.type = L::WS;
  } else if (c == '#') {
    while (end < n_ && s_[end] != '\n')
      ++end;
    t.type = L::COMMENT;
  } else if (c == '\'' || c == '"') {
    scanString(i_, t, end);
  } else if (isIdStart(c)) {
    end = nameEnd(i_);
    if (end < n_ && (s_[end] == '\'' || s_[end] == '"') && isStringPrefix(s_ + i_, end - i_)) {
      scanString(end, t, end);
    } else {
      t.type = keywordOrName(s_ + i_, end - i_);
    }
  } else if (isDigit(c) || (c == '.' && isDigit(at(i_ + 1)))) {
    end = numberEnd(i_);
    t.type = L::NUMBER;
  } else if (c == '\\') {
    size_t j = i_ + 1;
    while (j < n_ && isBlank(s_[j]))
      ++j;
    if (j < n_ && s_[j] == '\n') {
      end = j + 1;
      t.type = L::LINE_JOIN;
    } else {
      t.type = L::ERROR_CHAR;
    }
  } else {
    end = operatorEnd(i_, t.type);
  }
  t.stop = end - 1;
  advanceTo(end);
  return t;
}

//===--- Tokenizer --------------------------------------------------------===//

Tokenizer::Tokenizer(CodePointStream &input, size_t line, size_t column)
    : input_(input), scanner_(input, line, column) {}

antlr4::TokenFactory<antlr4::CommonToken> *Tokenizer::getTokenFactory() {
  return antlr4::CommonTokenFactory::DEFAULT.get();
}

std::unique_ptr<antlr4::CommonToken> Tokenizer::makeToken(size_t type, std::string text,
                                                          size_t line, size_t column,
                                                          size_t start, size_t stop,
                                                          size_t channel) {
  auto t = std::make_unique<antlr4::CommonToken>(
      std::make_pair(static_cast<antlr4::TokenSource *>(this),
                     static_cast<antlr4::CharStream *>(&input_)),
      type, channel, start, stop);
  t->setText(text);
  t->setLine(line);
  t->setCharPositionInLine(column);
  return t;
}

std::unique_ptr<antlr4::CommonToken> Tokenizer::layoutToken(size_t type, const char *text,
                                                            size_t line, size_t column) {
  size_t at = scanner_.index();
  return makeToken(type, text, line, column, at, at - 1);
}

void Tokenizer::error(size_t line, size_t column, size_t length, std::string message,
                      bool indentation) {
  errorLines_.push_back(line);
  if (onError_)
    onError_(LexError{indentation, line, column, length, std::move(message)});
}

void Tokenizer::suppressFrom(size_t line, size_t column) {
  if (line < suppressLine_ || (line == suppressLine_ && column < suppressColumn_)) {
    suppressLine_ = line;
    suppressColumn_ = column;
  }
}

/// A line end with the next line's indentation (`t`). Returns false when it
/// yields no token at all; `text` becomes "\n" when it ends a logical line,
/// and stays empty when only its layout (INDENT/DEDENT) counts.
bool Tokenizer::onNewline(const RawToken &t, std::string &text) {
  if (!brackets_.empty())
    return false;
  size_t next = scanner_.at(scanner_.index());
  if (next == '\n' || next == '#' || next == '\\' || next == antlr4::Token::EOF) {
    // A blank or comment-only line follows: the first line end after a
    // statement ends its logical line; the rest carry no layout at all.
    // (A line holding only a continuation backslash is joined to the next.)
    if (lastWasNewline_)
      return false;
    text = "\n";
    return true;
  }
  size_t col = 0, altCol = 0, codePoints = 0;
  for (size_t i = t.start + 1; i <= t.stop; ++i) {
    size_t c = scanner_.at(i);
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
  size_t line = t.line + 1;
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
      scanner_.skipToEnd();
      return true;
    }
    indents_.push_back(Indent{col, altCol});
    pendingLayout_.push_back(layoutToken(L::INDENT, "<INDENT>", line, codePoints));
  } else {
    while (indents_.size() > 1 && col < indents_.back().col) {
      indents_.pop_back();
      pendingLayout_.push_back(layoutToken(L::DEDENT, "<DEDENT>", line, codePoints));
    }
    if (col != indents_.back().col)
      error(line, 0, codePoints ? codePoints : 1,
            "unindent does not match any outer indentation level", true);
    else if (altCol != indents_.back().altCol)
      tabError();
  }
  if (!lastWasNewline_)
    text = "\n"; // else only the layout: the logical line already ended
  return true;
}

bool Tokenizer::openBracket(const RawToken &t, char ch) {
  if (brackets_.size() >= kMaxBracketDepth) {
    error(t.line, t.column, 1, "too many nested parentheses");
    suppressFrom(t.line, t.column);
    brackets_.clear();
    scanner_.skipToEnd();
    return false;
  }
  brackets_.push_back(Bracket{ch, t.line, t.column});
  return true;
}

bool Tokenizer::closeBracket(const RawToken &t, char close) {
  if (brackets_.empty()) {
    error(t.line, t.column, 1, std::string("unmatched '") + close + "'");
    return false;
  }
  Bracket open = brackets_.back();
  brackets_.pop_back();
  char expected = open.ch == '(' ? ')' : open.ch == '[' ? ']' : '}';
  if (close != expected) {
    std::string msg = std::string("closing parenthesis '") + close +
                      "' does not match opening parenthesis '" + open.ch + "'";
    if (open.line != t.line)
      msg += " on line " + std::to_string(open.line);
    error(t.line, t.column, 1, msg);
  }
  return true;
}

bool Tokenizer::expressionTooDeep(size_t type) {
  auto reset = [&] { exprDepth_ = exprDepthAtOpen_.empty() ? 0 : exprDepthAtOpen_.back(); };
  switch (type) {
  case L::NEWLINE:
    exprDepth_ = 0;
    exprDepthAtOpen_.clear();
    return false;
  case L::LPAREN: case L::LBRACK: case L::LBRACE:
    exprDepthAtOpen_.push_back(++exprDepth_);
    break;
  case L::RPAREN: case L::RBRACK: case L::RBRACE:
    reset();
    if (!exprDepthAtOpen_.empty())
      exprDepthAtOpen_.pop_back();
    return false;
  case L::COMMA: case L::SEMI: case L::ASSIGN: case L::ARROW: case L::WALRUS:
  case L::ADD_ASSIGN: case L::SUB_ASSIGN: case L::MUL_ASSIGN: case L::AT_ASSIGN:
  case L::DIV_ASSIGN: case L::MOD_ASSIGN: case L::AND_ASSIGN: case L::OR_ASSIGN:
  case L::XOR_ASSIGN: case L::LSHIFT_ASSIGN: case L::RSHIFT_ASSIGN: case L::POWER_ASSIGN:
  case L::IDIV_ASSIGN:
    reset();
    return false;
  case L::DOT: case L::STAR: case L::POWER: case L::PIPE: case L::CARET: case L::AMP:
  case L::LSHIFT: case L::RSHIFT: case L::PLUS: case L::MINUS: case L::SLASH:
  case L::PERCENT: case L::FLOORDIV: case L::TILDE: case L::AT: case L::LT: case L::GT:
  case L::EQ: case L::GE: case L::LE: case L::NE: case L::AND: case L::OR: case L::NOT:
  case L::IN: case L::IS: case L::IF: case L::ELSE: case L::LAMBDA: case L::AWAIT:
  case L::YIELD:
    ++exprDepth_;
    break;
  default:
    return false;
  }
  return exprDepth_ > kMaxExpressionDepth;
}

void Tokenizer::handle(const RawToken &raw) {
  size_t type = raw.type;
  if (type == L::WS || type == L::LINE_JOIN)
    return;
  bool drop = false;
  std::string text;
  bool haveText = false;
  switch (type) {
  case L::NEWLINE:
    if (!onNewline(raw, text))
      return;
    drop = text.empty();
    haveText = true;
    break;
  case L::LPAREN: case L::LBRACK: case L::LBRACE:
    drop = !openBracket(raw, static_cast<char>(scanner_.at(raw.start)));
    break;
  case L::RPAREN: case L::RBRACK: case L::RBRACE:
    drop = !closeBracket(raw, static_cast<char>(scanner_.at(raw.start)));
    break;
  default:
    break;
  }
  std::vector<std::unique_ptr<antlr4::Token>> layout;
  layout.swap(pendingLayout_);
  if (!drop && expressionTooDeep(type)) {
    // Like the bracket limit: report, and end the input here.
    error(raw.line, raw.column, 1, "too many nested operators in an expression");
    suppressFrom(raw.line, raw.column);
    brackets_.clear();
    exprDepthAtOpen_.clear();
    scanner_.skipToEnd();
    drop = true;
  }
  if (!haveText)
    text = scanner_.text(raw.start, raw.stop);
  if (type == L::ERROR_CHAR) {
    size_t cp = scanner_.at(raw.start);
    std::string msg;
    if (cp == '\\') {
      msg = "unexpected character after line continuation character";
    } else if (cp >= 0x80) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
      msg = "invalid character '" + text + "' (" + buf + ")";
    } else {
      msg = "invalid syntax";
    }
    error(raw.line, raw.column, 1, msg);
    drop = true;
  } else if (type == L::UNTERMINATED_STRING) {
    error(raw.line, raw.column, 1,
          "unterminated string literal (detected at line " + std::to_string(raw.line) + ")");
    size_t q = text.find_first_of("'\"");
    text += text[q];
    type = L::STRING;
  } else if (raw.openLongString) {
    size_t q = text.find_first_of("'\"");
    size_t lastLine = scanner_.line() - (text.back() == '\n' ? 1 : 0);
    error(raw.line, raw.column, 3,
          "unterminated triple-quoted string literal (detected at line " +
              std::to_string(lastLine) + ")");
    suppressFrom(raw.line, raw.column);
    text += std::string(3, text[q]);
  }
  bool visible = type != L::COMMENT;
  if (!drop && !emittedAny_ && visible && raw.start > 0) {
    // An indented first line: INDENT before its first token, as Python's
    // tokenizer does (the parser reports "unexpected indent").
    bool lineEnd = false;
    size_t col = 0, alt = 0;
    for (size_t i = 0; i < raw.start && !lineEnd; ++i) {
      size_t c = scanner_.at(i);
      lineEnd = c == '\n';
      if (c == '\t') {
        col = (col / 8 + 1) * 8;
        ++alt;
      } else {
        ++col;
        ++alt;
      }
    }
    if (!lineEnd) {
      indents_.push_back(Indent{col, alt});
      pending_.push_back(layoutToken(L::INDENT, "<INDENT>", 1, raw.column));
      emittedAny_ = true;
    }
  }
  if (!drop) {
    if (visible) {
      emittedAny_ = true;
      lastWasNewline_ = type == L::NEWLINE;
    }
    pending_.push_back(makeToken(type, std::move(text), raw.line, raw.column, raw.start,
                                 raw.stop,
                                 visible ? antlr4::Token::DEFAULT_CHANNEL
                                         : antlr4::Token::HIDDEN_CHANNEL));
  }
  for (auto &l : layout) {
    lastWasNewline_ = false;
    emittedAny_ = true;
    pending_.push_back(std::move(l));
  }
}

void Tokenizer::finishAtEOF(const RawToken &eof) {
  for (auto &l : pendingLayout_)
    pending_.push_back(std::move(l));
  pendingLayout_.clear();
  size_t line = eof.line, col = eof.column;
  if (!brackets_.empty()) {
    const Bracket &b = brackets_.back();
    error(b.line, b.column, 1, std::string("'") + b.ch + "' was never closed");
    suppressFrom(b.line, b.column);
    brackets_.clear();
  }
  if (emittedAny_ && !lastWasNewline_)
    pending_.push_back(layoutToken(L::NEWLINE, "\n", line, col));
  while (indents_.size() > 1) {
    indents_.pop_back();
    pending_.push_back(layoutToken(L::DEDENT, "<DEDENT>", line, col));
  }
  lastWasNewline_ = true;
  pending_.push_back(makeToken(antlr4::Token::EOF, "<EOF>", line, col, eof.start, eof.stop));
  done_ = true;
}

std::unique_ptr<antlr4::Token> Tokenizer::nextToken() {
  while (pending_.empty()) {
    if (done_) {
      size_t at = scanner_.index();
      return makeToken(antlr4::Token::EOF, "<EOF>", scanner_.line(), scanner_.column(), at,
                       at - 1);
    }
    RawToken t = scanner_.next();
    if (t.type == antlr4::Token::EOF)
      finishAtEOF(t);
    else
      handle(t);
  }
  auto t = std::move(pending_.front());
  pending_.pop_front();
  return t;
}

} // namespace scopec::syntax
