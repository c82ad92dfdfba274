//===- DiagnosticDocs.h - The pages of docs/diagnostics ---------*- C++ -*-===//
//
// docs/diagnostics/<CODE>.md is embedded at build time; `scopec explain` and
// the SARIF rule metadata (fullDescription, help, helpUri) read it here.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_BASIC_DIAGNOSTICDOCS_H
#define SCOPEC_BASIC_DIAGNOSTICDOCS_H

#include <string>
#include <string_view>
#include <vector>

namespace scopec {

struct DiagnosticDoc {
  const char *code;
  const char *markdown; ///< the whole page
};

/// Every page, sorted by code (generated).
const std::vector<DiagnosticDoc> &allDiagnosticDocs();

/// The page of `code`, or nullptr.
const char *findDiagnosticDoc(std::string_view code);

/// The page's explanation: the first paragraph after the summary line, with
/// Markdown code spans kept (empty if the page has none).
std::string diagnosticDocExplanation(std::string_view markdown);

/// The page as plain text: headings without '#', fences dropped.
std::string diagnosticDocPlainText(std::string_view markdown);

} // namespace scopec

#endif
