//===- TFSlim.cpp - slim's arg_scope, repeat, stack, dropout, regularizers ===//
//
// tf.contrib.framework.arg_scope as TF 1.15 implements it: a stack of dicts
// {function key: {keyword: value}}; a function decorated with
// @add_arg_scope takes the innermost dict's keywords for its key as
// defaults, explicit keywords winning. Keys are (module, function name), so
// slim.conv2d and tf.contrib.layers.conv2d are one function.
//
//===----------------------------------------------------------------------===//
#include "TF.h"

#include <cstdio>

namespace scopec::eval {

namespace {

constexpr const char *kLayersModule = "tensorflow.contrib.layers.python.layers.layers";

/// A function decorated with @add_arg_scope.
struct ArgScopedObj : BuiltinObj {
  ArgScopedObj(std::string name, NativeFn fn, Value key, std::string funcName)
      : BuiltinObj(std::move(name), std::move(fn)), key(std::move(key)) {
    pyName = std::move(funcName);
  }
  Value key; ///< ('module', 'name'), as arg_scope_func_key
};

/// The arg-scope stack (TF's _ARGSTACK); the innermost dict is last.
std::vector<Value> &argStack(Interpreter &in) {
  std::vector<Value> &st = in.tf().argScopes();
  if (st.empty())
    st.push_back(Value::object(Kind::Dict, std::make_shared<DictObj>()));
  return st;
}

Value copyDict(const Value &d) {
  auto c = std::make_shared<DictObj>();
  for (auto &[k, v] : d.as<DictObj>()->entries)
    c->set(k, v);
  return Value::object(Kind::Dict, c);
}

/// A call of an arg-scoped function: the scope's keywords first, the
/// explicit ones override (current_args.update(kwargs)).
CallArgs withScopeArgs(Interpreter &in, const Value &key, CallArgs &a) {
  Value *entry = argStack(in).back().as<DictObj>()->find(key);
  if (!entry)
    return a;
  CallArgs merged;
  merged.positional = a.positional;
  for (auto &[k, v] : entry->as<DictObj>()->entries) {
    const std::string &name = k.asStr();
    bool explicitly = std::any_of(a.keywords.begin(), a.keywords.end(), [&](auto &kw) { return kw.first == name; });
    if (!explicitly)
      merged.keywords.emplace_back(name, v);
  }
  merged.keywords.insert(merged.keywords.end(), a.keywords.begin(), a.keywords.end());
  return merged;
}

Value makeArgScoped(Interpreter &in, const std::string &dotted, const std::string &module,
                    const std::string &funcName, NativeFn fn) {
  Value key = Value::tuple({Value::str(module), Value::str(funcName)});
  NativeFn wrapped = [fn, key](Interpreter &in, CallArgs &a) -> Value {
    CallArgs merged = withScopeArgs(in, key, a);
    return fn(in, merged);
  };
  return Value::object(Kind::Builtin, std::make_shared<ArgScopedObj>(dotted, std::move(wrapped), key, funcName));
}

/// with slim.arg_scope([ops], **kwargs) as sc / with slim.arg_scope(sc):
struct ArgScopeCM : ContextManager {
  Value ops;
  std::vector<std::pair<std::string, Value>> kwargs;
  bool pushed = false;
  std::string typeName() const override { return "_GeneratorContextManager"; }
  Value enter(Interpreter &in, SourceRange) override {
    std::vector<Value> &st = argStack(in);
    Value scope;
    if (ops.kind() == Kind::Dict) {
      if (!kwargs.empty())
        return in.error(diag::value_error,
                        "When attempting to re-use a scope by suppling a dictionary, kwargs must be empty.");
      scope = ops;
    } else if (ops.isSequence()) {
      scope = copyDict(st.back());
      for (const Value &op : ops.items()) {
        auto *f = op.as<ArgScopedObj>();
        if (!f)
          return in.error(diag::value_error, in.repr(op) + " is not decorated with @add_arg_scope");
        auto *d = scope.as<DictObj>();
        Value current = d->find(f->key) ? copyDict(*d->find(f->key))
                                        : Value::object(Kind::Dict, std::make_shared<DictObj>());
        for (auto &[k, v] : kwargs)
          current.as<DictObj>()->set(Value::str(k), v);
        d->set(f->key, current);
      }
    } else {
      return in.error(diag::type_error, "list_ops_or_scope must either be a list/tuple or reused scope (i.e. dict)");
    }
    st.push_back(scope);
    pushed = true;
    return scope;
  }
  void exit(Interpreter &in, SourceRange) override {
    if (pushed)
      argStack(in).pop_back();
    pushed = false;
  }
};

/// The name slim.repeat/stack give the layers: the function's __name__.
std::string layerName(Interpreter &in, const Value &layer, const char *fallback) {
  if (auto *f = layer.as<FunctionObj>())
    return f->name;
  if (auto *b = layer.as<BuiltinObj>(); b && b->name != "functools.partial")
    return !b->pyName.empty() ? b->pyName : b->name.substr(b->name.rfind('.') + 1);
  return fallback;
}

/// slim.repeat(inputs, n, layer, *args, scope=..., **kwargs) and
/// slim.stack(inputs, layer, stack_args, scope=..., **kwargs).
Value repeatOrStack(Interpreter &in, CallArgs &a, bool stack) {
  const char *fname = stack ? "stack" : "repeat";
  size_t fixed = stack ? 3 : 3; // inputs, repetitions|layer, layer|stack_args
  if (a.positional.size() < fixed)
    return in.error(diag::type_error, std::string(fname) + "() missing required positional arguments");
  Value inputs = a.positional[0];
  Value layer = stack ? a.positional[1] : a.positional[2];
  std::vector<Value> extra(a.positional.begin() + 3, a.positional.end());
  std::vector<std::vector<Value>> calls;
  if (stack) {
    const Value &args = a.positional[2];
    if (!args.isSequence())
      return in.error(diag::value_error, "stack_args need to be a list or tuple");
    for (const Value &x : args.items())
      calls.push_back(x.isSequence() ? x.items() : std::vector<Value>{x});
  } else {
    int64_t n;
    if (!toInt(in, a.positional[1], n, "repetitions"))
      return Value::error();
    for (int64_t k = 0; k < n; ++k)
      calls.push_back(extra);
  }
  Value scope = Value::none();
  std::vector<std::pair<std::string, Value>> kwargs;
  for (auto &kw : a.keywords) {
    if (kw.first == "scope")
      scope = kw.second;
    else
      kwargs.push_back(kw);
  }
  CallArgs vs;
  vs.positional = {scope, Value::str(stack ? "Stack" : "Repeat")};
  Value cm = in.call(in.tf().modules().at("tf").as<ModuleObj>()->attrs.at("variable_scope"), vs, in.callSite());
  auto *c = cm.as<ContextManager>();
  if (!c || c->enter(in, in.callSite()).isError())
    return Value::error();
  std::string base = scope.isStr() ? scope.asStr() : layerName(in, layer, fname);
  Value out = inputs;
  for (size_t k = 0; k < calls.size() && !out.isError(); ++k) {
    CallArgs la;
    la.positional.push_back(out);
    la.positional.insert(la.positional.end(), calls[k].begin(), calls[k].end());
    la.keywords = kwargs;
    la.keywords.emplace_back("scope", Value::str(base + "_" + std::to_string(k + 1)));
    out = in.call(layer, la, in.callSite());
  }
  c->exit(in, in.callSite());
  return out;
}

} // namespace

/// slim.softmax: in variable_scope(scope, 'softmax'), reshape to 2-D, softmax,
/// reshape back to tf.shape(logits).
Value slimSoftmax(Interpreter &in, CallArgs &a) {
  ArgBinder b(in, "softmax", a, {"*logits", "scope"});
  if (!b.ok())
    return Value::error();
  TFState &tf = in.tf();
  auto t = tf.toTensor(*b.get("logits"), std::nullopt, "logits");
  if (!t)
    return Value::error();
  const graph::Shape &s = tf.graph().type(*t).shape;
  if (s.unknownRank || s.rank() < 2)
    return in.error(diag::value_error, "Shape " + s.str() + " must have rank at least 2");
  if (s.dims.back() < 0)
    return in.error(diag::value_error, "Last dimension must be known " + s.str());
  CallArgs vs;
  vs.positional = {b.getOr("scope", Value::none()), Value::str("softmax")};
  Value cm = in.call(tf.modules().at("tf").as<ModuleObj>()->attrs.at("variable_scope"), vs, in.callSite());
  auto *c = cm.as<ContextManager>();
  if (!c || c->enter(in, in.callSite()).isError())
    return Value::error();
  ModuleObj *tfm = tf.modules().at("tf").as<ModuleObj>(), *nn = tf.modules().at("tf.nn").as<ModuleObj>();
  auto call = [&](ModuleObj *m, const char *f, std::vector<Value> args) {
    CallArgs ca;
    ca.positional = std::move(args);
    return in.call(m->attrs.at(f), ca, in.callSite());
  };
  Value logits = tf.tensor(*t);
  Value flat = call(tfm, "reshape", {logits, Value::list({Value::integer(-1), Value::integer(s.dims.back())})});
  Value p = flat.isError() ? flat : call(nn, "softmax", {flat});
  Value shape = p.isError() ? p : call(tfm, "shape", {logits});
  Value out = shape.isError() ? shape : call(tfm, "reshape", {p, shape});
  c->exit(in, in.callSite());
  return out;
}

void installSlim(TFState &tf) {
  Interpreter &in = tf.interp();
  auto mod = [&](const std::string &k) { return tf.modules().at(k).as<ModuleObj>(); };
  ModuleObj *slim = mod("slim"), *clayers = mod("tf.contrib.layers"), *contrib = mod("tf.contrib");
  for (ModuleObj *m : {slim, clayers})
    m->attrs["softmax"] = in.makeBuiltin(m->name + ".softmax", slimSoftmax);
  auto framework = std::make_shared<ModuleObj>("tf.contrib.framework");
  tf.modules()["tf.contrib.framework"] = Value::object(Kind::Module, framework);
  contrib->attrs["framework"] = tf.modules()["tf.contrib.framework"];

  // The layers slim decorates with @add_arg_scope: (attribute, __name__).
  for (auto [attr, funcName] : std::vector<std::pair<const char *, const char *>>{
           {"conv2d", "convolution2d"}, {"convolution2d", "convolution2d"},
           {"fully_connected", "fully_connected"}, {"max_pool2d", "max_pool2d"},
           {"avg_pool2d", "avg_pool2d"}, {"dropout", "dropout"}, {"flatten", "flatten"},
           {"batch_norm", "batch_norm"}, {"softmax", "softmax"},
           {"conv2d_transpose", "convolution2d_transpose"},
           {"convolution2d_transpose", "convolution2d_transpose"}, {"layer_norm", "layer_norm"},
           {"separable_conv2d", "separable_convolution2d"}, {"separable_convolution2d", "separable_convolution2d"}}) {
    for (ModuleObj *m : {slim, clayers}) {
      std::string source = attr == std::string("convolution2d") ? "conv2d" : attr;
      auto it = m->attrs.find(source);
      if (it == m->attrs.end() || !it->second.as<BuiltinObj>())
        continue;
      auto *b = it->second.as<BuiltinObj>();
      m->attrs[attr] = makeArgScoped(in, m->name + "." + attr, kLayersModule, funcName, b->fn);
    }
  }

  Value argScope = in.makeBuiltin("slim.arg_scope", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() != 1)
      return in.error(diag::type_error, "arg_scope() takes one positional argument (list_ops_or_scope)");
    auto cm = std::make_shared<ArgScopeCM>();
    cm->ops = a.positional[0];
    cm->kwargs = a.keywords;
    return Value::object(Kind::Native, cm);
  });
  Value addArgScope = in.makeBuiltin("slim.add_arg_scope", [](Interpreter &in, CallArgs &a) -> Value {
    if (a.positional.size() != 1 || !a.keywords.empty())
      return in.error(diag::type_error, "add_arg_scope() takes one function");
    Value fn = a.positional[0];
    std::string name = layerName(in, fn, "function");
    // A user function's key is its identity: two modules may both define `conv`.
    std::string module = "user:" + std::to_string(reinterpret_cast<uintptr_t>(fn.get()));
    return makeArgScoped(in, name, module, name, [fn](Interpreter &in, CallArgs &b) {
      return in.call(fn, b, in.callSite());
    });
  });
  Value currentArgScope = in.makeBuiltin("slim.current_arg_scope", [](Interpreter &in, CallArgs &) -> Value {
    return argStack(in).back();
  });
  Value hasArgScope = in.makeBuiltin("slim.has_arg_scope", [](Interpreter &, CallArgs &a) -> Value {
    return Value::boolean(a.positional.size() == 1 && a.positional[0].as<ArgScopedObj>());
  });
  for (ModuleObj *m : {slim, framework.get()}) {
    m->attrs["arg_scope"] = argScope;
    m->attrs["add_arg_scope"] = addArgScope;
    m->attrs["current_arg_scope"] = currentArgScope;
    m->attrs["has_arg_scope"] = hasArgScope;
  }
  slim->attrs["repeat"] = in.makeBuiltin("slim.repeat", [](Interpreter &in, CallArgs &a) { return repeatOrStack(in, a, false); });
  slim->attrs["stack"] = in.makeBuiltin("slim.stack", [](Interpreter &in, CallArgs &a) { return repeatOrStack(in, a, true); });
  clayers->attrs["repeat"] = slim->attrs["repeat"];
  clayers->attrs["stack"] = slim->attrs["stack"];

  // Regularizers only add training losses: accepted, no effect on the graph
  // scopec builds (language.md). TF's argument checks are kept.
  for (const char *kind : {"l1_regularizer", "l2_regularizer"}) {
    Value reg = in.makeBuiltin(std::string("slim.") + kind, [kind](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, kind, a, {"*scale", "scope"});
      if (!b.ok())
        return Value::error();
      const Value &s = *b.get("scale");
      if (s.isInt() && !s.isBool())
        return in.error(diag::value_error, "scale cannot be an integer: " + in.repr(s));
      if (!s.isFloat())
        return in.error(diag::value_error, "scale must be a number, got " + in.repr(s));
      if (s.asFloat() < 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", s.asFloat());
        return in.error(diag::value_error, std::string("Setting a scale less than 0 on a regularizer: ") + buf);
      }
      return in.makeBuiltin(kind, [](Interpreter &, CallArgs &) { return Value::none(); });
    });
    slim->attrs[kind] = reg;
    clayers->attrs[kind] = reg;
  }
}

} // namespace scopec::eval
