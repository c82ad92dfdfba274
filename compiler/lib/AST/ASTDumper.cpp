//===- ASTDumper.cpp ------------------------------------------------------===//
#include "scopec/AST/ASTDumper.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>

namespace scopec::ast {
namespace {

/// Python-style repr of a string, so dumps are unambiguous and one line.
std::string quote(const std::string &s) {
  std::string out = "'";
  for (unsigned char c : s) {
    switch (c) {
    case '\\': out += "\\\\"; break;
    case '\'': out += "\\'"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out + "'";
}

class Dumper {
public:
  explicit Dumper(llvm::raw_ostream &os) : os_(os) {}

  void module(const Module &m) {
    os_ << "Module\n";
    ++depth_;
    stmts(m.body);
    --depth_;
  }

private:
  llvm::raw_ostream &os_;
  unsigned depth_ = 0;

  void indent() { os_.indent(depth_ * 2); }
  void loc(const SourceRange &r) {
    os_ << " <" << r.begin.line << ':' << r.begin.col << '-' << r.end.line
        << ':' << r.end.col << '>';
  }
  /// Opens a node line: `Kind<range> extra`.
  void open(const Node *n, const std::string &extra = {}) {
    indent();
    os_ << getNodeKindName(n->getKind());
    loc(n->range());
    if (!extra.empty())
      os_ << ' ' << extra;
    os_ << '\n';
  }
  /// A labelled group of children.
  template <typename F> void field(const char *label, F &&body) {
    ++depth_;
    indent();
    os_ << label << ":\n";
    ++depth_;
    body();
    depth_ -= 2;
  }
  void stmts(const StmtList &list) {
    for (const Stmt *s : list)
      stmt(s);
  }
  void children(std::initializer_list<const Expr *> list) {
    ++depth_;
    for (const Expr *e : list)
      if (e)
        expr(e);
    --depth_;
  }
  void exprList(const std::vector<Expr *> &list) {
    ++depth_;
    for (const Expr *e : list)
      expr(e);
    --depth_;
  }
  void params(const std::vector<Param> &ps) {
    for (const Param &p : ps) {
      ++depth_;
      indent();
      static const char *kinds[] = {"", "*", "kwonly ", "**"};
      os_ << "Param";
      loc(p.range);
      os_ << ' ' << kinds[static_cast<int>(p.kind)] << p.name << '\n';
      if (p.defaultValue)
        field("default", [&] { expr(p.defaultValue); });
      --depth_;
    }
  }
  void aliases(const std::vector<ImportAlias> &names) {
    for (const ImportAlias &a : names) {
      ++depth_;
      indent();
      os_ << "Alias";
      loc(a.range);
      os_ << ' ' << a.name;
      if (!a.asname.empty())
        os_ << " as " << a.asname;
      os_ << '\n';
      --depth_;
    }
  }
  void fstring(const FString *f) {
    ++depth_;
    for (const FStringPart &p : f->parts) {
      indent();
      if (!p.value) {
        os_ << "Literal " << quote(p.literal) << '\n';
        continue;
      }
      os_ << "Field";
      loc(p.range);
      if (p.conversion)
        os_ << " !" << p.conversion;
      os_ << '\n';
      ++depth_;
      expr(p.value);
      if (p.formatSpec) {
        indent();
        os_ << "spec:\n";
        ++depth_;
        expr(p.formatSpec);
        --depth_;
      }
      --depth_;
    }
    --depth_;
  }

  void expr(const Expr *e) {
    if (!e)
      return;
    switch (e->getKind()) {
    case NodeKind::Name:
      open(e, llvm::cast<Name>(e)->id);
      break;
    case NodeKind::IntLit:
      open(e, std::to_string(llvm::cast<IntLit>(e)->value));
      break;
    case NodeKind::FloatLit: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", llvm::cast<FloatLit>(e)->value);
      open(e, buf);
      break;
    }
    case NodeKind::StrLit:
      open(e, quote(llvm::cast<StrLit>(e)->value));
      break;
    case NodeKind::FString:
      open(e);
      fstring(llvm::cast<FString>(e));
      break;
    case NodeKind::BoolLit:
      open(e, llvm::cast<BoolLit>(e)->value ? "True" : "False");
      break;
    case NodeKind::NoneLit:
    case NodeKind::EllipsisLit:
    case NodeKind::ErrorExpr:
      open(e);
      break;
    case NodeKind::Tuple:
      open(e);
      exprList(llvm::cast<Tuple>(e)->elts);
      break;
    case NodeKind::List:
      open(e);
      exprList(llvm::cast<List>(e)->elts);
      break;
    case NodeKind::Dict: {
      auto *d = llvm::cast<Dict>(e);
      open(e);
      for (size_t i = 0; i < d->keys.size(); ++i) {
        if (d->keys[i])
          field("key", [&] { expr(d->keys[i]); });
        field(d->keys[i] ? "value" : "unpack", [&] { expr(d->values[i]); });
      }
      break;
    }
    case NodeKind::BinOp: {
      auto *b = llvm::cast<BinOp>(e);
      open(e, getBinaryOpSpelling(b->op));
      children({b->lhs, b->rhs});
      break;
    }
    case NodeKind::UnaryOp: {
      auto *u = llvm::cast<UnaryOp>(e);
      open(e, getUnaryOpSpelling(u->op));
      children({u->operand});
      break;
    }
    case NodeKind::BoolOp: {
      auto *b = llvm::cast<BoolOp>(e);
      open(e, b->isAnd ? "and" : "or");
      exprList(b->values);
      break;
    }
    case NodeKind::Compare: {
      auto *c = llvm::cast<Compare>(e);
      std::string ops;
      for (CmpOp op : c->ops)
        ops += (ops.empty() ? "" : " ") + std::string(getCmpOpSpelling(op));
      open(e, ops);
      children({c->left});
      exprList(c->comparators);
      break;
    }
    case NodeKind::IfExp: {
      auto *i = llvm::cast<IfExp>(e);
      open(e);
      children({i->test, i->body, i->orelse});
      break;
    }
    case NodeKind::Lambda: {
      auto *l = llvm::cast<Lambda>(e);
      open(e);
      params(l->params);
      field("body", [&] { expr(l->body); });
      break;
    }
    case NodeKind::Call: {
      auto *c = llvm::cast<Call>(e);
      open(e);
      children({c->func});
      if (!c->args.empty())
        field("args", [&] {
          for (const Expr *a : c->args)
            expr(a);
        });
      for (const Keyword &k : c->keywords) {
        ++depth_;
        indent();
        os_ << "Keyword";
        loc(k.range);
        os_ << ' ' << (k.name.empty() ? "**" : k.name) << '\n';
        children({k.value});
        --depth_;
      }
      break;
    }
    case NodeKind::Attribute: {
      auto *a = llvm::cast<Attribute>(e);
      open(e, "." + a->attr);
      children({a->value});
      break;
    }
    case NodeKind::Subscript: {
      auto *s = llvm::cast<Subscript>(e);
      open(e);
      children({s->value, s->index});
      break;
    }
    case NodeKind::Slice: {
      auto *s = llvm::cast<Slice>(e);
      open(e);
      if (s->lower)
        field("lower", [&] { expr(s->lower); });
      if (s->upper)
        field("upper", [&] { expr(s->upper); });
      if (s->step)
        field("step", [&] { expr(s->step); });
      break;
    }
    case NodeKind::Starred:
      open(e);
      children({llvm::cast<Starred>(e)->value});
      break;
    case NodeKind::Comprehension: {
      auto *c = llvm::cast<Comprehension>(e);
      static const char *kinds[] = {"list", "dict", "generator"};
      open(e, kinds[static_cast<int>(c->kind)]);
      children({c->elt, c->value});
      for (const CompFor &g : c->generators) {
        field("for", [&] { expr(g.target); });
        field("in", [&] { expr(g.iter); });
        for (const Expr *cond : g.ifs)
          field("if", [&] { expr(cond); });
      }
      break;
    }
    default:
      open(e, "<unknown expression>");
    }
  }

  void stmt(const Stmt *s) {
    switch (s->getKind()) {
    case NodeKind::ExprStmt:
      open(s);
      children({llvm::cast<ExprStmt>(s)->value});
      break;
    case NodeKind::Assign: {
      auto *a = llvm::cast<Assign>(s);
      open(s);
      field("targets", [&] {
        for (const Expr *t : a->targets)
          expr(t);
      });
      field("value", [&] { expr(a->value); });
      break;
    }
    case NodeKind::AugAssign: {
      auto *a = llvm::cast<AugAssign>(s);
      open(s, std::string(getBinaryOpSpelling(a->op)) + "=");
      children({a->target, a->value});
      break;
    }
    case NodeKind::AnnAssign: {
      auto *a = llvm::cast<AnnAssign>(s);
      open(s);
      children({a->target});
      field("annotation", [&] { expr(a->annotation); });
      if (a->value)
        field("value", [&] { expr(a->value); });
      break;
    }
    case NodeKind::Import: {
      auto *i = llvm::cast<Import>(s);
      open(s);
      aliases(i->names);
      break;
    }
    case NodeKind::ImportFrom: {
      auto *i = llvm::cast<ImportFrom>(s);
      open(s, std::string(i->level, '.') + i->module + (i->isStar ? " *" : ""));
      aliases(i->names);
      break;
    }
    case NodeKind::ClassDef: {
      auto *c = llvm::cast<ClassDef>(s);
      open(s, c->name);
      for (const Expr *d : c->decorators)
        field("decorator", [&] { expr(d); });
      for (const Expr *b : c->bases)
        field("base", [&] { expr(b); });
      field("body", [&] { stmts(c->body); });
      break;
    }
    case NodeKind::FunctionDef: {
      auto *f = llvm::cast<FunctionDef>(s);
      open(s, f->name);
      for (const Expr *d : f->decorators)
        field("decorator", [&] { expr(d); });
      params(f->params);
      field("body", [&] { stmts(f->body); });
      break;
    }
    case NodeKind::Return:
      open(s);
      children({llvm::cast<Return>(s)->value});
      break;
    case NodeKind::If: {
      auto *i = llvm::cast<If>(s);
      open(s);
      children({i->test});
      field("then", [&] { stmts(i->body); });
      if (!i->orelse.empty())
        field("else", [&] { stmts(i->orelse); });
      break;
    }
    case NodeKind::For: {
      auto *f = llvm::cast<For>(s);
      open(s);
      field("target", [&] { expr(f->target); });
      field("iter", [&] { expr(f->iter); });
      field("body", [&] { stmts(f->body); });
      if (!f->orelse.empty())
        field("else", [&] { stmts(f->orelse); });
      break;
    }
    case NodeKind::With: {
      auto *w = llvm::cast<With>(s);
      open(s);
      for (const WithItem &item : w->items) {
        field("item", [&] { expr(item.context); });
        if (item.vars)
          field("as", [&] { expr(item.vars); });
      }
      field("body", [&] { stmts(w->body); });
      break;
    }
    case NodeKind::Raise: {
      auto *r = llvm::cast<Raise>(s);
      open(s);
      children({r->exc, r->cause});
      break;
    }
    case NodeKind::Try: {
      auto *t = llvm::cast<Try>(s);
      open(s);
      field("body", [&] { stmts(t->body); });
      for (const ExceptHandler &h : t->handlers) {
        std::string label = h.name.empty() ? "except" : "except as " + h.name;
        field(label.c_str(), [&] {
          if (h.type)
            expr(h.type);
          stmts(h.body);
        });
      }
      if (!t->orelse.empty())
        field("else", [&] { stmts(t->orelse); });
      if (!t->finalbody.empty())
        field("finally", [&] { stmts(t->finalbody); });
      break;
    }
    case NodeKind::Assert: {
      auto *a = llvm::cast<Assert>(s);
      open(s);
      children({a->test, a->msg});
      break;
    }
    case NodeKind::Pass:
    case NodeKind::Break:
    case NodeKind::Continue:
      open(s);
      break;
    case NodeKind::Del:
      open(s);
      exprList(llvm::cast<Del>(s)->targets);
      break;
    default:
      open(s, "<unknown statement>");
    }
  }
};

} // namespace

void dumpModule(const Module &m, llvm::raw_ostream &os) { Dumper(os).module(m); }

} // namespace scopec::ast
