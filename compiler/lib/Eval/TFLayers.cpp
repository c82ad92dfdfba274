//===- TFLayers.cpp - tf.layers and slim: the legacy layer scoping ---------===//
//
// tf.layers.dense and slim.fully_connected / slim.conv2d with the legacy
// TF1 layer scoping of tf1-semantics.md sections 3.2-3.4.
//
//===----------------------------------------------------------------------===//
#include "TF.h"

namespace scopec::eval {

using graph::DType;
using graph::Shape;
using graph::TensorRef;
using graph::TensorType;

namespace {

/// Applies an activation function value (tf.nn.relu, a lambda, None).
Value activate(Interpreter &in, const Value &fn, const Value &x, SourceRange site) {
  if (fn.isNone() || x.isError())
    return x;
  CallArgs a;
  a.positional.push_back(x);
  return in.call(fn, a, site);
}

/// Enters a variable scope through tf.variable_scope's own manager.
struct ScopeGuard {
  Interpreter &in;
  Value cm;
  bool active = false;
  Value scope;
  ScopeGuard(Interpreter &in, CallArgs args) : in(in) {
    Value vs = in.tf().modules().at("tf").as<ModuleObj>()->attrs.at("variable_scope");
    cm = in.call(vs, args, in.callSite());
    if (auto *c = cm.as<ContextManager>()) {
      scope = c->enter(in, in.callSite());
      active = !scope.isError();
    }
  }
  void close() {
    if (active)
      cm.as<ContextManager>()->exit(in, in.callSite());
    active = false;
  }
  ~ScopeGuard() { close(); }
};

struct NameScopeGuard {
  TFState &tf;
  TFState::SavedStack saved;
  bool ok = false;
  NameScopeGuard(TFState &tf, const std::string &absolute) : tf(tf) {
    tf.enterNameScope(absolute, saved, ok);
  }
  ~NameScopeGuard() {
    if (ok)
      tf.exitNameScope(saved);
  }
};

/// The legacy layer of tf1-semantics.md 3.3, reduced to what dense and
/// conv2d need: scope set-up, weights under the layer scope, ops in its
/// original name scope.
struct LegacyLayer {
  LegacyLayer(Interpreter &in, std::string base, Value reuse)
      : in(in), baseName(std::move(base)), reuse(std::move(reuse)) {}
  Interpreter &in;
  std::string baseName;
  Value reuse;       ///< the layer's _reuse
  Value scope;       ///< the VariableScope once set
  bool built = false;
  std::string createdBy;
  std::map<std::string, std::string> rename; ///< slim's custom getter

  /// `__init__` with _scope: enters variable_scope(_scope) now.
  void initScope(const Value &s) {
    CallArgs a;
    a.positional.push_back(s);
    ScopeGuard g(in, a);
    scope = g.scope;
  }
  /// `_set_scope(None)` on first use.
  void setScope() {
    if (!scope.isNone())
      return;
    CallArgs a;
    bool r = reuse.isBool() ? reuse.asBool() : !reuse.isNone();
    if (r)
      a.positional.push_back(Value::str(baseName));
    else {
      a.positional.push_back(Value::none());
      a.keywords.emplace_back("default_name", Value::str(baseName));
    }
    ScopeGuard g(in, a);
    scope = g.scope;
  }
  /// Runs `body` inside variable_scope(scope, reuse, aux=False) and
  /// name_scope(scope.original_name_scope).
  Value inside(bool forWeights, const std::function<Value()> &body) {
    setScope();
    if (scope.isError())
      return Value::error();
    CallArgs a;
    a.positional.push_back(scope);
    Value r = built ? Value::boolean(true) : reuse;
    a.keywords.emplace_back("reuse", r);
    a.keywords.emplace_back("auxiliary_name_scope", Value::boolean(false));
    ScopeGuard g(in, a);
    if (!g.active)
      return Value::error();
    auto *vs = g.scope.as<VariableScopeObj>();
    NameScopeGuard ns(in.tf(), vs->originalNameScope);
    return body();
  }
  Value addWeight(const std::string &name, Shape shape, const Value &initializer, DType dtype,
                  bool trainable) {
    return inside(true, [&]() -> Value {
      auto *vs = in.tf().currentScope().get();
      Value init = initializer.isNone() ? vs->initializer : initializer;
      std::vector<Value> dims;
      for (int64_t d : shape.dims)
        dims.push_back(Value::integer(d));
      Value shapeV = Value::list(dims);
      Value dt = in.tf().dtypeValue(dtype);
      std::string n = rename.count(name) ? rename[name] : name;
      if (init.isNone()) {
        auto g = std::make_shared<InitializerObj>();
        g->type = "GlorotUniform";
        g->spec.kind = "variance_scaling";
        g->spec.a = 1.0;
        g->spec.mode = "fan_avg";
        g->spec.distribution = "uniform";
        init = Value::object(Kind::Native, g);
      }
      return in.tf().getVariable(n, &shapeV, &dt, &init, trainable, createdBy, in.callSite(), true);
    });
  }
};

bool knownLastDim(Interpreter &in, TFState &tf, const Value &x, int64_t &last, const std::string &layer) {
  auto t = tf.toTensor(x, std::nullopt, "inputs");
  if (!t)
    return false;
  const Shape &s = tf.graph().type(*t).shape;
  if (s.unknownRank || s.dims.empty() || s.dims.back() < 0) {
    in.error(diag::unknown_dimension, "The last dimension of the inputs to `" + layer +
                                          "` should be defined. Found `None`.");
    return false;
  }
  last = s.dims.back();
  return true;
}

/// Dense.build + Dense.call (rank-2 inputs).
Value denseLayer(LegacyLayer &layer, const Value &x, int64_t units, bool useBias,
                 const Value &kernelInit, const Value &biasInit, const Value &activation,
                 bool trainable) {
  Interpreter &in = layer.in;
  TFState &tf = in.tf();
  int64_t inDim;
  if (!knownLastDim(in, tf, x, inDim, "Dense"))
    return Value::error();
  DType dtype = tf.dtypeOf(x).value_or(DType::Float32);
  Value kernel = layer.addWeight("kernel", Shape::of({inDim, units}), kernelInit, dtype, trainable);
  Value bias = useBias ? layer.addWeight("bias", Shape::of({units}), biasInit, dtype, trainable)
                       : Value::none();
  layer.built = true;
  if (kernel.isError() || bias.isError())
    return Value::error();
  return layer.inside(false, [&]() -> Value {
    auto t = tf.toTensor(x, std::nullopt, "inputs");
    if (t && !tf.graph().type(*t).shape.unknownRank && tf.graph().type(*t).shape.rank() != 2)
      return in.error(diag::unsupported_api, "tf.layers.dense on inputs of rank " +
                                                 std::to_string(tf.graph().type(*t).shape.rank()) +
                                                 " (Tensordot) is not supported by scopec yet");
    Value y = matmulOp(tf, x, kernel, false, false, Value::none());
    if (useBias)
      y = biasAddOp(tf, y, bias, Value::none());
    return activate(in, activation, y, in.callSite());
  });
}

Value zerosInit(Interpreter &in) {
  auto z = std::make_shared<InitializerObj>();
  z->type = "Zeros";
  z->spec.kind = "zeros";
  return Value::object(Kind::Native, z);
}

Value relu(Interpreter &in) {
  return in.tf().modules().at("tf.nn").as<ModuleObj>()->attrs.at("relu");
}

} // namespace

void installLayers(TFState &tf) {
  Interpreter &in = tf.interp();
  auto mod = [&](const std::string &k) { return tf.modules().at(k).as<ModuleObj>(); };
  auto def = [&](ModuleObj *m, const std::string &name, NativeFn fn) {
    m->attrs[name] = in.makeBuiltin(m->name + "." + name, std::move(fn));
  };
  ModuleObj *tfm = mod("tf"), *layers = mod("tf.layers"), *slim = mod("slim"),
            *clayers = mod("tf.contrib.layers");
  def(layers, "dense", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "dense", a,
                {"*inputs", "*units", "activation", "use_bias", "kernel_initializer",
                 "bias_initializer", "kernel_regularizer", "bias_regularizer",
                 "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable",
                 "name", "reuse"});
    if (!b.ok())
      return Value::error();
    int64_t units;
    if (!toInt(in, *b.get("units"), units, "units"))
      return Value::error();
    LegacyLayer layer(in, "dense", b.getOr("reuse", Value::none()));
    layer.createdBy = "tf.layers.dense";
    Value name = b.getOr("name", Value::none());
    if (name.isStr() && !name.asStr().empty()) {
      layer.baseName = name.asStr();
      layer.initScope(name);
    }
    bool useBias = !b.has("use_bias") || !b.get("use_bias")->isBool() || b.get("use_bias")->asBool();
    Value biasInit = b.has("bias_initializer") ? *b.get("bias_initializer") : zerosInit(in);
    bool trainable = !b.has("trainable") || !b.get("trainable")->isBool() || b.get("trainable")->asBool();
    return denseLayer(layer, *b.get("inputs"), units, useBias, b.getOr("kernel_initializer", Value::none()),
                      biasInit, b.getOr("activation", Value::none()), trainable);
  });

  NativeFn fullyConnected = [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "fully_connected", a,
                {"*inputs", "*num_outputs", "activation_fn", "normalizer_fn", "normalizer_params",
                 "weights_initializer", "weights_regularizer", "biases_initializer",
                 "biases_regularizer", "reuse", "variables_collections", "outputs_collections",
                 "trainable", "scope"});
    if (!b.ok())
      return Value::error();
    int64_t units;
    if (!toInt(in, *b.get("num_outputs"), units, "num_outputs"))
      return Value::error();
    CallArgs sa;
    sa.positional = {b.getOr("scope", Value::none()), Value::str("fully_connected")};
    sa.keywords.emplace_back("reuse", b.getOr("reuse", Value::none()));
    ScopeGuard sc(in, sa);
    if (!sc.active)
      return Value::error();
    auto *vs = sc.scope.as<VariableScopeObj>();
    LegacyLayer layer(in, vs->name, b.getOr("reuse", Value::none()));
    layer.createdBy = "slim.fully_connected";
    layer.rename = {{"kernel", "weights"}, {"bias", "biases"}};
    layer.initScope(sc.scope);
    Value biasInit = b.has("biases_initializer") ? *b.get("biases_initializer") : zerosInit(in);
    bool useBias = !biasInit.isNone() && (!b.has("normalizer_fn") || b.get("normalizer_fn")->isNone());
    Value winit = b.getOr("weights_initializer", Value::none());
    bool trainable = !b.has("trainable") || !b.get("trainable")->isBool() || b.get("trainable")->asBool();
    Value y = denseLayer(layer, *b.get("inputs"), units, useBias, winit, biasInit, Value::none(), trainable);
    Value act = b.has("activation_fn") ? *b.get("activation_fn") : relu(in);
    return activate(in, act, y, in.callSite());
  };
  def(slim, "fully_connected", fullyConnected);
  def(clayers, "fully_connected", fullyConnected);

  NativeFn slimConv = [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "convolution2d", a,
                {"*inputs", "*num_outputs", "*kernel_size", "stride", "padding", "data_format",
                 "rate", "activation_fn", "normalizer_fn", "normalizer_params",
                 "weights_initializer", "weights_regularizer", "biases_initializer",
                 "biases_regularizer", "reuse", "variables_collections", "outputs_collections",
                 "trainable", "scope"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    int64_t units;
    std::vector<int64_t> kernel, stride;
    if (!toInt(in, *b.get("num_outputs"), units, "num_outputs") ||
        !intList(in, *b.get("kernel_size"), 2, kernel, "kernel_size") ||
        !intList(in, b.getOr("stride", Value::integer(1)), 2, stride, "stride"))
      return Value::error();
    Value pad = b.getOr("padding", Value::str("SAME"));
    CallArgs sa;
    sa.positional = {b.getOr("scope", Value::none()), Value::str("Conv")};
    sa.keywords.emplace_back("reuse", b.getOr("reuse", Value::none()));
    ScopeGuard sc(in, sa);
    if (!sc.active)
      return Value::error();
    auto *vs = sc.scope.as<VariableScopeObj>();
    LegacyLayer layer(in, vs->name, b.getOr("reuse", Value::none()));
    layer.createdBy = "slim.conv2d";
    layer.rename = {{"kernel", "weights"}, {"bias", "biases"}};
    layer.initScope(sc.scope);
    const Value &x = *b.get("inputs");
    int64_t cin;
    if (!knownLastDim(in, tf, x, cin, "Convolution"))
      return Value::error();
    DType dtype = tf.dtypeOf(x).value_or(DType::Float32);
    Value winit = b.getOr("weights_initializer", Value::none());
    Value biasInit = b.has("biases_initializer") ? *b.get("biases_initializer") : zerosInit(in);
    bool trainable = !b.has("trainable") || !b.get("trainable")->isBool() || b.get("trainable")->asBool();
    Value w = layer.addWeight("kernel", Shape::of({kernel[0], kernel[1], cin, units}), winit, dtype, trainable);
    bool useBias = !biasInit.isNone();
    Value bias = useBias ? layer.addWeight("bias", Shape::of({units}), biasInit, dtype, trainable) : Value::none();
    layer.built = true;
    if (w.isError() || bias.isError() || !pad.isStr())
      return Value::error();
    Value y = layer.inside(false, [&]() -> Value {
      Value c = conv2dOp(tf, x, w, {1, stride[0], stride[1], 1}, pad.asStr(), {1, 1, 1, 1}, Value::none());
      if (useBias)
        c = biasAddOp(tf, c, bias, Value::none());
      return c;
    });
    Value act = b.has("activation_fn") ? *b.get("activation_fn") : relu(in);
    return activate(in, act, y, in.callSite());
  };
  def(slim, "conv2d", slimConv);
  def(clayers, "conv2d", slimConv);
  slim->attrs["variable_scope"] = tfm->attrs["variable_scope"];

  // tf.layers.conv2d: Conv2D layer (legacy naming), kernel [kh, kw, cin, filters].
  def(layers, "conv2d", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "conv2d", a,
                {"*inputs", "*filters", "*kernel_size", "strides", "padding", "data_format",
                 "dilation_rate", "activation", "use_bias", "kernel_initializer",
                 "bias_initializer", "kernel_regularizer", "bias_regularizer",
                 "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable",
                 "name", "reuse"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    int64_t filters;
    std::vector<int64_t> kernel, strides, dil;
    if (!toInt(in, *b.get("filters"), filters, "filters") ||
        !intList(in, *b.get("kernel_size"), 2, kernel, "kernel_size") ||
        !intList(in, b.getOr("strides", Value::integer(1)), 2, strides, "strides") ||
        !intList(in, b.getOr("dilation_rate", Value::integer(1)), 2, dil, "dilation_rate"))
      return Value::error();
    std::string padding = "VALID";
    if (const Value *p = b.get("padding"); p && p->isStr())
      padding = p->asStr() == "same" || p->asStr() == "SAME" ? "SAME" : p->asStr() == "valid" || p->asStr() == "VALID" ? "VALID" : p->asStr();
    LegacyLayer layer(in, "conv2d", b.getOr("reuse", Value::none()));
    layer.createdBy = "tf.layers.conv2d";
    Value name = b.getOr("name", Value::none());
    if (name.isStr() && !name.asStr().empty()) {
      layer.baseName = name.asStr();
      layer.initScope(name);
    }
    const Value &x = *b.get("inputs");
    int64_t cin;
    if (!knownLastDim(in, tf, x, cin, "Conv2D"))
      return Value::error();
    DType dtype = tf.dtypeOf(x).value_or(DType::Float32);
    bool trainable = !b.has("trainable") || !b.get("trainable")->isBool() || b.get("trainable")->asBool();
    bool useBias = !b.has("use_bias") || !b.get("use_bias")->isBool() || b.get("use_bias")->asBool();
    Value w = layer.addWeight("kernel", Shape::of({kernel[0], kernel[1], cin, filters}),
                              b.getOr("kernel_initializer", Value::none()), dtype, trainable);
    Value biasInit = b.has("bias_initializer") ? *b.get("bias_initializer") : zerosInit(in);
    Value bias = useBias ? layer.addWeight("bias", Shape::of({filters}), biasInit, dtype, trainable) : Value::none();
    layer.built = true;
    if (w.isError() || bias.isError())
      return Value::error();
    return layer.inside(false, [&]() -> Value {
      Value c = conv2dOp(tf, x, w, {1, strides[0], strides[1], 1}, padding, {1, dil[0], dil[1], 1}, Value::none());
      if (useBias)
        c = biasAddOp(tf, c, bias, Value::none());
      return activate(in, b.getOr("activation", Value::none()), c, in.callSite());
    });
  });
  // Weightless legacy layers: pooling, flatten, dropout.
  auto weightless = [](const std::string &base, std::function<Value(Interpreter &, const Value &)> body) {
    return [base, body](Interpreter &in, const Value &x, const Value &name) -> Value {
      LegacyLayer layer(in, base, Value::none());
      if (name.isStr() && !name.asStr().empty()) {
        layer.baseName = name.asStr();
        layer.initScope(name);
      }
      return layer.inside(false, [&]() { return body(in, x); });
    };
  };
  for (auto [fname, op, base] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"max_pooling2d", "MaxPool", "max_pooling2d"}, {"average_pooling2d", "AvgPool", "average_pooling2d"}}) {
    std::string f = fname, o = op, bn = base;
    def(layers, f, [f, o, bn, weightless](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, f, a, {"*inputs", "*pool_size", "*strides", "padding", "data_format", "name"});
      if (!b.ok())
        return Value::error();
      std::vector<int64_t> pool, strides;
      if (!intList(in, *b.get("pool_size"), 2, pool, "pool_size") ||
          !intList(in, *b.get("strides"), 2, strides, "strides"))
        return Value::error();
      std::string padding = "VALID";
      if (const Value *p = b.get("padding"); p && p->isStr())
        padding = p->asStr() == "same" || p->asStr() == "SAME" ? "SAME" : "VALID";
      auto run = weightless(bn, [&](Interpreter &in, const Value &x) {
        return poolOp(in.tf(), o, x, {1, pool[0], pool[1], 1}, {1, strides[0], strides[1], 1}, padding, Value::none());
      });
      return run(in, *b.get("inputs"), b.getOr("name", Value::none()));
    });
  }
  auto flattenBody = [](Interpreter &in, const Value &x) -> Value {
    TFState &tf = in.tf();
    auto t = tf.toTensor(x, std::nullopt, "inputs");
    if (!t)
      return Value::error();
    const Shape &s = tf.graph().type(*t).shape;
    if (s.unknownRank || s.rank() < 1)
      return in.error(diag::unknown_dimension, "flatten needs an input of known rank >= 1");
    int64_t rest = 1;
    for (size_t k = 1; k < s.rank(); ++k) {
      if (s.dims[k] < 0)
        return in.error(diag::unknown_dimension, "flatten needs the non-batch dimensions to be known, got " + s.str());
      rest *= s.dims[k];
    }
    return reshapeOp(tf, x, {s.dims[0] < 0 ? -1 : s.dims[0], rest}, Value::none());
  };
  def(layers, "flatten", [weightless, flattenBody](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "flatten", a, {"*inputs", "name", "data_format"});
    if (!b.ok())
      return Value::error();
    return weightless("flatten", flattenBody)(in, *b.get("inputs"), b.getOr("name", Value::none()));
  });
  def(layers, "dropout", [weightless](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "dropout", a, {"*inputs", "rate", "noise_shape", "seed", "training", "name"});
    if (!b.ok())
      return Value::error();
    return weightless("dropout", [](Interpreter &in, const Value &x) -> Value {
      TFState &tf = in.tf();
      auto t = tf.toTensor(x, std::nullopt, "inputs");
      if (!t)
        return Value::error();
      graph::Node *n = tf.createOp(tf.uniqueName("Identity"), "Identity", {*t});
      return n ? tf.makeTensor(*n) : Value::error();
    })(in, *b.get("inputs"), b.getOr("name", Value::none()));
  });
  // slim.dropout: a Dropout layer in variable_scope(scope, 'Dropout');
  // is_training=False is its Identity, True tf.nn.dropout (the identity at
  // inference, language.md section 3).
  def(slim, "dropout", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "dropout", a, {"*inputs", "keep_prob", "noise_shape", "is_training",
                                   "outputs_collections", "scope", "seed"});
    if (!b.ok())
      return Value::error();
    Value training = b.getOr("is_training", Value::boolean(true));
    if (!training.isBool())
      return in.error(diag::unsupported_api, "slim.dropout with is_training=" + in.typeName(training) +
                                                 " (tf.cond) is not supported by scopec yet: pass True or False");
    CallArgs sa;
    sa.positional = {b.getOr("scope", Value::none()), Value::str("Dropout")};
    ScopeGuard sc(in, sa);
    if (!sc.active)
      return Value::error();
    LegacyLayer layer(in, sc.scope.as<VariableScopeObj>()->name, Value::none());
    layer.initScope(sc.scope);
    const Value x = *b.get("inputs");
    return layer.inside(false, [&]() -> Value {
      TFState &tf = in.tf();
      if (training.asBool()) {
        CallArgs da;
        da.positional = {x};
        da.keywords.emplace_back("rate", Value::real(0.5));
        return in.call(tf.modules().at("tf.nn").as<ModuleObj>()->attrs.at("dropout"), da, in.callSite());
      }
      auto t = tf.toTensor(x, std::nullopt, "inputs");
      if (!t)
        return Value::error();
      graph::Node *n = tf.createOp(tf.uniqueName("Identity"), "Identity", {*t});
      return n ? tf.makeTensor(*n) : Value::error();
    });
  });
  // slim pooling and flatten: a name scope (scope or the default) around the op.
  for (auto [fname, op, dflt] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"max_pool2d", "MaxPool", "MaxPool2D"}, {"avg_pool2d", "AvgPool", "AvgPool2D"}}) {
    std::string f = fname, o = op, d = dflt;
    def(slim, f, [f, o, d](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, f, a, {"*inputs", "*kernel_size", "stride", "padding", "data_format",
                             "outputs_collections", "scope"});
      if (!b.ok())
        return Value::error();
      std::vector<int64_t> k, st;
      if (!intList(in, *b.get("kernel_size"), 2, k, "kernel_size") ||
          !intList(in, b.getOr("stride", Value::integer(2)), 2, st, "stride"))
        return Value::error();
      std::string padding = "VALID";
      if (const Value *p = b.get("padding"); p && p->isStr())
        padding = p->asStr() == "SAME" || p->asStr() == "same" ? "SAME" : "VALID";
      TFState &tf = in.tf();
      TFState::SavedStack saved;
      bool ok;
      Value scope = b.getOr("scope", Value::none());
      tf.enterNameScope(scope.isStr() ? scope : Value::str(d), saved, ok);
      if (!ok)
        return Value::error();
      Value r = poolOp(tf, o, *b.get("inputs"), {1, k[0], k[1], 1}, {1, st[0], st[1], 1}, padding, Value::none());
      tf.exitNameScope(saved);
      return r;
    });
  }
  def(slim, "flatten", [weightless, flattenBody](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "flatten", a, {"*inputs", "outputs_collections", "scope"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    TFState::SavedStack saved;
    bool ok;
    Value scope = b.getOr("scope", Value::none());
    tf.enterNameScope(scope.isStr() ? scope : Value::str("Flatten"), saved, ok);
    if (!ok)
      return Value::error();
    Value r = weightless("flatten", flattenBody)(in, *b.get("inputs"), Value::none());
    tf.exitNameScope(saved);
    return r;
  });

}

} // namespace scopec::eval
