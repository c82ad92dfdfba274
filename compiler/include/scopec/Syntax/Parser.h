//===- Parser.h - Source text to AST ----------------------------*- C++ -*-===//
//
// The only public face of the syntax library: ANTLR is an implementation
// detail and its headers never leave compiler/lib/Syntax.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_SYNTAX_PARSER_H
#define SCOPEC_SYNTAX_PARSER_H

#include "scopec/AST/AST.h"
#include "scopec/Basic/Diagnostics.h"

#include <memory>

namespace llvm {
class raw_ostream;
}

namespace scopec::syntax {

/// Parses one file into a Module. Syntax errors (E001/E002) and unsupported
/// constructs (E003) are reported to `diags`; the parser recovers at the next
/// logical line, so one run reports several errors. The returned module is
/// never null; `hasSyntaxErrors` tells whether later phases may run.
std::unique_ptr<ast::Module> parse(FileID file, const SourceManager &sm,
                                   DiagnosticsEngine &diags);

/// Prints the token stream, one token per line: `line:col KIND 'text'`.
/// Lexical errors are reported to `diags`.
void dumpTokens(FileID file, const SourceManager &sm, DiagnosticsEngine &diags,
                llvm::raw_ostream &os);

} // namespace scopec::syntax

#endif
