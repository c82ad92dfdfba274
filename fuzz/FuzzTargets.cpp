//===- FuzzTargets.cpp - What each fuzz target does -----------------------===//
#include "FuzzTargets.h"

#include "scopec/Basic/Diagnostics.h"
#include "scopec/Basic/SourceManager.h"
#include "scopec/Driver/Driver.h"
#include "scopec/Driver/Render.h"
#include "scopec/Runtime/Npy.h"
#include "scopec/Syntax/Parser.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace scopec::fuzz {

bool parser(std::string_view text) {
  driver::runOnLargeStack([&] {
    SourceManager sm;
    FileID file = sm.addBuffer("fuzz.scope", text);
    DiagnosticsEngine diags(sm);
    auto module = syntax::parse(file, sm, diags);
    (void)module;
    std::string tokens;
    llvm::raw_string_ostream os(tokens);
    DiagnosticsEngine lexDiags(sm);
    syntax::dumpTokens(file, sm, lexDiags, os);
  });
  return true;
}

bool frontend(std::string_view text) {
  bool ok = true;
  driver::runOnLargeStack([&] {
    driver::CheckOptions opts;
    driver::FileResult r = driver::compileSource("fuzz.scope", "fuzz.scope", text, opts);
    if (!r.internalError.empty()) {
      ok = false;
      return;
    }
    std::string out;
    llvm::raw_string_ostream os(out);
    for (const Diagnostic &d : r.diagnostics) {
      driver::renderText(d, *r.sm, os, /*color=*/true);
      out += driver::renderGitHub(d, *r.sm);
    }
    std::vector<const driver::FileResult *> all = {&r};
    out += driver::renderJSON(all);
    out += driver::renderSARIF(all, "https://example.invalid/");
  });
  return ok;
}

bool npy(std::string_view bytes) {
  if (bytes.empty())
    return true;
  bool asNpz = static_cast<unsigned char>(bytes[0]) % 2 == 1;
  bytes.remove_prefix(1);
  std::string error;
  if (asNpz) {
    npy::NamedArrays arrays;
    return npy::parseNpz(bytes, arrays, error) || !error.empty();
  }
  npy::Array a;
  if (!npy::parseNpy(bytes, a, error))
    return !error.empty();
  // A parsed array is consistent, and survives a round trip.
  if (a.data.size() != static_cast<size_t>(a.numElements()) * npy::elemSize(a.type))
    return false;
  npy::Array back;
  return npy::parseNpy(npy::serializeNpy(a), back, error) && back.data == a.data && back.shape == a.shape &&
         back.type == a.type;
}

} // namespace scopec::fuzz
