//===- TFModule.cpp - The tf.* API surface (language.md section 3) --------===//
#include "TF.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace scopec::eval {

using graph::DType;
using graph::Shape;
using graph::TensorData;
using graph::TensorRef;
using graph::TensorType;

std::optional<TensorRef> buildInitializerOps(TFState &tf, const InitializerObj &init,
                                             const Shape &shape, DType dtype, InitSpec &spec,
                                             const Value *scopeName = nullptr);

namespace {

Value native(std::shared_ptr<NativeObj> o) { return Value::object(Kind::Native, std::move(o)); }

/// Reads a `reuse` argument: None/False, True, AUTO_REUSE (S2 otherwise).
bool readReuse(TFState &tf, const Value *v, Reuse &out) {
  out = Reuse::False;
  if (!v || v->isNone() || (v->isBool() && !v->asBool()))
    return true;
  if (v->isBool() && v->asBool()) {
    out = Reuse::True;
    return true;
  }
  if (v->is(tf.autoReuse())) {
    out = Reuse::Auto;
    return true;
  }
  tf.interp().error(diag::invalid_reuse, "The reuse parameter must be True or False or None.");
  return false;
}

//===--- variable_scope (tf1-semantics.md 2.7, 2.8) -----------------------===//

struct VariableScopeCM : ContextManager {
  std::string typeName() const override { return "variable_scope"; }
  Value nameOrScope, defaultName, initializer, dtype;
  Reuse reuse = Reuse::False;
  bool auxiliary = true;
  // Exit state.
  bool openedNameScope = false;
  TFState::SavedStack savedStack;
  std::shared_ptr<VariableScopeObj> oldScope, newScope;
  bool jumped = false;
  std::map<std::string, int64_t> savedCounts;
  bool pushedKind = false;

  Value enter(Interpreter &in, SourceRange site) override {
    TFState &tf = in.tf();
    // auxiliary_name_scope=False re-enters the current name scope.
    std::optional<std::string> nsName;
    if (!auxiliary) {
      std::string cur = tf.nameStack();
      nsName = cur.empty() ? std::string() : cur + "/";
    }
    std::optional<std::string> oldNameScope;
    std::shared_ptr<VariableScopeObj> captured;
    std::string stringName;
    if (!nameOrScope.isNone()) {
      captured = std::dynamic_pointer_cast<VariableScopeObj>(nameOrScope.ptr());
      if (!nameOrScope.isStr() && !captured) {
        in.error(diag::type_error, "VariableScope: name_or_scope must be a string or VariableScope.");
        return Value::error();
      }
      std::string nsFromName;
      if (captured) {
        std::string n = captured->name;
        nsFromName = n.substr(n.rfind('/') == std::string::npos ? 0 : n.rfind('/') + 1);
      } else {
        stringName = nameOrScope.asStr();
        nsFromName = stringName;
      }
      if (!nsFromName.empty() || nsName) {
        bool ok;
        std::string entered = tf.enterNameScope(nsName ? *nsName : nsFromName, savedStack, ok);
        if (!ok)
          return Value::error();
        openedNameScope = true;
        oldNameScope = captured ? captured->originalNameScope : entered;
      }
    } else {
      if (reuse != Reuse::False) {
        in.error(diag::reuse_without_name, "reuse=True cannot be used without a name_or_scope");
        return Value::error();
      }
      bool ok;
      std::string dn = defaultName.isStr() ? defaultName.asStr() : std::string();
      std::string entered = tf.enterNameScope(nsName ? *nsName : dn, savedStack, ok);
      if (!ok)
        return Value::error();
      openedNameScope = true;
      oldNameScope = entered;
      stringName = tf.uniqueVariableScope(dn);
    }
    // The pure variable scope.
    oldScope = tf.currentScope();
    newScope = std::make_shared<VariableScopeObj>();
    auto &counts = tf.scopeCounts();
    if (captured) {
      jumped = true;
      newScope->reuse = reuse != Reuse::False ? reuse : captured->reuse;
      newScope->name = captured->name;
      newScope->originalNameScope = captured->originalNameScope;
      newScope->initializer = captured->initializer;
      newScope->dtype = captured->dtype;
      counts[captured->name] += 1;
      savedCounts = counts;
    } else {
      std::string full = oldScope->name.empty() ? stringName : oldScope->name + "/" + stringName;
      newScope->reuse = reuse != Reuse::False ? reuse : oldScope->reuse;
      if (nameOrScope.isNone())
        newScope->reuse = oldScope->reuse; // default-named: always inherited
      newScope->name = full;
      newScope->originalNameScope = oldNameScope ? *oldNameScope : stringName;
      newScope->initializer = oldScope->initializer;
      newScope->dtype = oldScope->dtype;
      counts[full] += 1;
    }
    if (!initializer.isNone())
      newScope->initializer = initializer;
    if (!dtype.isNone()) {
      DType t;
      if (tf.toDType(dtype, t))
        newScope->dtype = t;
    }
    tf.setCurrentScope(newScope);
    tf.scopeKinds().push_back(false);
    pushedKind = true;
    return Value::object(Kind::Native, newScope);
  }

  void exit(Interpreter &in, SourceRange site) override {
    TFState &tf = in.tf();
    if (pushedKind)
      tf.scopeKinds().pop_back();
    auto &counts = tf.scopeCounts();
    if (jumped) {
      counts = savedCounts;
    } else {
      // Forget all descendants: the keys starting with "name/" are one range.
      std::string prefix = newScope->name + "/";
      for (auto it = counts.lower_bound(prefix); it != counts.end() && it->first.rfind(prefix, 0) == 0; ++it)
        it->second = 0;
    }
    tf.setCurrentScope(oldScope);
    if (openedNameScope)
      tf.exitNameScope(savedStack);
  }
};

Value makeVariableScope(Interpreter &in, CallArgs &a) {
  ArgBinder b(in, "variable_scope", a,
              {"name_or_scope", "default_name", "values", "initializer", "regularizer",
               "caching_device", "partitioner", "custom_getter", "reuse", "dtype",
               "use_resource", "constraint", "auxiliary_name_scope"});
  if (!b.ok())
    return Value::error();
  auto cm = std::make_shared<VariableScopeCM>();
  cm->nameOrScope = b.getOr("name_or_scope", Value::none());
  cm->defaultName = b.getOr("default_name", Value::none());
  if (cm->nameOrScope.isNone() && cm->defaultName.isNone())
    return in.error(diag::type_error, "If default_name is None then name_or_scope is required");
  if (!readReuse(in.tf(), b.get("reuse"), cm->reuse))
    return Value::error();
  Value aux = b.getOr("auxiliary_name_scope", Value::boolean(true));
  if (!aux.isBool())
    return in.error(diag::type_error, "The auxiliary_name_scope must be `True` or `False`, while get " +
                                          in.str(aux));
  cm->auxiliary = aux.asBool();
  cm->initializer = b.getOr("initializer", Value::none());
  cm->dtype = b.getOr("dtype", Value::none());
  return native(cm);
}

//===--- name_scope (tf1-semantics.md 2.3) --------------------------------===//

struct NameScopeCM : ContextManager {
  std::string typeName() const override { return "name_scope"; }
  Value name, defaultName, values;
  TFState::SavedStack saved;
  bool entered = false;
  Value enter(Interpreter &in, SourceRange site) override {
    TFState &tf = in.tf();
    Value effective = name.isNone() ? defaultName : name;
    if (effective.isNone() && !values.isNone()) {
      in.error(diag::name_scope_without_name,
               "At least one of name (" + in.str(name) + ") and default_name (" +
                   in.str(defaultName) + ") must be provided.");
      return Value::error();
    }
    bool ok;
    std::string scope = tf.enterNameScope(effective, saved, ok);
    if (!ok)
      return Value::error();
    entered = true;
    tf.scopeKinds().push_back(true);
    return Value::str(scope);
  }
  void exit(Interpreter &in, SourceRange) override {
    if (!entered)
      return;
    in.tf().scopeKinds().pop_back();
    in.tf().exitNameScope(saved);
  }
};

Value makeNameScope(Interpreter &in, CallArgs &a) {
  ArgBinder b(in, "name_scope", a, {"name", "default_name", "values"});
  if (!b.ok())
    return Value::error();
  auto cm = std::make_shared<NameScopeCM>();
  cm->name = b.getOr("name", Value::none());
  cm->defaultName = b.getOr("default_name", Value::none());
  cm->values = b.getOr("values", Value::none());
  if (!cm->defaultName.isNone() && !cm->defaultName.isStr())
    return in.error(diag::type_error, "`default_name` type (<class '" + in.typeName(cm->defaultName) +
                                          "'>) is not a string type. You likely meant to pass "
                                          "this into the `values` kwarg.");
  return native(cm);
}

/// A context manager that does nothing (Session, Graph.as_default, ...).
struct PlainCM : ContextManager {
  std::string type;
  Value self;
  std::function<Value(Interpreter &, const std::string &, bool &)> attrs;
  std::string typeName() const override { return type; }
  Value enter(Interpreter &, SourceRange) override {
    return Value::object(Kind::Native, std::static_pointer_cast<NativeObj>(
                                           std::const_pointer_cast<Object>(shared_from_this())));
  }
  void exit(Interpreter &, SourceRange) override {}
  Value getAttr(Interpreter &in, const std::string &n, bool &found) override {
    if (attrs)
      return attrs(in, n, found);
    found = false;
    return Value::error();
  }
};

/// A sess.run feed_dict: placeholder (or its name "x:0") -> Python/NumPy value,
/// converted to the placeholder's dtype and checked against its shape as TF does.
bool bindFeeds(Interpreter &in, const Value &dict) {
  TFState &tf = in.tf();
  auto *d = dict.as<DictObj>();
  if (!d) {
    in.error(diag::type_error, "feed_dict must be a dict, not " + in.typeName(dict));
    return false;
  }
  const graph::Graph &g = tf.graph();
  for (auto &[key, value] : d->entries) {
    std::optional<TensorRef> ref;
    if (auto *t = key.as<TensorObj>())
      ref = t->ref;
    else if (key.isStr()) {
      std::string name = key.asStr();
      std::string op = name.substr(0, name.rfind(':'));
      if (const graph::Node *n = g.find(op))
        ref = TensorRef{n->id, 0};
    }
    if (!ref) {
      in.error(diag::type_error, "Cannot interpret feed_dict key " + in.repr(key) + " as a Tensor.");
      return false;
    }
    const graph::Node &n = g.node(ref->node);
    if (n.op != "Placeholder") {
      in.error(diag::not_compile_time, "feeding '" + g.tensorName(*ref) + "' (" + n.op +
                                           "): at compile time only placeholders can be fed");
      return false;
    }
    const graph::TensorType &type = n.outputs[0];
    TensorData data;
    if (!tf.toData(value, type.dtype, data))
      return false;
    const graph::Shape &want = type.shape;
    bool ok = want.unknownRank || data.shape.rank() == want.rank();
    for (size_t k = 0; ok && !want.unknownRank && k < want.rank(); ++k)
      ok = want.dims[k] < 0 || want.dims[k] == data.shape.dims[k];
    if (!ok) {
      std::string have = "(";
      for (size_t k = 0; k < data.shape.rank(); ++k)
        have += std::to_string(data.shape.dims[k]) + (data.shape.rank() == 1 ? "," : k + 1 < data.shape.rank() ? ", " : "");
      have += ")";
      std::string shape = "(";
      for (size_t k = 0; k < want.rank(); ++k)
        shape += (want.dims[k] < 0 ? std::string("?") : std::to_string(want.dims[k])) +
                 (want.rank() == 1 ? "," : k + 1 < want.rank() ? ", " : "");
      shape += ")";
      in.error(diag::value_error, "Cannot feed value of shape " + have + " for Tensor '" + g.tensorName(*ref) +
                                      "', which has shape '" + shape + "'");
      return false;
    }
    tf.feeds()[ref->node] = std::move(data);
  }
  return true;
}

/// sess.run(fetches) / t.eval(): compile-time values.
Value runFetches(Interpreter &in, const Value &f) {
  TFState &tf = in.tf();
  if (f.isSequence()) {
    std::vector<Value> out;
    for (const Value &x : f.items()) {
      Value r = runFetches(in, x);
      if (r.isError())
        return r;
      out.push_back(r);
    }
    if (auto *nt = f.as<NamedTupleObj>()) // TF keeps a namedtuple's type (tf.nn.top_k's TopKV2)
      return Value::object(Kind::Tuple, std::make_shared<NamedTupleObj>(std::move(out), nt->type));
    return f.isList() ? Value::list(std::move(out)) : Value::tuple(std::move(out));
  }
  if (f.isNone() || f.as<OperationObj>())
    return Value::none();
  TensorRef ref;
  if (auto *t = f.as<TensorObj>())
    ref = t->ref;
  else if (auto *v = f.as<VariableObj>())
    ref = TensorRef{v->node, 0};
  else
    return in.error(diag::type_error, "Fetch argument " + in.repr(f) + " has invalid type " +
                                          in.typeName(f) + ", must be a string or Tensor.");
  TensorData d;
  if (!tf.evaluate(ref, d, in.callSite()))
    return Value::error();
  return Value::object(Kind::Native, std::make_shared<ArrayObj>(std::move(d)));
}

/// with g.as_default(): enters the program's one graph (TFState::enterGraph).
struct GraphDefaultCM : ContextManager {
  std::shared_ptr<Object> graph; ///< null: the default graph
  bool entered = false;
  std::string typeName() const override { return "_GeneratorContextManager"; }
  Value enter(Interpreter &in, SourceRange) override {
    if (graph && !in.tf().enterGraph(graph))
      return Value::error();
    entered = graph != nullptr;
    return Value::none();
  }
  void exit(Interpreter &in, SourceRange) override {
    if (entered)
      in.tf().exitGraph(graph);
    entered = false;
  }
};

/// A tf.Graph: tf.get_default_graph() (`isDefault`) or tf.Graph().
Value makeGraph(Interpreter &in, bool isDefault) {
  auto g = std::make_shared<PlainCM>();
  g->type = "Graph";
  std::weak_ptr<Object> self;
  if (!isDefault)
    self = g;
  g->attrs = [self](Interpreter &in, const std::string &n, bool &found) -> Value {
    found = true;
    if (n == "get_name_scope")
      return in.makeBuiltin("Graph.get_name_scope", [](Interpreter &in, CallArgs &) -> Value {
        return Value::str(in.tf().nameStack());
      });
    if (n == "as_default")
      // The method holds the graph (tf.Graph().as_default() keeps no other reference).
      return in.makeBuiltin("Graph.as_default", [graph = self.lock()](Interpreter &, CallArgs &) -> Value {
        auto cm = std::make_shared<GraphDefaultCM>();
        cm->graph = graph;
        return Value::object(Kind::Native, cm);
      });
    if (n == "finalize")
      return in.makeBuiltin("Graph.finalize", [](Interpreter &, CallArgs &) { return Value::none(); });
    found = false;
    return Value::error();
  };
  return Value::object(Kind::Native, g);
}

Value makeSession(Interpreter &in, CallArgs &) {
  auto s = std::make_shared<PlainCM>();
  s->type = "Session";
  s->attrs = [](Interpreter &in, const std::string &n, bool &found) -> Value {
    found = true;
    if (n == "run")
      return in.makeBuiltin("Session.run", [](Interpreter &in, CallArgs &a) -> Value {
        ArgBinder b(in, "run", a, {"*fetches", "feed_dict", "options", "run_metadata"});
        if (!b.ok())
          return Value::error();
        TFState &tf = in.tf();
        tf.feeds().clear();
        if (b.has("feed_dict") && !b.get("feed_dict")->isNone() && !bindFeeds(in, *b.get("feed_dict")))
          return Value::error();
        Value r = runFetches(in, *b.get("fetches"));
        tf.feeds().clear();
        return r;
      });
    if (n == "close")
      return in.makeBuiltin("Session.close", [](Interpreter &, CallArgs &) { return Value::none(); });
    if (n == "as_default")
      return in.makeBuiltin("Session.as_default", [](Interpreter &, CallArgs &) -> Value {
        auto cm = std::make_shared<PlainCM>();
        cm->type = "_GeneratorContextManager";
        return Value::object(Kind::Native, cm);
      });
    found = false;
    return Value::error();
  };
  return native(s);
}

//===--- Initializers -----------------------------------------------------===//

Value makeDTypeArg(Interpreter &in, InitializerObj &i, const Value *dtype) {
  if (dtype && !dtype->isNone()) {
    DType t;
    if (!in.tf().toDType(*dtype, t))
      return Value::error();
    i.dtype = t;
  }
  return Value::none();
}

void defineInitializers(Interpreter &in, ModuleObj &m, bool keras) {
  auto def = [&](const std::string &name, NativeFn fn) {
    m.attrs[name] = in.makeBuiltin(m.name + "." + name, std::move(fn));
  };
  auto numArg = [&](const ArgBinder &b, const std::string &n, double dflt, double &out) {
    const Value *v = b.get(n);
    if (!v || v->isNone()) {
      out = dflt;
      return true;
    }
    if (!toFloat(*v, out)) {
      in.error(diag::type_error, n + " must be a number, not " + in.typeName(*v));
      return false;
    }
    return true;
  };
  NativeFn constant = [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "constant_initializer", a, {"value", "dtype", "verify_shape"});
    if (!b.ok())
      return Value::error();
    auto i = std::make_shared<InitializerObj>();
    i->type = "Constant";
    i->spec.kind = "constant";
    i->constantValue = b.getOr("value", Value::integer(0));
    if (in.tf().isTensorOrVariable(i->constantValue))
      return in.error(diag::type_error, "Invalid type for initial value: Tensor (expected Python scalar, list or tuple of values, or numpy.ndarray).");
    if (makeDTypeArg(in, *i, b.get("dtype")).isError())
      return Value::error();
    return Value::object(Kind::Native, i);
  };
  auto simple = [&](const std::string &kind, const std::string &type) {
    return [kind, type](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, kind + "_initializer", a, {"dtype"});
      if (!b.ok())
        return Value::error();
      auto i = std::make_shared<InitializerObj>();
      i->type = type;
      i->spec.kind = kind;
      if (makeDTypeArg(in, *i, b.get("dtype")).isError())
        return Value::error();
      return Value::object(Kind::Native, i);
    };
  };
  auto random = [numArg](const std::string &kind, const std::string &type, const std::string &p,
                         const std::string &q, double dp, double dq) {
    return [=](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, type, a, {p, q, "seed", "dtype"});
      if (!b.ok())
        return Value::error();
      auto i = std::make_shared<InitializerObj>();
      i->type = type;
      i->spec.kind = kind;
      if (!numArg(b, p, dp, i->spec.a) || !numArg(b, q, dq, i->spec.b))
        return Value::error();
      if (makeDTypeArg(in, *i, b.get("dtype")).isError())
        return Value::error();
      return Value::object(Kind::Native, i);
    };
  };
  auto scaling = [numArg](const std::string &type, double scale, const std::string &mode,
                          const std::string &dist, bool configurable) {
    return [=](Interpreter &in, CallArgs &a) -> Value {
      std::vector<std::string> params = configurable
                                            ? std::vector<std::string>{"scale", "mode", "distribution", "seed", "dtype"}
                                            : std::vector<std::string>{"seed", "dtype"};
      ArgBinder b(in, type, a, params);
      if (!b.ok())
        return Value::error();
      auto i = std::make_shared<InitializerObj>();
      i->type = type;
      i->spec.kind = "variance_scaling";
      i->spec.a = scale;
      i->spec.mode = mode;
      i->spec.distribution = dist;
      if (configurable) {
        if (!numArg(b, "scale", scale, i->spec.a))
          return Value::error();
        if (const Value *m = b.get("mode"); m && m->isStr())
          i->spec.mode = m->asStr();
        if (const Value *d = b.get("distribution"); d && d->isStr())
          i->spec.distribution = d->asStr() == "normal" ? "truncated_normal" : d->asStr();
        if (i->spec.mode != "fan_in" && i->spec.mode != "fan_out" && i->spec.mode != "fan_avg")
          return in.error(diag::value_error, "Invalid `mode` argument: " + i->spec.mode);
      }
      if (makeDTypeArg(in, *i, b.get("dtype")).isError())
        return Value::error();
      return Value::object(Kind::Native, i);
    };
  };
  std::string suffix = keras ? "" : "_initializer";
  if (keras) {
    def("Constant", constant);
    def("constant", constant);
    def("Zeros", simple("zeros", "Zeros"));
    def("zeros", simple("zeros", "Zeros"));
    def("Ones", simple("ones", "Ones"));
    def("ones", simple("ones", "Ones"));
    def("RandomUniform", random("random_uniform", "RandomUniform", "minval", "maxval", -0.05, 0.05));
    def("RandomNormal", random("random_normal", "RandomNormal", "mean", "stddev", 0, 0.05));
    def("TruncatedNormal", random("truncated_normal", "TruncatedNormal", "mean", "stddev", 0, 0.05));
    def("glorot_uniform", scaling("GlorotUniform", 1.0, "fan_avg", "uniform", false));
    def("GlorotUniform", scaling("GlorotUniform", 1.0, "fan_avg", "uniform", false));
    def("glorot_normal", scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal", false));
    def("GlorotNormal", scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal", false));
    def("he_normal", scaling("VarianceScaling", 2.0, "fan_in", "truncated_normal", false));
    def("he_uniform", scaling("VarianceScaling", 2.0, "fan_in", "uniform", false));
    def("VarianceScaling", scaling("VarianceScaling", 1.0, "fan_in", "truncated_normal", true));
    return;
  }
  def("constant" + suffix, constant);
  def("zeros" + suffix, simple("zeros", "Zeros"));
  def("ones" + suffix, simple("ones", "Ones"));
  def("random_uniform" + suffix, random("random_uniform", "RandomUniform", "minval", "maxval", 0, 1));
  def("random_normal" + suffix, random("random_normal", "RandomNormal", "mean", "stddev", 0, 1));
  def("truncated_normal" + suffix, random("truncated_normal", "TruncatedNormal", "mean", "stddev", 0, 1));
  def("glorot_uniform" + suffix, scaling("GlorotUniform", 1.0, "fan_avg", "uniform", false));
  def("glorot_normal" + suffix, scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal", false));
  def("variance_scaling" + suffix, scaling("VarianceScaling", 1.0, "fan_in", "truncated_normal", true));
}

} // namespace

//===--- Modules ------------------------------------------------------------===//

Value TFState::missingModuleAttr(ModuleObj &m, const std::string &name) {
  if (m.lazy)
    return in_.error(diag::unsupported_api, "`" + m.name + "." + name + "` is not supported by scopec: module '" +
                                                m.name.substr(0, m.name.find('.')) +
                                                "' is not known to scopec (importing it is fine, using it is not)");
  if (m.name == "tensorflow" || m.name.rfind("tf.", 0) == 0 || m.name.rfind("tensorflow", 0) == 0 ||
      m.name == "np" || m.name == "numpy" || m.name == "slim")
    return in_.error(diag::unsupported_api,
                     "`" + (m.name == "tensorflow" ? std::string("tf") : m.name) + "." + name +
                         "` is not supported by scopec");
  return in_.error(diag::attribute_error, "module '" + m.name + "' has no attribute '" + name + "'");
}

Value TFState::importModule(const std::string &dotted, SourceRange site) {
  static const std::map<std::string, std::string> aliases = {
      {"tensorflow", "tf"},
      {"tensorflow.compat.v1", "tf"},
      {"tensorflow.compat", "tf.compat"},
      {"tensorflow.contrib", "tf.contrib"},
      {"tensorflow.contrib.slim", "slim"},
      {"tensorflow.contrib.layers", "tf.contrib.layers"},
      {"tensorflow.nn", "tf.nn"},
      {"tensorflow.layers", "tf.layers"},
      {"numpy", "np"},
  };
  auto it = aliases.find(dotted);
  if (it != aliases.end())
    return modules_.at(it->second);
  if (auto known = modules_.find(dotted); known != modules_.end()) // abc, ...
    return known->second;
  if (dotted.rfind("tensorflow.", 0) == 0)
    return in_.error(diag::unsupported_api, "module '" + dotted + "' is not supported by scopec");
  return lazyModule(dotted);
}

Value TFState::lazyModule(const std::string &dotted) {
  Value &slot = lazyModules_[dotted];
  if (slot.isNone()) {
    auto m = std::make_shared<ModuleObj>(dotted);
    m->lazy = true;
    slot = Value::object(Kind::Module, m);
  }
  return slot;
}

Value Interpreter::importModule(const std::string &dotted, SourceRange site) {
  bool builtin = dotted == "tensorflow" || dotted.rfind("tensorflow.", 0) == 0 || dotted == "numpy" ||
                 tf_->modules().count(dotted);
  if (!builtin && opts_.loader) {
    bool found = false;
    Value m = importUserModule(dotted, 0, site, found);
    if (found)
      return m;
  }
  return tf_->importModule(dotted, site);
}

Value Interpreter::importUserModule(const std::string &dotted, unsigned level, SourceRange site, bool &found) {
  std::string path;
  const ast::Module *m = opts_.loader(dotted, site.file, level, path);
  found = m != nullptr;
  if (!m)
    return Value::error();
  auto it = userModules_.find(path);
  if (it != userModules_.end()) {
    if (it->second.isNone()) {
      std::string chain;
      for (const std::string &p : importing_)
        chain += p + " -> ";
      callSite_ = site;
      return error(diag::unsupported_api, "module '" + dotted + "' is imported while it is being imported (circular import: " +
                                              chain + path + ")");
    }
    return it->second;
  }
  userModules_[path] = Value::none();
  auto mod = std::make_shared<ModuleObj>(dotted.empty() ? path : dotted);
  Value v = Value::object(Kind::Module, mod);
  if (!m->hasSyntaxErrors) {
    // A module runs once, in its own global scope, like a Python module.
    auto env = std::make_shared<Env>();
    env->parent = builtins_;
    captured_.push_back(env);
    importing_.push_back(path);
    SourceRange savedSite = callSite_;
    for (const ast::Stmt *st : m->body) {
      exec(st, env);
      raising_.reset();
    }
    callSite_ = savedSite;
    importing_.pop_back();
    for (auto &[k, val] : env->vars)
      mod->attrs[k] = val;
  }
  userModules_[path] = v;
  return v;
}

void installTFModules(TFState &tf) {
  Interpreter &in = tf.interp();
  auto module = [&](const std::string &key, const std::string &name) {
    auto m = std::make_shared<ModuleObj>(name);
    Value v = Value::object(Kind::Module, m);
    tf.modules()[key] = v;
    return m;
  };
  auto tfm = module("tf", "tensorflow");
  auto nn = module("tf.nn", "tf.nn");
  auto layers = module("tf.layers", "tf.layers");
  auto compat = module("tf.compat", "tf.compat");
  auto contrib = module("tf.contrib", "tf.contrib");
  auto clayers = module("tf.contrib.layers", "tf.contrib.layers");
  auto slim = module("slim", "slim");
  auto inits = module("tf.initializers", "tf.initializers");
  auto keras = module("tf.keras", "tf.keras");
  auto kinits = module("tf.keras.initializers", "tf.keras.initializers");
  auto graphKeys = module("tf.GraphKeys", "tf.GraphKeys");
  auto train = module("tf.train", "tf.train");
  auto np = module("np", "np");
  compat->attrs["v1"] = tf.modules()["tf"];
  tfm->attrs["compat"] = tf.modules()["tf.compat"];
  tfm->attrs["nn"] = tf.modules()["tf.nn"];
  tfm->attrs["layers"] = tf.modules()["tf.layers"];
  tfm->attrs["contrib"] = tf.modules()["tf.contrib"];
  tfm->attrs["initializers"] = tf.modules()["tf.initializers"];
  tfm->attrs["keras"] = tf.modules()["tf.keras"];
  tfm->attrs["GraphKeys"] = tf.modules()["tf.GraphKeys"];
  tfm->attrs["train"] = tf.modules()["tf.train"];
  keras->attrs["initializers"] = tf.modules()["tf.keras.initializers"];
  contrib->attrs["layers"] = tf.modules()["tf.contrib.layers"];
  contrib->attrs["slim"] = tf.modules()["slim"];
  graphKeys->attrs["TRAINABLE_VARIABLES"] = Value::str("trainable_variables");
  graphKeys->attrs["GLOBAL_VARIABLES"] = Value::str("variables");
  tfm->attrs["AUTO_REUSE"] = tf.autoReuse();

  for (DType t : {DType::Float16, DType::BFloat16, DType::Float32, DType::Float64, DType::Int8,
                  DType::Int16, DType::Int32, DType::Int64, DType::UInt8, DType::UInt16, DType::Bool,
                  DType::String, DType::Complex64}) {
    tfm->attrs[graph::dtypeName(t)] = tf.dtypeValue(t);
  }
  tfm->attrs["half"] = tf.dtypeValue(DType::Float16);
  tfm->attrs["double"] = tf.dtypeValue(DType::Float64);

  auto def = [&](ModuleObj &m, const std::string &name, NativeFn fn) {
    std::string full = (m.name == "tensorflow" ? std::string("tf") : m.name) + "." + name;
    m.attrs[name] = in.makeBuiltin(full, std::move(fn));
  };
  auto noop = [](Interpreter &, CallArgs &) { return Value::none(); };
  def(*tfm, "disable_eager_execution", noop);
  def(*tfm, "disable_v2_behavior", noop);
  def(*tfm, "variable_scope", makeVariableScope);
  def(*tfm, "name_scope", makeNameScope);
  // Placement and ordering only matter to a runtime: tf.device,
  // tf.colocate_with and tf.control_dependencies keep TF's argument checks
  // and change nothing else (the ops inside are built as usual).
  auto placement = [](const std::string &fname, std::vector<std::string> params) {
    return [fname, params](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, fname, a, params);
      if (!b.ok())
        return Value::error();
      const Value &first = *b.get(params[0].substr(1));
      if (fname == "device" && !first.isNone() && !first.isStr() && first.kind() != Kind::Function &&
          first.kind() != Kind::Builtin)
        return in.error(diag::type_error, "tf.device() takes a device name string, a function or None, not '" +
                                              in.typeName(first) + "'");
      if (fname == "control_dependencies" && !first.isNone()) {
        std::vector<Value> items;
        if (!in.iterate(first, items))
          return Value::error();
        for (const Value &x : items)
          if (!in.tf().isTensorOrVariable(x) && !x.as<OperationObj>())
            return in.error(diag::type_error, "Can not convert a " + in.typeName(x) + " into a Tensor or Operation.");
      }
      if (fname == "colocate_with" && !first.isNone() && !in.tf().isTensorOrVariable(first) && !first.as<OperationObj>())
        return in.error(diag::type_error, "Can not convert a " + in.typeName(first) + " into a Tensor or Operation.");
      auto cm = std::make_shared<PlainCM>();
      cm->type = "_GeneratorContextManager";
      return Value::object(Kind::Native, cm);
    };
  };
  def(*tfm, "device", placement("device", {"*device_name_or_function"}));
  def(*tfm, "colocate_with", placement("colocate_with", {"*op", "ignore_existing"}));
  def(*tfm, "control_dependencies", placement("control_dependencies", {"*control_inputs"}));
  def(*tfm, "Session", makeSession);
  def(*tfm, "InteractiveSession", makeSession);
  def(*tfm, "global_variables_initializer", noop);
  def(*tfm, "initialize_all_variables", noop);
  def(*tfm, "local_variables_initializer", noop);
  def(*tfm, "reset_default_graph", [](Interpreter &in, CallArgs &) {
    in.tf().reset();
    return Value::none();
  });
  def(*tfm, "get_variable_scope", [](Interpreter &in, CallArgs &) {
    return Value::object(Kind::Native, in.tf().currentScope());
  });
  def(*tfm, "get_default_graph", [](Interpreter &in, CallArgs &) { return makeGraph(in, true); });
  def(*tfm, "Graph", [](Interpreter &in, CallArgs &a) -> Value {
    if (!a.positional.empty() || !a.keywords.empty())
      return in.error(diag::type_error, "tf.Graph() takes no arguments");
    return makeGraph(in, false);
  });
  // Session options only matter to a runtime.
  for (const char *name : {"ConfigProto", "GPUOptions", "RunOptions"})
    def(*tfm, name, [name](Interpreter &, CallArgs &) {
      auto o = std::make_shared<PlainCM>();
      o->type = name;
      return Value::object(Kind::Native, o);
    });
  auto listVars = [](bool trainableOnly) {
    return [trainableOnly](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, trainableOnly ? "trainable_variables" : "global_variables", a, {"scope"});
      if (!b.ok())
        return Value::error();
      Value scope = b.getOr("scope", Value::none());
      std::vector<Value> out;
      for (auto &v : in.tf().globalVariables()) {
        if (trainableOnly && !v->trainable)
          continue;
        if (scope.isStr() && in.tf().graph().node(v->node).name.rfind(scope.asStr(), 0) != 0)
          continue;
        out.push_back(Value::object(Kind::Native, v));
      }
      return Value::list(std::move(out));
    };
  };
  def(*tfm, "global_variables", listVars(false));
  def(*tfm, "all_variables", listVars(false));
  def(*tfm, "trainable_variables", listVars(true));
  def(*tfm, "get_collection", [listVars](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "get_collection", a, {"*key", "scope"});
    if (!b.ok())
      return Value::error();
    const Value &key = *b.get("key");
    CallArgs inner;
    if (b.has("scope"))
      inner.positional.push_back(*b.get("scope"));
    if (key.isStr() && key.asStr() == "trainable_variables")
      return listVars(true)(in, inner);
    if (key.isStr() && key.asStr() == "variables")
      return listVars(false)(in, inner);
    return Value::list();
  });

  def(*tfm, "get_variable", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "get_variable", a,
                {"*name", "shape", "dtype", "initializer", "regularizer", "trainable",
                 "collections", "caching_device", "partitioner", "validate_shape", "use_resource",
                 "custom_getter", "constraint", "synchronization", "aggregation"});
    if (!b.ok())
      return Value::error();
    const Value &name = *b.get("name");
    if (!name.isStr())
      return in.error(diag::type_error, "get_variable() name must be a string, not " + in.typeName(name));
    bool trainable = true;
    if (const Value *t = b.get("trainable"); t && t->isBool())
      trainable = t->asBool();
    return in.tf().getVariable(name.asStr(), b.get("shape"), b.get("dtype"), b.get("initializer"),
                               trainable, "get_variable", in.callSite(), false);
  });
  def(*tfm, "Variable", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "Variable", a,
                {"initial_value", "trainable", "collections", "validate_shape", "caching_device",
                 "name", "variable_def", "dtype", "expected_shape", "import_scope", "constraint",
                 "use_resource", "synchronization", "aggregation", "shape"});
    if (!b.ok())
      return Value::error();
    if (!b.has("initial_value"))
      return in.error(diag::value_error, "initial_value must be specified.");
    bool trainable = true;
    if (const Value *t = b.get("trainable"); t && t->isBool())
      trainable = t->asBool();
    return in.tf().newVariable(*b.get("initial_value"), b.get("name"), b.get("dtype"), trainable,
                               in.callSite());
  });

  // Tensors.
  def(*tfm, "constant", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "constant", a, {"*value", "dtype", "shape", "name", "verify_shape"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    std::optional<DType> dtype;
    if (const Value *d = b.get("dtype"); d && !d->isNone()) {
      DType t;
      if (!tf.toDType(*d, t))
        return Value::error();
      dtype = t;
    }
    auto data = std::make_shared<TensorData>();
    if (!tf.toData(*b.get("value"), dtype, *data))
      return Value::error();
    if (const Value *s = b.get("shape"); s && !s->isNone()) {
      Shape shape;
      if (!tf.toShape(*s, shape))
        return Value::error();
      int64_t n = shape.numElements();
      if (!tf.canMaterialize(n, "tf.constant"))
        return Value::error();
      if (data->size() == 1 && n != 1) {
        if (graph::isFloating(data->dtype))
          data->f.assign(static_cast<size_t>(n), data->f[0]);
        else
          data->i.assign(static_cast<size_t>(n), data->i[0]);
      } else if (static_cast<int64_t>(data->size()) != n) {
        return in.error(diag::type_error, "Expected Tensor's shape: " + shape.str() + ", got " +
                                              data->shape.str() + ".");
      }
      data->shape = shape;
    }
    std::string name = tf.constName(b.getOr("name", Value::none()));
    if (name.empty())
      return Value::error();
    graph::Node &n = tf.addNode(name, "Const", {}, {TensorType{data->dtype, false, data->shape}});
    n.value = data;
    n.attrs["dtype"] = data->dtype;
    return tf.makeTensor(n);
  });
  def(*tfm, "placeholder", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "placeholder", a, {"*dtype", "shape", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    DType t;
    if (!tf.toDType(*b.get("dtype"), t))
      return Value::error();
    Shape shape = Shape::unknown();
    if (const Value *s = b.get("shape"); s && !tf.toShape(*s, shape))
      return Value::error();
    std::string name = tf.opName(b.getOr("name", Value::none()), "Placeholder");
    if (name.empty())
      return Value::error();
    graph::Node &n = tf.addNode(name, "Placeholder", {}, {TensorType{t, false, shape}});
    n.attrs["dtype"] = t;
    return tf.makeTensor(n);
  });
  auto filled = [](const std::string &fname, double value) {
    return [fname, value](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, fname, a, {"*shape", "dtype", "name"});
      if (!b.ok())
        return Value::error();
      TFState &tf = in.tf();
      DType t = DType::Float32;
      if (const Value *d = b.get("dtype"); d && !d->isNone() && !tf.toDType(*d, t))
        return Value::error();
      if (tf.containsTensor(*b.get("shape"))) {
        // A run-time shape (tf.zeros([tf.shape(x)[0], 2])): Fill in scope
        // `name`, the shape autopacked there ("packed"), the value a Const.
        ScopedName sc(tf, b.getOr("name", Value::none()), fname);
        auto dims = sc.ok ? tf.toTensor(*b.get("shape"), DType::Int32, "packed") : std::nullopt;
        graph::Node *n = dims ? tf.createOp(sc.scope.substr(0, sc.scope.size() - 1), "Fill",
                                            {*dims, tf.constant("Const", scalarData(t, value))})
                              : nullptr;
        return n ? tf.makeTensor(*n) : Value::error();
      }
      Shape shape;
      if (!tf.toShape(*b.get("shape"), shape))
        return Value::error();
      if (!shape.isFullyDefined())
        return in.error(diag::unknown_dimension, fname + "() needs a fully defined shape, got " + shape.str());
      std::string name = tf.opName(b.getOr("name", Value::none()), fname);
      if (name.empty())
        return Value::error();
      auto data = std::make_shared<TensorData>();
      data->dtype = t;
      data->shape = shape;
      if (!tf.canMaterialize(shape.numElements(), "the constant"))
        return Value::error();
      if (graph::isFloating(t))
        data->f.assign(static_cast<size_t>(shape.numElements()), value);
      else
        data->i.assign(static_cast<size_t>(shape.numElements()), static_cast<int64_t>(value));
      graph::Node &n = tf.addNode(name, "Const", {}, {TensorType{t, false, shape}});
      n.value = data;
      return tf.makeTensor(n);
    };
  };
  def(*tfm, "zeros", filled("zeros", 0));
  def(*tfm, "ones", filled("ones", 1));
  auto randomTensor = [](const std::string &fname, const std::string &kind, const std::string &p,
                         const std::string &q, double dp, double dq) {
    return [=](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, fname, a, {"*shape", p, q, "dtype", "seed", "name"});
      if (!b.ok())
        return Value::error();
      TFState &tf = in.tf();
      DType t = DType::Float32;
      if (const Value *d = b.get("dtype"); d && !d->isNone() && !tf.toDType(*d, t))
        return Value::error();
      Shape shape;
      if (!tf.toShape(*b.get("shape"), shape))
        return Value::error();
      if (!shape.isFullyDefined())
        return in.error(diag::unknown_dimension, fname + "() needs a fully defined shape, got " + shape.str());
      InitializerObj init;
      init.spec.kind = kind;
      init.spec.a = dp;
      init.spec.b = dq;
      if (const Value *v = b.get(p); v && !toFloat(*v, init.spec.a))
        return in.error(diag::type_error, p + " must be a number");
      if (const Value *v = b.get(q); v && !v->isNone() && !toFloat(*v, init.spec.b))
        return in.error(diag::type_error, q + " must be a number");
      Value name = b.getOr("name", Value::none());
      // random_* open their own scope, named `name` or fname (fname_1, ...):
      // the initializer builder at the current scope does exactly that.
      InitSpec spec;
      auto r = buildInitializerOps(tf, init, shape, t, spec, &name);
      if (!r)
        return Value::error();
      // Remember the distribution: a variable initialised from this tensor
      // gets its values drawn from it (scopec run / weights).
      graph::Node &node = tf.graph().node(r->node);
      node.attrs["random_kind"] = spec.kind;
      node.attrs["random_a"] = spec.a;
      node.attrs["random_b"] = spec.b;
      return tf.tensor(*r);
    };
  };
  def(*tfm, "random_normal", randomTensor("random_normal", "random_normal", "mean", "stddev", 0, 1));
  def(*tfm, "random_uniform", randomTensor("random_uniform", "random_uniform", "minval", "maxval", 0, 1));
  def(*tfm, "truncated_normal", randomTensor("truncated_normal", "truncated_normal", "mean", "stddev", 0, 1));

  // Math: function forms name the op by its type.
  auto binaryFn = [](const std::string &fname, const std::string &opType, std::string defaultName = "") {
    if (defaultName.empty())
      defaultName = opType;
    return [fname, opType, defaultName](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, fname, a, {"*x", "*y", "name"});
      if (!b.ok())
        return Value::error();
      return in.tf().binary(opType, defaultName, *b.get("x"), *b.get("y"), b.getOr("name", Value::none()), false);
    };
  };
  // tf.floordiv is a Python wrapper named "floordiv"; the rest name the op by its type.
  def(*tfm, "floordiv", binaryFn("floordiv", "FloorDiv", "floordiv"));
  def(*tfm, "floor_div", binaryFn("floor_div", "FloorDiv", "FloorDiv"));
  for (auto [fname, op] : std::vector<std::pair<std::string, std::string>>{
           {"floormod", "FloorMod"}, {"mod", "FloorMod"}, {"less", "Less"}, {"less_equal", "LessEqual"},
           {"greater", "Greater"}, {"greater_equal", "GreaterEqual"}, {"equal", "Equal"},
           {"not_equal", "NotEqual"}})
    def(*tfm, fname, binaryFn(fname, op));
  def(*tfm, "add", binaryFn("add", "Add"));
  def(*tfm, "subtract", binaryFn("subtract", "Sub"));
  def(*tfm, "multiply", binaryFn("multiply", "Mul"));
  def(*tfm, "maximum", binaryFn("maximum", "Maximum"));
  def(*tfm, "minimum", binaryFn("minimum", "Minimum"));
  def(*tfm, "pow", binaryFn("pow", "Pow"));
  def(*tfm, "divide", binaryFn("divide", "RealDiv"));
  def(*tfm, "truediv", binaryFn("truediv", "RealDiv"));
  auto unaryFn = [](const std::string &fname, const std::string &opType) {
    return [fname, opType](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, fname, a, {"*x", "name"});
      if (!b.ok())
        return Value::error();
      return in.tf().unary(opType, *b.get("x"), b.getOr("name", Value::none()));
    };
  };
  for (auto [fname, op] : std::vector<std::pair<std::string, std::string>>{
           {"identity", "Identity"}, {"square", "Square"}, {"sqrt", "Sqrt"}, {"exp", "Exp"},
           {"log", "Log"}, {"abs", "Abs"}, {"negative", "Neg"}, {"sigmoid", "Sigmoid"},
           {"tanh", "Tanh"}})
    def(*tfm, fname, unaryFn(fname, op));
  for (auto [fname, op] : std::vector<std::pair<std::string, std::string>>{
           {"relu", "Relu"}, {"relu6", "Relu6"}, {"sigmoid", "Sigmoid"}, {"tanh", "Tanh"},
           {"elu", "Elu"}, {"softplus", "Softplus"}})
    def(*nn, fname, unaryFn(fname, op));
  for (auto [fname, op] : std::vector<std::pair<std::string, std::string>>{
           {"rsqrt", "Rsqrt"}, {"logical_not", "LogicalNot"}})
    def(*tfm, fname, unaryFn(fname, op));
  def(*tfm, "squared_difference", binaryFn("squared_difference", "SquaredDifference"));
  def(*tfm, "logical_and", binaryFn("logical_and", "LogicalAnd"));
  def(*tfm, "logical_or", binaryFn("logical_or", "LogicalOr"));
  // tf.to_float & co.: cast with TF's default names.
  for (auto [fname, t, dflt] : std::vector<std::tuple<std::string, DType, std::string>>{
           {"to_float", DType::Float32, "ToFloat"}, {"to_double", DType::Float64, "ToDouble"},
           {"to_int32", DType::Int32, "ToInt32"}, {"to_int64", DType::Int64, "ToInt64"}}) {
    def(*tfm, fname, [fname, t, dflt](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, fname, a, {"*x", "name"});
      if (!b.ok())
        return Value::error();
      CallArgs c;
      c.positional = {*b.get("x"), in.tf().dtypeValue(t)};
      c.keywords.emplace_back("name", b.getOr("name", Value::str(dflt)));
      return in.call(in.tf().modules().at("tf").as<ModuleObj>()->attrs.at("cast"), c, in.callSite());
    });
  }

  // Python's math and six.moves, which model code uses while building.
  auto math = module("math", "math");
  math->attrs["pi"] = Value::real(M_PI);
  math->attrs["e"] = Value::real(M_E);
  auto mathFn = [&](const std::string &name, double (*f)(double), bool integral) {
    def(*math, name, [name, f, integral](Interpreter &in, CallArgs &a) -> Value {
      double x;
      if (a.positional.size() != 1 || !toFloat(a.positional[0], x))
        return in.error(diag::type_error, "math." + name + "() takes one number");
      if ((name == "sqrt" && x < 0) || (name == "log" && x <= 0))
        return in.error(diag::value_error, "math domain error");
      double r = f(x);
      if (integral) {
        if (!std::isfinite(r) || std::fabs(r) > 9.2e18)
          return in.error(diag::integer_overflow, "cannot convert float infinity to integer");
        return Value::integer(static_cast<int64_t>(r));
      }
      return Value::real(r);
    });
  };
  mathFn("sqrt", [](double x) { return std::sqrt(x); }, false);
  mathFn("exp", [](double x) { return std::exp(x); }, false);
  mathFn("log", [](double x) { return std::log(x); }, false);
  mathFn("ceil", [](double x) { return std::ceil(x); }, true);
  mathFn("floor", [](double x) { return std::floor(x); }, true);

  installNumPy(in, *np);

  defineInitializers(in, *tfm, false);
  defineInitializers(in, *inits, false);
  // tf.initializers.* drop the suffix: tf.initializers.zeros().
  for (auto [alias, target] : std::vector<std::pair<std::string, std::string>>{
           {"constant", "constant_initializer"}, {"zeros", "zeros_initializer"},
           {"ones", "ones_initializer"}, {"random_uniform", "random_uniform_initializer"},
           {"random_normal", "random_normal_initializer"},
           {"truncated_normal", "truncated_normal_initializer"},
           {"glorot_uniform", "glorot_uniform_initializer"},
           {"glorot_normal", "glorot_normal_initializer"},
           {"variance_scaling", "variance_scaling_initializer"}})
    inits->attrs[alias] = inits->attrs[target];
  defineInitializers(in, *kinits, true);
  clayers->attrs["xavier_initializer"] = in.makeBuiltin(
      "tf.contrib.layers.xavier_initializer", [](Interpreter &in, CallArgs &a) -> Value {
        ArgBinder b(in, "xavier_initializer", a, {"uniform", "seed", "dtype"});
        if (!b.ok())
          return Value::error();
        bool uniform = !b.has("uniform") || !b.get("uniform")->isBool() || b.get("uniform")->asBool();
        auto i = std::make_shared<InitializerObj>();
        i->type = "VarianceScaling";
        i->spec.kind = "variance_scaling";
        i->spec.a = 1.0;
        i->spec.mode = "fan_avg";
        i->spec.distribution = uniform ? "uniform" : "truncated_normal";
        return Value::object(Kind::Native, i);
      });
  installOps(tf);
  installLayers(tf);
  installSlim(tf);
  installControlFlow(tf);
  installImage(tf);
  // tf.math: the TF 1.15 aliases of the math functions above.
  auto mathMod = module("tf.math", "tf.math");
  tfm->attrs["math"] = tf.modules()["tf.math"];
  for (const char *n : {"add", "subtract", "multiply", "divide", "truediv", "floordiv", "floormod", "mod", "pow",
                        "maximum", "minimum", "square", "sqrt", "rsqrt", "exp", "log", "abs", "negative",
                        "sigmoid", "tanh", "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
                        "logical_and", "logical_or", "logical_not", "squared_difference", "add_n", "argmax",
                        "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
                        "reduce_all", "argmin"})
    if (auto it = tfm->attrs.find(n); it != tfm->attrs.end())
      mathMod->attrs[n] = it->second;
  mathMod->attrs["softplus"] = nn->attrs["softplus"];
  mathMod->attrs["top_k"] = nn->attrs["top_k"];
  mathMod->attrs["l2_normalize"] = nn->attrs["l2_normalize"];
}

} // namespace scopec::eval
