//===- StringLiteral.cpp - String and f-string literals -------------------===//
//
// STRING tokens keep their prefix and quotes; here they are decoded (escape
// sequences, raw strings), adjacent literals are concatenated, and f-strings
// are split into literal text and replacement fields. A field's expression is
// parsed by a nested ParserSession positioned at the field's place in the
// file, so its nodes carry real source ranges.
//
//===----------------------------------------------------------------------===//
#include "ASTBuilder.h"
#include "ParserSession.h"

#include <cctype>
#include <cstdio>

namespace scopec::syntax {

using namespace scopec::ast;

struct ASTBuilder::StringToken {
  antlr4::Token *token = nullptr;
  std::string text;   ///< the whole token
  size_t bodyStart = 0;
  size_t bodyEnd = 0; ///< body is text[bodyStart, bodyEnd)
  bool raw = false, isF = false, isBytes = false;
  std::string body() const { return text.substr(bodyStart, bodyEnd - bodyStart); }
};

namespace {

} // namespace

SourceLoc ASTBuilder::locInToken(const StringToken &tok, size_t offset) const {
  SourceLoc loc{static_cast<uint32_t>(tok.token->getLine()),
                static_cast<uint32_t>(tok.token->getCharPositionInLine() + 1)};
  for (size_t i = 0; i < offset && i < tok.text.size();) {
    if (tok.text[i] == '\n') {
      ++loc.line;
      loc.col = 1;
      ++i;
      continue;
    }
    size_t n = validUTF8SequenceLength(tok.text, i);
    i += n ? n : 1;
    ++loc.col;
  }
  return loc;
}

std::string ASTBuilder::decodeEscapes(const std::string &body, SourceRange r, bool isBytes) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    char e = body[++i];
    switch (e) {
    case '\n': break; // line continuation inside the literal
    case '\\': out += '\\'; break;
    case '\'': out += '\''; break;
    case '"': out += '"'; break;
    case 'a': out += '\a'; break;
    case 'b': out += '\b'; break;
    case 'f': out += '\f'; break;
    case 'n': out += '\n'; break;
    case 'r': out += '\r'; break;
    case 't': out += '\t'; break;
    case 'v': out += '\v'; break;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      uint32_t v = 0;
      size_t n = 0;
      while (n < 3 && i < body.size() && body[i] >= '0' && body[i] <= '7') {
        v = v * 8 + (body[i] - '0');
        ++i;
        ++n;
      }
      --i;
      appendUTF8(out, v);
      break;
    }
    case 'x':
    case 'u':
    case 'U': {
      if (isBytes && e != 'x') {
        out += '\\';
        out += e;
        break;
      }
      size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      uint32_t v = 0;
      size_t n = 0;
      while (n < digits && i + 1 < body.size() && std::isxdigit(static_cast<unsigned char>(body[i + 1]))) {
        char h = body[++i];
        v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
        ++n;
      }
      if (n != digits) {
        const char *codec = isBytes ? "(value error) invalid \\x escape"
                                    : nullptr;
        std::string msg = codec ? std::string(codec)
                                : std::string("(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\") +
                                      e + std::string(digits, 'X') + " escape";
        syntaxError(r, msg);
        return out;
      }
      if (v > 0x10FFFF) {
        syntaxError(r, "(unicode error) 'unicodeescape' codec can't decode bytes: illegal Unicode character");
        return out;
      }
      appendUTF8(out, v);
      break;
    }
    case 'N':
      unsupported(r, "\\N{...} escapes are");
      return out;
    default:
      // Python keeps unknown escapes as they are (with a DeprecationWarning).
      out += '\\';
      out += e;
    }
  }
  return out;
}

/// Parses the replacement field that starts after the '{' at tok.text[i]
/// and leaves i after its closing '}'. Returns null after a diagnostic.
Expr *ASTBuilder::fstringField(const StringToken &tok, size_t &i, SourceRange whole,
                               FStringPart &part) {
  const std::string &t = tok.text;
  size_t start = i;
  int depth = 0;
  char quote = 0;
  size_t end = std::string::npos; // end of the expression text
  bool selfDoc = false;
  for (; i < tok.bodyEnd; ++i) {
    char c = t[i];
    if (quote) {
      if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || (c == '}' && depth > 0)) {
      --depth;
    } else if (depth == 0 && (c == '}' || c == ':' ||
                              (c == '!' && i + 1 < tok.bodyEnd && t[i + 1] != '='))) {
      end = i;
      break;
    } else if (c == '\\') {
      syntaxError(whole, "f-string expression part cannot include a backslash");
      return nullptr;
    } else if (c == '#') {
      syntaxError(whole, "f-string expression part cannot include '#'");
      return nullptr;
    }
  }
  if (end == std::string::npos) {
    syntaxError(whole, "f-string: expecting '}'");
    return nullptr;
  }
  std::string exprText = t.substr(start, end - start);
  // `{x=}`: the text (with its spaces) and '=' are printed before the value.
  size_t lastNonSpace = exprText.find_last_not_of(" \t\n");
  if (lastNonSpace != std::string::npos && exprText[lastNonSpace] == '=' && lastNonSpace > 0 &&
      std::string("=!<>").find(exprText[lastNonSpace - 1]) == std::string::npos) {
    selfDoc = true;
    part.literal = exprText;
    exprText = exprText.substr(0, lastNonSpace);
  }
  if (exprText.find_first_not_of(" \t\n") == std::string::npos) {
    syntaxError(whole, "f-string: empty expression not allowed");
    return nullptr;
  }
  // Parse `(expr)` at the field's position: the '(' stands one column left.
  SourceLoc loc = locInToken(tok, start);
  size_t col0 = loc.col >= 2 ? loc.col - 2 : 0;
  std::string wrapped = "(" + exprText + ")";
  ParserSession sub(wrapped, file_, loc.line, col0, diags_, "f-string: ");
  sub.tokens().fill();
  unsigned before = sub.errorCount();
  auto *ctx = sub.parseTwoStage(&ScopeParser::test);
  Expr *value = nullptr;
  if (sub.errorCount() == before && ctx) {
    size_t next = sub.tokens().LT(1)->getType();
    if (next != ScopeLexer::NEWLINE && next != antlr4::Token::EOF) {
      sub.report(diag::syntax_error, sub.tokens().LT(1)->getLine(),
                 sub.tokens().LT(1)->getCharPositionInLine(), 1, "invalid syntax");
      return nullptr;
    }
    value = test(ctx);
  }
  if (!value)
    return nullptr;
  i = end;
  if (t[i] == '!') {
    char conv = i + 1 < tok.bodyEnd ? t[i + 1] : 0;
    if (conv != 'r' && conv != 's' && conv != 'a') {
      syntaxError(whole, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
      return nullptr;
    }
    part.conversion = conv;
    i += 2;
  } else if (selfDoc) {
    part.conversion = 'r';
  }
  if (i < tok.bodyEnd && t[i] == ':') {
    ++i;
    if (selfDoc && !part.conversion)
      part.conversion = 0;
    part.formatSpec = fstring(tok, i, /*nested=*/true, whole);
    if (!part.formatSpec)
      return nullptr;
    if (selfDoc && part.conversion == 'r' && t[end] != '!')
      part.conversion = 0; // `{x=:.2f}` formats, not repr()s
  }
  if (i >= tok.bodyEnd || t[i] != '}') {
    syntaxError(whole, "f-string: expecting '}'");
    return nullptr;
  }
  ++i;
  part.range = SourceRange{file_, locInToken(tok, start - 1), locInToken(tok, i)};
  return value;
}

/// Splits tok.text from i into parts; a nested call (a format spec) stops at
/// the '}' that closes its field.
FString *ASTBuilder::fstring(const StringToken &tok, size_t &i, bool nested, SourceRange whole) {
  const std::string &t = tok.text;
  std::vector<FStringPart> parts;
  std::string lit;
  auto flush = [&] {
    if (lit.empty())
      return;
    FStringPart p;
    p.literal = tok.raw ? lit : decodeEscapes(lit, whole, false);
    parts.push_back(std::move(p));
    lit.clear();
  };
  size_t begin = i;
  while (i < tok.bodyEnd) {
    char c = t[i];
    if (c == '{') {
      if (!nested && i + 1 < tok.bodyEnd && t[i + 1] == '{') {
        lit += '{';
        i += 2;
        continue;
      }
      flush();
      ++i;
      FStringPart part;
      Expr *value = fstringField(tok, i, whole, part);
      if (!value)
        return nullptr;
      if (!part.literal.empty()) { // the text of a `{x=}` field
        FStringPart text;
        text.literal = part.literal;
        parts.push_back(std::move(text));
        part.literal.clear();
      }
      part.value = value;
      parts.push_back(std::move(part));
      continue;
    }
    if (c == '}') {
      if (nested)
        break;
      if (i + 1 < tok.bodyEnd && t[i + 1] == '}') {
        lit += '}';
        i += 2;
        continue;
      }
      syntaxError(whole, "f-string: single '}' is not allowed");
      return nullptr;
    }
    if (c == '\\' && !tok.raw && i + 1 < tok.bodyEnd) {
      lit += c;
      lit += t[i + 1];
      i += 2;
      continue;
    }
    lit += c;
    ++i;
  }
  flush();
  SourceRange r{file_, locInToken(tok, begin), locInToken(tok, i)};
  return m_.create<FString>(r, std::move(parts));
}

/// atom : STRING+  (adjacent literals are concatenated)
Expr *ASTBuilder::strings(P::AtomContext *c) {
  SourceRange whole = range(c);
  std::vector<FStringPart> parts;
  bool anyF = false, anyBytes = false, anyStr = false;
  for (auto *node : c->STRING()) {
    StringToken tok;
    tok.token = node->getSymbol();
    tok.text = tok.token->getText();
    size_t q = tok.text.find_first_of("'\"");
    for (size_t k = 0; k < q; ++k) {
      char p = static_cast<char>(tok.text[k] | 0x20);
      tok.raw |= p == 'r';
      tok.isF |= p == 'f';
      tok.isBytes |= p == 'b';
    }
    bool triple = tok.text.size() >= q + 6 && tok.text[q + 1] == tok.text[q] &&
                  tok.text[q + 2] == tok.text[q];
    size_t ql = triple ? 3 : 1;
    tok.bodyStart = q + ql;
    tok.bodyEnd = tok.text.size() - ql;
    SourceRange r = tokenRange(tok.token);
    anyF |= tok.isF;
    (tok.isBytes ? anyBytes : anyStr) = true;
    if (tok.isBytes) {
      unsupported(r, "bytes literals are");
      return error(whole);
    }
    if (tok.isF) {
      size_t i = tok.bodyStart;
      FString *f = fstring(tok, i, /*nested=*/false, r);
      if (!f)
        return error(whole);
      for (FStringPart &p : f->parts)
        parts.push_back(std::move(p));
    } else {
      FStringPart p;
      p.literal = tok.raw ? tok.body() : decodeEscapes(tok.body(), r, false);
      parts.push_back(std::move(p));
    }
  }
  if (anyBytes && anyStr) {
    syntaxError(whole, "cannot mix bytes and nonbytes literals");
    return error(whole);
  }
  if (!anyF) {
    std::string value;
    for (FStringPart &p : parts)
      value += p.literal;
    return m_.create<StrLit>(whole, std::move(value));
  }
  // Merge adjacent literal parts.
  std::vector<FStringPart> merged;
  for (FStringPart &p : parts) {
    if (!p.value && !merged.empty() && !merged.back().value)
      merged.back().literal += p.literal;
    else
      merged.push_back(std::move(p));
  }
  return m_.create<FString>(whole, std::move(merged));
}

} // namespace scopec::syntax
