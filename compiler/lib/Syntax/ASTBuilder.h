//===- ASTBuilder.h - Parse tree to AST -------------------------*- C++ -*-===//
//
// Private to the syntax library. One conversion function per grammar rule,
// each with its production in a `///` comment. The builder also reports the
// errors Python's compiler finds after parsing (bad assignment targets,
// `break` outside a loop, parameter order, ...) and the constructs scopec
// does not support (E003).
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_SYNTAX_ASTBUILDER_H
#define SCOPEC_SYNTAX_ASTBUILDER_H

#include "ScopeLexer.h"
#include "ScopeParser.h"

#include "scopec/AST/AST.h"
#include "scopec/Basic/Diagnostics.h"

#include <string>
#include <vector>

namespace scopec::syntax {

class ASTBuilder {
public:
  ASTBuilder(ast::Module &m, const SourceManager &sm, DiagnosticsEngine &diags,
             FileID file)
      : m_(m), sm_(sm), diags_(diags), file_(file) {}

  /// stmt : simple_stmts | compound_stmt
  void stmt(ScopeParser::StmtContext *c, ast::StmtList &out);

  /// The range a token covers (multi-line tokens included).
  SourceRange tokenRange(antlr4::Token *t) const;

private:
  using P = ScopeParser;

  SourceRange range(antlr4::ParserRuleContext *c) const;
  SourceRange range(antlr4::tree::TerminalNode *n) const {
    return tokenRange(n->getSymbol());
  }
  static SourceRange join(SourceRange a, SourceRange b) {
    a.end = b.end;
    return a;
  }
  void syntaxError(SourceRange r, const std::string &msg);
  void unsupported(SourceRange r, const std::string &what);

  // Statements.
  void simpleStmts(P::Simple_stmtsContext *c, ast::StmtList &out);
  ast::Stmt *smallStmt(P::Small_stmtContext *c);
  ast::Stmt *exprStmt(P::Expr_stmtContext *c);
  ast::Stmt *importName(P::Import_nameContext *c);
  ast::Stmt *importFrom(P::Import_fromContext *c);
  ast::Stmt *compoundStmt(P::Compound_stmtContext *c);
  ast::Stmt *ifStmt(P::If_stmtContext *c);
  ast::Stmt *forStmt(P::For_stmtContext *c);
  ast::Stmt *withStmt(P::With_stmtContext *c);
  ast::Stmt *tryStmt(P::Try_stmtContext *c);
  ast::Stmt *classdef(P::ClassdefContext *c);
  ast::StmtList scopeBody(P::BlockContext *b, unsigned *depth);
  ast::Stmt *decorated(P::DecoratedContext *c);
  ast::Stmt *funcdef(P::FuncdefContext *c);
  ast::StmtList block(P::BlockContext *c);
  std::vector<ast::Param> typedargslist(P::TypedargslistContext *c);
  std::vector<ast::Param> varargslist(P::VarargslistContext *c);
  void checkParams(const std::vector<ast::Param> &params);

  // Expressions.
  ast::Expr *testlistStarExpr(P::Testlist_star_exprContext *c);
  ast::Expr *testlist(P::TestlistContext *c);
  ast::Expr *exprlist(P::ExprlistContext *c);
  ast::Expr *namedexprTest(P::Namedexpr_testContext *c);
  ast::Expr *test(P::TestContext *c);
  ast::Expr *testNocond(P::Test_nocondContext *c);
  ast::Expr *lambdef(P::LambdefContext *c);
  ast::Expr *lambdefNocond(P::Lambdef_nocondContext *c);
  ast::Expr *orTest(P::Or_testContext *c);
  // The operator rules are flat child sequences (ScopeParser.g4); these walk
  // them from child `i` with Python's precedence, advancing `i`.
  using Children = std::vector<antlr4::tree::ParseTree *>;
  /// False (and "invalid syntax" reported) when a separator follows another.
  bool separatorsOK(antlr4::ParserRuleContext *c, size_t sep);
  static size_t tokenAt(const Children &ch, size_t i);
  SourceRange span(const Children &ch, size_t from, size_t to) const;
  ast::Expr *boolOp(const Children &ch, size_t &i, size_t op);
  ast::Expr *notTest(const Children &ch, size_t &i);
  ast::Expr *comparison(const Children &ch, size_t &i);
  ast::Expr *binary(const Children &ch, size_t &i, int minPrec);
  ast::Expr *unary(const Children &ch, size_t &i);
  ast::Expr *primary(const Children &ch, size_t &i);
  ast::Expr *starExpr(P::Star_exprContext *c);
  ast::Expr *expr(P::ExprContext *c);
  ast::Expr *atom(P::AtomContext *c);
  ast::Expr *testlistComp(P::Testlist_compContext *c, SourceRange r, bool isList);
  ast::Expr *subscriptlist(P::SubscriptlistContext *c);
  ast::Expr *subscript(P::SubscriptContext *c);
  ast::Expr *braceAtom(P::AtomContext *c);
  ast::Expr *call(ast::Expr *func, P::TrailerContext *t, SourceRange r);
  std::vector<ast::CompFor> compFor(P::Comp_forContext *c);
  ast::Expr *strings(P::AtomContext *c);
  ast::Expr *number(antlr4::Token *t);
  ast::Expr *yieldExpr(P::Yield_exprContext *c);
  ast::Expr *error(SourceRange r) { return m_.create<ast::ErrorExpr>(r); }

  // Targets of assignment, for, with, del and comprehensions.
  enum class TargetUse { Assign, AugAssign, For, With, Del, Comprehension };
  void checkTarget(ast::Expr *e, TargetUse use);

  // f-strings (StringLiteral.cpp).
  struct StringToken;
  ast::FString *fstring(const StringToken &tok, size_t &i, bool nested,
                        SourceRange whole);
  ast::Expr *fstringField(const StringToken &tok, size_t &i, SourceRange whole,
                          ast::FStringPart &part);
  SourceLoc locInToken(const StringToken &tok, size_t offset) const;
  std::string decodeEscapes(const std::string &body, SourceRange r, bool isBytes);

  ast::Module &m_;
  const SourceManager &sm_;
  DiagnosticsEngine &diags_;
  FileID file_;
  unsigned loopDepth_ = 0;
  unsigned funcDepth_ = 0;
};

} // namespace scopec::syntax

#endif
