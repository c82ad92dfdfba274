//===- Lint.cpp - Suppressions and warning selection ----------------------===//
#include "scopec/Driver/Lint.h"

#include <algorithm>
#include <regex>

namespace scopec::driver {

namespace {

struct Suppression {
  enum Kind { Line, NextLine, File } kind;
  uint32_t commentLine;
  SourceRange range;
  std::vector<std::string> codes;
  std::vector<bool> used;
  bool appliesTo(uint32_t line) const {
    return kind == File || (kind == Line && line == commentLine) ||
           (kind == NextLine && line == commentLine + 1);
  }
};

std::vector<std::string> splitCodes(const std::string &list) {
  std::vector<std::string> out;
  size_t p = 0;
  while (p <= list.size()) {
    size_t q = list.find(',', p);
    std::string c = list.substr(p, q == std::string::npos ? std::string::npos : q - p);
    size_t a = c.find_first_not_of(" \t"), b = c.find_last_not_of(" \t");
    if (a != std::string::npos)
      out.push_back(c.substr(a, b - a + 1));
    if (q == std::string::npos)
      break;
    p = q + 1;
  }
  return out;
}

Diagnostic w105(SourceRange r, std::string message) {
  Diagnostic d;
  d.id = diag::unused_suppression;
  d.range = r;
  d.message = std::move(message);
  return d;
}

} // namespace

void applySuppressions(FileResult &r) {
  if (!r.module)
    return;
  static const std::regex directive(R"(scopec:\s*(ignore-next-line|ignore-file|ignore)\b(\[([^\]]*)\])?)");
  std::vector<Suppression> sups;
  std::vector<Diagnostic> extra;
  for (const ast::Comment &c : r.module->comments) {
    for (auto it = std::sregex_iterator(c.text.begin(), c.text.end(), directive);
         it != std::sregex_iterator(); ++it) {
      const std::smatch &m = *it;
      Suppression s;
      std::string kind = m[1].str();
      s.kind = kind == "ignore-file" ? Suppression::File
               : kind == "ignore-next-line" ? Suppression::NextLine
                                            : Suppression::Line;
      s.commentLine = c.range.begin.line;
      s.range = c.range;
      if (!m[2].matched || splitCodes(m[3].str()).empty()) {
        extra.push_back(w105(c.range, "a suppression needs a code list, e.g. '# scopec: " + kind +
                                          "[W101]'"));
        continue;
      }
      for (const std::string &code : splitCodes(m[3].str())) {
        const DiagInfo *info = findDiagByCode(code);
        if (!info) {
          extra.push_back(w105(c.range, "unknown diagnostic code '" + code + "' in a suppression"));
          continue;
        }
        if (info->severity == Severity::Error) {
          extra.push_back(w105(c.range, "errors cannot be suppressed: " + code +
                                            " is an error TF would raise at run time"));
          continue;
        }
        s.codes.push_back(code);
      }
      s.used.assign(s.codes.size(), false);
      if (!s.codes.empty())
        sups.push_back(std::move(s));
    }
  }
  if (sups.empty() && extra.empty())
    return;
  std::vector<Diagnostic> kept;
  for (Diagnostic &d : r.diagnostics) {
    bool dropped = false;
    if (d.severity() == Severity::Warning) {
      for (Suppression &s : sups) {
        if (!s.appliesTo(d.range.begin.line))
          continue;
        for (size_t k = 0; k < s.codes.size(); ++k)
          if (s.codes[k] == d.code()) {
            s.used[k] = true;
            dropped = true;
          }
      }
    }
    if (!dropped)
      kept.push_back(std::move(d));
  }
  for (const Suppression &s : sups)
    for (size_t k = 0; k < s.codes.size(); ++k)
      if (!s.used[k] && s.codes[k] != "W105")
        extra.push_back(w105(s.range, "this suppression of " + s.codes[k] + " suppressed nothing"));
  // W105 itself can be suppressed with ignore-file[W105].
  for (Diagnostic &d : extra) {
    bool dropped = false;
    for (Suppression &s : sups)
      for (size_t k = 0; k < s.codes.size(); ++k)
        if (s.codes[k] == "W105" && s.appliesTo(d.range.begin.line)) {
          s.used[k] = true;
          dropped = true;
        }
    if (!dropped)
      kept.push_back(std::move(d));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Diagnostic &a, const Diagnostic &b) {
    return a.range.begin < b.range.begin;
  });
  r.diagnostics = std::move(kept);
}

bool WarningFilter::allows(const std::string &code) const {
  if (!select.empty() && !select.count(code))
    return false;
  return !ignore.count(code);
}

bool parseWarningCodes(const std::string &list, std::set<std::string> &out, std::string &error) {
  for (const std::string &code : splitCodes(list)) {
    const DiagInfo *info = findDiagByCode(code);
    if (!info || info->severity != Severity::Warning) {
      error = info ? code + " is an error; only warnings can be selected or ignored"
                   : "unknown warning code '" + code + "'";
      return false;
    }
    out.insert(code);
  }
  return true;
}

void filterWarnings(FileResult &r, const WarningFilter &f) {
  if (f.select.empty() && f.ignore.empty())
    return;
  std::vector<Diagnostic> kept;
  for (Diagnostic &d : r.diagnostics)
    if (d.severity() != Severity::Warning || f.allows(d.code()))
      kept.push_back(std::move(d));
  r.diagnostics = std::move(kept);
}

} // namespace scopec::driver
