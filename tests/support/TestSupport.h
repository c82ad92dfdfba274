//===- TestSupport.h - Running the front end from tests ---------*- C++ -*-===//
#ifndef SCOPEC_TESTS_TESTSUPPORT_H
#define SCOPEC_TESTS_TESTSUPPORT_H

#include "scopec/Driver/Driver.h"

#include <string>
#include <vector>

namespace scopec::test {

/// Compiles `text` as a file called `name` and returns the result.
driver::FileResult compile(std::string_view text, const std::string &name = "test.scope",
                           driver::EmitStage stage = driver::EmitStage::None);

/// Parses `text` only (no evaluation): the syntax phase's diagnostics.
inline driver::FileResult parseOnly(std::string_view text, const std::string &name = "test.scope") {
  return compile(text, name, driver::EmitStage::AST);
}

/// The text rendering of every diagnostic of `r` (no colour, no summary).
std::string renderDiagnostics(const driver::FileResult &r);

/// The token dump of `text` (--emit-stage tokens).
std::string tokens(std::string_view text);

/// "CODE line:col message" for each diagnostic, one per line.
std::string briefDiagnostics(const driver::FileResult &r);

/// The files with extension `ext` directly in `dir`, sorted; empty when the
/// directory does not exist.
std::vector<std::string> listFiles(const std::string &dir, const std::string &ext);

std::string readFile(const std::string &path);

} // namespace scopec::test

#endif
