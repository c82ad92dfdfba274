//===- Render.h - Diagnostic output formats ---------------------*- C++ -*-===//
#ifndef SCOPEC_DRIVER_RENDER_H
#define SCOPEC_DRIVER_RENDER_H

#include "scopec/Driver/Driver.h"

#include <string>
#include <vector>

namespace scopec::driver {

/// `file:line:col: error: message [CODE rule]`, the source line, a caret
/// under the range, then one line per note (cli.md "Text format").
void renderText(const Diagnostic &d, const SourceManager &sm, llvm::raw_ostream &os,
                bool color);

/// A GitHub Actions workflow command: `::error file=F,line=L,col=C,...::msg`.
std::string renderGitHub(const Diagnostic &d, const SourceManager &sm);

/// `N errors, M warnings in K files`.
std::string summaryLine(unsigned errors, unsigned warnings, unsigned files);

/// The `check --format json` document for all results.
std::string renderJSON(const std::vector<const FileResult *> &results);

/// The `check --format sarif` document (SARIF 2.1.0) for all results.
/// Rule metadata comes from docs/diagnostics/<CODE>.md; `helpURIBase` + "<CODE>.md" is
/// each rule's helpUri.
std::string renderSARIF(const std::vector<const FileResult *> &results,
                        const std::string &helpURIBase);

/// A URI for a path, relative to the current directory when below it.
std::string pathToURI(const std::string &path, bool *isRelative);

} // namespace scopec::driver

#endif
