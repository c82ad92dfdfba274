//===- TextRenderer.cpp - Diagnostics as text with carets -----------------===//
#include "scopec/Driver/Render.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

namespace scopec::driver {
namespace {

/// Lines longer than this are shown as a window around the column.
constexpr size_t kMaxShownCodePoints = 160;

/// The code points of `line` in [first, last) as UTF-8 (sanitised), and the
/// caret line that underlines [begin, end) of it.
struct Snippet {
  std::string text;
  std::string caret;
};

Snippet makeSnippet(std::string_view line, size_t begin, size_t end) {
  // begin/end are 0-based code point indices into the line; end exclusive.
  size_t total = countCodePoints(line);
  size_t first = 0, last = total;
  if (total > kMaxShownCodePoints) {
    first = begin > kMaxShownCodePoints / 2 ? begin - kMaxShownCodePoints / 2 : 0;
    last = std::min(total, first + kMaxShownCodePoints);
  }
  Snippet s;
  if (first > 0) {
    s.text = "...";
    s.caret = "   ";
  }
  size_t cp = 0;
  for (size_t i = 0; i < line.size() && cp < last; ++cp) {
    size_t n = validUTF8SequenceLength(line, i);
    std::string_view ch = n ? line.substr(i, n) : std::string_view("\xEF\xBF\xBD");
    i += n ? n : 1;
    if (cp < first)
      continue;
    s.text.append(ch);
    if (cp < begin)
      s.caret += ch == "\t" ? '\t' : ' ';
    else if (cp == begin)
      s.caret += '^';
    else if (cp < end)
      s.caret += '~';
  }
  if (begin >= last && begin - last < 2)
    s.caret += '^'; // a range at the end of the line (e.g. a missing token)
  if (last < total)
    s.text += "...";
  return s;
}

void locationPrefix(llvm::raw_ostream &os, const SourceManager &sm, const SourceRange &r,
                    bool color) {
  if (color)
    os.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  if (r.isValid())
    os << sm.getName(r.file) << ':' << r.begin.line << ':' << r.begin.col << ": ";
  if (color)
    os.resetColor();
}

void severityLabel(llvm::raw_ostream &os, Severity s, bool color) {
  if (color)
    os.changeColor(s == Severity::Error     ? llvm::raw_ostream::RED
                   : s == Severity::Warning ? llvm::raw_ostream::MAGENTA
                                            : llvm::raw_ostream::CYAN,
                   true);
  os << severityName(s) << ':';
  if (color)
    os.resetColor();
  os << ' ';
}

} // namespace

void renderText(const Diagnostic &d, const SourceManager &sm, llvm::raw_ostream &os,
                bool color) {
  locationPrefix(os, sm, d.range, color);
  severityLabel(os, d.severity(), color);
  if (color)
    os.changeColor(llvm::raw_ostream::SAVEDCOLOR, true);
  os << sanitizeUTF8(d.message) << " [" << d.code() << ' ' << d.rule() << ']';
  if (color)
    os.resetColor();
  os << '\n';
  if (d.range.isValid()) {
    std::string_view line = sm.getLine(d.range.file, d.range.begin.line);
    size_t begin = d.range.begin.col - 1;
    size_t end = d.range.end.line == d.range.begin.line ? d.range.end.col - 1
                                                        : countCodePoints(line);
    if (end <= begin)
      end = begin + 1;
    Snippet s = makeSnippet(line, begin, end);
    std::string num = std::to_string(d.range.begin.line);
    os << std::string(num.size() < 5 ? 5 - num.size() : 0, ' ') << num << " | " << s.text
       << '\n';
    os << std::string(std::max<size_t>(num.size(), 5), ' ') << " | ";
    if (color)
      os.changeColor(llvm::raw_ostream::GREEN, true);
    os << s.caret;
    if (color)
      os.resetColor();
    os << '\n';
  }
  for (const Note &n : d.notes) {
    locationPrefix(os, sm, n.range, color);
    severityLabel(os, Severity::Note, color);
    os << sanitizeUTF8(n.message) << '\n';
  }
}

std::string renderGitHub(const Diagnostic &d, const SourceManager &sm) {
  // Workflow-command escaping: data escapes %, CR, LF; properties also : and ,.
  auto escape = [](const std::string &s, bool property) {
    std::string out;
    for (char c : s) {
      switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
      }
    }
    return out;
  };
  std::string kind = d.severity() == Severity::Error ? "error" : "warning";
  std::string out = "::" + kind + " ";
  if (d.range.isValid()) {
    out += "file=" + escape(sm.getName(d.range.file), true) + ",line=" + std::to_string(d.range.begin.line) +
           ",col=" + std::to_string(d.range.begin.col);
    if (d.range.end.line)
      out += ",endLine=" + std::to_string(d.range.end.line) + ",endColumn=" + std::to_string(d.range.end.col);
    out += ",";
  }
  out += "title=" + escape(std::string(d.code()) + " " + d.rule(), true) + "::" + escape(sanitizeUTF8(d.message), false);
  for (const Note &n : d.notes)
    if (n.range.isValid())
      out += escape("\n" + sm.getName(n.range.file) + ":" + std::to_string(n.range.begin.line) + ":" +
                        std::to_string(n.range.begin.col) + ": note: " + n.message,
                    false);
  return out;
}

std::string summaryLine(unsigned errors, unsigned warnings, unsigned files) {
  auto plural = [](unsigned n, const char *word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  return plural(errors, "error") + ", " + plural(warnings, "warning") + " in " +
         plural(files, "file");
}

} // namespace scopec::driver
