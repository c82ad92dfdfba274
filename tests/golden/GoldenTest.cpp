//===- GoldenTest.cpp - Golden files hosted in GoogleTest -----------------===//
//
// Every tests/golden/<phase>/*.scope file carries its expected output as
// comments at its end:
//   ast/     `# CHECK: ` lines hold the --emit-stage ast dump
//   syntax/  `# CHECK-TEXT: ` lines hold the text diagnostics and
//            `# CHECK-JSON: ` lines the --format json document
//   eval/    `# CHECK-TEXT: ` lines hold what the program printed and the
//            text diagnostics of the whole front end
//   graph/   `# CHECK-GRAPH: ` the `scopec graph` text dump, `# CHECK-DOT: ` the
//            DOT output; `# GOLDEN-INPUT: examples/...` names the program
// Run `scopec_golden_tests --autoupdate` to rewrite the expectations from the
// current output (then review the diff).
//
// The coverage test fails when a diagnostic that the compiler can emit (a
// `diag::` use under compiler/lib) has no golden file producing it.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "scopec/Driver/Render.h"
#include "scopec/Eval/Interpreter.h"
#include "scopec/Graph/GraphDump.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace scopec;
namespace fs = std::filesystem;

namespace {

bool gAutoUpdate = false;
std::set<std::string> gCodesSeen;

const std::vector<std::string> kPhases = {"ast", "syntax", "eval", "graph"};

struct Golden {
  std::string phase;
  std::string path;
  friend void PrintTo(const Golden &g, std::ostream *os) { *os << g.path; }
};

std::vector<Golden> allGoldens() {
  std::vector<Golden> out;
  for (const std::string &phase : kPhases)
    for (const std::string &p :
         test::listFiles(std::string(SCOPEC_SOURCE_DIR) + "/tests/golden/" + phase, ".scope"))
      out.push_back({phase, p});
  return out;
}

/// `# GOLDEN-INPUT: path` takes the program from a file of the repository
/// (an example), so that the golden holds only its expectations.
std::string goldenInput(const std::string &file, std::string &name) {
  const std::string marker = "# GOLDEN-INPUT: ";
  size_t p = file.find(marker);
  if (p == std::string::npos)
    return file;
  size_t e = file.find('\n', p);
  std::string rel = file.substr(p + marker.size(), e - p - marker.size());
  name = rel;
  return test::readFile(std::string(SCOPEC_SOURCE_DIR) + "/" + rel);
}

/// The program with its `# CHECK...` lines emptied (line numbers kept): an
/// expectation quoting a source line with a `# scopec: ignore[...]` comment
/// must not itself act as a suppression.
std::string blankCheckLines(const std::string &text) {
  std::string out;
  for (size_t p = 0; p < text.size();) {
    size_t e = text.find('\n', p);
    std::string_view line(text.data() + p, (e == std::string::npos ? text.size() : e) - p);
    if (!line.starts_with("# CHECK"))
      out += line;
    if (e == std::string::npos)
      break;
    out += '\n';
    p = e + 1;
  }
  return out;
}

/// The sections a phase produces: CHECK prefix -> actual output.
std::vector<std::pair<std::string, std::string>> produce(const Golden &g) {
  std::string name = fs::path(g.path).filename().string();
  std::string text = goldenInput(test::readFile(g.path), name);
  if (g.phase == "graph") {
    auto r = test::compile(text, name);
    for (const Diagnostic &d : r.diagnostics)
      gCodesSeen.insert(d.code());
    std::string dump, dot;
    if (r.interp) {
      dump = graph::dumpText(r.interp->graph(), {});
      dot = graph::dumpDot(r.interp->graph(), {});
    }
    return {{"CHECK-GRAPH", test::renderDiagnostics(r) + dump}, {"CHECK-DOT", dot}};
  }
  if (g.phase == "ast") {
    auto r = test::compile(text, name, driver::EmitStage::AST);
    for (const Diagnostic &d : r.diagnostics)
      gCodesSeen.insert(d.code());
    return {{"CHECK", r.dump + test::renderDiagnostics(r)}};
  }
  if (g.phase == "eval")
    text = blankCheckLines(text);
  auto r = test::compile(text, name);
  for (const Diagnostic &d : r.diagnostics) {
    gCodesSeen.insert(d.code());
    for (const Note &n : d.notes)
      gCodesSeen.insert(getDiagInfo(n.id).code);
  }
  if (g.phase == "eval")
    return {{"CHECK-TEXT", r.printed + test::renderDiagnostics(r)}};
  return {{"CHECK-TEXT", test::renderDiagnostics(r)},
          {"CHECK-JSON", driver::renderJSON({&r}) + "\n"}};
}

std::vector<std::string> splitLines(const std::string &s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

/// The expected text of one section, from its `# PREFIX: ` lines.
std::string expected(const std::string &file, const std::string &prefix) {
  std::string out, marker = "# " + prefix + ":";
  for (const std::string &line : splitLines(file)) {
    if (line.rfind(marker, 0) != 0)
      continue;
    std::string rest = line.substr(marker.size());
    if (!rest.empty() && rest[0] == ' ')
      rest.erase(0, 1);
    out += rest + "\n";
  }
  return out;
}

void update(const Golden &g, const std::vector<std::pair<std::string, std::string>> &sections) {
  std::string file = test::readFile(g.path);
  std::vector<std::string> kept;
  for (const std::string &line : splitLines(file))
    if (line.rfind("# CHECK", 0) != 0)
      kept.push_back(line);
  while (!kept.empty() && kept.back().empty())
    kept.pop_back();
  std::ofstream out(g.path, std::ios::binary | std::ios::trunc);
  for (const std::string &line : kept)
    out << line << '\n';
  out << '\n';
  for (const auto &[prefix, text] : sections)
    for (const std::string &line : splitLines(text))
      out << "# " << prefix << ':' << (line.empty() ? "" : " ") << line << '\n';
}

class GoldenTest : public ::testing::TestWithParam<Golden> {};

TEST_P(GoldenTest, MatchesExpectations) {
  const Golden &g = GetParam();
  auto sections = produce(g);
  if (gAutoUpdate) {
    update(g, sections);
    return;
  }
  std::string file = test::readFile(g.path);
  for (const auto &[prefix, actual] : sections) {
    // Lines are compared after the same normalisation the update applies.
    std::string want = expected(file, prefix);
    std::string got;
    for (const std::string &line : splitLines(actual))
      got += line + "\n";
    EXPECT_EQ(got, want) << "in " << g.path << " (" << prefix
                         << "); run scopec_golden_tests --autoupdate to accept";
  }
}

std::string goldenName(const ::testing::TestParamInfo<Golden> &info) {
  std::string stem = fs::path(info.param.path).stem().string();
  std::string name = info.param.phase + "_" + stem;
  for (char &c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)))
      c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(allGoldens()), goldenName);

/// Maps each diag::ID spelling to its code.
std::map<std::string, std::string> idToCode() {
  std::map<std::string, std::string> m;
#define DIAG(ID, SEV, CODE, RULE, FMT, SUMMARY) m[#ID] = CODE;
#include "scopec/Basic/Diagnostics.def"
  return m;
}

TEST(DiagnosticCoverage, EveryEmittedCodeHasAGolden) {
  for (const Golden &g : allGoldens())
    produce(g);
  auto codes = idToCode();
  std::set<std::string> emitted;
  std::regex use(R"(diag::([a-z_]+))");
  std::string lib = std::string(SCOPEC_SOURCE_DIR) + "/compiler/lib";
  for (const auto &e : fs::recursive_directory_iterator(lib)) {
    // The engine itself (Basic) attaches call-chain notes; it emits nothing.
    if (!e.is_regular_file() || e.path().string().find("/lib/Basic/") != std::string::npos)
      continue;
    std::string text = test::readFile(e.path().string());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), use);
         it != std::sregex_iterator(); ++it)
      if (codes.count((*it)[1].str()))
        emitted.insert(codes[(*it)[1].str()]);
  }
  ASSERT_FALSE(emitted.empty());
  for (const std::string &code : emitted)
    EXPECT_TRUE(gCodesSeen.count(code))
        << code << " can be emitted but no golden test under tests/golden produces it";
}

} // namespace

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--autoupdate")
      gAutoUpdate = true;
  return RUN_ALL_TESTS();
}
