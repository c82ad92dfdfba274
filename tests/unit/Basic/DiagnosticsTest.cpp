//===- DiagnosticsTest.cpp - The registry and the engine ------------------===//
#include "scopec/Basic/DiagnosticDocs.h"
#include "scopec/Basic/Diagnostics.h"

#include <gtest/gtest.h>

#include <set>

using namespace scopec;

TEST(DiagnosticRegistry, CodesAreUniqueAndWellFormed) {
  std::set<std::string> codes;
  for (const DiagInfo &info : allDiagInfos()) {
    std::string code = info.code;
    EXPECT_TRUE(codes.insert(code).second) << "duplicate code " << code;
    ASSERT_EQ(code.size(), 4u) << code;
    char kind = code[0];
    Severity expected = kind == 'E' ? Severity::Error : kind == 'W' ? Severity::Warning
                                                                     : Severity::Note;
    EXPECT_EQ(info.severity, expected) << code;
    EXPECT_NE(std::string(info.summary), "") << code;
  }
  // Every code of language.md section 5.
  for (const char *code : {"E001", "E002", "E003", "E100", "E101", "E102", "E103", "E104",
                           "E105", "E106", "E107", "E108", "E109", "E110", "E111", "E112",
                           "E113", "E201", "E202", "E203", "E204", "E205", "E206", "E207",
                           "E208", "E211", "E214", "E216", "E217", "E218", "E220", "E301",
                           "E302", "E303", "E304", "E305", "E401", "E402", "W101", "W102",
                           "W103", "W104", "W105", "N001", "N002"})
    EXPECT_NE(findDiagByCode(code), nullptr) << code;
  EXPECT_EQ(findDiagByCode("E999"), nullptr);
}

// docs/diagnostics/<CODE>.md: one page per code, titled "# CODE rule", with
// the registry's severity and summary, an explanation, an example and a fix.
TEST(DiagnosticDocs, EveryCodeHasItsPage) {
  for (const DiagInfo &info : allDiagInfos()) {
    const char *page = findDiagnosticDoc(info.code);
    ASSERT_NE(page, nullptr) << "docs/diagnostics/" << info.code << ".md is missing";
    std::string text = page;
    std::string title = std::string("# ") + info.code + " " + info.rule + "\n";
    EXPECT_EQ(text.substr(0, title.size()), title) << info.code;
    EXPECT_NE(text.find(std::string("**Severity:** ") + severityName(info.severity)),
              std::string::npos)
        << info.code;
    EXPECT_NE(text.find(info.summary), std::string::npos) << info.code;
    EXPECT_NE(diagnosticDocExplanation(text), "") << info.code;
    EXPECT_NE(text.find("## Example"), std::string::npos) << info.code;
    if (info.severity != Severity::Note) { // notes are attached to a finding
      EXPECT_NE(text.find("## How to fix"), std::string::npos) << info.code;
    }
  }
  // No page for a code the registry does not know.
  for (const DiagnosticDoc &doc : allDiagnosticDocs())
    EXPECT_NE(findDiagByCode(doc.code), nullptr) << "stray page " << doc.code;
  EXPECT_EQ(findDiagnosticDoc("E999"), nullptr);
}

TEST(DiagnosticDocs, PlainTextAndExplanation) {
  std::string page = "# W1 rule\n\n**Severity:** warning\n\nSummary.\n\nThe `x`\nexplained.\n\n"
                     "## Example\n\n```python\nv = 1\n```\n";
  EXPECT_EQ(diagnosticDocExplanation(page), "The `x` explained.");
  EXPECT_EQ(diagnosticDocPlainText(page),
            "W1 rule\n\nSeverity: warning\n\nSummary.\n\nThe `x`\nexplained.\n\nExample\n\nv = 1\n");
}

TEST(DiagnosticsEngine, FormatsArgumentsAndCounts) {
  SourceManager sm;
  FileID f = sm.addBuffer("m.scope", "v = 1\n");
  DiagnosticsEngine diags(sm);
  SourceRange r{f, {1, 1}, {1, 2}};
  diags.report(r, diag::share_shape_mismatch) << "foo/v" << "(2,)" << "(1,)";
  diags.report(r, diag::variable_renamed) << "renamed";
  ASSERT_EQ(diags.diagnostics().size(), 2u);
  EXPECT_EQ(diags.diagnostics()[0].message,
            "Trying to share variable foo/v, but specified shape (2,) and found shape (1,).");
  EXPECT_EQ(diags.numErrors(), 1u);
  EXPECT_EQ(diags.numWarnings(), 1u);
}

TEST(DiagnosticsEngine, CallChainNotesInnermostFirstAtMostFive) {
  SourceManager sm;
  FileID f = sm.addBuffer("m.scope", std::string(10, '\n'));
  DiagnosticsEngine diags(sm);
  for (uint32_t line = 1; line <= 7; ++line)
    diags.pushCallFrame(SourceRange{f, {line, 1}, {line, 2}});
  diags.report(SourceRange{f, {9, 1}, {9, 2}}, diag::variable_exists)
          .note(SourceRange{f, {8, 1}, {8, 2}}, diag::note_originally_defined)
      << "v";
  const Diagnostic &d = diags.diagnostics().at(0);
  ASSERT_EQ(d.notes.size(), 6u);
  EXPECT_EQ(d.notes[0].message, "originally defined here");
  EXPECT_EQ(d.notes[1].message, "called from here");
  EXPECT_EQ(d.notes[1].range.begin.line, 7u);
  EXPECT_EQ(d.notes[5].range.begin.line, 3u);
  // Warnings do not get the call chain.
  diags.report(SourceRange{f, {9, 1}, {9, 2}}, diag::variable_renamed) << "w";
  EXPECT_TRUE(diags.diagnostics().at(1).notes.empty());
}
