//===- Interpreter.cpp - Statements, expressions, calls -------------------===//
#include "scopec/Eval/Interpreter.h"

#include "TF.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace scopec::eval {

using namespace scopec::ast;

namespace {

/// Collects the names a function body binds (Python's local names).
void collectTargets(const Expr *t, std::unordered_set<std::string> &out) {
  if (!t)
    return;
  if (auto *n = llvm::dyn_cast<Name>(t))
    out.insert(n->id);
  else if (auto *tu = llvm::dyn_cast<Tuple>(t))
    for (const Expr *e : tu->elts)
      collectTargets(e, out);
  else if (auto *l = llvm::dyn_cast<List>(t))
    for (const Expr *e : l->elts)
      collectTargets(e, out);
  else if (auto *s = llvm::dyn_cast<Starred>(t))
    collectTargets(s->value, out);
}

void collectLocals(const StmtList &body, std::unordered_set<std::string> &out) {
  for (const Stmt *s : body) {
    switch (s->getKind()) {
    case NodeKind::Assign:
      for (const Expr *t : llvm::cast<Assign>(s)->targets)
        collectTargets(t, out);
      break;
    case NodeKind::AugAssign:
      collectTargets(llvm::cast<AugAssign>(s)->target, out);
      break;
    case NodeKind::AnnAssign:
      collectTargets(llvm::cast<AnnAssign>(s)->target, out);
      break;
    case NodeKind::For: {
      auto *f = llvm::cast<For>(s);
      collectTargets(f->target, out);
      collectLocals(f->body, out);
      collectLocals(f->orelse, out);
      break;
    }
    case NodeKind::If: {
      auto *i = llvm::cast<If>(s);
      collectLocals(i->body, out);
      collectLocals(i->orelse, out);
      break;
    }
    case NodeKind::With: {
      auto *w = llvm::cast<With>(s);
      for (const WithItem &item : w->items)
        collectTargets(item.vars, out);
      collectLocals(w->body, out);
      break;
    }
    case NodeKind::Import:
      for (const ImportAlias &a : llvm::cast<Import>(s)->names)
        out.insert(a.asname.empty() ? a.name.substr(0, a.name.find('.')) : a.asname);
      break;
    case NodeKind::ImportFrom:
      for (const ImportAlias &a : llvm::cast<ImportFrom>(s)->names)
        out.insert(a.asname.empty() ? a.name : a.asname);
      break;
    case NodeKind::FunctionDef:
      out.insert(llvm::cast<FunctionDef>(s)->name);
      break;
    case NodeKind::ClassDef:
      out.insert(llvm::cast<ClassDef>(s)->name);
      break;
    case NodeKind::Del:
      for (const Expr *t : llvm::cast<Del>(s)->targets)
        collectTargets(t, out);
      break;
    default:
      break;
    }
  }
}
} // namespace

//===--- Set-up -----------------------------------------------------------===//

Interpreter::Interpreter(DiagnosticsEngine &diags, const SourceManager &sm,
                         llvm::raw_ostream &out, EvalOptions opts)
    : diags_(diags), sm_(sm), out_(&out), opts_(opts), builtins_(std::make_shared<Env>()) {
  tf_ = std::make_unique<TFState>(*this);
  installBuiltins(*this);
  installExceptions(*this);
  installClasses(*this);
  // Inside a `try`, an error is an exception: it stops the statements after
  // it and may be caught.
  diags_.setErrorObserver([this](size_t index) {
    if (tryDepth_ > 0 && !raising_) {
      const Diagnostic &d = diags_.diagnostics()[index];
      raising_ = Raised{exceptionTypeOf(d.id, d.message), d.message, index};
    }
  });
}

Value Interpreter::lookupBuiltin(const std::string &name) const {
  auto it = builtins_->vars.find(name);
  return it == builtins_->vars.end() ? Value::error() : it->second;
}

Interpreter::~Interpreter() {
  // Break the reference cycles of the program's objects (functions stored in
  // the scopes they close over, modules that refer to each other) so that
  // everything is freed with the interpreter.
  for (const std::weak_ptr<Env> &w : captured_)
    if (std::shared_ptr<Env> e = w.lock()) {
      e->vars.clear();
      e->parent.reset();
    }
  builtins_->vars.clear();
  for (const std::weak_ptr<Object> &w : classes_)
    if (auto o = w.lock()) {
      if (auto *c = dynamic_cast<ClassObj *>(o.get()))
        c->attrs.clear();
      else if (auto *i = dynamic_cast<InstanceObj *>(o.get()))
        i->attrs.clear();
      else if (auto *f = dynamic_cast<FunctionObj *>(o.get()))
        f->attrs.clear();
    }
  diags_.setErrorObserver(nullptr); // the engine outlives the interpreter
}

const graph::Graph &Interpreter::graph() const { return tf_->graph(); }

std::vector<VariableInfo> Interpreter::variables() const {
  std::vector<VariableInfo> out;
  for (const auto &v : tf_->globalVariables()) {
    const graph::Node &n = tf_->graph().node(v->node);
    const graph::TensorType &t = n.outputs[0];
    VariableInfo info;
    info.name = n.name;
    info.key = v->key;
    info.shape = t.shape.dims;
    info.unknownRank = t.shape.unknownRank;
    info.dtype = graph::dtypeName(t.dtype);
    info.trainable = v->trainable;
    info.createdBy = v->createdBy;
    info.initializer = v->init.display.empty() ? v->init.kind : v->init.display;
    info.createdAt = v->createdAt;
    info.reusedAt = v->reusedAt;
    out.push_back(std::move(info));
  }
  return out;
}

void Interpreter::defineBuiltin(const std::string &name, Value v) {
  builtins_->vars[name] = std::move(v);
}

Value Interpreter::makeBuiltin(const std::string &name, NativeFn fn) {
  return Value::object(Kind::Builtin, std::make_shared<BuiltinObj>(name, std::move(fn)));
}

void Interpreter::run(const Module &m) {
  auto env = std::make_shared<Env>();
  env->parent = builtins_;
  try {
    // An exception nothing catches ends its top-level statement (it was
    // reported where it was raised); the next statement runs, as after any
    // other error.
    for (const Stmt *st : m.body) {
      exec(st, env);
      raising_.reset();
    }
  } catch (EvalAbort &) {
  }
}

//===--- Diagnostics ------------------------------------------------------===//

bool Interpreter::wouldDuplicate(SourceRange r, const std::string &message) {
  return !reported_.emplace(r.file, r.begin.line, r.begin.col, message).second;
}

DiagnosticBuilder Interpreter::report(SourceRange r, diag::ID id) {
  return diags_.report(r, id);
}

Value Interpreter::error(diag::ID id, const std::string &message) {
  // Inside a try every error is reported (it may be caught, and each one
  // raised must be seen), elsewhere once per site and message.
  if (tryDepth_ > 0 || !wouldDuplicate(callSite_, message))
    diags_.report(callSite_, id).message(message);
  return Value::error();
}

void Interpreter::step() {
  if (++steps_ > opts_.maxSteps) {
    diags_.report(callSite_, diag::evaluation_limit)
        << "evaluation exceeded " + std::to_string(opts_.maxSteps) +
               " steps at compile time (an unbounded loop?)";
    throw EvalAbort{};
  }
}

void Interpreter::chargeBuild(size_t size) {
  steps_ += size;
  step();
}

std::string Interpreter::sourceText(const Expr *e) const {
  const SourceRange &r = e->range();
  if (!r.isValid())
    return "";
  if (r.begin.line == r.end.line) {
    std::string_view line = sm_.getLine(r.file, r.begin.line);
    size_t b = sm_.getOffset(r.file, r.begin) - sm_.getOffset(r.file, SourceLoc{r.begin.line, 1});
    size_t e2 = sm_.getOffset(r.file, r.end) - sm_.getOffset(r.file, SourceLoc{r.begin.line, 1});
    return std::string(line.substr(b, e2 - b));
  }
  size_t b = sm_.getOffset(r.file, r.begin), e2 = sm_.getOffset(r.file, r.end);
  return sm_.getText(r.file).substr(b, e2 - b);
}

//===--- Statements -------------------------------------------------------===//

Interpreter::Flow Interpreter::execBlock(const StmtList &body, const std::shared_ptr<Env> &env) {
  for (const Stmt *s : body) {
    Flow f = exec(s, env);
    if (raising_)
      return Flow::Raise;
    if (f != Flow::Normal)
      return f;
  }
  return Flow::Normal;
}

void Interpreter::bindName(const std::string &name, const Value &v,
                           const std::shared_ptr<Env> &env) {
  env->vars[name] = v;
}

void Interpreter::assign(const Expr *target, const Value &v, const std::shared_ptr<Env> &env) {
  callSite_ = target->range();
  if (auto *n = llvm::dyn_cast<Name>(target)) {
    bindName(n->id, v, env);
    return;
  }
  if (llvm::isa<Tuple, List>(target)) {
    const std::vector<Expr *> &elts =
        llvm::isa<Tuple>(target) ? llvm::cast<Tuple>(target)->elts : llvm::cast<List>(target)->elts;
    std::vector<Value> items;
    bool ok = !v.isError() && iterate(v, items);
    size_t star = elts.size();
    for (size_t i = 0; i < elts.size(); ++i)
      if (llvm::isa<Starred>(elts[i]))
        star = i;
    if (ok) {
      callSite_ = target->range();
      if (star == elts.size() && items.size() != elts.size()) {
        if (items.size() > elts.size())
          error(diag::value_error, "too many values to unpack (expected " +
                                       std::to_string(elts.size()) + ")");
        else
          error(diag::value_error, "not enough values to unpack (expected " +
                                       std::to_string(elts.size()) + ", got " +
                                       std::to_string(items.size()) + ")");
        ok = false;
      } else if (star != elts.size() && items.size() < elts.size() - 1) {
        error(diag::value_error, "not enough values to unpack (expected at least " +
                                     std::to_string(elts.size() - 1) + ", got " +
                                     std::to_string(items.size()) + ")");
        ok = false;
      }
    }
    if (!ok) {
      for (const Expr *e : elts)
        assign(llvm::isa<Starred>(e) ? llvm::cast<Starred>(e)->value : e, Value::error(), env);
      return;
    }
    size_t after = elts.size() - star - 1;
    for (size_t i = 0; i < elts.size(); ++i) {
      if (i == star) {
        std::vector<Value> rest(items.begin() + star, items.end() - after);
        assign(llvm::cast<Starred>(elts[i])->value, Value::list(std::move(rest)), env);
      } else if (i < star) {
        assign(elts[i], items[i], env);
      } else {
        assign(elts[i], items[items.size() - (elts.size() - i)], env);
      }
    }
    return;
  }
  if (auto *a = llvm::dyn_cast<Attribute>(target)) {
    Value obj = eval(a->value, env);
    if (obj.isError() || v.isError())
      return;
    callSite_ = a->range();
    if (auto *n = obj.as<NativeObj>(); n && n->setAttr(*this, a->attr, v))
      return;
    if (auto *f = obj.as<FunctionObj>()) { // vgg_16.default_image_size = 224
      if (f->attrs.empty())
        registerInstance(obj.ptr()); // its attributes may refer back to it
      f->attrs[a->attr] = v;
      return;
    }
    error(diag::attribute_error, "'" + typeName(obj) + "' object attribute '" + a->attr +
                                     "' is read-only");
    return;
  }
  if (auto *s = llvm::dyn_cast<Subscript>(target)) {
    Value obj = eval(s->value, env);
    Value idx = eval(s->index, env);
    if (obj.isError() || idx.isError())
      return;
    callSite_ = s->range();
    if (obj.isList()) {
      if (!idx.isInt() && !idx.isBool()) {
        error(diag::type_error, "list indices must be integers or slices, not " + typeName(idx));
        return;
      }
      auto &items = obj.items();
      int64_t i = idx.asInt();
      if (i < 0)
        i += static_cast<int64_t>(items.size());
      if (i < 0 || i >= static_cast<int64_t>(items.size())) {
        error(diag::index_error, "list assignment index out of range");
        return;
      }
      items[i] = v;
      return;
    }
    if (auto *d = obj.as<DictObj>()) {
      if (!isHashable(idx)) {
        error(diag::type_error, "unhashable type: '" + typeName(idx) + "'");
        return;
      }
      d->set(idx, v);
      return;
    }
    error(diag::type_error, "'" + typeName(obj) + "' object does not support item assignment");
    return;
  }
}

void Interpreter::assertStmt(const Assert *a, const std::shared_ptr<Env> &env) {
  // Evaluate the comparison's operands once, so the message can show them.
  const Compare *cmp = llvm::dyn_cast<Compare>(a->test);
  Value left, right, result;
  if (cmp && cmp->ops.size() == 1) {
    left = eval(cmp->left, env);
    right = eval(cmp->comparators[0], env);
    if (left.isError() || right.isError())
      return;
    if (!compareOp(cmp->ops[0], left, right, result, cmp->range()))
      return;
  } else {
    result = eval(a->test, env);
  }
  if (result.isError())
    return;
  callSite_ = a->test->range();
  bool ok = true;
  bool t = truthy(result, ok);
  if (!ok || t)
    return;
  std::string msg = "assertion failed: ";
  if (cmp && cmp->ops.size() == 1)
    msg += repr(left) + " " + getCmpOpSpelling(cmp->ops[0]) + " " + repr(right);
  else
    msg += sourceText(a->test);
  if (a->msg) {
    Value m = eval(a->msg, env);
    if (!m.isError())
      msg += ": " + str(m);
  }
  callSite_ = a->range();
  error(diag::assertion_failed, msg);
}

Interpreter::Flow Interpreter::exec(const Stmt *s, const std::shared_ptr<Env> &env) {
  callSite_ = s->range();
  step();
  const Stmt *savedStmt = currentStmt_;
  currentStmt_ = s;
  struct Restore {
    const Stmt *&slot;
    const Stmt *saved;
    ~Restore() { slot = saved; }
  } restore{currentStmt_, savedStmt};

  switch (s->getKind()) {
  case NodeKind::ExprStmt:
    eval(llvm::cast<ExprStmt>(s)->value, env);
    return Flow::Normal;
  case NodeKind::Assign: {
    auto *a = llvm::cast<Assign>(s);
    Value v = eval(a->value, env);
    for (const Expr *t : a->targets)
      assign(t, v, env);
    return Flow::Normal;
  }
  case NodeKind::AugAssign: {
    auto *a = llvm::cast<AugAssign>(s);
    Value cur = eval(a->target, env);
    Value rhs = eval(a->value, env);
    Value result;
    callSite_ = a->range();
    if (cur.isError() || rhs.isError())
      result = Value::error();
    else if (cur.isList() && a->op == BinaryOp::Add) {
      std::vector<Value> items;
      if (iterate(rhs, items)) {
        auto &dst = cur.items();
        dst.insert(dst.end(), items.begin(), items.end());
        result = cur;
      } else {
        result = Value::error();
      }
    } else {
      result = binaryOp(a->op, cur, rhs);
    }
    assign(a->target, result, env);
    return Flow::Normal;
  }
  case NodeKind::AnnAssign: {
    auto *a = llvm::cast<AnnAssign>(s);
    if (a->value)
      assign(a->target, eval(a->value, env), env);
    return Flow::Normal;
  }
  case NodeKind::Import: {
    for (const ImportAlias &al : llvm::cast<Import>(s)->names) {
      callSite_ = al.range;
      Value m = importModule(al.name, al.range);
      if (!al.asname.empty()) {
        bindName(al.asname, m, env);
      } else {
        std::string top = al.name.substr(0, al.name.find('.'));
        Value topModule = top == al.name ? m : importModule(top, al.range);
        // `import nets.helpers`: each module becomes an attribute of its package.
        Value parent = topModule;
        for (size_t pos = top.size(); pos < al.name.size();) {
          size_t next = al.name.find('.', pos + 1);
          std::string prefix = al.name.substr(0, next);
          std::string segment = al.name.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
          Value child = prefix == al.name ? m : importModule(prefix, al.range);
          auto *pm = parent.as<ModuleObj>();
          if (pm && !pm->lazy && child.as<ModuleObj>() && !pm->attrs.count(segment))
            pm->attrs[segment] = child;
          parent = child;
          pos = next == std::string::npos ? al.name.size() : next;
        }
        bindName(top, topModule, env);
      }
    }
    return Flow::Normal;
  }
  case NodeKind::ImportFrom: {
    auto *imp = llvm::cast<ImportFrom>(s);
    callSite_ = imp->range();
    if (imp->module == "__future__")
      return Flow::Normal;
    Value m;
    if (imp->level > 0) {
      // Relative: `from .ops import x` (a module), `from . import ops` (each
      // name is a module of the importing file's package).
      bool found = false;
      if (imp->module.empty() && opts_.loader) {
        for (const ImportAlias &al : imp->names) {
          callSite_ = al.range;
          Value sub = importUserModule(al.name, imp->level, al.range, found);
          if (!found)
            sub = error(diag::unsupported_api, "relative import of '" + al.name + "': no " + al.name +
                                                   ".scope or " + al.name + ".py beside the importing file");
          bindName(al.asname.empty() ? al.name : al.asname, sub, env);
        }
        return Flow::Normal;
      }
      if (opts_.loader)
        m = importUserModule(imp->module, imp->level, imp->range(), found);
      if (!found) {
        error(diag::unsupported_api, "relative import 'from " + std::string(imp->level, '.') + imp->module +
                                         " import ...': no such module beside the importing file");
        for (const ImportAlias &al : imp->names)
          bindName(al.asname.empty() ? al.name : al.asname, Value::error(), env);
        return Flow::Normal;
      }
    } else {
      m = importModule(imp->module, imp->range());
    }
    if (imp->isStar) {
      if (auto *mod = m.as<ModuleObj>())
        for (auto &[k, v] : mod->attrs)
          if (!k.empty() && k[0] != '_')
            bindName(k, v, env);
      return Flow::Normal;
    }
    auto *lazy = m.as<ModuleObj>();
    if (lazy && !lazy->lazy)
      lazy = nullptr;
    for (const ImportAlias &al : imp->names) {
      callSite_ = al.range;
      // From an unknown module: a name bound lazily too (E109 when used).
      Value v;
      auto *um = m.as<ModuleObj>();
      bool found = false;
      if (m.isError())
        v = Value::error();
      else if (lazy)
        v = tf_->lazyModule(lazy->name + "." + al.name);
      else if (um && !um->attrs.count(al.name) && opts_.loader && um->name.rfind("tf", 0) != 0 &&
               um->name != "tensorflow" && um->name != "np" && um->name != "slim")
        // `from nets import resnet_utils`: a module of a user package.
        v = importUserModule(imp->module + "." + al.name, imp->level, al.range, found);
      if (!m.isError() && !lazy && !found)
        v = getAttr(m, al.name, al.range);
      if (v.isError() && !m.isError()) {
        // `from tensorflow.contrib import slim`: a submodule.
        Value sub = importModule(imp->module + "." + al.name, al.range);
        v = sub;
      }
      bindName(al.asname.empty() ? al.name : al.asname, v, env);
    }
    return Flow::Normal;
  }
  case NodeKind::FunctionDef: {
    auto *f = llvm::cast<FunctionDef>(s);
    Value fn = makeFunction(f->name, f->params, &f->body, nullptr, f->range(), env);
    bindName(f->name, f->decorators.empty() ? fn : decorate(f->decorators, fn, env), env);
    return Flow::Normal;
  }
  case NodeKind::Return: {
    auto *r = llvm::cast<Return>(s);
    returnValue_ = r->value ? eval(r->value, env) : Value::none();
    return Flow::Return;
  }
  case NodeKind::If: {
    auto *i = llvm::cast<If>(s);
    Value t = eval(i->test, env);
    if (t.isError())
      return Flow::Normal;
    callSite_ = i->test->range();
    bool ok = true;
    bool b = truthy(t, ok);
    if (!ok)
      return Flow::Normal;
    return execBlock(b ? i->body : i->orelse, env);
  }
  case NodeKind::For: {
    auto *f = llvm::cast<For>(s);
    Value it = eval(f->iter, env);
    if (it.isError()) {
      assign(f->target, Value::error(), env);
      return Flow::Normal;
    }
    callSite_ = f->iter->range();
    Flow exit = Flow::Normal;
    auto body = [&](const Value &v) -> int { // 0 go on, 1 break, 2 return or raise
      assign(f->target, v, env);
      Flow fl = execBlock(f->body, env);
      if (fl == Flow::Break)
        return 1;
      if (fl == Flow::Return || fl == Flow::Raise) {
        exit = fl;
        return 2;
      }
      return 0;
    };
    if (auto *r = it.as<RangeObj>()) {
      int64_t n = r->length();
      for (int64_t k = 0; k < n; ++k) {
        step();
        int res = body(Value::integer(r->start + k * r->step));
        if (res == 1)
          return Flow::Normal;
        if (res == 2)
          return exit;
      }
    } else {
      std::vector<Value> items;
      if (!iterate(it, items))
        return Flow::Normal;
      for (const Value &v : items) {
        int res = body(v);
        if (res == 1)
          return Flow::Normal;
        if (res == 2)
          return exit;
      }
    }
    return execBlock(f->orelse, env);
  }
  case NodeKind::With:
    return execWith(llvm::cast<With>(s), 0, env);
  case NodeKind::Assert:
    assertStmt(llvm::cast<Assert>(s), env);
    return Flow::Normal;
  case NodeKind::Try:
    return execTry(llvm::cast<Try>(s), env);
  case NodeKind::ClassDef:
    return execClass(llvm::cast<ClassDef>(s), env);
  case NodeKind::Raise:
    return execRaise(llvm::cast<Raise>(s), env);
  case NodeKind::Pass:
    return Flow::Normal;
  case NodeKind::Break:
    return Flow::Break;
  case NodeKind::Continue:
    return Flow::Continue;
  case NodeKind::Del: {
    for (const Expr *t : llvm::cast<Del>(s)->targets) {
      callSite_ = t->range();
      if (auto *n = llvm::dyn_cast<Name>(t)) {
        if (!env->vars.erase(n->id))
          error(diag::name_error, "name '" + n->id + "' is not defined");
      } else if (auto *sub = llvm::dyn_cast<Subscript>(t)) {
        Value obj = eval(sub->value, env), idx = eval(sub->index, env);
        if (obj.isError() || idx.isError())
          continue;
        callSite_ = t->range();
        if (auto *d = obj.as<DictObj>()) {
          if (!d->erase(idx))
            error(diag::index_error, "KeyError: " + repr(idx));
        } else if (obj.isList() && idx.isInt()) {
          auto &items = obj.items();
          int64_t i = idx.asInt() < 0 ? idx.asInt() + static_cast<int64_t>(items.size()) : idx.asInt();
          if (i < 0 || i >= static_cast<int64_t>(items.size()))
            error(diag::index_error, "list assignment index out of range");
          else
            items.erase(items.begin() + i);
        } else {
          error(diag::type_error, "'" + typeName(obj) + "' object doesn't support item deletion");
        }
      } else {
        error(diag::unsupported_api, "'del' of this target is not supported by scopec");
      }
    }
    return Flow::Normal;
  }
  default:
    return Flow::Normal;
  }
}

Interpreter::Flow Interpreter::execRaise(const Raise *r, const std::shared_ptr<Env> &env) {
  Raised raised;
  if (!r->exc) {
    if (handling_.empty()) {
      error(diag::raise_statement, "RuntimeError: No active exception to reraise");
      return raising_ ? Flow::Raise : Flow::Normal;
    }
    raised = handling_.back();
  } else {
    Value e = eval(r->exc, env);
    if (r->cause)
      eval(r->cause, env);
    if (e.isError())
      return raising_ ? Flow::Raise : Flow::Normal;
    callSite_ = r->range();
    if (auto *b = e.as<BuiltinObj>(); b && isExceptionClass(b->name)) {
      CallArgs none;
      e = call(e, none, r->exc->range());
    }
    auto *x = e.as<ExceptionObj>();
    if (!x) {
      error(diag::type_error, "exceptions must derive from BaseException");
      return raising_ ? Flow::Raise : Flow::Normal;
    }
    raised.type = x->type;
    raised.message = x->message;
  }
  // Reported where it is raised, with the call chain; withdrawn if caught.
  callSite_ = r->range();
  size_t before = diags_.diagnostics().size();
  unsigned savedDepth = tryDepth_;
  tryDepth_ = 0; // report it ourselves, not through the observer
  diags_.report(r->range(), diag::raise_statement)
      .message(raised.type + (raised.message.empty() ? "" : ": " + raised.message));
  tryDepth_ = savedDepth;
  raised.diag = before;
  raising_ = raised;
  return Flow::Raise;
}

Interpreter::Flow Interpreter::execTry(const Try *t, const std::shared_ptr<Env> &env) {
  ++tryDepth_;
  Flow f = execBlock(t->body, env);
  --tryDepth_;
  if (raising_) {
    Raised caught = *raising_;
    raising_.reset();
    for (const ExceptHandler &h : t->handlers) {
      bool matches = !h.type;
      if (h.type) {
        Value ty = eval(h.type, env);
        std::vector<Value> types = ty.isTuple() ? ty.items() : std::vector<Value>{ty};
        for (const Value &c : types)
          if (auto *b = c.as<BuiltinObj>(); b && isExceptionClass(b->name) && exceptionMatches(caught.type, b->name))
            matches = true;
        if (raising_) // the handler's own expression failed
          break;
      }
      if (!matches)
        continue;
      if (caught.diag)
        diags_.retract(*caught.diag);
      if (!h.name.empty()) {
        auto e = std::make_shared<ExceptionObj>();
        e->type = caught.type;
        e->message = caught.message;
        e->hasMessage = true;
        env->vars[h.name] = Value::object(Kind::Native, e);
      }
      handling_.push_back(caught);
      f = execBlock(h.body, env);
      handling_.pop_back();
      if (!h.name.empty())
        env->vars.erase(h.name);
      caught = Raised{};
      caught.type.clear();
      break;
    }
    if (!caught.type.empty() && !raising_)
      raising_ = caught; // no handler matched: it goes on up
  } else if (f == Flow::Normal) {
    f = execBlock(t->orelse, env);
  }
  if (!t->finalbody.empty()) {
    std::optional<Raised> pending = std::move(raising_);
    raising_.reset();
    Flow g = execBlock(t->finalbody, env);
    if (g != Flow::Normal || raising_)
      f = g; // return/break/raise in finally wins, as in Python
    else
      raising_ = std::move(pending);
  }
  return raising_ ? Flow::Raise : f;
}

/// `with a as x, b as y:` enters the items left to right, exits right to
/// left. A manager that failed (Error) runs the body without a scope.
Interpreter::Flow Interpreter::execWith(const With *w, size_t item,
                                        const std::shared_ptr<Env> &env) {
  if (item == w->items.size())
    return execBlock(w->body, env);
  const WithItem &wi = w->items[item];
  Value mgr = eval(wi.context, env);
  callSite_ = wi.context->range();
  Value entered = Value::error();
  bool active = false;
  if (!mgr.isError()) {
    if (auto *cm = mgr.as<ContextManager>()) {
      entered = cm->enter(*this, wi.context->range());
      active = !entered.isError();
    } else {
      error(diag::type_error, "'" + typeName(mgr) +
                                  "' object does not support the context manager protocol");
    }
  }
  if (wi.vars)
    assign(wi.vars, entered, env);
  Flow f = execWith(w, item + 1, env);
  if (active) {
    callSite_ = wi.context->range();
    mgr.as<ContextManager>()->exit(*this, wi.context->range());
  }
  return f;
}

//===--- Expressions ------------------------------------------------------===//

Value Interpreter::lookup(const Name *n, const std::shared_ptr<Env> &env) {
  for (Env *e = env.get(); e; e = e->parent.get()) {
    auto it = e->vars.find(n->id);
    if (it != e->vars.end())
      return it->second;
    if (e->locals && e->locals->count(n->id)) {
      callSite_ = n->range();
      return error(diag::name_error, "cannot access local variable '" + n->id +
                                         "' where it is not associated with a value");
    }
  }
  callSite_ = n->range();
  return error(diag::name_error, "name '" + n->id + "' is not defined");
}

Value Interpreter::eval(const Expr *e, const std::shared_ptr<Env> &env) {
  step();
  switch (e->getKind()) {
  case NodeKind::Name:
    return lookup(llvm::cast<Name>(e), env);
  case NodeKind::IntLit:
    return Value::integer(llvm::cast<IntLit>(e)->value);
  case NodeKind::FloatLit:
    return Value::real(llvm::cast<FloatLit>(e)->value);
  case NodeKind::StrLit:
    return Value::str(llvm::cast<StrLit>(e)->value);
  case NodeKind::FString:
    return evalFString(llvm::cast<FString>(e), env);
  case NodeKind::BoolLit:
    return Value::boolean(llvm::cast<BoolLit>(e)->value);
  case NodeKind::NoneLit:
    return Value::none();
  case NodeKind::EllipsisLit:
    return tf_->ellipsis();
  case NodeKind::Tuple:
  case NodeKind::List: {
    const auto &elts = llvm::isa<Tuple>(e) ? llvm::cast<Tuple>(e)->elts : llvm::cast<List>(e)->elts;
    std::vector<Value> items;
    for (const Expr *x : elts) {
      if (auto *st = llvm::dyn_cast<Starred>(x)) {
        Value v = eval(st->value, env);
        if (v.isError())
          return v;
        callSite_ = st->range();
        std::vector<Value> more;
        if (!iterate(v, more))
          return Value::error();
        items.insert(items.end(), more.begin(), more.end());
        continue;
      }
      Value v = eval(x, env);
      if (v.isError())
        return v;
      items.push_back(std::move(v));
    }
    return llvm::isa<Tuple>(e) ? Value::tuple(std::move(items)) : Value::list(std::move(items));
  }
  case NodeKind::Dict: {
    auto *d = llvm::cast<Dict>(e);
    auto obj = std::make_shared<DictObj>();
    for (size_t i = 0; i < d->keys.size(); ++i) {
      if (!d->keys[i]) {
        Value m = eval(d->values[i], env);
        if (m.isError())
          return m;
        auto *src = m.as<DictObj>();
        if (!src) {
          callSite_ = d->values[i]->range();
          return error(diag::type_error, "'" + typeName(m) + "' object is not a mapping");
        }
        for (auto &[k, v] : src->entries)
          obj->set(k, v);
        continue;
      }
      Value k = eval(d->keys[i], env);
      Value v = eval(d->values[i], env);
      if (k.isError() || v.isError())
        return Value::error();
      if (!isHashable(k)) {
        callSite_ = d->keys[i]->range();
        return error(diag::type_error, "unhashable type: '" + typeName(k) + "'");
      }
      obj->set(k, v);
    }
    return Value::object(Kind::Dict, obj);
  }
  case NodeKind::BinOp: {
    auto *b = llvm::cast<BinOp>(e);
    Value l = eval(b->lhs, env);
    Value r = eval(b->rhs, env);
    if (l.isError() || r.isError())
      return Value::error();
    callSite_ = b->range();
    return binaryOp(b->op, l, r);
  }
  case NodeKind::UnaryOp: {
    auto *u = llvm::cast<UnaryOp>(e);
    Value v = eval(u->operand, env);
    if (v.isError())
      return v;
    callSite_ = u->range();
    if (u->op == UnaryOpKind::Not) {
      bool ok = true;
      bool t = truthy(v, ok);
      return ok ? Value::boolean(!t) : Value::error();
    }
    return unaryOp(*this, u->op, v);
  }
  case NodeKind::BoolOp: {
    auto *b = llvm::cast<BoolOp>(e);
    Value v;
    for (size_t i = 0; i < b->values.size(); ++i) {
      v = eval(b->values[i], env);
      if (v.isError())
        return v;
      if (i + 1 == b->values.size())
        break;
      callSite_ = b->values[i]->range();
      bool ok = true;
      bool t = truthy(v, ok);
      if (!ok)
        return Value::error();
      if (b->isAnd ? !t : t)
        return v;
    }
    return v;
  }
  case NodeKind::Compare:
    return evalCompare(llvm::cast<Compare>(e), env);
  case NodeKind::IfExp: {
    auto *i = llvm::cast<IfExp>(e);
    Value t = eval(i->test, env);
    if (t.isError())
      return t;
    callSite_ = i->test->range();
    bool ok = true;
    bool b = truthy(t, ok);
    if (!ok)
      return Value::error();
    return eval(b ? i->body : i->orelse, env);
  }
  case NodeKind::Lambda: {
    auto *l = llvm::cast<Lambda>(e);
    return makeFunction("<lambda>", l->params, nullptr, l->body, l->range(), env);
  }
  case NodeKind::Call:
    return evalCall(llvm::cast<Call>(e), env);
  case NodeKind::Attribute: {
    auto *a = llvm::cast<Attribute>(e);
    Value obj = eval(a->value, env);
    if (obj.isError())
      return obj;
    return getAttr(obj, a->attr, a->range());
  }
  case NodeKind::Subscript: {
    auto *s = llvm::cast<Subscript>(e);
    Value obj = eval(s->value, env);
    Value idx = eval(s->index, env);
    if (obj.isError() || idx.isError())
      return Value::error();
    return evalSubscript(obj, idx, s->range());
  }
  case NodeKind::Slice: {
    auto *s = llvm::cast<Slice>(e);
    Value lo = s->lower ? eval(s->lower, env) : Value::none();
    Value up = s->upper ? eval(s->upper, env) : Value::none();
    Value st = s->step ? eval(s->step, env) : Value::none();
    if (lo.isError() || up.isError() || st.isError())
      return Value::error();
    return makeSlice(lo, up, st);
  }
  case NodeKind::Starred:
    callSite_ = e->range();
    return error(diag::syntax_error, "can't use starred expression here");
  case NodeKind::Comprehension:
    return evalComprehension(llvm::cast<Comprehension>(e), env);
  case NodeKind::ErrorExpr:
  default:
    return Value::error();
  }
}

Value Interpreter::evalFString(const FString *f, const std::shared_ptr<Env> &env) {
  std::string out;
  for (const FStringPart &p : f->parts) {
    if (!p.value) {
      out += p.literal;
      continue;
    }
    Value v = eval(p.value, env);
    if (v.isError())
      return v;
    std::string spec;
    if (p.formatSpec) {
      Value s = evalFString(p.formatSpec, env);
      if (s.isError())
        return s;
      spec = s.asStr();
    }
    callSite_ = p.range;
    if (p.conversion == 'r' || p.conversion == 'a')
      v = Value::str(repr(v));
    else if (p.conversion == 's')
      v = Value::str(str(v));
    std::string piece;
    if (!formatValue(*this, v, spec, piece))
      return Value::error();
    out += piece;
  }
  return Value::str(std::move(out));
}

bool Interpreter::compareOp(CmpOp op, const Value &a, const Value &b, Value &result,
                            SourceRange r) {
  callSite_ = r;
  switch (op) {
  case CmpOp::Is:
    result = Value::boolean(a.is(b));
    return true;
  case CmpOp::IsNot:
    result = Value::boolean(!a.is(b));
    return true;
  case CmpOp::In:
  case CmpOp::NotIn: {
    bool found = false;
    if (b.isStr()) {
      if (!a.isStr()) {
        error(diag::type_error, "'in <string>' requires string as left operand, not " + typeName(a));
        return false;
      }
      found = b.asStr().find(a.asStr()) != std::string::npos;
    } else if (auto *d = b.as<DictObj>()) {
      found = isHashable(a) && d->find(a) != nullptr;
    } else {
      std::vector<Value> items;
      if (auto *rg = b.as<RangeObj>(); rg && a.isInt()) {
        int64_t x = a.asInt(), n = rg->length();
        found = n > 0 && (x - rg->start) % rg->step == 0 && (x - rg->start) / rg->step >= 0 &&
                (x - rg->start) / rg->step < n;
      } else {
        if (!iterate(b, items))
          return false;
        for (const Value &v : items)
          if (a.is(v) || equals(a, v)) {
            found = true;
            break;
          }
      }
    }
    result = Value::boolean(op == CmpOp::In ? found : !found);
    return true;
  }
  default:
    result = compareValues(*this, op, a, b);
    return !result.isError();
  }
}

Value Interpreter::evalCompare(const Compare *c, const std::shared_ptr<Env> &env) {
  Value left = eval(c->left, env);
  if (left.isError())
    return left;
  Value result = Value::boolean(true);
  for (size_t i = 0; i < c->ops.size(); ++i) {
    Value right = eval(c->comparators[i], env);
    if (right.isError())
      return right;
    if (!compareOp(c->ops[i], left, right, result, c->range()))
      return Value::error();
    if (i + 1 < c->ops.size()) {
      bool ok = true;
      if (!truthy(result, ok))
        return ok ? result : Value::error();
    }
    left = right;
  }
  return result;
}

Value Interpreter::evalComprehension(const Comprehension *c, const std::shared_ptr<Env> &env) {
  auto scope = std::make_shared<Env>();
  scope->parent = env;
  std::vector<Value> items;
  auto dict = std::make_shared<DictObj>();
  bool failed = false;
  std::function<void(size_t)> loop = [&](size_t level) {
    if (failed)
      return;
    if (level == c->generators.size()) {
      if (c->kind == ComprehensionKind::Dict) {
        Value k = eval(c->elt, scope), v = eval(c->value, scope);
        if (k.isError() || v.isError()) {
          failed = true;
          return;
        }
        if (!isHashable(k)) {
          callSite_ = c->elt->range();
          error(diag::type_error, "unhashable type: '" + typeName(k) + "'");
          failed = true;
          return;
        }
        dict->set(k, v);
      } else {
        Value v = eval(c->elt, scope);
        if (v.isError()) {
          failed = true;
          return;
        }
        items.push_back(std::move(v));
      }
      return;
    }
    const CompFor &g = c->generators[level];
    // The first iterable is evaluated in the enclosing scope (Python rules).
    Value it = eval(g.iter, level == 0 ? env : scope);
    if (it.isError()) {
      failed = true;
      return;
    }
    callSite_ = g.iter->range();
    auto one = [&](const Value &v) {
      assign(g.target, v, scope);
      for (const Expr *cond : g.ifs) {
        Value t = eval(cond, scope);
        if (t.isError()) {
          failed = true;
          return;
        }
        callSite_ = cond->range();
        bool ok = true;
        bool b = truthy(t, ok);
        if (!ok) {
          failed = true;
          return;
        }
        if (!b)
          return;
      }
      loop(level + 1);
    };
    if (auto *r = it.as<RangeObj>()) {
      int64_t n = r->length();
      for (int64_t k = 0; k < n && !failed; ++k) {
        step();
        one(Value::integer(r->start + k * r->step));
      }
      return;
    }
    std::vector<Value> src;
    if (!iterate(it, src)) {
      failed = true;
      return;
    }
    for (const Value &v : src) {
      if (failed)
        return;
      one(v);
    }
  };
  loop(0);
  if (failed)
    return Value::error();
  if (c->kind == ComprehensionKind::Dict)
    return Value::object(Kind::Dict, dict);
  return Value::list(std::move(items)); // a generator is consumed as a list
}

Value Interpreter::evalCall(const Call *c, const std::shared_ptr<Env> &env) {
  Value fn = eval(c->func, env);
  CallArgs args;
  bool bad = fn.isError();
  for (const Expr *a : c->args) {
    if (auto *st = llvm::dyn_cast<Starred>(a)) {
      Value v = eval(st->value, env);
      if (v.isError()) {
        bad = true;
        continue;
      }
      callSite_ = st->range();
      std::vector<Value> more;
      if (!iterate(v, more)) {
        bad = true;
        continue;
      }
      args.positional.insert(args.positional.end(), more.begin(), more.end());
      continue;
    }
    Value v = eval(a, env);
    bad |= v.isError();
    args.positional.push_back(std::move(v));
  }
  for (const Keyword &k : c->keywords) {
    Value v = eval(k.value, env);
    if (v.isError()) {
      bad = true;
      continue;
    }
    if (k.name.empty()) {
      auto *d = v.as<DictObj>();
      if (!d) {
        callSite_ = k.range;
        error(diag::type_error, "argument after ** must be a mapping, not " + typeName(v));
        bad = true;
        continue;
      }
      for (auto &[key, val] : d->entries) {
        if (!key.isStr()) {
          callSite_ = k.range;
          error(diag::type_error, "keywords must be strings");
          bad = true;
          break;
        }
        args.keywords.emplace_back(key.asStr(), val);
      }
      continue;
    }
    args.keywords.emplace_back(k.name, std::move(v));
  }
  if (bad)
    return Value::error();
  return call(fn, args, c->range());
}

Value Interpreter::call(const Value &callee, CallArgs &args, SourceRange site) {
  callSite_ = site;
  if (callee.isError())
    return callee;
  if (auto *b = callee.as<BuiltinObj>()) {
    Value r = b->fn(*this, args);
    callSite_ = site;
    return r;
  }
  if (auto *f = callee.as<FunctionObj>())
    return callFunction(*f, args, site);
  if (auto *n = callee.as<NativeObj>()) {
    bool found = true;
    Value m = n->getAttr(*this, "__call__", found);
    if (found)
      return call(m, args, site);
  }
  if (auto *m = callee.as<ModuleObj>(); m && m->lazy)
    return error(diag::unsupported_api, "`" + m->name + "` is not supported by scopec: module '" +
                                            m->name.substr(0, m->name.find('.')) +
                                            "' is not known to scopec (importing it is fine, using it is not)");
  return error(diag::type_error, "'" + typeName(callee) + "' object is not callable");
}

Value Interpreter::makeFunction(const std::string &name, const std::vector<Param> &params,
                                const StmtList *body, const Expr *lambdaBody, SourceRange r,
                                const std::shared_ptr<Env> &env) {
  auto f = std::make_shared<FunctionObj>();
  f->name = name;
  f->params = &params;
  f->body = body;
  f->lambdaBody = lambdaBody;
  f->closure = env;
  f->defRange = r;
  if (captured_.empty() || captured_.back().lock() != env)
    captured_.push_back(env);
  for (const Param &p : params) {
    if (p.defaultValue) {
      f->defaults.push_back(eval(p.defaultValue, env));
      f->hasDefault.push_back(true);
    } else {
      f->defaults.push_back(Value::none());
      f->hasDefault.push_back(false);
    }
  }
  const Node *key = body ? static_cast<const Node *>(body->empty() ? nullptr : (*body)[0])
                         : static_cast<const Node *>(lambdaBody);
  f->locals = localsOf(key, params, body);
  return Value::object(Kind::Function, f);
}

const std::unordered_set<std::string> *
Interpreter::localsOf(const Node *fn, const std::vector<Param> &params, const StmtList *body) {
  auto &slot = locals_[fn];
  if (!slot) {
    slot = std::make_unique<std::unordered_set<std::string>>();
    for (const Param &p : params)
      if (!p.name.empty())
        slot->insert(p.name);
    if (body)
      collectLocals(*body, *slot);
  }
  return slot.get();
}

Value Interpreter::callFunction(FunctionObj &f, CallArgs &args, SourceRange site) {
  frames_.push_back(Frame{&f, args.positional.empty() ? Value::none() : args.positional[0]});
  struct PopFrame {
    std::vector<Frame> &frames;
    ~PopFrame() { frames.pop_back(); }
  } popFrame{frames_};
  auto frame = std::make_shared<Env>();
  frame->parent = f.closure;
  frame->locals = f.locals;
  const std::vector<Param> &params = *f.params;
  std::string fname = f.name + "()";
  // Bind positional arguments.
  size_t npos = 0, nposParams = 0;
  const Param *varargs = nullptr, *varkw = nullptr;
  for (const Param &p : params) {
    if (p.kind == ParamKind::Positional)
      ++nposParams;
    else if (p.kind == ParamKind::VarArgs && !p.name.empty())
      varargs = &p;
    else if (p.kind == ParamKind::VarKeywords)
      varkw = &p;
  }
  std::vector<Value> extra;
  for (const Value &v : args.positional) {
    if (npos < nposParams) {
      size_t k = 0, seen = 0;
      for (; k < params.size(); ++k)
        if (params[k].kind == ParamKind::Positional && seen++ == npos)
          break;
      frame->vars[params[k].name] = v;
      ++npos;
    } else {
      extra.push_back(v);
    }
  }
  if (!extra.empty() && !varargs) {
    size_t required = 0;
    for (size_t k = 0; k < params.size(); ++k)
      if (params[k].kind == ParamKind::Positional && !f.hasDefault[k])
        ++required;
    std::string takes = required == nposParams ? std::to_string(nposParams)
                                               : "from " + std::to_string(required) + " to " +
                                                     std::to_string(nposParams);
    size_t given = args.positional.size();
    return error(diag::type_error, fname + " takes " + takes + " positional argument" +
                                       (nposParams == 1 && required == nposParams ? "" : "s") +
                                       " but " + std::to_string(given) +
                                       (given == 1 ? " was" : " were") + " given");
  }
  if (varargs)
    frame->vars[varargs->name] = Value::tuple(std::move(extra));
  auto kwdict = std::make_shared<DictObj>();
  for (auto &[name, v] : args.keywords) {
    const Param *target = nullptr;
    for (const Param &p : params)
      if ((p.kind == ParamKind::Positional || p.kind == ParamKind::KeywordOnly) && p.name == name)
        target = &p;
    if (!target) {
      if (!varkw)
        return error(diag::type_error, fname + " got an unexpected keyword argument '" + name + "'");
      kwdict->set(Value::str(name), v);
      continue;
    }
    if (frame->vars.count(name))
      return error(diag::type_error, fname + " got multiple values for argument '" + name + "'");
    frame->vars[name] = v;
  }
  if (varkw)
    frame->vars[varkw->name] = Value::object(Kind::Dict, kwdict);
  // Defaults and missing arguments.
  std::vector<std::string> missingPos, missingKw;
  for (size_t k = 0; k < params.size(); ++k) {
    const Param &p = params[k];
    if (p.kind != ParamKind::Positional && p.kind != ParamKind::KeywordOnly)
      continue;
    if (frame->vars.count(p.name))
      continue;
    if (f.hasDefault[k])
      frame->vars[p.name] = f.defaults[k];
    else
      (p.kind == ParamKind::Positional ? missingPos : missingKw).push_back(p.name);
  }
  for (auto *missing : {&missingPos, &missingKw}) {
    if (missing->empty())
      continue;
    std::string list;
    for (size_t k = 0; k < missing->size(); ++k) {
      if (k)
        list += k + 1 == missing->size() ? (missing->size() > 2 ? ", and " : " and ") : ", ";
      list += "'" + (*missing)[k] + "'";
    }
    return error(diag::type_error,
                 fname + " missing " + std::to_string(missing->size()) + " required " +
                     (missing == &missingKw ? "keyword-only " : "positional ") + "argument" +
                     (missing->size() == 1 ? "" : "s") + ": " + list);
  }

  if (depth_ >= opts_.maxCallDepth) {
    diags_.report(site, diag::recursion_limit) << "maximum recursion depth exceeded";
    throw EvalAbort{};
  }
  ++depth_;
  diags_.pushCallFrame(site);
  struct Pop {
    Interpreter &in;
    ~Pop() {
      --in.depth_;
      in.diags_.popCallFrame();
    }
  } pop{*this};
  if (f.lambdaBody)
    return eval(f.lambdaBody, frame);
  Value saved = returnValue_;
  Flow fl = execBlock(*f.body, frame);
  Value result = fl == Flow::Raise ? Value::error() : fl == Flow::Return ? returnValue_ : Value::none();
  returnValue_ = saved;
  callSite_ = site;
  return result;
}

} // namespace scopec::eval
