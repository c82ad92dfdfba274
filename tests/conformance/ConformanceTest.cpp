//===- ConformanceTest.cpp - ../shared/conformance and examples/ ----------===//
//
// Every program of ../shared/conformance (listed at test time, so new files
// are picked up without changes) and of examples/ must pass
// `scopec check --verify`: every error and warning annotated, every
// annotation met. Without ../shared the conformance part skips with a
// message.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "scopec/Driver/Verify.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace scopec;

namespace {

std::string conformanceDir() { return std::string(SCOPEC_SHARED_DIR) + "/conformance"; }

std::vector<std::string> conformanceFiles() {
  return test::listFiles(conformanceDir(), ".scope");
}

std::vector<std::string> exampleFiles() {
  return driver::expandInputs({std::string(SCOPEC_SOURCE_DIR) + "/examples"});
}

void expectVerifies(const std::string &path) {
  driver::CheckOptions opts;
  driver::FileResult r = driver::compileFile(path, opts);
  ASSERT_EQ(r.inputError, "") << path;
  std::string problems;
  for (const std::string &p : driver::verifyFile(r))
    problems += p + "\n";
  EXPECT_EQ(problems, "") << "scopec check --verify " << path << "\n" << test::renderDiagnostics(r);
}

std::string identifier(std::string name) {
  for (char &c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return name;
}

std::string testName(const ::testing::TestParamInfo<std::string> &info) {
  return identifier(std::filesystem::path(info.param).stem().string());
}

/// Examples are named by their path under examples/ (projects have several
/// files named alike: text_cnn/classify, slim_vgg/classify).
std::string exampleName(const ::testing::TestParamInfo<std::string> &info) {
  std::filesystem::path rel = std::filesystem::path(info.param).lexically_relative(
      std::filesystem::path(SCOPEC_SOURCE_DIR) / "examples");
  return identifier(rel.replace_extension().string());
}

class Conformance : public ::testing::TestWithParam<std::string> {};
TEST_P(Conformance, Verifies) { expectVerifies(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Shared, Conformance, ::testing::ValuesIn(conformanceFiles()), testName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);

class Example : public ::testing::TestWithParam<std::string> {};
TEST_P(Example, Verifies) { expectVerifies(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Seeds, Example, ::testing::ValuesIn(exampleFiles()), exampleName);

} // namespace

TEST(ConformanceSuite, IsPresent) {
  if (conformanceFiles().empty())
    GTEST_SKIP() << "no conformance programs at " << conformanceDir()
                 << " (../shared is not part of a user's clone)";
  SUCCEED();
}

TEST(Examples, ArePresent) { ASSERT_FALSE(exampleFiles().empty()); }
