//===- FuzzRegressionTest.cpp - Replays the fuzzers' reproducers ----------===//
//
// Every file in fuzz-regressions/<target>/ is an input a fuzz target once
// crashed on, hung on or reported; each is replayed through the same target
// body in the normal build (and under `make test-asan`).
//
//===----------------------------------------------------------------------===//
#include "FuzzTargets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> reproducers(const char *target) {
  std::vector<fs::path> files;
  fs::path dir = fs::path(SCOPEC_FUZZ_REGRESSIONS) / target;
  if (fs::is_directory(dir))
    for (const auto &e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().filename() != "README.md")
        files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const char *target, bool (*body)(std::string_view)) {
  std::vector<fs::path> files = reproducers(target);
  ASSERT_FALSE(files.empty()) << "no reproducers in fuzz-regressions/" << target;
  for (const fs::path &p : files) {
    SCOPED_TRACE(p.string());
    EXPECT_TRUE(body(slurp(p)));
  }
}

} // namespace

TEST(FuzzRegressions, Parser) { replay("parser", scopec::fuzz::parser); }
TEST(FuzzRegressions, Frontend) { replay("frontend", scopec::fuzz::frontend); }
TEST(FuzzRegressions, Npy) { replay("npy", scopec::fuzz::npy); }
