//===- AST.h - The passive AST of a .scope module ---------------*- C++ -*-===//
//
// Nodes are plain data with a kind and a source range; no evaluation or code
// generation lives here. Node kinds are listed once in ASTNodes.def and are
// queried with llvm::isa / cast / dyn_cast. A Module owns every node it
// contains; children are non-owning pointers into that arena.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_AST_AST_H
#define SCOPEC_AST_AST_H

#include "scopec/Basic/SourceManager.h"

#include "llvm/Support/Casting.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace scopec::ast {

enum class NodeKind : uint8_t {
#define EXPR(C) C,
#define STMT(C) C,
#include "scopec/AST/ASTNodes.def"
};

const char *getNodeKindName(NodeKind k);

class Node {
public:
  virtual ~Node() = default;
  NodeKind getKind() const { return kind_; }
  const SourceRange &range() const { return range_; }

protected:
  Node(NodeKind k, SourceRange r) : kind_(k), range_(r) {}

private:
  NodeKind kind_;
  SourceRange range_;
};

class Expr : public Node {
public:
  static bool classof(const Node *n) {
    return n->getKind() >= NodeKind::Name &&
           n->getKind() <= NodeKind::ErrorExpr;
  }

protected:
  using Node::Node;
};

class Stmt : public Node {
public:
  static bool classof(const Node *n) {
    return n->getKind() >= NodeKind::ExprStmt && n->getKind() <= NodeKind::Del;
  }

protected:
  using Node::Node;
};

#define SCOPEC_AST_CLASSOF(C)                                                  \
  static bool classof(const Node *n) { return n->getKind() == NodeKind::C; }

//===--- Expressions ------------------------------------------------------===//

class Name : public Expr {
public:
  Name(SourceRange r, std::string id) : Expr(NodeKind::Name, r), id(std::move(id)) {}
  SCOPEC_AST_CLASSOF(Name)
  std::string id;
};

class IntLit : public Expr {
public:
  IntLit(SourceRange r, int64_t v) : Expr(NodeKind::IntLit, r), value(v) {}
  SCOPEC_AST_CLASSOF(IntLit)
  int64_t value;
};

class FloatLit : public Expr {
public:
  FloatLit(SourceRange r, double v) : Expr(NodeKind::FloatLit, r), value(v) {}
  SCOPEC_AST_CLASSOF(FloatLit)
  double value;
};

/// A string literal (adjacent literals already concatenated).
class StrLit : public Expr {
public:
  StrLit(SourceRange r, std::string v) : Expr(NodeKind::StrLit, r), value(std::move(v)) {}
  SCOPEC_AST_CLASSOF(StrLit)
  std::string value;
};

class FString;
/// One piece of an f-string: literal text, or a replacement field.
struct FStringPart {
  std::string literal;          ///< used when value == nullptr
  Expr *value = nullptr;        ///< the replacement field's expression
  char conversion = 0;          ///< 0, 'r', 's' or 'a'
  FString *formatSpec = nullptr; ///< the part after ':', itself an f-string
  SourceRange range;
};

class FString : public Expr {
public:
  FString(SourceRange r, std::vector<FStringPart> p)
      : Expr(NodeKind::FString, r), parts(std::move(p)) {}
  SCOPEC_AST_CLASSOF(FString)
  std::vector<FStringPart> parts;
};

class BoolLit : public Expr {
public:
  BoolLit(SourceRange r, bool v) : Expr(NodeKind::BoolLit, r), value(v) {}
  SCOPEC_AST_CLASSOF(BoolLit)
  bool value;
};

class NoneLit : public Expr {
public:
  explicit NoneLit(SourceRange r) : Expr(NodeKind::NoneLit, r) {}
  SCOPEC_AST_CLASSOF(NoneLit)
};

class EllipsisLit : public Expr {
public:
  explicit EllipsisLit(SourceRange r) : Expr(NodeKind::EllipsisLit, r) {}
  SCOPEC_AST_CLASSOF(EllipsisLit)
};

class Tuple : public Expr {
public:
  Tuple(SourceRange r, std::vector<Expr *> e) : Expr(NodeKind::Tuple, r), elts(std::move(e)) {}
  SCOPEC_AST_CLASSOF(Tuple)
  std::vector<Expr *> elts;
};

class List : public Expr {
public:
  List(SourceRange r, std::vector<Expr *> e) : Expr(NodeKind::List, r), elts(std::move(e)) {}
  SCOPEC_AST_CLASSOF(List)
  std::vector<Expr *> elts;
};

/// `{k: v, **m}`: a null key marks a `**m` entry.
class Dict : public Expr {
public:
  Dict(SourceRange r, std::vector<Expr *> k, std::vector<Expr *> v)
      : Expr(NodeKind::Dict, r), keys(std::move(k)), values(std::move(v)) {}
  SCOPEC_AST_CLASSOF(Dict)
  std::vector<Expr *> keys;
  std::vector<Expr *> values;
};

enum class BinaryOp : uint8_t {
  Add, Sub, Mul, MatMul, Div, FloorDiv, Mod, Pow, LShift, RShift, BitOr, BitXor, BitAnd
};
const char *getBinaryOpSpelling(BinaryOp op);

class BinOp : public Expr {
public:
  BinOp(SourceRange r, BinaryOp op, Expr *l, Expr *rhs)
      : Expr(NodeKind::BinOp, r), op(op), lhs(l), rhs(rhs) {}
  SCOPEC_AST_CLASSOF(BinOp)
  BinaryOp op;
  Expr *lhs;
  Expr *rhs;
};

enum class UnaryOpKind : uint8_t { Neg, Pos, Invert, Not };
const char *getUnaryOpSpelling(UnaryOpKind op);

class UnaryOp : public Expr {
public:
  UnaryOp(SourceRange r, UnaryOpKind op, Expr *e)
      : Expr(NodeKind::UnaryOp, r), op(op), operand(e) {}
  SCOPEC_AST_CLASSOF(UnaryOp)
  UnaryOpKind op;
  Expr *operand;
};

/// `a and b and c` / `a or b`.
class BoolOp : public Expr {
public:
  BoolOp(SourceRange r, bool isAnd, std::vector<Expr *> v)
      : Expr(NodeKind::BoolOp, r), isAnd(isAnd), values(std::move(v)) {}
  SCOPEC_AST_CLASSOF(BoolOp)
  bool isAnd;
  std::vector<Expr *> values;
};

enum class CmpOp : uint8_t { Eq, NotEq, Lt, LtE, Gt, GtE, Is, IsNot, In, NotIn };
const char *getCmpOpSpelling(CmpOp op);

/// A comparison chain `left op0 c0 op1 c1 ...`.
class Compare : public Expr {
public:
  Compare(SourceRange r, Expr *l, std::vector<CmpOp> o, std::vector<Expr *> c)
      : Expr(NodeKind::Compare, r), left(l), ops(std::move(o)), comparators(std::move(c)) {}
  SCOPEC_AST_CLASSOF(Compare)
  Expr *left;
  std::vector<CmpOp> ops;
  std::vector<Expr *> comparators;
};

class IfExp : public Expr {
public:
  IfExp(SourceRange r, Expr *t, Expr *b, Expr *o)
      : Expr(NodeKind::IfExp, r), test(t), body(b), orelse(o) {}
  SCOPEC_AST_CLASSOF(IfExp)
  Expr *test;
  Expr *body;
  Expr *orelse;
};

enum class ParamKind : uint8_t { Positional, VarArgs, KeywordOnly, VarKeywords };

struct Param {
  std::string name;
  ParamKind kind = ParamKind::Positional;
  Expr *defaultValue = nullptr;
  Expr *annotation = nullptr;
  SourceRange range;
};

class Lambda : public Expr {
public:
  Lambda(SourceRange r, std::vector<Param> p, Expr *b)
      : Expr(NodeKind::Lambda, r), params(std::move(p)), body(b) {}
  SCOPEC_AST_CLASSOF(Lambda)
  std::vector<Param> params;
  Expr *body;
};

/// `name=value`, or `**value` when name is empty.
struct Keyword {
  std::string name;
  Expr *value = nullptr;
  SourceRange range;
};

class Call : public Expr {
public:
  Call(SourceRange r, Expr *f, std::vector<Expr *> a, std::vector<Keyword> k)
      : Expr(NodeKind::Call, r), func(f), args(std::move(a)), keywords(std::move(k)) {}
  SCOPEC_AST_CLASSOF(Call)
  Expr *func;
  std::vector<Expr *> args; ///< may contain Starred (`*xs`)
  std::vector<Keyword> keywords;
};

class Attribute : public Expr {
public:
  Attribute(SourceRange r, Expr *v, std::string a, SourceRange ar)
      : Expr(NodeKind::Attribute, r), value(v), attr(std::move(a)), attrRange(ar) {}
  SCOPEC_AST_CLASSOF(Attribute)
  Expr *value;
  std::string attr;
  SourceRange attrRange;
};

/// `value[index]`; a multi-dimensional index is a Tuple, slices are Slice.
class Subscript : public Expr {
public:
  Subscript(SourceRange r, Expr *v, Expr *i)
      : Expr(NodeKind::Subscript, r), value(v), index(i) {}
  SCOPEC_AST_CLASSOF(Subscript)
  Expr *value;
  Expr *index;
};

class Slice : public Expr {
public:
  Slice(SourceRange r, Expr *lo, Expr *up, Expr *st)
      : Expr(NodeKind::Slice, r), lower(lo), upper(up), step(st) {}
  SCOPEC_AST_CLASSOF(Slice)
  Expr *lower; ///< each may be null
  Expr *upper;
  Expr *step;
};

class Starred : public Expr {
public:
  Starred(SourceRange r, Expr *v) : Expr(NodeKind::Starred, r), value(v) {}
  SCOPEC_AST_CLASSOF(Starred)
  Expr *value;
};

struct CompFor {
  Expr *target = nullptr;
  Expr *iter = nullptr;
  std::vector<Expr *> ifs;
};

enum class ComprehensionKind : uint8_t { List, Dict, Generator };

/// `[elt for ...]`, `{key: value for ...}`, `(elt for ...)`.
class Comprehension : public Expr {
public:
  Comprehension(SourceRange r, ComprehensionKind k, Expr *e, Expr *v,
                std::vector<CompFor> g)
      : Expr(NodeKind::Comprehension, r), kind(k), elt(e), value(v),
        generators(std::move(g)) {}
  SCOPEC_AST_CLASSOF(Comprehension)
  ComprehensionKind kind;
  Expr *elt;   ///< the element, or the key of a dict comprehension
  Expr *value; ///< the value of a dict comprehension, else null
  std::vector<CompFor> generators;
};

/// Stands in for an expression that could not be built (after a
/// diagnostic); evaluating it yields an error value silently.
class ErrorExpr : public Expr {
public:
  explicit ErrorExpr(SourceRange r) : Expr(NodeKind::ErrorExpr, r) {}
  SCOPEC_AST_CLASSOF(ErrorExpr)
};

//===--- Statements -------------------------------------------------------===//

using StmtList = std::vector<Stmt *>;

class ExprStmt : public Stmt {
public:
  ExprStmt(SourceRange r, Expr *v) : Stmt(NodeKind::ExprStmt, r), value(v) {}
  SCOPEC_AST_CLASSOF(ExprStmt)
  Expr *value;
};

/// `t0 = t1 = value`.
class Assign : public Stmt {
public:
  Assign(SourceRange r, std::vector<Expr *> t, Expr *v)
      : Stmt(NodeKind::Assign, r), targets(std::move(t)), value(v) {}
  SCOPEC_AST_CLASSOF(Assign)
  std::vector<Expr *> targets;
  Expr *value;
};

class AugAssign : public Stmt {
public:
  AugAssign(SourceRange r, Expr *t, BinaryOp op, Expr *v)
      : Stmt(NodeKind::AugAssign, r), target(t), op(op), value(v) {}
  SCOPEC_AST_CLASSOF(AugAssign)
  Expr *target;
  BinaryOp op;
  Expr *value;
};

/// `target: annotation [= value]`; the annotation is not evaluated.
class AnnAssign : public Stmt {
public:
  AnnAssign(SourceRange r, Expr *t, Expr *a, Expr *v)
      : Stmt(NodeKind::AnnAssign, r), target(t), annotation(a), value(v) {}
  SCOPEC_AST_CLASSOF(AnnAssign)
  Expr *target;
  Expr *annotation;
  Expr *value; ///< may be null
};

struct ImportAlias {
  std::string name;   ///< dotted module name, or the imported name
  std::string asname; ///< empty when there is no `as`
  SourceRange range;
};

class Import : public Stmt {
public:
  Import(SourceRange r, std::vector<ImportAlias> n)
      : Stmt(NodeKind::Import, r), names(std::move(n)) {}
  SCOPEC_AST_CLASSOF(Import)
  std::vector<ImportAlias> names;
};

/// `from [.]*module import names` (names empty and isStar for `import *`).
class ImportFrom : public Stmt {
public:
  ImportFrom(SourceRange r, std::string m, unsigned lvl, std::vector<ImportAlias> n, bool star)
      : Stmt(NodeKind::ImportFrom, r), module(std::move(m)), level(lvl),
        names(std::move(n)), isStar(star) {}
  SCOPEC_AST_CLASSOF(ImportFrom)
  std::string module;
  unsigned level;
  std::vector<ImportAlias> names;
  bool isStar;
};

class FunctionDef : public Stmt {
public:
  FunctionDef(SourceRange r, std::string n, SourceRange nr, std::vector<Param> p,
              StmtList b, Expr *ret)
      : Stmt(NodeKind::FunctionDef, r), name(std::move(n)), nameRange(nr),
        params(std::move(p)), body(std::move(b)), returns(ret) {}
  SCOPEC_AST_CLASSOF(FunctionDef)
  std::string name;
  SourceRange nameRange;
  std::vector<Param> params;
  StmtList body;
  Expr *returns; ///< the `-> annotation`, may be null; not evaluated
  std::vector<Expr *> decorators; ///< outermost first
};

/// `class Name(Base, ...):` with its decorators.
class ClassDef : public Stmt {
public:
  ClassDef(SourceRange r, std::string n, std::vector<Expr *> b, StmtList body)
      : Stmt(NodeKind::ClassDef, r), name(std::move(n)), bases(std::move(b)), body(std::move(body)) {}
  SCOPEC_AST_CLASSOF(ClassDef)
  std::string name;
  std::vector<Expr *> bases;
  StmtList body;
  std::vector<Expr *> decorators; ///< outermost first
};

class Return : public Stmt {
public:
  Return(SourceRange r, Expr *v) : Stmt(NodeKind::Return, r), value(v) {}
  SCOPEC_AST_CLASSOF(Return)
  Expr *value; ///< may be null
};

/// `if` / `elif` / `else`: an `elif` is an If alone in orelse.
class If : public Stmt {
public:
  If(SourceRange r, Expr *t, StmtList b, StmtList o)
      : Stmt(NodeKind::If, r), test(t), body(std::move(b)), orelse(std::move(o)) {}
  SCOPEC_AST_CLASSOF(If)
  Expr *test;
  StmtList body;
  StmtList orelse;
};

class For : public Stmt {
public:
  For(SourceRange r, Expr *t, Expr *i, StmtList b, StmtList o)
      : Stmt(NodeKind::For, r), target(t), iter(i), body(std::move(b)), orelse(std::move(o)) {}
  SCOPEC_AST_CLASSOF(For)
  Expr *target;
  Expr *iter;
  StmtList body;
  StmtList orelse;
};

struct WithItem {
  Expr *context = nullptr;
  Expr *vars = nullptr; ///< the `as` target, may be null
};

class With : public Stmt {
public:
  With(SourceRange r, std::vector<WithItem> i, StmtList b)
      : Stmt(NodeKind::With, r), items(std::move(i)), body(std::move(b)) {}
  SCOPEC_AST_CLASSOF(With)
  std::vector<WithItem> items;
  StmtList body;
};

/// `raise`, `raise E`, `raise E from C`.
class Raise : public Stmt {
public:
  Raise(SourceRange r, Expr *e, Expr *c) : Stmt(NodeKind::Raise, r), exc(e), cause(c) {}
  SCOPEC_AST_CLASSOF(Raise)
  Expr *exc;   ///< may be null (a bare re-raise)
  Expr *cause; ///< may be null; evaluated, not used
};

struct ExceptHandler {
  SourceRange range;   ///< the `except ...:` line
  Expr *type = nullptr; ///< may be null (bare except)
  std::string name;     ///< the `as` name, may be empty
  StmtList body;
};

/// `try` with its handlers, `else` and `finally`.
class Try : public Stmt {
public:
  Try(SourceRange r, StmtList b, std::vector<ExceptHandler> h, StmtList o, StmtList f)
      : Stmt(NodeKind::Try, r), body(std::move(b)), handlers(std::move(h)), orelse(std::move(o)),
        finalbody(std::move(f)) {}
  SCOPEC_AST_CLASSOF(Try)
  StmtList body;
  std::vector<ExceptHandler> handlers;
  StmtList orelse;
  StmtList finalbody;
};

class Assert : public Stmt {
public:
  Assert(SourceRange r, Expr *t, Expr *m) : Stmt(NodeKind::Assert, r), test(t), msg(m) {}
  SCOPEC_AST_CLASSOF(Assert)
  Expr *test;
  Expr *msg; ///< may be null
};

class Pass : public Stmt {
public:
  explicit Pass(SourceRange r) : Stmt(NodeKind::Pass, r) {}
  SCOPEC_AST_CLASSOF(Pass)
};

class Break : public Stmt {
public:
  explicit Break(SourceRange r) : Stmt(NodeKind::Break, r) {}
  SCOPEC_AST_CLASSOF(Break)
};

class Continue : public Stmt {
public:
  explicit Continue(SourceRange r) : Stmt(NodeKind::Continue, r) {}
  SCOPEC_AST_CLASSOF(Continue)
};

class Del : public Stmt {
public:
  Del(SourceRange r, std::vector<Expr *> t) : Stmt(NodeKind::Del, r), targets(std::move(t)) {}
  SCOPEC_AST_CLASSOF(Del)
  std::vector<Expr *> targets;
};

#undef SCOPEC_AST_CLASSOF

/// A `#` comment of the source (for --verify and suppressions).
struct Comment {
  SourceRange range;
  std::string text; ///< including the leading '#'
};

/// One parsed file: the arena that owns its nodes, its statements and its
/// comments.
class Module {
public:
  explicit Module(FileID file) : file_(file) {}
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  template <typename T, typename... Args> T *create(Args &&...args) {
    auto node = std::make_unique<T>(std::forward<Args>(args)...);
    T *raw = node.get();
    nodes_.push_back(std::move(node));
    return raw;
  }

  FileID file() const { return file_; }
  StmtList body;
  std::vector<Comment> comments;
  /// True when the syntax phase reported an error: later phases must not run.
  bool hasSyntaxErrors = false;

private:
  FileID file_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

} // namespace scopec::ast

#endif
