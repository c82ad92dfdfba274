//===- TFLayers.cpp - matmul, conv2d, bias_add and the layer APIs ---------===//
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

std::string shapes(const TFState &tf, const std::vector<Shape> &s) {
  std::string out;
  for (size_t k = 0; k < s.size(); ++k)
    out += (k ? ", " : "") + s[k].bracketStr();
  return out;
}

/// MatMul's shape function with TF's messages.
Value matmul(TFState &tf, const Value &a, const Value &b, bool transposeA, bool transposeB,
             const Value &name) {
  Interpreter &in = tf.interp();
  std::string n = tf.opName(name, "MatMul");
  if (n.empty())
    return Value::error();
  auto x = tf.toTensor(a, std::nullopt, "a");
  if (!x)
    return Value::error();
  auto y = tf.toTensor(b, tf.graph().type(*x).dtype, "b");
  if (!y)
    return Value::error();
  const TensorType &tx = tf.graph().type(*x), &ty = tf.graph().type(*y);
  std::string where = " for '" + n + "' (op: 'MatMul') with input shapes: " +
                      shapes(tf, {tx.shape, ty.shape}) + ".";
  for (const Shape *s : {&tx.shape, &ty.shape})
    if (!s->unknownRank && s->rank() != 2)
      return in.error(diag::rank_mismatch,
                      "Shape must be rank 2 but is rank " + std::to_string(s->rank()) + where);
  if (tx.dtype != ty.dtype)
    return in.error(diag::incompatible_dtypes,
                    "Input 'b' of 'MatMul' Op has type " + std::string(graph::dtypeName(ty.dtype)) +
                        " that does not match type " + graph::dtypeName(tx.dtype) + " of argument 'a'.");
  int64_t m = -1, k1 = -1, k2 = -1, nn = -1;
  if (!tx.shape.unknownRank) {
    m = tx.shape.dims[transposeA ? 1 : 0];
    k1 = tx.shape.dims[transposeA ? 0 : 1];
  }
  if (!ty.shape.unknownRank) {
    k2 = ty.shape.dims[transposeB ? 1 : 0];
    nn = ty.shape.dims[transposeB ? 0 : 1];
  }
  if (k1 >= 0 && k2 >= 0 && k1 != k2)
    return in.error(diag::incompatible_shapes, "Dimensions must be equal, but are " +
                                                   std::to_string(k1) + " and " +
                                                   std::to_string(k2) + where);
  graph::Node &node = tf.addNode(n, "MatMul", {*x, *y}, {TensorType{tx.dtype, false, Shape::of({m, nn})}});
  node.attrs["transpose_a"] = transposeA;
  node.attrs["transpose_b"] = transposeB;
  return tf.makeTensor(node);
}

Value biasAdd(TFState &tf, const Value &value, const Value &bias, const Value &name) {
  Interpreter &in = tf.interp();
  std::string n = tf.opName(name, "BiasAdd");
  if (n.empty())
    return Value::error();
  auto x = tf.toTensor(value, std::nullopt, "value");
  if (!x)
    return Value::error();
  auto b = tf.toTensor(bias, tf.graph().type(*x).dtype, "bias");
  if (!b)
    return Value::error();
  const TensorType &tx = tf.graph().type(*x), &tb = tf.graph().type(*b);
  std::string where = " for '" + n + "' (op: 'BiasAdd') with input shapes: " +
                      shapes(tf, {tx.shape, tb.shape}) + ".";
  if (!tb.shape.unknownRank && tb.shape.rank() != 1)
    return in.error(diag::rank_mismatch,
                    "Shape must be rank 1 but is rank " + std::to_string(tb.shape.rank()) + where);
  if (!tx.shape.unknownRank && tx.shape.rank() < 2)
    return in.error(diag::rank_mismatch, "Shape must be at least rank 2 but is rank " +
                                             std::to_string(tx.shape.rank()) + where);
  if (!tx.shape.unknownRank && !tb.shape.unknownRank) {
    int64_t c = tx.shape.dims.back(), d = tb.shape.dims[0];
    if (c >= 0 && d >= 0 && c != d)
      return in.error(diag::incompatible_shapes, "Dimensions must be equal, but are " +
                                                     std::to_string(c) + " and " +
                                                     std::to_string(d) + where);
  }
  graph::Node &node = tf.addNode(n, "BiasAdd", {*x, *b}, {TensorType{tx.dtype, false, tx.shape}});
  return tf.makeTensor(node);
}

bool intList(Interpreter &in, const Value &v, size_t want, std::vector<int64_t> &out,
             const std::string &what) {
  std::vector<Value> items;
  if (v.isInt())
    items.assign(want, v);
  else if (v.isSequence())
    items = v.items();
  else {
    in.error(diag::invalid_argument, what + " must be a list of ints");
    return false;
  }
  for (const Value &x : items) {
    int64_t i;
    if (!toInt(in, x, i, what))
      return false;
    out.push_back(i);
  }
  if (out.size() != want) {
    in.error(diag::invalid_argument, what + " must have " + std::to_string(want) + " elements, not " +
                                         std::to_string(out.size()));
    return false;
  }
  return true;
}

/// Conv2D (NHWC, HWIO filter) with SAME/VALID padding, strides, dilations.
Value conv2d(TFState &tf, const Value &input, const Value &filter, std::vector<int64_t> strides,
             const std::string &padding, std::vector<int64_t> dilations, const Value &name) {
  Interpreter &in = tf.interp();
  std::string n = tf.opName(name, "Conv2D");
  if (n.empty())
    return Value::error();
  auto x = tf.toTensor(input, std::nullopt, "input");
  if (!x)
    return Value::error();
  auto w = tf.toTensor(filter, tf.graph().type(*x).dtype, "filter");
  if (!w)
    return Value::error();
  const TensorType &tx = tf.graph().type(*x), &tw = tf.graph().type(*w);
  std::string where = " for '" + n + "' (op: 'Conv2D') with input shapes: " +
                      shapes(tf, {tx.shape, tw.shape}) + ".";
  for (const Shape *s : {&tx.shape, &tw.shape})
    if (!s->unknownRank && s->rank() != 4)
      return in.error(diag::rank_mismatch,
                      "Shape must be rank 4 but is rank " + std::to_string(s->rank()) + where);
  if (padding != "SAME" && padding != "VALID")
    return in.error(diag::invalid_argument, "padding must be 'SAME' or 'VALID', not '" + padding + "'");
  if (strides[0] != 1 || strides[3] != 1)
    return in.error(diag::invalid_argument, "Current implementation does not yet support strides in the batch and depth dimensions.");
  for (int64_t s : strides)
    if (s < 1)
      return in.error(diag::invalid_argument, "strides must be positive");
  Shape out = Shape::of({-1, -1, -1, -1});
  if (!tx.shape.unknownRank) {
    out.dims[0] = tx.shape.dims[0];
    int64_t cin = tx.shape.dims[3];
    if (!tw.shape.unknownRank && cin >= 0 && tw.shape.dims[2] >= 0 && cin != tw.shape.dims[2])
      return in.error(diag::incompatible_shapes, "Depth of input (" + std::to_string(cin) +
                                                     ") is not a multiple of input depth of filter (" +
                                                     std::to_string(tw.shape.dims[2]) + ")" + where);
    for (int k = 0; k < 2; ++k) {
      int64_t size = tx.shape.dims[1 + k];
      int64_t kernel = tw.shape.unknownRank ? -1 : tw.shape.dims[k];
      int64_t stride = strides[1 + k], dil = dilations[1 + k];
      if (size < 0 || kernel < 0)
        continue;
      int64_t eff = (kernel - 1) * dil + 1;
      if (padding == "SAME")
        out.dims[1 + k] = (size + stride - 1) / stride;
      else {
        if (size < eff)
          return in.error(diag::incompatible_shapes,
                          "Negative dimension size caused by subtracting " + std::to_string(eff) +
                              " from " + std::to_string(size) + where);
        out.dims[1 + k] = (size - eff) / stride + 1;
      }
    }
  }
  if (!tw.shape.unknownRank)
    out.dims[3] = tw.shape.dims[3];
  graph::Node &node = tf.addNode(n, "Conv2D", {*x, *w}, {TensorType{tx.dtype, false, out}});
  node.attrs["strides"] = strides;
  node.attrs["padding"] = padding;
  node.attrs["dilations"] = dilations;
  return tf.makeTensor(node);
}

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
    Value y = matmul(tf, x, kernel, false, false, Value::none());
    if (useBias)
      y = biasAdd(tf, y, bias, Value::none());
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
  ModuleObj *tfm = mod("tf"), *nn = mod("tf.nn"), *layers = mod("tf.layers"), *slim = mod("slim"),
            *clayers = mod("tf.contrib.layers");
  def(tfm, "matmul", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "matmul", a, {"*a", "*b", "transpose_a", "transpose_b", "adjoint_a",
                                  "adjoint_b", "a_is_sparse", "b_is_sparse", "name"});
    if (!b.ok())
      return Value::error();
    bool ta = b.has("transpose_a") && b.get("transpose_a")->isBool() && b.get("transpose_a")->asBool();
    bool tb = b.has("transpose_b") && b.get("transpose_b")->isBool() && b.get("transpose_b")->asBool();
    return matmul(in.tf(), *b.get("a"), *b.get("b"), ta, tb, b.getOr("name", Value::none()));
  });
  def(nn, "bias_add", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "bias_add", a, {"*value", "*bias", "data_format", "name"});
    if (!b.ok())
      return Value::error();
    return biasAdd(in.tf(), *b.get("value"), *b.get("bias"), b.getOr("name", Value::none()));
  });
  def(nn, "conv2d", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "conv2d", a, {"*input", "*filter", "*strides", "*padding", "use_cudnn_on_gpu",
                                  "data_format", "dilations", "name", "filters"});
    if (!b.ok())
      return Value::error();
    std::vector<int64_t> strides, dilations;
    if (!intList(in, *b.get("strides"), 4, strides, "strides"))
      return Value::error();
    Value dil = b.getOr("dilations", Value::list({Value::integer(1), Value::integer(1),
                                                  Value::integer(1), Value::integer(1)}));
    if (!intList(in, dil, 4, dilations, "dilations"))
      return Value::error();
    const Value &pad = *b.get("padding");
    if (!pad.isStr())
      return in.error(diag::invalid_argument, "padding must be 'SAME' or 'VALID'");
    if (const Value *f = b.get("data_format"); f && f->isStr() && f->asStr() != "NHWC")
      return in.error(diag::unsupported_api, "tf.nn.conv2d with data_format='" + f->asStr() +
                                                 "' is not supported by scopec (NHWC only)");
    return conv2d(in.tf(), *b.get("input"), *b.get("filter"), strides, pad.asStr(), dilations,
                  b.getOr("name", Value::none()));
  });

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
    ArgBinder b(in, "conv2d", a,
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
      Value c = conv2d(tf, x, w, {1, stride[0], stride[1], 1}, pad.asStr(), {1, 1, 1, 1}, Value::none());
      if (useBias)
        c = biasAdd(tf, c, bias, Value::none());
      return c;
    });
    Value act = b.has("activation_fn") ? *b.get("activation_fn") : relu(in);
    return activate(in, act, y, in.callSite());
  };
  def(slim, "conv2d", slimConv);
  def(clayers, "conv2d", slimConv);
  slim->attrs["variable_scope"] = tfm->attrs["variable_scope"];

  // Reductions: the op types of TF 1.15 (Sum, Mean, Max, Min).
  for (auto [fname, op] : std::vector<std::pair<std::string, std::string>>{
           {"reduce_sum", "Sum"}, {"reduce_mean", "Mean"}, {"reduce_max", "Max"}, {"reduce_min", "Min"}}) {
    std::string f = fname, o = op;
    def(tfm, fname, [f, o](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, f, a, {"*input_tensor", "axis", "keepdims", "name", "reduction_indices", "keep_dims"});
      if (!b.ok())
        return Value::error();
      TFState &tf = in.tf();
      std::string n = tf.opName(b.getOr("name", Value::none()), o);
      if (n.empty())
        return Value::error();
      TFState::SavedStack saved;
      bool ok;
      tf.enterNameScope(n + "/", saved, ok);
      auto x = tf.toTensor(*b.get("input_tensor"), std::nullopt, "input");
      Value axis = b.getOr("axis", b.getOr("reduction_indices", Value::none()));
      bool keep = false;
      for (const char *k : {"keepdims", "keep_dims"})
        if (const Value *v = b.get(k); v && v->isBool())
          keep = v->asBool();
      if (!x) {
        tf.exitNameScope(saved);
        return Value::error();
      }
      const TensorType &t = tf.graph().type(*x);
      std::vector<int64_t> axes;
      if (axis.isNone()) {
        for (size_t k = 0; k < t.shape.rank(); ++k)
          axes.push_back(static_cast<int64_t>(k));
      } else if (axis.isSequence()) {
        for (const Value &v : axis.items()) {
          int64_t i;
          if (!toInt(in, v, i, "axis")) {
            tf.exitNameScope(saved);
            return Value::error();
          }
          axes.push_back(i);
        }
      } else {
        int64_t i;
        if (!toInt(in, axis, i, "axis")) {
          tf.exitNameScope(saved);
          return Value::error();
        }
        axes.push_back(i);
      }
      auto idx = std::make_shared<graph::TensorData>();
      idx->dtype = DType::Int32;
      idx->shape = Shape::of({static_cast<int64_t>(axes.size())});
      Shape out = Shape::unknown();
      if (!t.shape.unknownRank) {
        int64_t r = static_cast<int64_t>(t.shape.rank());
        std::vector<bool> reduced(static_cast<size_t>(r), false);
        for (int64_t &ax : axes) {
          if (ax < -r || ax >= r) {
            tf.exitNameScope(saved);
            return in.error(diag::invalid_argument, "Invalid reduction dimension " + std::to_string(ax) +
                                                        " for input with " + std::to_string(r) + " dimensions.");
          }
          if (ax < 0)
            ax += r;
          reduced[static_cast<size_t>(ax)] = true;
        }
        out = Shape::scalar();
        for (int64_t k = 0; k < r; ++k)
          if (!reduced[static_cast<size_t>(k)])
            out.dims.push_back(t.shape.dims[static_cast<size_t>(k)]);
          else if (keep)
            out.dims.push_back(1);
      }
      idx->i = axes;
      // TF 1.15: without an axis the indices are a Const in the current
      // scope (_ReductionDims); a given axis is converted inside the op's
      // scope as "reduction_indices".
      tf.exitNameScope(saved);
      TFState::SavedStack inner;
      if (!axis.isNone())
        tf.enterNameScope(n + "/", inner, ok);
      std::string cname = tf.uniqueName(axis.isNone() ? "Const" : "reduction_indices");
      graph::Node &c = tf.addNode(cname, "Const", {}, {TensorType{DType::Int32, false, idx->shape}});
      c.value = idx;
      if (!axis.isNone())
        tf.exitNameScope(inner);
      graph::Node &node = tf.addNode(n, o, {*x, TensorRef{c.id, 0}}, {TensorType{t.dtype, false, out}});
      node.attrs["keep_dims"] = keep;
      return tf.makeTensor(node);
    });
  }
  def(tfm, "stack", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "stack", a, {"*values", "axis", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    std::vector<Value> items;
    if (!in.iterate(*b.get("values"), items))
      return Value::error();
    int64_t axis = 0;
    if (b.has("axis") && !toInt(in, *b.get("axis"), axis, "axis"))
      return Value::error();
    std::string n = tf.opName(b.getOr("name", Value::none()), "stack");
    if (n.empty())
      return Value::error();
    if (items.empty())
      return in.error(diag::value_error, "stack() needs at least one value");
    std::vector<TensorRef> ins;
    TFState::SavedStack saved;
    bool ok;
    tf.enterNameScope(n + "/", saved, ok);
    for (const Value &v : items) {
      auto t = tf.toTensor(v, ins.empty() ? std::nullopt : std::optional<DType>(tf.graph().type(ins[0]).dtype), "values");
      if (!t) {
        tf.exitNameScope(saved);
        return Value::error();
      }
      ins.push_back(*t);
    }
    tf.exitNameScope(saved);
    const TensorType &t0 = tf.graph().type(ins[0]);
    for (TensorRef r : ins)
      if (!tf.graph().type(r).shape.isCompatibleWith(t0.shape))
        return in.error(diag::incompatible_shapes, "Shapes must be equal rank, but are " +
                                                       std::to_string(tf.graph().type(r).shape.rank()) + " and " +
                                                       std::to_string(t0.shape.rank()) + " for '" + n + "' (op: 'Pack')");
    Shape out = t0.shape;
    if (!out.unknownRank) {
      int64_t r = static_cast<int64_t>(out.rank()) + 1;
      if (axis < -r || axis >= r)
        return in.error(diag::invalid_argument, "axis = " + std::to_string(axis) + " not in [" +
                                                    std::to_string(-r) + ", " + std::to_string(r) + ")");
      if (axis < 0)
        axis += r;
      out.dims.insert(out.dims.begin() + axis, static_cast<int64_t>(ins.size()));
    }
    graph::Node &node = tf.addNode(n, "Pack", ins, {TensorType{t0.dtype, false, out}});
    node.attrs["axis"] = axis;
    return tf.makeTensor(node);
  });
}

} // namespace scopec::eval
