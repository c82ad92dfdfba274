//===- JSONRenderer.cpp - check --format json and --format sarif ----------===//
#include "scopec/Driver/Render.h"

#include "scopec/Basic/DiagnosticDocs.h"

#include "scopec/Config.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

namespace scopec::driver {

using nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

std::string dumpJSON(const ordered_json &j) {
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace);
}

ordered_json noteJSON(const Note &n, const SourceManager &sm) {
  ordered_json j;
  j["file"] = n.range.isValid() ? sm.getName(n.range.file) : "";
  j["line"] = n.range.begin.line;
  j["column"] = n.range.begin.col;
  j["message"] = sanitizeUTF8(n.message);
  return j;
}

} // namespace

std::string renderJSON(const std::vector<const FileResult *> &results) {
  ordered_json doc;
  doc["version"] = 1;
  doc["tool"] = "scopec";
  ordered_json diags = ordered_json::array();
  unsigned errors = 0, warnings = 0;
  for (const FileResult *r : results) {
    for (const Diagnostic &d : r->diagnostics) {
      ordered_json j;
      j["file"] = r->displayName;
      j["line"] = d.range.begin.line;
      j["column"] = d.range.begin.col;
      j["end_line"] = d.range.end.line;
      j["end_column"] = d.range.end.col;
      j["severity"] = severityName(d.severity());
      j["code"] = d.code();
      j["rule"] = d.rule();
      j["message"] = sanitizeUTF8(d.message);
      ordered_json notes = ordered_json::array();
      for (const Note &n : d.notes)
        notes.push_back(noteJSON(n, *r->sm));
      j["notes"] = std::move(notes);
      diags.push_back(std::move(j));
      (d.severity() == Severity::Error ? errors : warnings)++;
    }
  }
  doc["diagnostics"] = std::move(diags);
  doc["summary"] = {{"files", results.size()}, {"errors", errors}, {"warnings", warnings}};
  return dumpJSON(doc);
}

//===--- SARIF 2.1.0 ------------------------------------------------------===//

std::string pathToURI(const std::string &path, bool *isRelative) {
  std::error_code ec;
  fs::path p(path);
  fs::path abs = fs::absolute(p, ec).lexically_normal();
  fs::path cwd = fs::current_path(ec);
  fs::path rel = abs.lexically_relative(cwd);
  bool relative = !rel.empty() && rel.native().rfind("..", 0) != 0;
  std::string s = relative ? rel.generic_string() : abs.generic_string();
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || std::string_view("-._~/").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  if (isRelative)
    *isRelative = relative;
  return relative ? out : "file://" + out;
}

namespace {

/// FNV-1a over the parts that identify a finding independently of where the
/// lines around it moved: code, message and the text of its source line.
std::string fingerprint(const Diagnostic &d, const SourceManager &sm, unsigned occurrence) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(d.code());
  mix(d.message);
  std::string_view line = d.range.isValid() ? sm.getLine(d.range.file, d.range.begin.line) : "";
  size_t a = line.find_first_not_of(" \t"), b = line.find_last_not_of(" \t");
  mix(a == std::string_view::npos ? std::string_view() : line.substr(a, b - a + 1));
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx:%u", static_cast<unsigned long long>(h), occurrence);
  return buf;
}

ordered_json physicalLocation(const SourceRange &r, const SourceManager &sm) {
  ordered_json loc;
  bool relative = false;
  std::string name = r.isValid() ? sm.getName(r.file) : "";
  std::string uri = name == "<stdin>" ? "stdin" : pathToURI(name, &relative);
  ordered_json artifact = {{"uri", uri}};
  if (relative || name == "<stdin>")
    artifact["uriBaseId"] = "%SRCROOT%";
  loc["artifactLocation"] = artifact;
  ordered_json region;
  region["startLine"] = std::max<uint32_t>(r.begin.line, 1);
  region["startColumn"] = std::max<uint32_t>(r.begin.col, 1);
  if (r.end.line >= r.begin.line && r.end.line) {
    region["endLine"] = r.end.line;
    region["endColumn"] = std::max<uint32_t>(r.end.col, 1);
  }
  loc["region"] = region;
  return loc;
}

const char *sarifLevel(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

} // namespace

std::string renderSARIF(const std::vector<const FileResult *> &results,
                        const std::string &helpURIBase) {
  // Rules in first-use order; ruleIndex refers into this array.
  std::vector<diag::ID> rules;
  std::map<diag::ID, size_t> ruleIndex;
  for (const FileResult *r : results)
    for (const Diagnostic &d : r->diagnostics)
      if (ruleIndex.emplace(d.id, rules.size()).second)
        rules.push_back(d.id);

  ordered_json rulesJSON = ordered_json::array();
  for (diag::ID id : rules) {
    const DiagInfo &info = getDiagInfo(id);
    ordered_json rule;
    rule["id"] = info.code;
    rule["name"] = info.rule;
    rule["shortDescription"] = {{"text", info.summary}};
    // The page of docs/diagnostics; every registered code has one (a unit
    // test checks), the fallbacks only keep a stale build well-formed.
    const char *page = findDiagnosticDoc(info.code);
    std::string full = page ? diagnosticDocExplanation(page) : std::string();
    rule["fullDescription"] = {{"text", full.empty() ? std::string(info.summary) : full}};
    if (page) {
      rule["help"] = {{"text", diagnosticDocPlainText(page)}, {"markdown", page}};
      rule["helpUri"] = helpURIBase + info.code + ".md";
    } else {
      rule["help"] = {{"text", info.summary}};
    }
    rule["defaultConfiguration"] = {{"level", sarifLevel(info.severity)}};
    rulesJSON.push_back(std::move(rule));
  }

  ordered_json resultsJSON = ordered_json::array();
  for (const FileResult *r : results) {
    std::map<std::string, unsigned> occurrences;
    for (const Diagnostic &d : r->diagnostics) {
      ordered_json res;
      res["ruleId"] = d.code();
      res["ruleIndex"] = ruleIndex[d.id];
      res["level"] = sarifLevel(d.severity());
      res["message"] = {{"text", sanitizeUTF8(d.message)}};
      res["locations"] = ordered_json::array({{{"physicalLocation", physicalLocation(d.range, *r->sm)}}});
      if (!d.notes.empty()) {
        ordered_json related = ordered_json::array();
        int id = 0;
        for (const Note &n : d.notes) {
          ordered_json rel;
          rel["id"] = id++;
          rel["physicalLocation"] = physicalLocation(n.range, *r->sm);
          rel["message"] = {{"text", sanitizeUTF8(n.message)}};
          related.push_back(std::move(rel));
        }
        res["relatedLocations"] = std::move(related);
      }
      std::string key = fingerprint(d, *r->sm, 0);
      unsigned occ = occurrences[key]++;
      res["partialFingerprints"] = {{"scopecFindingHash/v1", fingerprint(d, *r->sm, occ)}};
      resultsJSON.push_back(std::move(res));
    }
  }

  ordered_json run;
  run["tool"] = {{"driver",
                  {{"name", "scopec"},
                   {"version", SCOPEC_VERSION},
                   {"semanticVersion", SCOPEC_VERSION},
                   {"rules", std::move(rulesJSON)}}}};
  std::error_code ec;
  std::string root = fs::current_path(ec).generic_string();
  if (root.empty() || root.back() != '/')
    root += '/';
  run["originalUriBaseIds"] = {{"%SRCROOT%", {{"uri", "file://" + root}}}};
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = std::move(resultsJSON);

  ordered_json doc;
  doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  doc["version"] = "2.1.0";
  doc["runs"] = ordered_json::array({std::move(run)});
  return dumpJSON(doc);
}

} // namespace scopec::driver
