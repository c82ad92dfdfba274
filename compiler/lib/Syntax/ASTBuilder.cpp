//===- ASTBuilder.cpp - One function per grammar rule ---------------------===//
#include "ASTBuilder.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>
#include <type_traits>
#include <typeinfo>

namespace scopec::syntax {

using namespace scopec::ast;
using antlr4::tree::TerminalNode;

namespace {
using P = ScopeParser;

/// `t` as a `T`, or nullptr: a rule's context by its rule index, a labeled
/// alternative's (a leaf class) by its exact type; no dynamic_cast.
template <typename T> T *as(antlr4::tree::ParseTree *t) {
  if constexpr (std::is_constructible_v<T, antlr4::ParserRuleContext *, size_t>)
    return asContext<T>(t);
  else
    return t && &typeid(*t) == &typeid(T) ? static_cast<T *>(t) : nullptr;
}

/// The token type of a terminal child, 0 for a rule's context.
size_t tokenType(antlr4::tree::ParseTree *t) {
  return isTerminal(t) ? static_cast<TerminalNode *>(t)->getSymbol()->getType() : 0;
}

/// The only child of `c` when it is a context of rule `rule`, else nullptr.
/// Terminals never have children, so a child with children is a rule context
/// and no RTTI is needed.
template <typename T> T *onlyChild(antlr4::ParserRuleContext *c, size_t rule) {
  if (c->children.size() != 1 || c->children[0]->children.empty())
    return nullptr;
  auto *child = static_cast<antlr4::ParserRuleContext *>(c->children[0]);
  return child->getRuleIndex() == rule ? static_cast<T *>(child) : nullptr;
}
} // namespace

//===--- Locations and reporting ------------------------------------------===//

SourceRange ASTBuilder::tokenRange(antlr4::Token *t) const {
  SourceRange r;
  r.file = file_;
  r.begin = SourceLoc{static_cast<uint32_t>(t->getLine()),
                      static_cast<uint32_t>(t->getCharPositionInLine() + 1)};
  size_t type = t->getType();
  if (type == antlr4::Token::EOF || type == ScopeLexer::NEWLINE ||
      type == ScopeLexer::INDENT || type == ScopeLexer::DEDENT) {
    r.end = SourceLoc{r.begin.line, r.begin.col + 1};
    return r;
  }
  // Only strings span lines; any other token's length in code points is its
  // index span in the (code-point) input, no text needed.
  if (type != ScopeLexer::STRING && t->getStopIndex() >= t->getStartIndex()) {
    r.end = SourceLoc{r.begin.line, r.begin.col + static_cast<uint32_t>(t->getStopIndex() -
                                                                        t->getStartIndex() + 1)};
    return r;
  }
  std::string text = t->getText();
  size_t nl = text.rfind('\n');
  if (nl == std::string::npos) {
    r.end = SourceLoc{r.begin.line,
                      r.begin.col + static_cast<uint32_t>(countCodePoints(text))};
  } else {
    uint32_t lines = 0;
    for (char ch : text)
      lines += ch == '\n';
    r.end = SourceLoc{r.begin.line + lines,
                      static_cast<uint32_t>(countCodePoints(text.substr(nl + 1)) + 1)};
  }
  return r;
}

namespace {
bool isLayout(size_t type) {
  return type == ScopeLexer::NEWLINE || type == ScopeLexer::INDENT ||
         type == ScopeLexer::DEDENT || type == antlr4::Token::EOF;
}
/// The last token of a subtree that is not layout (NEWLINE, DEDENT, ...).
antlr4::Token *lastRealToken(antlr4::tree::ParseTree *t) {
  if (isTerminal(t)) {
    antlr4::Token *symbol = static_cast<TerminalNode *>(t)->getSymbol();
    return isLayout(symbol->getType()) ? nullptr : symbol;
  }
  for (auto it = t->children.rbegin(); it != t->children.rend(); ++it)
    if (antlr4::Token *tok = lastRealToken(*it))
      return tok;
  return nullptr;
}
} // namespace

SourceRange ASTBuilder::range(antlr4::ParserRuleContext *c) const {
  SourceRange r = tokenRange(c->getStart());
  antlr4::Token *stop = c->getStop();
  if (stop && isLayout(stop->getType()))
    stop = lastRealToken(c);
  if (stop && stop->getTokenIndex() >= c->getStart()->getTokenIndex())
    r.end = tokenRange(stop).end;
  return r;
}

bool ASTBuilder::separatorsOK(antlr4::ParserRuleContext *c, size_t sep) {
  for (size_t i = 1; i < c->children.size(); ++i)
    if (tokenType(c->children[i]) == sep && tokenType(c->children[i - 1]) == sep) {
      syntaxError(range(static_cast<TerminalNode *>(c->children[i])), "invalid syntax");
      return false;
    }
  return true;
}

void ASTBuilder::syntaxError(SourceRange r, const std::string &msg) {
  diags_.report(r, diag::syntax_error) << msg;
}

void ASTBuilder::unsupported(SourceRange r, const std::string &what) {
  diags_.report(r, diag::unsupported_syntax) << what + " not supported by scopec";
}

//===--- Statements -------------------------------------------------------===//

/// stmt : simple_stmts | compound_stmt
void ASTBuilder::stmt(P::StmtContext *c, StmtList &out) {
  if (auto *s = c->simple_stmts())
    simpleStmts(s, out);
  else if (auto *cs = c->compound_stmt())
    if (Stmt *st = compoundStmt(cs))
      out.push_back(st);
}

/// simple_stmts : small_stmt (SEMI small_stmt?)* NEWLINE
void ASTBuilder::simpleStmts(P::Simple_stmtsContext *c, StmtList &out) {
  if (!separatorsOK(c, ScopeLexer::SEMI))
    return;
  for (auto *s : c->small_stmt())
    if (Stmt *st = smallStmt(s))
      out.push_back(st);
}

/// small_stmt : expr_stmt | del_stmt | pass_stmt | break_stmt | continue_stmt
///            | return_stmt | raise_stmt | global_stmt | nonlocal_stmt
///            | assert_stmt | import_name | import_from | yield_expr
Stmt *ASTBuilder::smallStmt(P::Small_stmtContext *c) {
  SourceRange r = range(c);
  if (auto *e = c->expr_stmt())
    return exprStmt(e);
  if (auto *d = c->del_stmt()) {
    /// del_stmt : DEL exprlist
    Expr *targets = exprlist(d->exprlist());
    std::vector<Expr *> list;
    if (auto *t = llvm::dyn_cast<Tuple>(targets); t && d->exprlist()->COMMA().size())
      list = t->elts;
    else
      list.push_back(targets);
    for (Expr *t : list)
      checkTarget(t, TargetUse::Del);
    return m_.create<Del>(r, std::move(list));
  }
  if (c->pass_stmt())
    return m_.create<Pass>(r);
  if (c->break_stmt() || c->continue_stmt()) {
    bool isBreak = c->break_stmt() != nullptr;
    if (loopDepth_ == 0) {
      syntaxError(r, isBreak ? "'break' outside loop" : "'continue' not properly in loop");
      return nullptr;
    }
    if (isBreak)
      return m_.create<Break>(r);
    return m_.create<Continue>(r);
  }
  if (auto *ret = c->return_stmt()) {
    /// return_stmt : RETURN testlist_star_expr?
    if (funcDepth_ == 0) {
      syntaxError(r, "'return' outside function");
      return nullptr;
    }
    Expr *v = ret->testlist_star_expr() ? testlistStarExpr(ret->testlist_star_expr()) : nullptr;
    return m_.create<Return>(r, v);
  }
  if (auto *rs = c->raise_stmt()) {
    /// raise_stmt : RAISE (test (FROM test)?)?
    auto tests = rs->test();
    Expr *e = tests.size() > 0 ? test(tests[0]) : nullptr;
    Expr *cause = tests.size() > 1 ? test(tests[1]) : nullptr;
    return m_.create<Raise>(r, e, cause);
  }
  if (c->global_stmt()) {
    unsupported(r, "'global' statements are");
    return nullptr;
  }
  if (c->nonlocal_stmt()) {
    unsupported(r, "'nonlocal' statements are");
    return nullptr;
  }
  if (auto *a = c->assert_stmt()) {
    /// assert_stmt : ASSERT test (COMMA test)?
    Expr *t = test(a->test(0));
    Expr *msg = a->test().size() > 1 ? test(a->test(1)) : nullptr;
    return m_.create<Assert>(r, t, msg);
  }
  if (auto *i = c->import_name())
    return importName(i);
  if (auto *i = c->import_from())
    return importFrom(i);
  if (auto *y = c->yield_expr())
    yieldExpr(y);
  return nullptr;
}

/// expr_stmt : testlist_star_expr ( annassign
///                                | augassign (yield_expr | testlist)
///                                | (ASSIGN (yield_expr | testlist_star_expr))* )
Stmt *ASTBuilder::exprStmt(P::Expr_stmtContext *c) {
  SourceRange r = range(c);
  // The operands in source order (testlist_star_expr and yield_expr interleave).
  std::vector<Expr *> parts;
  for (auto *child : c->children) {
    if (auto *t = as<P::Testlist_star_exprContext>(child))
      parts.push_back(testlistStarExpr(t));
    else if (auto *y = as<P::Yield_exprContext>(child))
      parts.push_back(yieldExpr(y));
  }
  if (auto *ann = c->annassign()) {
    /// annassign : COLON test (ASSIGN (yield_expr | testlist_star_expr))?
    Expr *target = parts[0];
    if (!llvm::isa<Name, Attribute, Subscript>(target)) {
      syntaxError(target->range(), llvm::isa<Tuple>(target)
                                       ? "only single target (not tuple) can be annotated"
                                       : "illegal target for annotation");
      return nullptr;
    }
    Expr *value = nullptr;
    if (ann->testlist_star_expr())
      value = testlistStarExpr(ann->testlist_star_expr());
    else if (ann->yield_expr())
      value = yieldExpr(ann->yield_expr());
    return m_.create<AnnAssign>(r, target, test(ann->test()), value);
  }
  if (auto *aug = c->augassign()) {
    static const std::pair<size_t, BinaryOp> ops[] = {
        {ScopeLexer::ADD_ASSIGN, BinaryOp::Add},       {ScopeLexer::SUB_ASSIGN, BinaryOp::Sub},
        {ScopeLexer::MUL_ASSIGN, BinaryOp::Mul},       {ScopeLexer::AT_ASSIGN, BinaryOp::MatMul},
        {ScopeLexer::DIV_ASSIGN, BinaryOp::Div},       {ScopeLexer::MOD_ASSIGN, BinaryOp::Mod},
        {ScopeLexer::AND_ASSIGN, BinaryOp::BitAnd},    {ScopeLexer::OR_ASSIGN, BinaryOp::BitOr},
        {ScopeLexer::XOR_ASSIGN, BinaryOp::BitXor},    {ScopeLexer::LSHIFT_ASSIGN, BinaryOp::LShift},
        {ScopeLexer::RSHIFT_ASSIGN, BinaryOp::RShift}, {ScopeLexer::POWER_ASSIGN, BinaryOp::Pow},
        {ScopeLexer::IDIV_ASSIGN, BinaryOp::FloorDiv}};
    BinaryOp op = BinaryOp::Add;
    for (auto &[tok, o] : ops)
      if (aug->getStart()->getType() == tok)
        op = o;
    Expr *value = c->testlist() ? testlist(c->testlist()) : parts.back();
    checkTarget(parts[0], TargetUse::AugAssign);
    return m_.create<AugAssign>(r, parts[0], op, value);
  }
  if (parts.size() == 1)
    return m_.create<ExprStmt>(r, parts[0]);
  Expr *value = parts.back();
  parts.pop_back();
  for (Expr *t : parts)
    checkTarget(t, TargetUse::Assign);
  return m_.create<Assign>(r, std::move(parts), value);
}

/// import_name : IMPORT dotted_as_name (COMMA dotted_as_name)*
/// dotted_as_name : dotted_name (AS NAME)?
Stmt *ASTBuilder::importName(P::Import_nameContext *c) {
  std::vector<ImportAlias> names;
  for (auto *d : c->dotted_as_name()) {
    ImportAlias a;
    a.name = d->dotted_name()->getText();
    if (d->NAME())
      a.asname = d->NAME()->getText();
    a.range = range(d);
    names.push_back(std::move(a));
  }
  return m_.create<Import>(range(c), std::move(names));
}

/// import_from : FROM (import_dots* dotted_name | import_dots+)
///               IMPORT (STAR | LPAREN import_as_names RPAREN | import_as_names)
Stmt *ASTBuilder::importFrom(P::Import_fromContext *c) {
  unsigned level = 0;
  for (auto *d : c->import_dots())
    level += d->ELLIPSIS() ? 3 : 1;
  std::string module = c->dotted_name() ? c->dotted_name()->getText() : "";
  std::vector<ImportAlias> names;
  if (auto *list = c->import_as_names()) {
    /// import_as_name : NAME (AS NAME)?
    for (auto *n : list->import_as_name()) {
      ImportAlias a;
      a.name = n->NAME(0)->getText();
      if (n->NAME().size() > 1)
        a.asname = n->NAME(1)->getText();
      a.range = range(n);
      names.push_back(std::move(a));
    }
    if (!c->LPAREN() && list->COMMA().size() == list->import_as_name().size()) {
      syntaxError(range(c), "trailing comma not allowed without surrounding parentheses");
      return nullptr;
    }
  }
  return m_.create<ImportFrom>(range(c), std::move(module), level, std::move(names),
                               c->STAR() != nullptr);
}

/// compound_stmt : if_stmt | for_stmt | with_stmt | funcdef | while_stmt
///               | try_stmt | classdef | decorated | async_stmt
Stmt *ASTBuilder::compoundStmt(P::Compound_stmtContext *c) {
  if (auto *s = c->if_stmt())
    return ifStmt(s);
  if (auto *s = c->for_stmt())
    return forStmt(s);
  if (auto *s = c->with_stmt())
    return withStmt(s);
  if (auto *s = c->funcdef())
    return funcdef(s);
  // Recognised, and named, but not run (language.md section 1).
  auto head = [&](antlr4::ParserRuleContext *s) { return tokenRange(s->getStart()); };
  if (auto *s = c->while_stmt())
    unsupported(head(s), "'while' loops are");
  else if (auto *s = c->try_stmt())
    return tryStmt(s);
  else if (auto *s = c->classdef())
    return classdef(s);
  else if (auto *s = c->decorated())
    return decorated(s);
  else if (auto *s = c->async_stmt())
    unsupported(head(s), "'async' statements are");
  return nullptr;
}

/// if_stmt : IF namedexpr_test COLON block elif_clause* else_clause?
/// elif_clause : ELIF namedexpr_test COLON block
/// else_clause : ELSE COLON block
Stmt *ASTBuilder::ifStmt(P::If_stmtContext *c) {
  StmtList orelse;
  if (c->else_clause())
    orelse = block(c->else_clause()->block());
  auto elifs = c->elif_clause();
  for (auto it = elifs.rbegin(); it != elifs.rend(); ++it) {
    SourceRange r = range(*it);
    if (!orelse.empty())
      r.end = orelse.back()->range().end;
    Stmt *s = m_.create<If>(r, namedexprTest((*it)->namedexpr_test()), block((*it)->block()),
                            std::move(orelse));
    orelse = StmtList{s};
  }
  return m_.create<If>(range(c), namedexprTest(c->namedexpr_test()), block(c->block()),
                       std::move(orelse));
}

/// for_stmt : FOR exprlist IN testlist COLON block else_clause?
Stmt *ASTBuilder::forStmt(P::For_stmtContext *c) {
  Expr *target = exprlist(c->exprlist());
  checkTarget(target, TargetUse::For);
  Expr *iter = testlist(c->testlist());
  ++loopDepth_;
  StmtList body = block(c->block());
  --loopDepth_;
  StmtList orelse;
  if (c->else_clause())
    orelse = block(c->else_clause()->block());
  return m_.create<For>(range(c), target, iter, std::move(body), std::move(orelse));
}

/// The body of a def or class: `break`/`continue` do not reach loops
/// outside it; `depth` (the def nesting, for `return`) is raised meanwhile.
StmtList ASTBuilder::scopeBody(P::BlockContext *b, unsigned *depth) {
  unsigned savedLoop = loopDepth_;
  loopDepth_ = 0;
  if (depth)
    ++*depth;
  StmtList body = block(b);
  if (depth)
    --*depth;
  loopDepth_ = savedLoop;
  return body;
}

/// classdef : CLASS NAME (LPAREN arglist? RPAREN)? COLON block
Stmt *ASTBuilder::classdef(P::ClassdefContext *c) {
  std::vector<Expr *> bases;
  if (auto *list = c->arglist())
    for (auto *a : list->argument()) {
      if (a->ASSIGN() && a->test(0)->getText() == "metaclass")
        unsupported(range(a), "metaclasses are");
      else if (a->ASSIGN() || a->POWER() || a->STAR() || a->comp_for())
        unsupported(range(a), "class keyword arguments and unpacked bases are");
      else
        bases.push_back(test(a->test(0)));
    }
  StmtList body = scopeBody(c->block(), nullptr);
  // Operator methods other than __call__ would change what expressions
  // mean; scopec runs Python's operators itself (language.md).
  static const std::set<std::string> allowed = {"__init__", "__call__", "__repr__", "__str__"};
  for (Stmt *st : body)
    if (auto *f = llvm::dyn_cast_or_null<FunctionDef>(st))
      if (f->name.size() > 4 && f->name.rfind("__", 0) == 0 && f->name.compare(f->name.size() - 2, 2, "__") == 0 &&
          !allowed.count(f->name))
        unsupported(f->nameRange, "operator methods ('" + f->name + "') are");
  return m_.create<ClassDef>(range(c), c->NAME()->getText(), std::move(bases), std::move(body));
}

/// decorated : decorator+ (classdef | funcdef | async_stmt)
/// decorator : AT namedexpr_test NEWLINE
Stmt *ASTBuilder::decorated(P::DecoratedContext *c) {
  std::vector<Expr *> decorators;
  for (auto *d : c->decorator())
    decorators.push_back(namedexprTest(d->namedexpr_test()));
  if (auto *cls = c->classdef()) {
    Stmt *s = classdef(cls);
    if (auto *cd = llvm::dyn_cast_or_null<ClassDef>(s))
      cd->decorators = std::move(decorators);
    return s;
  }
  if (auto *f = c->funcdef()) {
    Stmt *s = funcdef(f);
    if (auto *fd = llvm::dyn_cast_or_null<FunctionDef>(s))
      fd->decorators = std::move(decorators);
    return s;
  }
  unsupported(tokenRange(c->getStart()), "'async' statements are");
  return nullptr;
}

/// try_stmt : TRY COLON block ( except_clause+ else_clause? finally_clause? | finally_clause )
/// except_clause : EXCEPT (test (AS NAME)?)? COLON block
Stmt *ASTBuilder::tryStmt(P::Try_stmtContext *c) {
  std::vector<ExceptHandler> handlers;
  for (auto *e : c->except_clause()) {
    ExceptHandler h;
    h.range = tokenRange(e->getStart());
    if (e->test())
      h.type = test(e->test());
    if (e->NAME())
      h.name = e->NAME()->getText();
    h.body = block(e->block());
    handlers.push_back(std::move(h));
  }
  StmtList orelse, finalbody;
  if (c->else_clause())
    orelse = block(c->else_clause()->block());
  if (c->finally_clause())
    finalbody = block(c->finally_clause()->block());
  return m_.create<Try>(range(c), block(c->block()), std::move(handlers), std::move(orelse), std::move(finalbody));
}

/// with_stmt : WITH with_item (COMMA with_item)* COLON block
/// with_item : test (AS expr)?
Stmt *ASTBuilder::withStmt(P::With_stmtContext *c) {
  std::vector<WithItem> items;
  for (auto *w : c->with_item()) {
    WithItem item;
    item.context = test(w->test());
    if (w->expr()) {
      item.vars = expr(w->expr());
      checkTarget(item.vars, TargetUse::With);
    }
    items.push_back(item);
  }
  return m_.create<With>(range(c), std::move(items), block(c->block()));
}

/// funcdef : DEF NAME parameters (ARROW test)? COLON block
/// parameters : LPAREN typedargslist? RPAREN
Stmt *ASTBuilder::funcdef(P::FuncdefContext *c) {
  std::vector<Param> params;
  if (auto *t = c->parameters()->typedargslist())
    params = typedargslist(t);
  checkParams(params);
  Expr *returns = c->test() ? test(c->test()) : nullptr;
  StmtList body = scopeBody(c->block(), &funcDepth_);
  return m_.create<FunctionDef>(range(c), c->NAME()->getText(), range(c->NAME()),
                                std::move(params), std::move(body), returns);
}

/// block : simple_stmts | NEWLINE INDENT stmt+ DEDENT
StmtList ASTBuilder::block(P::BlockContext *c) {
  StmtList out;
  if (auto *s = c->simple_stmts())
    simpleStmts(s, out);
  for (auto *s : c->stmt())
    stmt(s, out);
  return out;
}

/// typedargslist : tfpdef_item (COMMA tfpdef_item)* COMMA?
/// tfpdef_item : tfpdef (ASSIGN test)? | STAR tfpdef? | POWER tfpdef | SLASH
/// tfpdef : NAME (COLON test)?
std::vector<Param> ASTBuilder::typedargslist(P::TypedargslistContext *c) {
  std::vector<Param> out;
  bool afterStar = false;
  for (auto *item : c->tfpdef_item()) {
    Param p;
    p.range = range(item);
    if (item->SLASH()) {
      unsupported(p.range, "positional-only parameters ('/') are");
      continue;
    }
    if (auto *d = item->tfpdef()) {
      p.name = d->NAME()->getText();
      if (d->test())
        p.annotation = test(d->test());
    }
    if (item->STAR()) {
      p.kind = ParamKind::VarArgs;
      afterStar = true;
      if (!item->tfpdef())
        p.name.clear(); // a bare `*`
    } else if (item->POWER()) {
      p.kind = ParamKind::VarKeywords;
    } else {
      p.kind = afterStar ? ParamKind::KeywordOnly : ParamKind::Positional;
      if (item->test())
        p.defaultValue = test(item->test());
    }
    out.push_back(std::move(p));
  }
  return out;
}

/// varargslist : vfpdef_item (COMMA vfpdef_item)* COMMA?
/// vfpdef_item : NAME (ASSIGN test)? | STAR NAME? | POWER NAME | SLASH
std::vector<Param> ASTBuilder::varargslist(P::VarargslistContext *c) {
  std::vector<Param> out;
  bool afterStar = false;
  for (auto *item : c->vfpdef_item()) {
    Param p;
    p.range = range(item);
    if (item->SLASH()) {
      unsupported(p.range, "positional-only parameters ('/') are");
      continue;
    }
    if (item->NAME())
      p.name = item->NAME()->getText();
    if (item->STAR()) {
      p.kind = ParamKind::VarArgs;
      afterStar = true;
    } else if (item->POWER()) {
      p.kind = ParamKind::VarKeywords;
    } else {
      p.kind = afterStar ? ParamKind::KeywordOnly : ParamKind::Positional;
      if (item->test())
        p.defaultValue = test(item->test());
    }
    out.push_back(std::move(p));
  }
  return out;
}

/// Python's compile-time checks of a parameter list.
void ASTBuilder::checkParams(const std::vector<Param> &params) {
  std::set<std::string> seen;
  bool sawDefault = false, sawStar = false, sawKwargs = false;
  for (size_t i = 0; i < params.size(); ++i) {
    const Param &p = params[i];
    if (sawKwargs) {
      syntaxError(p.range, "arguments cannot follow var-keyword argument");
      return;
    }
    if (!p.name.empty() && !seen.insert(p.name).second) {
      syntaxError(p.range, "duplicate argument '" + p.name + "' in function definition");
      return;
    }
    switch (p.kind) {
    case ParamKind::Positional:
      if (p.defaultValue)
        sawDefault = true;
      else if (sawDefault) {
        syntaxError(p.range, "non-default argument follows default argument");
        return;
      }
      break;
    case ParamKind::VarArgs:
      if (sawStar) {
        syntaxError(p.range, "* argument may appear only once");
        return;
      }
      sawStar = true;
      if (p.name.empty() &&
          (i + 1 == params.size() || params[i + 1].kind != ParamKind::KeywordOnly)) {
        syntaxError(p.range, "named arguments must follow bare *");
        return;
      }
      break;
    case ParamKind::KeywordOnly:
      break;
    case ParamKind::VarKeywords:
      sawKwargs = true;
      break;
    }
  }
}

//===--- Expressions ------------------------------------------------------===//

/// testlist_star_expr : (test | star_expr) (COMMA (test | star_expr)?)*
Expr *ASTBuilder::testlistStarExpr(P::Testlist_star_exprContext *c) {
  if (!separatorsOK(c, ScopeLexer::COMMA))
    return error(range(c));
  std::vector<Expr *> elts;
  for (auto *child : c->children) {
    if (auto *t = as<P::TestContext>(child))
      elts.push_back(test(t));
    else if (auto *s = as<P::Star_exprContext>(child))
      elts.push_back(starExpr(s));
  }
  if (elts.size() == 1 && c->COMMA().empty())
    return elts[0];
  return m_.create<Tuple>(range(c), std::move(elts));
}

/// testlist : test (COMMA test?)*
Expr *ASTBuilder::testlist(P::TestlistContext *c) {
  if (!separatorsOK(c, ScopeLexer::COMMA))
    return error(range(c));
  std::vector<Expr *> elts;
  for (auto *t : c->test())
    elts.push_back(test(t));
  if (elts.size() == 1 && c->COMMA().empty())
    return elts[0];
  return m_.create<Tuple>(range(c), std::move(elts));
}

/// exprlist : (expr | star_expr) (COMMA (expr | star_expr)?)*
Expr *ASTBuilder::exprlist(P::ExprlistContext *c) {
  if (!separatorsOK(c, ScopeLexer::COMMA))
    return error(range(c));
  std::vector<Expr *> elts;
  for (auto *child : c->children) {
    if (auto *e = as<P::ExprContext>(child))
      elts.push_back(expr(e));
    else if (auto *s = as<P::Star_exprContext>(child))
      elts.push_back(starExpr(s));
  }
  if (elts.size() == 1 && c->COMMA().empty())
    return elts[0];
  return m_.create<Tuple>(range(c), std::move(elts));
}

/// namedexpr_test : test (WALRUS test)?
Expr *ASTBuilder::namedexprTest(P::Namedexpr_testContext *c) {
  if (c->WALRUS()) {
    unsupported(range(c), "assignment expressions (':=') are");
    return error(range(c));
  }
  return test(c->test(0));
}

/// test : or_test (IF or_test ELSE test)? | lambdef
Expr *ASTBuilder::test(P::TestContext *c) {
  if (!c)
    return error(SourceRange{});
  if (auto *o = onlyChild<P::Or_testContext>(c, P::RuleOr_test))
    return orTest(o);
  if (c->lambdef())
    return lambdef(c->lambdef());
  Expr *body = orTest(c->or_test(0));
  if (!c->IF())
    return body;
  return m_.create<IfExp>(range(c), orTest(c->or_test(1)), body, test(c->test()));
}

/// test_nocond : or_test | lambdef_nocond
Expr *ASTBuilder::testNocond(P::Test_nocondContext *c) {
  if (c->lambdef_nocond())
    return lambdefNocond(c->lambdef_nocond());
  return orTest(c->or_test());
}

/// lambdef : LAMBDA varargslist? COLON test
Expr *ASTBuilder::lambdef(P::LambdefContext *c) {
  std::vector<Param> params;
  if (c->varargslist())
    params = varargslist(c->varargslist());
  checkParams(params);
  ++funcDepth_;
  Expr *body = test(c->test());
  --funcDepth_;
  return m_.create<Lambda>(range(c), std::move(params), body);
}

/// lambdef_nocond : LAMBDA varargslist? COLON test_nocond
Expr *ASTBuilder::lambdefNocond(P::Lambdef_nocondContext *c) {
  std::vector<Param> params;
  if (c->varargslist())
    params = varargslist(c->varargslist());
  checkParams(params);
  Expr *body = testNocond(c->test_nocond());
  return m_.create<Lambda>(range(c), std::move(params), body);
}

size_t ASTBuilder::tokenAt(const Children &ch, size_t i) {
  return i < ch.size() ? tokenType(ch[i]) : 0;
}

SourceRange ASTBuilder::span(const Children &ch, size_t from, size_t to) const {
  auto rangeOf = [&](antlr4::tree::ParseTree *t) {
    return isTerminal(t) ? tokenRange(static_cast<TerminalNode *>(t)->getSymbol())
                         : range(static_cast<antlr4::ParserRuleContext *>(t));
  };
  return join(rangeOf(ch[from]), rangeOf(ch[to - 1]));
}

/// or_test : NOT* expr ((comp_op | AND | OR) NOT* expr)*
Expr *ASTBuilder::orTest(P::Or_testContext *c) {
  size_t i = 0;
  return boolOp(c->children, i, ScopeLexer::OR);
}

/// `or` (op OR) over `and` (op AND) over `not`/comparisons: one BoolOp per
/// run of the same operator, as Python's tree.
Expr *ASTBuilder::boolOp(const Children &ch, size_t &i, size_t op) {
  size_t start = i;
  auto operand = [&] {
    return op == ScopeLexer::OR ? boolOp(ch, i, ScopeLexer::AND) : notTest(ch, i);
  };
  Expr *first = operand();
  if (tokenAt(ch, i) != op)
    return first;
  std::vector<Expr *> values{first};
  while (tokenAt(ch, i) == op) {
    ++i;
    values.push_back(operand());
  }
  return m_.create<BoolOp>(span(ch, start, i), op == ScopeLexer::AND, std::move(values));
}

/// NOT* comparison
Expr *ASTBuilder::notTest(const Children &ch, size_t &i) {
  if (tokenAt(ch, i) != ScopeLexer::NOT)
    return comparison(ch, i);
  size_t start = i++;
  Expr *operand = notTest(ch, i);
  return m_.create<UnaryOp>(span(ch, start, i), UnaryOpKind::Not, operand);
}

/// expr (comp_op expr)*, one Compare for a chain.
/// comp_op : LT | GT | EQ | GE | LE | NE | IN | NOT IN | IS NOT | IS
Expr *ASTBuilder::comparison(const Children &ch, size_t &i) {
  size_t start = i;
  Expr *first = expr(static_cast<P::ExprContext *>(ch[i++]));
  if (i >= ch.size() || !as<P::Comp_opContext>(ch[i]))
    return first;
  std::vector<CmpOp> ops;
  std::vector<Expr *> rest;
  bool bad = false;
  while (i < ch.size()) {
    auto *op = as<P::Comp_opContext>(ch[i]);
    if (!op)
      break;
    ++i;
    bool two = op->children.size() == 2;
    switch (op->getStart()->getType()) {
    case ScopeLexer::LT: ops.push_back(CmpOp::Lt); break;
    case ScopeLexer::GT: ops.push_back(CmpOp::Gt); break;
    case ScopeLexer::EQ: ops.push_back(CmpOp::Eq); break;
    case ScopeLexer::GE: ops.push_back(CmpOp::GtE); break;
    case ScopeLexer::LE: ops.push_back(CmpOp::LtE); break;
    case ScopeLexer::NE: ops.push_back(CmpOp::NotEq); break;
    case ScopeLexer::IN: ops.push_back(CmpOp::In); break;
    case ScopeLexer::NOT: ops.push_back(CmpOp::NotIn); break;
    case ScopeLexer::IS: ops.push_back(two ? CmpOp::IsNot : CmpOp::Is); break;
    default: ops.push_back(CmpOp::Eq);
    }
    // The operands of a comparison are bitwise expressions: `a == not b`
    // is Python's "invalid syntax" at the `not`.
    if (tokenAt(ch, i) == ScopeLexer::NOT) {
      if (!bad)
        syntaxError(span(ch, i, i + 1), "invalid syntax");
      bad = true;
      while (tokenAt(ch, i) == ScopeLexer::NOT)
        ++i;
    }
    rest.push_back(expr(static_cast<P::ExprContext *>(ch[i++])));
  }
  if (bad)
    return error(span(ch, start, i));
  return m_.create<Compare>(span(ch, start, i), first, std::move(ops), std::move(rest));
}

/// star_expr : STAR expr
Expr *ASTBuilder::starExpr(P::Star_exprContext *c) {
  return m_.create<Starred>(range(c), expr(c->expr()));
}

/// expr : operand (binop operand)*, operand : (PLUS | MINUS | TILDE)* AWAIT? atom trailer*
Expr *ASTBuilder::expr(P::ExprContext *c) {
  size_t i = 0;
  return binary(c->children, i, 1);
}

namespace {
/// Binding power of a binary operator of expr (0: not one; `**` is handled
/// with the unary operators).
int binaryPrecedence(size_t type) {
  switch (type) {
  case ScopeLexer::PIPE: return 1;
  case ScopeLexer::CARET: return 2;
  case ScopeLexer::AMP: return 3;
  case ScopeLexer::LSHIFT: case ScopeLexer::RSHIFT: return 4;
  case ScopeLexer::PLUS: case ScopeLexer::MINUS: return 5;
  case ScopeLexer::STAR: case ScopeLexer::AT: case ScopeLexer::SLASH:
  case ScopeLexer::PERCENT: case ScopeLexer::FLOORDIV: return 6;
  default: return 0;
  }
}

BinaryOp binaryOp(size_t type) {
  switch (type) {
  case ScopeLexer::PIPE: return BinaryOp::BitOr;
  case ScopeLexer::CARET: return BinaryOp::BitXor;
  case ScopeLexer::AMP: return BinaryOp::BitAnd;
  case ScopeLexer::LSHIFT: return BinaryOp::LShift;
  case ScopeLexer::RSHIFT: return BinaryOp::RShift;
  case ScopeLexer::PLUS: return BinaryOp::Add;
  case ScopeLexer::MINUS: return BinaryOp::Sub;
  case ScopeLexer::STAR: return BinaryOp::Mul;
  case ScopeLexer::AT: return BinaryOp::MatMul;
  case ScopeLexer::SLASH: return BinaryOp::Div;
  case ScopeLexer::PERCENT: return BinaryOp::Mod;
  case ScopeLexer::FLOORDIV: return BinaryOp::FloorDiv;
  default: return BinaryOp::Pow;
  }
}
} // namespace

/// Precedence climbing over the binary operators binding at least `minPrec`
/// (all left-associative).
Expr *ASTBuilder::binary(const Children &ch, size_t &i, int minPrec) {
  size_t start = i;
  Expr *lhs = unary(ch, i);
  for (int prec; (prec = binaryPrecedence(tokenAt(ch, i))) >= minPrec && prec > 0;) {
    BinaryOp op = binaryOp(tokenAt(ch, i++));
    Expr *rhs = binary(ch, i, prec + 1);
    lhs = m_.create<BinOp>(span(ch, start, i), op, lhs, rhs);
  }
  return lhs;
}

/// (PLUS | MINUS | TILDE) unary | primary (POWER unary)?
Expr *ASTBuilder::unary(const Children &ch, size_t &i) {
  size_t start = i;
  size_t first = tokenAt(ch, i);
  if (first == ScopeLexer::PLUS || first == ScopeLexer::MINUS || first == ScopeLexer::TILDE) {
    ++i;
    Expr *operand = unary(ch, i);
    UnaryOpKind op = first == ScopeLexer::MINUS  ? UnaryOpKind::Neg
                     : first == ScopeLexer::PLUS ? UnaryOpKind::Pos
                                                 : UnaryOpKind::Invert;
    return m_.create<UnaryOp>(span(ch, start, i), op, operand);
  }
  Expr *base = primary(ch, i);
  if (tokenAt(ch, i) != ScopeLexer::POWER)
    return base;
  ++i;
  Expr *exponent = unary(ch, i);
  return m_.create<BinOp>(span(ch, start, i), BinaryOp::Pow, base, exponent);
}

/// AWAIT? atom trailer*
/// trailer : LPAREN arglist? RPAREN | LBRACK subscriptlist RBRACK | DOT NAME
Expr *ASTBuilder::primary(const Children &ch, size_t &i) {
  size_t start = i;
  if (tokenAt(ch, i) == ScopeLexer::AWAIT) {
    ++i;
    while (i < ch.size() && !isTerminal(ch[i]))
      ++i;
    unsupported(span(ch, start, i), "'await' expressions are");
    return error(span(ch, start, i));
  }
  Expr *e = atom(static_cast<P::AtomContext *>(ch[i++]));
  while (i < ch.size()) {
    auto *t = as<P::TrailerContext>(ch[i]);
    if (!t)
      break;
    ++i;
    SourceRange r = join(e->range(), range(t));
    switch (t->getStart()->getType()) {
    case ScopeLexer::LPAREN: e = this->call(e, t, r); break;
    case ScopeLexer::LBRACK: e = m_.create<Subscript>(r, e, subscriptlist(t->subscriptlist())); break;
    default: e = m_.create<Attribute>(r, e, t->NAME()->getText(), range(t->NAME()));
    }
  }
  return e;
}

/// arglist : argument (COMMA argument?)*
/// argument : test (ASSIGN test | comp_for)? | POWER test | STAR test
Expr *ASTBuilder::call(Expr *func, P::TrailerContext *t, SourceRange r) {
  std::vector<Expr *> args;
  std::vector<Keyword> keywords;
  if (auto *list = t->arglist()) {
    if (!separatorsOK(list, ScopeLexer::COMMA))
      return error(r);
    auto argsCtx = list->argument();
    bool sawKeyword = false, sawKwUnpack = false;
    std::set<std::string> names;
    for (auto *a : argsCtx) {
      SourceRange ar = range(a);
      if (a->ASSIGN()) {
        // The left of `=` must be a name (Python's errors otherwise).
        P::TestContext *target = a->test(0);
        antlr4::Token *first = target->getStart();
        bool single = first == target->getStop();
        SourceRange where = join(range(target), range(a->ASSIGN()));
        if (!single || first->getType() != ScopeLexer::NAME) {
          size_t k = first->getType();
          syntaxError(where, single && (k == ScopeLexer::TRUE || k == ScopeLexer::FALSE ||
                                        k == ScopeLexer::NONE)
                                 ? "cannot assign to " + first->getText()
                                 : "expression cannot contain assignment, perhaps you meant \"==\"?");
          continue;
        }
        std::string name = first->getText();
        if (!names.insert(name).second) {
          syntaxError(ar, "keyword argument repeated: " + name);
          continue;
        }
        keywords.push_back(Keyword{name, test(a->test(1)), ar});
        sawKeyword = true;
      } else if (a->POWER()) {
        keywords.push_back(Keyword{"", test(a->test(0)), ar});
        sawKwUnpack = true;
      } else if (a->STAR()) {
        if (sawKwUnpack) {
          syntaxError(ar, "iterable argument unpacking follows keyword argument unpacking");
          continue;
        }
        args.push_back(m_.create<Starred>(ar, test(a->test(0))));
      } else {
        if (sawKwUnpack) {
          syntaxError(ar, "positional argument follows keyword argument unpacking");
          continue;
        }
        if (sawKeyword) {
          syntaxError(ar, "positional argument follows keyword argument");
          continue;
        }
        Expr *v = test(a->test(0));
        if (a->comp_for()) {
          if (argsCtx.size() != 1 || !list->COMMA().empty()) {
            syntaxError(ar, "Generator expression must be parenthesized");
            continue;
          }
          v = m_.create<Comprehension>(ar, ComprehensionKind::Generator, v, nullptr,
                                       compFor(a->comp_for()));
        }
        args.push_back(v);
      }
    }
  }
  return m_.create<Call>(r, func, std::move(args), std::move(keywords));
}

/// subscriptlist : subscript (COMMA subscript?)*
Expr *ASTBuilder::subscriptlist(P::SubscriptlistContext *c) {
  if (!separatorsOK(c, ScopeLexer::COMMA))
    return error(range(c));
  std::vector<Expr *> elts;
  for (auto *s : c->subscript())
    elts.push_back(subscript(s));
  if (elts.size() == 1 && c->COMMA().empty())
    return elts[0];
  return m_.create<Tuple>(range(c), std::move(elts));
}

/// subscript : test | test? COLON test? sliceop?
/// sliceop : COLON test?
Expr *ASTBuilder::subscript(P::SubscriptContext *c) {
  if (!c->COLON())
    return test(c->test(0));
  Expr *lower = nullptr, *upper = nullptr, *step = nullptr;
  for (auto *child : c->children) {
    if (auto *t = as<P::TestContext>(child)) {
      // A test before the colon is the lower bound, after it the upper.
      if (t->getStart()->getTokenIndex() < c->COLON()->getSymbol()->getTokenIndex())
        lower = test(t);
      else
        upper = test(t);
    }
  }
  if (auto *s = c->sliceop(); s && s->test())
    step = test(s->test());
  return m_.create<Slice>(range(c), lower, upper, step);
}

/// atom : LPAREN (yield_expr | testlist_comp)? RPAREN | LBRACK testlist_comp? RBRACK
///      | LBRACE dictorsetmaker? RBRACE | NAME | NUMBER | STRING+ | ELLIPSIS
///      | NONE | TRUE | FALSE
Expr *ASTBuilder::atom(P::AtomContext *c) {
  SourceRange r = range(c);
  switch (c->getStart()->getType()) {
  case ScopeLexer::LPAREN:
    if (c->yield_expr())
      return yieldExpr(c->yield_expr());
    if (!c->testlist_comp())
      return m_.create<Tuple>(r, std::vector<Expr *>{});
    return testlistComp(c->testlist_comp(), r, false);
  case ScopeLexer::LBRACK:
    if (!c->testlist_comp())
      return m_.create<List>(r, std::vector<Expr *>{});
    return testlistComp(c->testlist_comp(), r, true);
  case ScopeLexer::LBRACE: return braceAtom(c);
  case ScopeLexer::NAME: return m_.create<Name>(r, c->NAME()->getText());
  case ScopeLexer::NUMBER: return number(c->NUMBER()->getSymbol());
  case ScopeLexer::STRING: return strings(c);
  case ScopeLexer::ELLIPSIS: return m_.create<EllipsisLit>(r);
  case ScopeLexer::NONE: return m_.create<NoneLit>(r);
  case ScopeLexer::TRUE: return m_.create<BoolLit>(r, true);
  case ScopeLexer::FALSE: return m_.create<BoolLit>(r, false);
  default: return error(r);
  }
}

/// testlist_comp : (namedexpr_test | star_expr)
///                 (comp_for | (COMMA (namedexpr_test | star_expr)?)*)
Expr *ASTBuilder::testlistComp(P::Testlist_compContext *c, SourceRange r, bool isList) {
  if (!separatorsOK(c, ScopeLexer::COMMA))
    return error(r);
  std::vector<Expr *> elts;
  for (auto *child : c->children) {
    if (auto *t = as<P::Namedexpr_testContext>(child))
      elts.push_back(namedexprTest(t));
    else if (auto *s = as<P::Star_exprContext>(child))
      elts.push_back(starExpr(s));
  }
  if (c->comp_for()) {
    if (llvm::isa<Starred>(elts[0])) {
      syntaxError(elts[0]->range(), isList ? "iterable unpacking cannot be used in comprehension"
                                           : "iterable unpacking cannot be used in comprehension");
      return error(r);
    }
    return m_.create<Comprehension>(r, isList ? ComprehensionKind::List
                                              : ComprehensionKind::Generator,
                                    elts[0], nullptr, compFor(c->comp_for()));
  }
  if (isList)
    return m_.create<List>(r, std::move(elts));
  if (elts.size() == 1 && c->COMMA().empty()) {
    if (llvm::isa<Starred>(elts[0])) {
      syntaxError(elts[0]->range(), "cannot use starred expression here");
      return error(r);
    }
    return elts[0]; // a parenthesised expression
  }
  return m_.create<Tuple>(r, std::move(elts));
}

/// dictorsetmaker : dict_item (comp_for | (COMMA dict_item)* COMMA?)   # dictMaker
///                | (test | star_expr) (comp_for | ...)               # setMaker
/// dict_item : test COLON test | POWER expr
Expr *ASTBuilder::braceAtom(P::AtomContext *c) {
  SourceRange r = range(c);
  auto *maker = c->dictorsetmaker();
  if (!maker)
    return m_.create<Dict>(r, std::vector<Expr *>{}, std::vector<Expr *>{});
  if (auto *d = as<P::DictMakerContext>(maker)) {
    std::vector<Expr *> keys, values;
    for (auto *item : d->dict_item()) {
      if (item->POWER()) {
        keys.push_back(nullptr);
        values.push_back(expr(item->expr()));
      } else {
        keys.push_back(test(item->test(0)));
        values.push_back(test(item->test(1)));
      }
    }
    if (d->comp_for()) {
      if (!keys[0]) {
        syntaxError(r, "dict unpacking cannot be used in dict comprehension");
        return error(r);
      }
      return m_.create<Comprehension>(r, ComprehensionKind::Dict, keys[0], values[0],
                                      compFor(d->comp_for()));
    }
    return m_.create<Dict>(r, std::move(keys), std::move(values));
  }
  unsupported(r, as<P::SetMakerContext>(maker)->comp_for() ? "set comprehensions are"
                                                           : "set displays are");
  return error(r);
}

/// comp_for : ASYNC? FOR exprlist IN or_test comp_iter?
/// comp_iter : comp_for | comp_if
/// comp_if : IF test_nocond comp_iter?
std::vector<CompFor> ASTBuilder::compFor(P::Comp_forContext *c) {
  std::vector<CompFor> out;
  while (c) {
    if (c->ASYNC())
      unsupported(range(c), "asynchronous comprehensions are");
    CompFor f;
    f.target = exprlist(c->exprlist());
    checkTarget(f.target, TargetUse::Comprehension);
    f.iter = orTest(c->or_test());
    P::Comp_iterContext *it = c->comp_iter();
    c = nullptr;
    while (it) {
      if (it->comp_for()) {
        c = it->comp_for();
        break;
      }
      P::Comp_ifContext *cond = it->comp_if();
      f.ifs.push_back(testNocond(cond->test_nocond()));
      it = cond->comp_iter();
    }
    out.push_back(std::move(f));
  }
  return out;
}

/// yield_expr : YIELD (FROM test | testlist_star_expr)?
Expr *ASTBuilder::yieldExpr(P::Yield_exprContext *c) {
  unsupported(range(c), "'yield' expressions are");
  return error(range(c));
}

/// NUMBER: decimal, octal, hex and binary integers, floats, imaginary.
Expr *ASTBuilder::number(antlr4::Token *t) {
  SourceRange r = tokenRange(t);
  std::string text;
  for (char ch : t->getText())
    if (ch != '_')
      text += ch;
  char last = text.back();
  if (last == 'j' || last == 'J') {
    unsupported(r, "complex literals are");
    return error(r);
  }
  bool isInt = text.find_first_of(".eE") == std::string::npos ||
               (text.size() > 1 && (text[1] == 'x' || text[1] == 'X'));
  if (!isInt) {
    return m_.create<FloatLit>(r, std::strtod(text.c_str(), nullptr));
  }
  int base = 10;
  size_t start = 0;
  if (text.size() > 1 && text[0] == '0') {
    char b = static_cast<char>(text[1] | 0x20);
    if (b == 'x')
      base = 16, start = 2;
    else if (b == 'o')
      base = 8, start = 2;
    else if (b == 'b')
      base = 2, start = 2;
  }
  unsigned __int128 v = 0;
  for (size_t i = start; i < text.size(); ++i) {
    char ch = text[i];
    unsigned d = ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
    v = v * base + d;
    if (v > static_cast<unsigned __int128>(INT64_MAX)) {
      diags_.report(r, diag::integer_overflow)
          << "integer literal " + t->getText() + " does not fit in 64 bits";
      return error(r);
    }
  }
  return m_.create<IntLit>(r, static_cast<int64_t>(v));
}

//===--- Targets ----------------------------------------------------------===//

namespace {
/// Python's name for an expression that cannot be assigned to.
const char *exprName(const Expr *e) {
  switch (e->getKind()) {
  case NodeKind::Call: return "function call";
  case NodeKind::IntLit:
  case NodeKind::FloatLit:
  case NodeKind::StrLit: return "literal";
  case NodeKind::FString: return "f-string expression";
  case NodeKind::BoolLit: return llvm::cast<BoolLit>(e)->value ? "True" : "False";
  case NodeKind::NoneLit: return "None";
  case NodeKind::EllipsisLit: return "ellipsis";
  case NodeKind::Compare: return "comparison";
  case NodeKind::IfExp: return "conditional expression";
  case NodeKind::Lambda: return "lambda";
  case NodeKind::Dict: return "dict literal";
  case NodeKind::Comprehension:
    switch (llvm::cast<Comprehension>(e)->kind) {
    case ComprehensionKind::List: return "list comprehension";
    case ComprehensionKind::Dict: return "dict comprehension";
    case ComprehensionKind::Generator: return "generator expression";
    }
    return "expression";
  case NodeKind::Tuple: return "tuple";
  case NodeKind::List: return "list";
  case NodeKind::Starred: return "starred";
  default: return "expression";
  }
}
} // namespace

void ASTBuilder::checkTarget(Expr *e, TargetUse use) {
  if (llvm::isa<Name, Attribute, Subscript, ErrorExpr>(e))
    return;
  if (use == TargetUse::AugAssign) {
    syntaxError(e->range(), std::string("'") + exprName(e) +
                                "' is an illegal expression for augmented assignment");
    return;
  }
  if (llvm::isa<Tuple, List>(e) && use != TargetUse::Del) {
    auto &elts = llvm::isa<Tuple>(e) ? llvm::cast<Tuple>(e)->elts : llvm::cast<List>(e)->elts;
    bool starred = false;
    for (Expr *elt : elts) {
      if (auto *s = llvm::dyn_cast<Starred>(elt)) {
        if (starred) {
          syntaxError(s->range(), "multiple starred expressions in assignment");
          return;
        }
        starred = true;
        checkTarget(s->value, use);
      } else {
        checkTarget(elt, use);
      }
    }
    return;
  }
  if (llvm::isa<Tuple, List>(e)) { // del (a, b)
    auto &elts = llvm::isa<Tuple>(e) ? llvm::cast<Tuple>(e)->elts : llvm::cast<List>(e)->elts;
    for (Expr *elt : elts)
      checkTarget(elt, use);
    return;
  }
  if (llvm::isa<Starred>(e) && use != TargetUse::Del) {
    syntaxError(e->range(), "starred assignment target must be in a list or tuple");
    return;
  }
  std::string what = exprName(e);
  if (use == TargetUse::Del) {
    syntaxError(e->range(), "cannot delete " + what);
    return;
  }
  std::string msg = "cannot assign to " + what;
  if (use == TargetUse::Assign && !llvm::isa<NoneLit, BoolLit>(e))
    msg += " here. Maybe you meant '==' instead of '='?";
  syntaxError(e->range(), msg);
}

} // namespace scopec::syntax
