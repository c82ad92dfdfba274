//===- ASTDumper.h - A stable, indented dump of the AST ---------*- C++ -*-===//
#ifndef SCOPEC_AST_ASTDUMPER_H
#define SCOPEC_AST_ASTDUMPER_H

#include "scopec/AST/AST.h"

namespace llvm {
class raw_ostream;
}

namespace scopec::ast {

/// Prints one node per line, children indented by two spaces, each with its
/// range as `<line:col-line:col>`. The output depends only on the AST.
void dumpModule(const Module &m, llvm::raw_ostream &os);

} // namespace scopec::ast

#endif
