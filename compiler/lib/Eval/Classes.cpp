//===- Classes.cpp - User classes, methods, super() and decorators --------===//
//
// Python's class model as TF1 model code uses it: a class body runs once
// and its names become the class's attributes; instances keep their own
// attributes; functions found on the class bind `self`; bases resolve in C3
// order; super() follows the MRO after the class that defined the method;
// @staticmethod, @classmethod and @property wrap functions; __call__ makes
// instances callable. Metaclasses and operator methods other than __call__
// are E003 in the parser.
//
//===----------------------------------------------------------------------===//
#include "Runtime.h"

#include "TF.h"

#include <algorithm>
#include <functional>

namespace scopec::eval {

using namespace scopec::ast;

namespace {

/// A callable that prepends `self` to the arguments of `fn`.
Value bind(Interpreter &in, const Value &fn, const Value &self) {
  std::string name = "method";
  if (auto *f = fn.as<FunctionObj>())
    name = f->name;
  return in.makeBuiltin(name, [fn, self](Interpreter &in, CallArgs &a) -> Value {
    CallArgs b;
    b.positional.reserve(a.positional.size() + 1);
    b.positional.push_back(self);
    b.positional.insert(b.positional.end(), a.positional.begin(), a.positional.end());
    b.keywords = a.keywords;
    return in.call(fn, b, in.callSite());
  });
}

/// What reading attribute `v` of a class gives, for an instance (`self`)
/// or the class itself (`self` None).
Value resolve(Interpreter &in, const Value &v, const Value &self, const Value &cls) {
  if (auto *w = v.as<MethodWrapperObj>()) {
    switch (w->kind) {
    case MethodWrapperObj::Static: return w->fn;
    case MethodWrapperObj::Class: return bind(in, w->fn, cls);
    case MethodWrapperObj::Property: {
      if (self.isNone())
        return v;
      CallArgs a;
      a.positional.push_back(self);
      return in.call(w->fn, a, in.callSite());
    }
    }
  }
  if (v.as<FunctionObj>() && !self.isNone())
    return bind(in, v, self);
  return v;
}

/// C3 linearisation; false when the bases admit no consistent order.
bool linearize(ClassObj &c) {
  std::vector<std::vector<ClassObj *>> seqs;
  for (auto &b : c.bases)
    seqs.push_back(b->mro);
  std::vector<ClassObj *> direct;
  for (auto &b : c.bases)
    direct.push_back(b.get());
  seqs.push_back(direct);
  c.mro = {&c};
  for (;;) {
    seqs.erase(std::remove_if(seqs.begin(), seqs.end(), [](auto &s) { return s.empty(); }), seqs.end());
    if (seqs.empty())
      return true;
    ClassObj *next = nullptr;
    for (auto &s : seqs) {
      ClassObj *cand = s.front();
      bool inTail = false;
      for (auto &t : seqs)
        if (std::find(t.begin() + 1, t.end(), cand) != t.end())
          inTail = true;
      if (!inTail) {
        next = cand;
        break;
      }
    }
    if (!next)
      return false;
    c.mro.push_back(next);
    for (auto &s : seqs)
      if (s.front() == next)
        s.erase(s.begin());
  }
}

/// The object super() returns: attribute lookup after `after` in the MRO
/// of `self`'s class, bound to `self`.
struct SuperObj : NativeObj {
  std::shared_ptr<ClassObj> after;
  Value self;
  std::string typeName() const override { return "super"; }
  Value getAttr(Interpreter &in, const std::string &name, bool &found) override {
    const ClassObj *cls = nullptr;
    Value clsValue;
    if (auto *i = self.as<InstanceObj>()) {
      cls = i->cls.get();
      clsValue = Value::object(Kind::Native, i->cls);
    } else if (auto *c = self.as<ClassObj>()) {
      cls = c;
      clsValue = self;
    }
    found = false;
    if (!cls)
      return Value::error();
    auto pos = std::find(cls->mro.begin(), cls->mro.end(), after.get());
    if (pos == cls->mro.end())
      return Value::error();
    for (++pos; pos != cls->mro.end(); ++pos)
      if (auto it = (*pos)->attrs.find(name); it != (*pos)->attrs.end()) {
        found = true;
        return resolve(in, it->second, self.as<InstanceObj>() ? self : Value::none(), clsValue);
      }
    if (name == "__init__") { // object.__init__
      found = true;
      return in.makeBuiltin("object.__init__", [](Interpreter &, CallArgs &) { return Value::none(); });
    }
    return Value::error();
  }
};

} // namespace

const Value *ClassObj::lookup(const std::string &n, size_t startAfter) const {
  for (size_t k = startAfter; k < mro.size(); ++k)
    if (auto it = mro[k]->attrs.find(n); it != mro[k]->attrs.end())
      return &it->second;
  return nullptr;
}

Value ClassObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  auto self = std::static_pointer_cast<ClassObj>(shared_from_this());
  if (n == "__name__")
    return Value::str(name);
  if (n == "__call__") // instantiation
    return in.makeBuiltin(name, [self](Interpreter &in, CallArgs &a) -> Value {
      auto inst = std::make_shared<InstanceObj>();
      inst->cls = self;
      in.registerInstance(inst);
      Value v = Value::object(Kind::Native, inst);
      if (const Value *init = self->lookup("__init__")) {
        Value r = in.call(resolve(in, *init, v, Value::object(Kind::Native, self)), a, in.callSite());
        if (r.isError())
          return r;
      } else if (!a.positional.empty() || !a.keywords.empty()) {
        return in.error(diag::type_error, self->name + "() takes no arguments");
      }
      return v;
    });
  if (const Value *v = lookup(n))
    return resolve(in, *v, Value::none(), Value::object(Kind::Native, self));
  found = false;
  return Value::error();
}

bool ClassObj::setAttr(Interpreter &, const std::string &n, const Value &v) {
  attrs[n] = v;
  return true;
}

Value InstanceObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  if (auto it = attrs.find(n); it != attrs.end())
    return it->second;
  if (n == "__class__")
    return Value::object(Kind::Native, cls);
  Value self = Value::object(Kind::Native, shared_from_this());
  if (const Value *v = cls->lookup(n))
    return resolve(in, *v, self, Value::object(Kind::Native, cls));
  found = false;
  return Value::error();
}

bool InstanceObj::setAttr(Interpreter &in, const std::string &n, const Value &v) {
  if (const Value *p = cls->lookup(n))
    if (auto *w = p->as<MethodWrapperObj>(); w && w->kind == MethodWrapperObj::Property) {
      if (w->setter.isNone()) {
        in.error(diag::attribute_error, "can't set attribute '" + n + "'");
        return true;
      }
      CallArgs a;
      a.positional = {Value::object(Kind::Native, shared_from_this()), v};
      in.call(w->setter, a, in.callSite());
      return true;
    }
  attrs[n] = v;
  return true;
}

Value MethodWrapperObj::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = kind == Property && n == "setter";
  if (!found)
    return Value::error();
  auto self = std::static_pointer_cast<MethodWrapperObj>(shared_from_this());
  return in.makeBuiltin("property.setter", [self](Interpreter &, CallArgs &a) -> Value {
    auto p = std::make_shared<MethodWrapperObj>(Property, self->fn);
    p->setter = a.positional.empty() ? Value::none() : a.positional[0];
    return Value::object(Kind::Native, p);
  });
}

bool isUserInstance(const Value &v, const ClassObj &c) {
  auto *i = v.as<InstanceObj>();
  return i && std::find(i->cls->mro.begin(), i->cls->mro.end(), &c) != i->cls->mro.end();
}

Interpreter::Flow Interpreter::execClass(const ClassDef *c, const std::shared_ptr<Env> &env) {
  auto cls = std::make_shared<ClassObj>();
  cls->name = c->name;
  for (const Expr *b : c->bases) {
    Value v = eval(b, env);
    if (v.isError())
      return Flow::Normal;
    callSite_ = b->range();
    if (auto *bc = v.as<ClassObj>())
      cls->bases.push_back(std::static_pointer_cast<ClassObj>(bc->shared_from_this()));
    else if (auto *bi = v.as<BuiltinObj>(); !(bi && bi->name == "object") &&
                                            !(v.as<ModuleObj>()) && !v.as<NativeObj>()) {
      error(diag::type_error, "a class can derive only from classes, not from " + repr(v));
      return Flow::Normal;
    }
    // `object`, abc.ABC and similar: nothing to inherit.
  }
  if (!linearize(*cls)) {
    callSite_ = c->range();
    std::string names;
    for (auto &b : cls->bases)
      names += (names.empty() ? "" : ", ") + b->name;
    error(diag::type_error, "Cannot create a consistent method resolution order (MRO) for bases " + names);
    return Flow::Normal;
  }
  // The body runs in its own namespace; methods close over the enclosing
  // scope, not the class body (Python's rule).
  auto ns = std::make_shared<Env>();
  ns->parent = env;
  Flow f = execBlock(c->body, ns);
  if (f == Flow::Raise)
    return f;
  Value clsValue = Value::object(Kind::Native, cls);
  for (auto &[k, v] : ns->vars) {
    FunctionObj *fn = v.as<FunctionObj>();
    if (auto *w = v.as<MethodWrapperObj>())
      fn = w->fn.as<FunctionObj>();
    if (fn) {
      fn->owner = cls;
      if (fn->closure == ns)
        fn->closure = env;
    }
    cls->attrs[k] = v;
  }
  registerClass(cls);
  callSite_ = c->range();
  bindName(c->name, decorate(c->decorators, clsValue, env), env);
  return Flow::Normal;
}

Value Interpreter::decorate(const std::vector<Expr *> &decorators, Value v, const std::shared_ptr<Env> &env) {
  for (auto it = decorators.rbegin(); it != decorators.rend(); ++it) {
    Value d = eval(*it, env);
    if (d.isError() || v.isError())
      return Value::error();
    CallArgs a;
    a.positional.push_back(v);
    v = call(d, a, (*it)->range());
  }
  return v;
}

//===--- collections.namedtuple --------------------------------------------===//

Value NamedTupleType::make(Interpreter &in, CallArgs &a) {
  size_t n = fields.size();
  if (a.positional.size() > n)
    return in.error(diag::type_error, name + ".__new__() takes " + std::to_string(n + 1) + " positional arguments but " +
                                          std::to_string(a.positional.size() + 1) + " were given");
  std::vector<std::optional<Value>> items(n);
  for (size_t k = 0; k < a.positional.size(); ++k)
    items[k] = a.positional[k];
  for (auto &[key, v] : a.keywords) {
    auto it = std::find(fields.begin(), fields.end(), key);
    if (it == fields.end())
      return in.error(diag::type_error, name + ".__new__() got an unexpected keyword argument '" + key + "'");
    size_t k = static_cast<size_t>(it - fields.begin());
    if (items[k])
      return in.error(diag::type_error, name + ".__new__() got multiple values for argument '" + key + "'");
    items[k] = v;
  }
  std::vector<Value> out;
  std::vector<std::string> missing;
  for (size_t k = 0; k < n; ++k) {
    size_t firstDefault = n - defaults.size();
    if (!items[k] && k >= firstDefault)
      items[k] = defaults[k - firstDefault];
    if (!items[k])
      missing.push_back("'" + fields[k] + "'");
    else
      out.push_back(*items[k]);
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t k = 0; k < missing.size(); ++k)
      list += (k ? (k + 1 == missing.size() ? (missing.size() > 2 ? ", and " : " and ") : ", ") : "") + missing[k];
    return in.error(diag::type_error, name + ".__new__() missing " + std::to_string(missing.size()) + " required positional argument" +
                                          (missing.size() > 1 ? "s" : "") + ": " + list);
  }
  return Value::object(Kind::Tuple, std::make_shared<NamedTupleObj>(
                                        std::move(out), std::static_pointer_cast<NamedTupleType>(shared_from_this())));
}

Value NamedTupleType::getAttr(Interpreter &in, const std::string &n, bool &found) {
  found = true;
  auto self = std::static_pointer_cast<NamedTupleType>(shared_from_this());
  if (n == "__call__")
    return in.makeBuiltin(name, [self](Interpreter &in, CallArgs &a) { return self->make(in, a); });
  if (n == "_make")
    return in.makeBuiltin(name + "._make", [self](Interpreter &in, CallArgs &a) -> Value {
      CallArgs b;
      if (a.positional.size() != 1 || !in.iterate(a.positional[0], b.positional))
        return a.positional.size() == 1 ? Value::error() : in.error(diag::type_error, "_make() takes one iterable");
      if (b.positional.size() != self->fields.size())
        return in.error(diag::type_error, "Expected " + std::to_string(self->fields.size()) + " arguments, got " +
                                              std::to_string(b.positional.size()));
      return self->make(in, b);
    });
  if (n == "_fields") {
    std::vector<Value> f;
    for (auto &x : fields)
      f.push_back(Value::str(x));
    return Value::tuple(std::move(f));
  }
  if (n == "__name__")
    return Value::str(name);
  found = false;
  return Value::error();
}

Value namedTupleAttr(Interpreter &in, const Value &obj, const std::string &n, bool &found) {
  auto *nt = obj.as<NamedTupleObj>();
  const auto &fields = nt->type->fields;
  found = true;
  if (auto it = std::find(fields.begin(), fields.end(), n); it != fields.end())
    return nt->items[static_cast<size_t>(it - fields.begin())];
  if (n == "_fields")
    return nt->type->getAttr(in, n, found);
  if (n == "_asdict") {
    return in.makeBuiltin(nt->type->name + "._asdict", [obj](Interpreter &, CallArgs &) -> Value {
      auto *t = obj.as<NamedTupleObj>();
      auto d = std::make_shared<DictObj>();
      for (size_t k = 0; k < t->items.size(); ++k)
        d->set(Value::str(t->type->fields[k]), t->items[k]);
      return Value::object(Kind::Dict, d);
    });
  }
  if (n == "_replace") {
    return in.makeBuiltin(nt->type->name + "._replace", [obj](Interpreter &in, CallArgs &a) -> Value {
      auto *t = obj.as<NamedTupleObj>();
      if (!a.positional.empty())
        return in.error(diag::type_error, "_replace() takes keyword arguments only");
      std::vector<Value> items = t->items;
      for (auto &[key, v] : a.keywords) {
        auto it = std::find(t->type->fields.begin(), t->type->fields.end(), key);
        if (it == t->type->fields.end())
          return in.error(diag::value_error, "Got unexpected field names: ['" + key + "']");
        items[static_cast<size_t>(it - t->type->fields.begin())] = v;
      }
      return Value::object(Kind::Tuple, std::make_shared<NamedTupleObj>(std::move(items), t->type));
    });
  }
  found = false;
  return Value::error();
}

namespace {

bool isIdentifier(const std::string &s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

Value makeNamedTuple(Interpreter &in, CallArgs &a) {
  ArgBinder b(in, "namedtuple", a, {"*typename", "*field_names", "rename", "defaults", "module"});
  if (!b.ok())
    return Value::error();
  auto t = std::make_shared<NamedTupleType>();
  if (!b.get("typename")->isStr())
    return in.error(diag::type_error, "namedtuple() typename must be a string");
  t->name = b.get("typename")->asStr();
  std::vector<Value> names;
  if (b.get("field_names")->isStr()) {
    std::string spec = b.get("field_names")->asStr();
    std::replace(spec.begin(), spec.end(), ',', ' ');
    size_t p = 0;
    while ((p = spec.find_first_not_of(" \t\n", p)) != std::string::npos) {
      size_t e = spec.find_first_of(" \t\n", p);
      names.push_back(Value::str(spec.substr(p, e - p)));
      p = e;
    }
  } else if (!in.iterate(*b.get("field_names"), names)) {
    return Value::error();
  }
  for (const std::string &s : {t->name})
    if (!isIdentifier(s))
      return in.error(diag::value_error, "Type names and field names must be valid identifiers: " + pyQuote(s));
  for (const Value &v : names) {
    if (!v.isStr())
      return in.error(diag::type_error, "Type names and field names must be strings");
    const std::string &s = v.asStr();
    if (!isIdentifier(s))
      return in.error(diag::value_error, "Type names and field names must be valid identifiers: " + pyQuote(s));
    if (s[0] == '_')
      return in.error(diag::value_error, "Field names cannot start with an underscore: " + pyQuote(s));
    if (std::find(t->fields.begin(), t->fields.end(), s) != t->fields.end())
      return in.error(diag::value_error, "Encountered duplicate field name: " + pyQuote(s));
    t->fields.push_back(s);
  }
  if (const Value *d = b.get("defaults"); d && !d->isNone()) {
    if (!in.iterate(*d, t->defaults))
      return Value::error();
    if (t->defaults.size() > t->fields.size())
      return in.error(diag::type_error, "Got more default values than field names");
  }
  return Value::object(Kind::Native, t);
}

} // namespace

void installClasses(Interpreter &in) {
  auto wrapper = [&](const char *name, MethodWrapperObj::Wrap k) {
    in.defineBuiltin(name, in.makeBuiltin(name, [k, name](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1)
        return in.error(diag::type_error, std::string(name) + " expected 1 argument");
      return Value::object(Kind::Native, std::make_shared<MethodWrapperObj>(k, a.positional[0]));
    }));
  };
  wrapper("staticmethod", MethodWrapperObj::Static);
  wrapper("classmethod", MethodWrapperObj::Class);
  wrapper("property", MethodWrapperObj::Property);
  in.defineBuiltin("object", in.makeBuiltin("object", [](Interpreter &in, CallArgs &) -> Value {
    return in.error(diag::unsupported_api, "instances of `object` are not supported by scopec");
  }));
  in.defineBuiltin("super", in.makeBuiltin("super", [](Interpreter &in, CallArgs &a) -> Value {
    auto s = std::make_shared<SuperObj>();
    if (a.positional.size() == 2) {
      auto *c = a.positional[0].as<ClassObj>();
      if (!c)
        return in.error(diag::type_error, "super() argument 1 must be a type");
      s->after = std::static_pointer_cast<ClassObj>(c->shared_from_this());
      s->self = a.positional[1];
    } else {
      // Zero arguments: the method being run, its class and its first argument.
      for (auto it = in.frames().rbegin(); it != in.frames().rend(); ++it)
        if (auto owner = it->fn->owner.lock()) {
          s->after = std::static_pointer_cast<ClassObj>(owner);
          s->self = it->first;
          break;
        }
      if (!s->after)
        return in.error(diag::type_error, "super(): no arguments");
    }
    return Value::object(Kind::Native, s);
  }));
  // abc: abstract bases are plain classes here.
  auto abc = std::make_shared<ModuleObj>("abc");
  abc->attrs["abstractmethod"] = in.makeBuiltin("abc.abstractmethod", [](Interpreter &in, CallArgs &a) -> Value {
    return a.positional.size() == 1 ? a.positional[0]
                                    : in.error(diag::type_error, "abstractmethod expected 1 argument");
  });
  auto base = std::make_shared<ClassObj>();
  base->name = "ABC";
  base->mro = {base.get()};
  abc->attrs["ABC"] = Value::object(Kind::Native, base);
  in.registerClass(base);
  in.tf().modules()["abc"] = Value::object(Kind::Module, abc);
  // six.moves: Python 2/3 shims of model code (xrange is range).
  auto six = std::make_shared<ModuleObj>("six");
  auto moves = std::make_shared<ModuleObj>("six.moves");
  for (const char *n : {"range", "zip", "map", "filter"})
    if (Value v = in.lookupBuiltin(n); !v.isError())
      moves->attrs[n] = v;
  if (moves->attrs.count("range"))
    moves->attrs["xrange"] = moves->attrs["range"];
  Value movesValue = Value::object(Kind::Module, moves);
  six->attrs["moves"] = movesValue;
  in.tf().modules()["six"] = Value::object(Kind::Module, six);
  in.tf().modules()["six.moves"] = movesValue;

  // functools.partial and copy.copy/deepcopy, as model code uses them.
  auto functools = std::make_shared<ModuleObj>("functools");
  functools->attrs["partial"] = in.makeBuiltin("functools.partial", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.empty())
      return in.error(diag::type_error, "partial() missing required argument 'func'");
    Value fn = a.positional[0];
    std::vector<Value> bound(a.positional.begin() + 1, a.positional.end());
    auto keywords = a.keywords;
    return in.makeBuiltin("functools.partial", [fn, bound, keywords](Interpreter &in, CallArgs &b) -> Value {
      CallArgs c;
      c.positional = bound;
      c.positional.insert(c.positional.end(), b.positional.begin(), b.positional.end());
      c.keywords = keywords;
      for (auto &kw : b.keywords) { // later keywords override the bound ones
        auto it = std::find_if(c.keywords.begin(), c.keywords.end(), [&](auto &k) { return k.first == kw.first; });
        if (it != c.keywords.end())
          it->second = kw.second;
        else
          c.keywords.push_back(kw);
      }
      return in.call(fn, c, in.callSite());
    });
  });
  in.tf().modules()["functools"] = Value::object(Kind::Module, functools);
  auto copyModule = std::make_shared<ModuleObj>("copy");
  auto copier = [](bool deep) {
    return [deep](Interpreter &in, CallArgs &a) -> Value {
      if (a.positional.size() != 1)
        return in.error(diag::type_error, std::string(deep ? "deepcopy" : "copy") + "() takes one argument");
      // Lists, tuples and dicts are copied (recursively for deepcopy);
      // everything else (numbers, strings, tensors, variables) is shared.
      std::function<Value(const Value &, bool)> rec = [&](const Value &v, bool recurse) -> Value {
        in.step();
        if (v.isList() || v.isTuple()) {
          std::vector<Value> items;
          for (const Value &x : v.items())
            items.push_back(recurse ? rec(x, true) : x);
          if (auto *nt = v.as<NamedTupleObj>())
            return Value::object(Kind::Tuple, std::make_shared<NamedTupleObj>(std::move(items), nt->type));
          return v.isList() ? Value::list(std::move(items)) : Value::tuple(std::move(items));
        }
        if (auto *d = v.as<DictObj>()) {
          auto c = std::make_shared<DictObj>();
          for (auto &[k, x] : d->entries)
            c->set(k, recurse ? rec(x, true) : x);
          return Value::object(Kind::Dict, c);
        }
        return v;
      };
      return rec(a.positional[0], deep);
    };
  };
  copyModule->attrs["copy"] = in.makeBuiltin("copy.copy", copier(false));
  copyModule->attrs["deepcopy"] = in.makeBuiltin("copy.deepcopy", copier(true));
  in.tf().modules()["copy"] = Value::object(Kind::Module, copyModule);
  auto collections = std::make_shared<ModuleObj>("collections");
  collections->attrs["namedtuple"] = in.makeBuiltin("collections.namedtuple", makeNamedTuple);
  in.tf().modules()["collections"] = Value::object(Kind::Module, collections);
}

} // namespace scopec::eval
