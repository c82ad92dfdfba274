//===- ConformanceTest.cpp - ../shared/conformance and examples/ ----------===//
//
// Every program of ../shared/conformance (found at test time, so new files
// are picked up without changes) and of examples/ must parse without a
// syntax error. Without ../shared the conformance part skips with a message.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include <gtest/gtest.h>

using namespace scopec;

namespace {

void expectParses(const std::string &path) {
  auto r = test::compile(test::readFile(path), path);
  std::string syntax;
  for (const Diagnostic &d : r.diagnostics)
    if (d.id == diag::syntax_error || d.id == diag::indentation_error ||
        d.id == diag::unsupported_syntax)
      syntax += test::renderDiagnostics(r);
  EXPECT_EQ(syntax, "") << path;
}

} // namespace

TEST(Conformance, EveryProgramParses) {
  std::string dir = std::string(SCOPEC_SHARED_DIR) + "/conformance";
  auto files = test::listFiles(dir, ".scope");
  if (files.empty())
    GTEST_SKIP() << "no conformance programs at " << dir
                 << " (../shared is not part of a user's clone)";
  for (const std::string &f : files)
    expectParses(f);
}

TEST(Examples, EveryExampleParses) {
  auto files = driver::expandInputs({std::string(SCOPEC_SOURCE_DIR) + "/examples"});
  ASSERT_FALSE(files.empty());
  for (const std::string &f : files)
    expectParses(f);
}
