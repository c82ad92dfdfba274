//===- Verify.cpp - Matching diagnostics against source annotations -------===//
#include "scopec/Driver/Verify.h"

#include <regex>

namespace scopec::driver {
namespace {

const std::regex &annotationRegex() {
  static const std::regex re(R"(expected-(error|warning|note)(@([+-])(\d+))?\s*\{\{(.*?)\}\})");
  return re;
}
const std::regex &mentionRegex() {
  static const std::regex re(R"(expected-(error|warning|note))");
  return re;
}

/// Parses the annotations of one comment written on `line`.
void parseComment(const std::string &text, uint32_t line, uint32_t numLines,
                  const std::string &file, std::vector<Expectation> &out,
                  std::vector<std::string> &problems) {
  auto mentions = std::distance(std::sregex_iterator(text.begin(), text.end(), mentionRegex()),
                                std::sregex_iterator());
  long parsed = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), annotationRegex());
       it != std::sregex_iterator(); ++it, ++parsed) {
    const std::smatch &m = *it;
    Expectation e;
    std::string kind = m[1].str();
    e.severity = kind == "error" ? Severity::Error : kind == "warning" ? Severity::Warning
                                                                        : Severity::Note;
    e.writtenAt = line;
    long target = line;
    if (m[2].matched) {
      long off = std::stol(m[4].str());
      target += m[3].str() == "+" ? off : -off;
    }
    if (target < 1 || target > static_cast<long>(numLines)) {
      problems.push_back(file + ":" + std::to_string(line) +
                         ": verify: expectation refers to line " + std::to_string(target) +
                         ", outside the file");
      continue;
    }
    e.line = static_cast<uint32_t>(target);
    e.text = m[5].str();
    out.push_back(std::move(e));
  }
  if (parsed < mentions)
    problems.push_back(file + ":" + std::to_string(line) +
                       ": verify: malformed expectation (write expected-error {{text}})");
}

} // namespace

std::vector<Expectation> collectExpectations(const FileResult &r,
                                             std::vector<std::string> &problems) {
  std::vector<Expectation> out;
  uint32_t numLines = r.sm->getNumLines(r.file);
  if (r.module && !r.module->comments.empty()) {
    for (const ast::Comment &c : r.module->comments)
      parseComment(c.text, c.range.begin.line, numLines, r.displayName, out, problems);
    return out;
  }
  // The lexer did not run (undecodable input): take `#` to the line's end.
  for (uint32_t l = 1; l <= numLines; ++l) {
    std::string_view line = r.sm->getLine(r.file, l);
    size_t hash = line.find('#');
    if (hash != std::string_view::npos)
      parseComment(std::string(line.substr(hash)), l, numLines, r.displayName, out, problems);
  }
  return out;
}

std::vector<std::string> verifyFile(const FileResult &r) {
  std::vector<std::string> problems;
  std::vector<Expectation> expected = collectExpectations(r, problems);
  std::vector<bool> diagUsed(r.diagnostics.size(), false);
  std::vector<std::vector<bool>> noteUsed;
  for (const Diagnostic &d : r.diagnostics)
    noteUsed.emplace_back(d.notes.size(), false);

  auto loc = [&](uint32_t line) { return r.displayName + ":" + std::to_string(line); };
  for (const Expectation &e : expected) {
    bool met = false;
    for (size_t i = 0; i < r.diagnostics.size() && !met; ++i) {
      const Diagnostic &d = r.diagnostics[i];
      if (e.severity == Severity::Note) {
        for (size_t k = 0; k < d.notes.size(); ++k) {
          const Note &n = d.notes[k];
          if (!noteUsed[i][k] && n.range.begin.line == e.line &&
              n.message.find(e.text) != std::string::npos) {
            noteUsed[i][k] = true;
            met = true;
            break;
          }
        }
      } else if (!diagUsed[i] && d.severity() == e.severity && d.range.begin.line == e.line &&
                 d.message.find(e.text) != std::string::npos) {
        diagUsed[i] = true;
        met = true;
      }
    }
    if (!met)
      problems.push_back(loc(e.writtenAt) + ": verify: expected " + severityName(e.severity) +
                         " on line " + std::to_string(e.line) + " not seen: {{" + e.text + "}}");
  }
  for (size_t i = 0; i < r.diagnostics.size(); ++i) {
    const Diagnostic &d = r.diagnostics[i];
    if (diagUsed[i] || d.severity() == Severity::Note)
      continue;
    problems.push_back(r.displayName + ":" + std::to_string(d.range.begin.line) + ":" +
                       std::to_string(d.range.begin.col) + ": verify: unexpected " +
                       severityName(d.severity()) + ": " + sanitizeUTF8(d.message) + " [" +
                       d.code() + " " + d.rule() + "]");
  }
  return problems;
}

} // namespace scopec::driver
