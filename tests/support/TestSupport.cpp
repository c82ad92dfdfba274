//===- TestSupport.cpp ----------------------------------------------------===//
#include "TestSupport.h"

#include "scopec/Driver/Render.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace scopec::test {

driver::FileResult compile(std::string_view text, const std::string &name,
                           driver::EmitStage stage) {
  driver::CheckOptions opts;
  opts.emitStage = stage;
  // On the large stack, like the tool: deep (but bounded) recursion must not
  // depend on the test runner's stack (ASan's frames are larger).
  driver::FileResult r;
  driver::runOnLargeStack([&] { r = driver::compileSource(name, name, text, opts); });
  return r;
}

std::string renderDiagnostics(const driver::FileResult &r) {
  std::string out;
  llvm::raw_string_ostream os(out);
  for (const Diagnostic &d : r.diagnostics)
    driver::renderText(d, *r.sm, os, /*color=*/false);
  os.flush();
  return out;
}

std::string tokens(std::string_view text) {
  return compile(text, "test.scope", driver::EmitStage::Tokens).dump;
}

std::string briefDiagnostics(const driver::FileResult &r) {
  std::string out;
  for (const Diagnostic &d : r.diagnostics)
    out += std::string(d.code()) + " " + std::to_string(d.range.begin.line) + ":" +
           std::to_string(d.range.begin.col) + " " + d.message + "\n";
  return out;
}

std::vector<std::string> listFiles(const std::string &dir, const std::string &ext) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return out;
  for (const auto &e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ext)
      out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace scopec::test
