//===- DiagnosticDocs.cpp - Lookup and plain-text views of the pages ------===//
#include "scopec/Basic/DiagnosticDocs.h"

#include <algorithm>

namespace scopec {

const char *findDiagnosticDoc(std::string_view code) {
  const auto &docs = allDiagnosticDocs();
  auto it = std::lower_bound(docs.begin(), docs.end(), code,
                             [](const DiagnosticDoc &d, std::string_view c) { return d.code < c; });
  return it != docs.end() && it->code == code ? it->markdown : nullptr;
}

namespace {
std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return lines;
}

bool isBlank(std::string_view l) { return l.find_first_not_of(" \t\r") == std::string_view::npos; }
} // namespace

std::string diagnosticDocExplanation(std::string_view markdown) {
  // Paragraphs of the introduction (before the first "## "): the first is
  // "**Severity:** ...", the second the summary; the third explains.
  std::vector<std::string> paragraphs;
  std::string current;
  for (std::string_view l : splitLines(markdown)) {
    if (l.starts_with("## "))
      break;
    if (l.starts_with("# "))
      continue;
    if (isBlank(l)) {
      if (!current.empty())
        paragraphs.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (!current.empty())
      current += ' ';
    current += l;
  }
  if (!current.empty())
    paragraphs.push_back(std::move(current));
  return paragraphs.size() >= 3 ? paragraphs[2] : std::string();
}

std::string diagnosticDocPlainText(std::string_view markdown) {
  std::string out;
  for (std::string_view l : splitLines(markdown)) {
    if (l.starts_with("```"))
      continue;
    while (l.starts_with("#"))
      l.remove_prefix(1);
    if (l.starts_with(" "))
      l.remove_prefix(1);
    for (size_t i = 0; i < l.size(); ++i) {
      if (l.compare(i, 2, "**") == 0) {
        ++i;
        continue;
      }
      out += l[i];
    }
    out += '\n';
  }
  return out;
}

} // namespace scopec
