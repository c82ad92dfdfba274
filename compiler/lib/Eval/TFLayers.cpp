//===- TFLayers.cpp - tf.layers and slim: the legacy layer scoping ---------===//
//
// tf.layers.dense and slim.fully_connected / slim.conv2d with the legacy
// TF1 layer scoping of tf1-semantics.md sections 3.2-3.4.
//
//===----------------------------------------------------------------------===//
#include "TF.h"

#include <set>

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

/// A tf.layers layer: the legacy scoping under its class's base name, or
/// under `name=` when given (tf1-semantics.md 3.3).
struct KerasLayer : LegacyLayer {
  KerasLayer(Interpreter &in, const ArgBinder &b, const char *base, const char *createdBy)
      : LegacyLayer(in, base, b.getOr("reuse", Value::none())) {
    this->createdBy = createdBy;
    Value name = b.getOr("name", Value::none());
    if (name.isStr() && !name.asStr().empty()) {
      baseName = name.asStr();
      initScope(name);
    }
  }
};

CallArgs scopeArgs(const ArgBinder &b, const char *dflt, bool withReuse) {
  CallArgs sa;
  sa.positional = {b.getOr("scope", Value::none()), Value::str(dflt)};
  if (withReuse)
    sa.keywords.emplace_back("reuse", b.getOr("reuse", Value::none()));
  return sa;
}

/// A slim layer: variable_scope(scope, default, reuse=reuse) held for the
/// layer's lifetime, the legacy layer inside it with slim's variable names.
struct SlimLayer {
  ScopeGuard sc;
  LegacyLayer layer;
  SlimLayer(Interpreter &in, const ArgBinder &b, const char *dflt, const char *createdBy,
            std::map<std::string, std::string> rename = {}, bool withReuse = true)
      : sc(in, scopeArgs(b, dflt, withReuse)),
        layer(in, sc.active ? sc.scope.as<VariableScopeObj>()->name : std::string(),
              withReuse ? b.getOr("reuse", Value::none()) : Value::none()) {
    if (!sc.active)
      return;
    layer.createdBy = createdBy;
    layer.rename = std::move(rename);
    layer.initScope(sc.scope);
  }
  bool ok() const { return sc.active; }
};

/// slim's data_format for 2-D layers: NHWC; NCHW is TF's but not its CPU kernels'.
bool slimNHWC(Interpreter &in, const ArgBinder &b, const char *api) {
  const Value *df = b.get("data_format");
  if (!df || df->isNone() || (df->isStr() && df->asStr() == "NHWC"))
    return true;
  if (!df->isStr() || df->asStr() != "NCHW")
    in.error(diag::value_error, "data_format has to be either NCHW or NHWC.");
  else
    in.error(diag::unsupported_api, std::string(api) + " with data_format='NCHW' is not supported by scopec: "
                                                       "TF's CPU kernels take NHWC only");
  return false;
}

/// tf.layers' data_format: channels_last only.
bool channelsLast(Interpreter &in, const ArgBinder &b, const char *api) {
  const Value *df = b.get("data_format");
  if (!df || !df->isStr() || df->asStr() == "channels_last")
    return true;
  in.error(diag::unsupported_api, std::string(api) + " with data_format='" + df->asStr() +
                                      "' is not supported by scopec (channels_last only)");
  return false;
}

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

Value onesInit(Interpreter &in) {
  auto o = std::make_shared<InitializerObj>();
  o->type = "Ones";
  o->spec.kind = "ones";
  return Value::object(Kind::Native, o);
}

/// tf.nn.batch_normalization: in name scope "batchnorm", x * inv + (offset -
/// mean * inv) with inv = rsqrt(variance + epsilon) * scale (None offset or
/// scale: left out, as TF does).
Value nnBatchNormalization(TFState &tf, const Value &x, const Value &mean, const Value &var, const Value &offset,
                           const Value &scale, double epsilon, const Value &name) {
  TFState::SavedStack saved;
  bool ok;
  tf.enterNameScope(name.isStr() && !name.asStr().empty() ? name : Value::str("batchnorm"), saved, ok);
  if (!ok)
    return Value::error();
  Value inv = tf.binary("AddV2", "add", var, Value::real(epsilon), Value::none(), true);
  inv = inv.isError() ? inv : tf.unary("Rsqrt", inv, Value::none());
  if (!scale.isNone() && !inv.isError())
    inv = tf.binaryOp(ast::BinaryOp::Mul, inv, scale);
  Value xs = inv.isError() ? inv : tf.binaryOp(ast::BinaryOp::Mul, x, inv);
  Value mi = xs.isError() ? xs : tf.binaryOp(ast::BinaryOp::Mul, mean, inv);
  Value shift = mi.isError() ? mi : !offset.isNone() ? tf.binaryOp(ast::BinaryOp::Sub, offset, mi) : tf.unaryOp(ast::UnaryOpKind::Neg, mi);
  Value y = shift.isError() ? shift : tf.binaryOp(ast::BinaryOp::Add, xs, shift);
  tf.exitNameScope(saved);
  return y;
}

/// keras BatchNormalization (TF 1.15) in inference form, inside `layer`:
/// weights gamma, beta, moving_mean, moving_variance (the moving ones not
/// trainable) in that order, a Const 1.0/0.0 [C] in place of a missing
/// gamma/beta (fused form), then FusedBatchNormV3 and the momentum Const for
/// 4-D inputs, or the "batchnorm" ops of tf.nn.batch_normalization for 2-D
/// ones (TF uses the fused kernel only for 4-D).
Value batchNormLayer(LegacyLayer &layer, const Value &x, double epsilon, double momentum, bool center, bool scale,
                     const Value &betaInit, const Value &gammaInit, const Value &meanInit, const Value &varInit,
                     bool trainable, const std::string &api) {
  Interpreter &in = layer.in;
  TFState &tf = in.tf();
  auto t = tf.toTensor(x, std::nullopt, "inputs");
  if (!t)
    return Value::error();
  const Shape &s = tf.graph().type(*t).shape;
  if (s.unknownRank || (s.rank() != 4 && s.rank() != 2) || (api != "tf.layers.batch_normalization" && s.rank() != 4))
    return in.error(diag::unsupported_api, api + " on inputs of shape " + s.str() + " is not supported by scopec yet" +
                                               " (4-D NHWC" + (api == "tf.layers.batch_normalization" ? " or 2-D" : "") + " inputs)");
  if (s.dims.back() < 0)
    return in.error(diag::value_error, "Input has undefined `axis` dimension. Input shape: " + s.str());
  bool fused = s.rank() == 4;
  int64_t C = s.dims.back();
  DType dtype = tf.graph().type(*t).dtype;
  auto constVector = [&](double v) {
    return layer.inside(false, [&]() -> Value {
      graph::TensorData d;
      d.dtype = DType::Float32;
      d.shape = Shape::of({C});
      d.f.assign(static_cast<size_t>(C), v);
      return tf.tensor(tf.constant("Const", d));
    });
  };
  Value gamma = scale ? layer.addWeight("gamma", Shape::of({C}), gammaInit.isNone() ? onesInit(in) : gammaInit, dtype, trainable)
                      : fused ? constVector(1.0) : Value::none();
  Value beta = center ? layer.addWeight("beta", Shape::of({C}), betaInit.isNone() ? zerosInit(in) : betaInit, dtype, trainable)
                      : fused ? constVector(0.0) : Value::none();
  Value mean = layer.addWeight("moving_mean", Shape::of({C}), meanInit.isNone() ? zerosInit(in) : meanInit, dtype, false);
  Value var = layer.addWeight("moving_variance", Shape::of({C}), varInit.isNone() ? onesInit(in) : varInit, dtype, false);
  layer.built = true;
  if (gamma.isError() || beta.isError() || mean.isError() || var.isError())
    return Value::error();
  return layer.inside(false, [&]() -> Value {
    if (fused) {
      std::vector<TensorRef> ins{*t};
      for (const Value *v : {&gamma, &beta, &mean, &var}) {
        auto r = tf.toTensor(*v, std::nullopt, "input");
        if (!r)
          return Value::error();
        ins.push_back(*r);
      }
      graph::Node *n = tf.createOp(tf.uniqueName("FusedBatchNormV3"), "FusedBatchNormV3", ins,
                                   {{"epsilon", std::max(epsilon, 1.001e-5)}, {"is_training", false},
                                    {"data_format", std::string("NHWC")}});
      if (!n)
        return Value::error();
      Value y = tf.makeTensor(*n);
      graph::TensorData m;
      m.dtype = DType::Float32;
      m.shape = Shape::scalar();
      m.f = {graph::roundToDType(momentum, DType::Float32)};
      tf.constant("Const", m); // convert_to_tensor(self.momentum)
      return y;
    }
    return nnBatchNormalization(tf, x, mean, var, beta, gamma, epsilon, Value::none());
  });
}

/// slim's normalizer_fn(outputs, **normalizer_params), in the layer's scope.
Value normalize(Interpreter &in, const ArgBinder &b, const Value &y) {
  const Value *fn = b.get("normalizer_fn");
  if (!fn || fn->isNone() || y.isError())
    return y;
  CallArgs c;
  c.positional.push_back(y);
  Value params = b.getOr("normalizer_params", Value::none());
  if (auto *d = params.as<DictObj>()) {
    for (auto &[k, v] : d->entries) {
      if (!k.isStr())
        return in.error(diag::type_error, "normalizer_params keywords must be strings");
      c.keywords.emplace_back(k.asStr(), v);
    }
  } else if (!params.isNone()) {
    return in.error(diag::type_error, "normalizer_params must be a dict, not " + in.typeName(params));
  }
  return in.call(*fn, c, in.callSite());
}

bool flag(const ArgBinder &b, const char *name, bool dflt) {
  const Value *v = b.get(name);
  return v && v->isBool() ? v->asBool() : dflt;
}

bool number(Interpreter &in, const ArgBinder &b, const char *name, double dflt, double &out) {
  out = dflt;
  const Value *v = b.get(name);
  if (!v || v->isNone())
    return true;
  if (!toFloat(*v, out) || v->isBool()) {
    in.error(diag::type_error, std::string(name) + " must be a number, not " + in.typeName(*v));
    return false;
  }
  return true;
}

Value relu(Interpreter &in) {
  return in.tf().modules().at("tf.nn").as<ModuleObj>()->attrs.at("relu");
}

Value apiFn(Interpreter &in, const char *module, const char *name) {
  return in.tf().modules().at(module).as<ModuleObj>()->attrs.at(name);
}

/// keras Dropout.call (TF 1.15): smart_cond(training, dropped_inputs,
/// identity) -- a Python bool picks one now, a bool tensor (an is_training
/// placeholder) builds tf.cond "cond" with both. tf.nn.dropout is the
/// identity at inference (language.md section 3), so both branches agree.
Value dropoutCall(Interpreter &in, const Value &x, const Value &training, double rate, const char *api) {
  TFState &tf = in.tf();
  NativeFn dropped = [x, rate](Interpreter &in, CallArgs &) -> Value {
    CallArgs da;
    da.positional = {x};
    da.keywords.emplace_back("rate", Value::real(rate));
    return in.call(apiFn(in, "tf.nn", "dropout"), da, in.callSite());
  };
  NativeFn identity = [x](Interpreter &in, CallArgs &) -> Value {
    TFState &tf = in.tf();
    auto t = tf.toTensor(x, std::nullopt, "inputs");
    graph::Node *n = t ? tf.createOp(tf.uniqueName("Identity"), "Identity", {*t}) : nullptr;
    return n ? tf.makeTensor(*n) : Value::error();
  };
  CallArgs none;
  if (training.isBool())
    return training.asBool() ? dropped(in, none) : identity(in, none);
  if (!tf.isTensorOrVariable(training))
    return in.error(diag::type_error, std::string(api) + ": training must be a bool or a bool tensor, not " +
                                          in.typeName(training));
  CallArgs c;
  c.positional = {training, in.makeBuiltin("dropped_inputs", dropped), in.makeBuiltin("<lambda>", identity)};
  return in.call(apiFn(in, "tf", "cond"), c, in.callSite());
}

/// keras Conv2DTranspose.call (TF 1.15), in the layer's name scope: the
/// output shape from tf.shape pieces (conv_utils.deconv_output_length), a
/// Pack "stack", backend.conv2d_transpose's `output_shape[0]` probe, then
/// tf.nn.conv2d_transpose.
Value convTransposeCall(Interpreter &in, const Value &x, const Value &kernel, int64_t filters,
                        const std::vector<int64_t> &kernelSize, const std::vector<int64_t> &strides,
                        const std::string &padding) {
  TFState &tf = in.tf();
  CallArgs sa;
  sa.positional.push_back(x);
  Value shape = in.call(apiFn(in, "tf", "shape"), sa, in.callSite());
  if (shape.isError())
    return shape;
  std::vector<Value> dims{tf.sliceTensor(shape, Value::integer(0))};
  for (int k = 0; k < 2; ++k) {
    Value len = tf.sliceTensor(shape, Value::integer(1 + k));
    dims.push_back(len);
  }
  for (int k = 0; k < 2; ++k) {
    Value len = dims[1 + k].isError() ? dims[1 + k] : tf.binaryOp(ast::BinaryOp::Mul, dims[1 + k], Value::integer(strides[k]));
    if (padding == "VALID" && !len.isError())
      len = tf.binaryOp(ast::BinaryOp::Add, len, Value::integer(std::max<int64_t>(kernelSize[k] - strides[k], 0)));
    dims[1 + k] = len;
  }
  for (const Value &d : dims)
    if (d.isError())
      return d;
  dims.push_back(Value::integer(filters));
  auto outShape = tf.toTensor(Value::tuple(dims), std::nullopt, "stack");
  if (!outShape)
    return Value::error();
  Value st = tf.tensor(*outShape);
  if (tf.sliceTensor(st, Value::integer(0)).isError()) // `if output_shape[0] is None`
    return Value::error();
  CallArgs c;
  c.positional = {x, kernel, st,
                  Value::tuple({Value::integer(1), Value::integer(strides[0]), Value::integer(strides[1]), Value::integer(1)})};
  c.keywords.emplace_back("padding", Value::str(padding));
  return in.call(apiFn(in, "tf.nn", "conv2d_transpose"), c, in.callSite());
}

/// keras Conv.build + call for 2-D (TF 1.15): nn_ops.Convolution's
/// _WithSpaceToBatch Consts, then Conv2D (dilated: between SpaceToBatchND and
/// BatchToSpaceND) and the bias, in the layer's name scope.
Value kerasConv2D(Interpreter &in, const Value &x, const Value &w, const Value &bias, const std::vector<int64_t> &kernelShape,
                  const std::vector<int64_t> &strides, const std::vector<int64_t> &rate, const std::string &padding) {
  TFState &tf = in.tf();
  if ((strides[0] > 1 || strides[1] > 1) && (rate[0] > 1 || rate[1] > 1))
    return in.error(diag::value_error, "strides > 1 not supported in conjunction with dilation_rate > 1");
  WithSpaceToBatch stb;
  if (!stb.init(tf, rate, padding, kernelShape, true))
    return Value::error();
  Value c = stb.call(tf, x, [&](const Value &xc, const std::string &p) {
    return conv2dOp(tf, xc, w, {1, strides[0], strides[1], 1}, p, {1, 1, 1, 1}, Value::none());
  });
  if (!bias.isNone() && !c.isError())
    c = biasAddOp(tf, c, bias, Value::none());
  return c;
}

/// TensorShape.as_list() as Python prints it: [None, 8, 3].
std::string asList(const Shape &s) {
  std::string r = "[";
  for (size_t k = 0; k < s.rank(); ++k)
    r += (k ? ", " : "") + (s.dims[k] < 0 ? std::string("None") : std::to_string(s.dims[k]));
  return r + "]";
}

/// keras/legacy padding strings: 'same'/'valid' in either case -> SAME/VALID.
bool layerPadding(Interpreter &in, const Value &v, const std::string &dflt, std::string &out) {
  if (v.isNone()) {
    out = dflt;
    return true;
  }
  if (v.isStr()) {
    std::string p = v.asStr();
    for (char &c : p)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (p == "SAME" || p == "VALID") {
      out = p;
      return true;
    }
  }
  in.error(diag::value_error, "The `padding` argument must be one of \"valid\", \"same\" (or \"causal\", only for `Conv1D). Received: " +
                                  (v.isStr() ? v.asStr() : in.repr(v)));
  return false;
}

/// The window arguments of a convolution layer: kernel_size and the stride,
/// rate and padding under tf.layers' names (strides, dilation_rate) or
/// slim's (stride, rate), each an int or a list of `dims`.
struct ConvArgs {
  std::vector<int64_t> kernel, strides, rate;
  int64_t multiplier = 1;
  std::string padding;
  bool read(Interpreter &in, const ArgBinder &b, size_t dims, bool slim, const char *defaultPadding) {
    const char *stride = slim ? "stride" : "strides", *dil = slim ? "rate" : "dilation_rate";
    return intList(in, *b.get("kernel_size"), dims, kernel, "kernel_size") &&
           intList(in, b.getOr(stride, Value::integer(1)), dims, strides, stride) &&
           intList(in, b.getOr(dil, Value::integer(1)), dims, rate, dil) &&
           (!b.has("depth_multiplier") || toInt(in, *b.get("depth_multiplier"), multiplier, "depth_multiplier")) &&
           layerPadding(in, b.getOr("padding", Value::none()), defaultPadding, padding);
  }
};

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
    KerasLayer layer(in, b, "dense", "tf.layers.dense");
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
    SlimLayer slimLayer(in, b, "fully_connected", "slim.fully_connected", {{"kernel", "weights"}, {"bias", "biases"}});
    if (!slimLayer.ok())
      return Value::error();
    LegacyLayer &layer = slimLayer.layer;
    Value biasInit = b.has("biases_initializer") ? *b.get("biases_initializer") : zerosInit(in);
    bool useBias = !biasInit.isNone() && (!b.has("normalizer_fn") || b.get("normalizer_fn")->isNone());
    Value winit = b.getOr("weights_initializer", Value::none());
    bool trainable = !b.has("trainable") || !b.get("trainable")->isBool() || b.get("trainable")->asBool();
    Value y = normalize(in, b, denseLayer(layer, *b.get("inputs"), units, useBias, winit, biasInit, Value::none(), trainable));
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
    std::vector<int64_t> rate;
    std::string pad;
    if (!intList(in, b.getOr("rate", Value::integer(1)), 2, rate, "rate") ||
        !layerPadding(in, b.getOr("padding", Value::none()), "SAME", pad))
      return Value::error();
    if (const Value *df = b.get("data_format"); df && !df->isNone()) {
      static const std::set<std::string> known = {"NWC", "NCW", "NHWC", "NCHW", "NDHWC", "NCDHW"};
      if (!df->isStr() || !known.count(df->asStr()))
        return in.error(diag::value_error, "Invalid data_format: " + in.repr(*df));
      if (df->asStr() != "NHWC")
        return in.error(diag::unsupported_api, "slim.conv2d with data_format='" + df->asStr() + "' is not supported by scopec: "
                        "The Conv2D op currently only supports the NHWC tensor format on the CPU");
    }
    SlimLayer slimLayer(in, b, "Conv", "slim.conv2d", {{"kernel", "weights"}, {"bias", "biases"}});
    if (!slimLayer.ok())
      return Value::error();
    LegacyLayer &layer = slimLayer.layer;
    const Value &x = *b.get("inputs");
    int64_t cin;
    if (!knownLastDim(in, tf, x, cin, "Convolution"))
      return Value::error();
    DType dtype = tf.dtypeOf(x).value_or(DType::Float32);
    Value winit = b.getOr("weights_initializer", Value::none());
    Value biasInit = b.has("biases_initializer") ? *b.get("biases_initializer") : zerosInit(in);
    bool trainable = !b.has("trainable") || !b.get("trainable")->isBool() || b.get("trainable")->asBool();
    Value w = layer.addWeight("kernel", Shape::of({kernel[0], kernel[1], cin, units}), winit, dtype, trainable);
    bool useBias = !biasInit.isNone() && (!b.has("normalizer_fn") || b.get("normalizer_fn")->isNone());
    Value bias = useBias ? layer.addWeight("bias", Shape::of({units}), biasInit, dtype, trainable) : Value::none();
    layer.built = true;
    if (w.isError() || bias.isError())
      return Value::error();
    Value y = layer.inside(false, [&]() -> Value {
      return kerasConv2D(in, x, w, bias, {kernel[0], kernel[1], cin, units}, stride, rate, pad);
    });
    y = normalize(in, b, y);
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
    std::string padding;
    if (!layerPadding(in, b.getOr("padding", Value::none()), "VALID", padding))
      return Value::error();
    if (!channelsLast(in, b, "tf.layers.conv2d"))
      return Value::error();
    KerasLayer layer(in, b, "conv2d", "tf.layers.conv2d");
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
      Value c = kerasConv2D(in, x, w, bias, {kernel[0], kernel[1], cin, filters}, strides, dil, padding);
      return activate(in, b.getOr("activation", Value::none()), c, in.callSite());
    });
  });
  // Conv2DTranspose: kernel [kh, kw, filters, cin]; tf.layers' legacy scope
  // "conv2d_transpose", slim's variable scope "Conv2d_transpose".
  auto convTransposeLayer = [](LegacyLayer &layer, const ArgBinder &b, const Value &x, int64_t filters,
                               const std::vector<int64_t> &kernel, const std::vector<int64_t> &strides,
                               const std::string &padding, bool useBias, const Value &kinit, const Value &binit,
                               bool trainable) -> Value {
    Interpreter &in = layer.in;
    TFState &tf = in.tf();
    int64_t cin;
    if (!knownLastDim(in, tf, x, cin, "Conv2DTranspose"))
      return Value::error();
    if (auto t = tf.toTensor(x, std::nullopt, "inputs"); t && tf.graph().type(*t).shape.rank() != 4)
      return in.error(diag::value_error, "Input 0 of layer conv2d_transpose is incompatible with the layer: expected ndim=4, found ndim=" +
                                             std::to_string(tf.graph().type(*t).shape.rank()) + ". Full shape received: " +
                                             asList(tf.graph().type(*t).shape));
    DType dtype = tf.dtypeOf(x).value_or(DType::Float32);
    Value w = layer.addWeight("kernel", Shape::of({kernel[0], kernel[1], filters, cin}), kinit, dtype, trainable);
    Value bias = useBias ? layer.addWeight("bias", Shape::of({filters}), binit, dtype, trainable) : Value::none();
    layer.built = true;
    if (w.isError() || bias.isError())
      return Value::error();
    return layer.inside(false, [&]() -> Value {
      Value y = convTransposeCall(in, x, w, filters, kernel, strides, padding);
      if (useBias && !y.isError())
        y = biasAddOp(tf, y, bias, Value::none());
      return y;
    });
  };
  def(layers, "conv2d_transpose", [convTransposeLayer](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "conv2d_transpose", a,
                {"*inputs", "*filters", "*kernel_size", "strides", "padding", "data_format", "activation", "use_bias",
                 "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
                 "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable", "name", "reuse"});
    if (!b.ok())
      return Value::error();
    int64_t filters;
    ConvArgs c;
    if (!toInt(in, *b.get("filters"), filters, "filters") || !c.read(in, b, 2, false, "VALID") ||
        !channelsLast(in, b, "tf.layers.conv2d_transpose"))
      return Value::error();
    KerasLayer layer(in, b, "conv2d_transpose", "tf.layers.conv2d_transpose");
    Value biasInit = b.has("bias_initializer") ? *b.get("bias_initializer") : zerosInit(in);
    Value y = convTransposeLayer(layer, b, *b.get("inputs"), filters, c.kernel, c.strides, c.padding, flag(b, "use_bias", true),
                                 b.getOr("kernel_initializer", Value::none()), biasInit, flag(b, "trainable", true));
    return y.isError() ? y : layer.inside(false, [&]() { return activate(in, b.getOr("activation", Value::none()), y, in.callSite()); });
  });
  NativeFn slimConvTranspose = [convTransposeLayer](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "convolution2d_transpose", a,
                {"*inputs", "*num_outputs", "*kernel_size", "stride", "padding", "data_format", "activation_fn",
                 "normalizer_fn", "normalizer_params", "weights_initializer", "weights_regularizer",
                 "biases_initializer", "biases_regularizer", "reuse", "variables_collections",
                 "outputs_collections", "trainable", "scope"});
    if (!b.ok())
      return Value::error();
    int64_t filters;
    ConvArgs c;
    if (!toInt(in, *b.get("num_outputs"), filters, "num_outputs") || !c.read(in, b, 2, true, "SAME"))
      return Value::error();
    SlimLayer slimLayer(in, b, "Conv2d_transpose", "slim.conv2d_transpose", {{"kernel", "weights"}, {"bias", "biases"}});
    if (!slimLayer.ok())
      return Value::error();
    LegacyLayer &layer = slimLayer.layer;
    if (!slimNHWC(in, b, "slim.conv2d_transpose"))
      return Value::error();
    Value biasInit = b.has("biases_initializer") ? *b.get("biases_initializer") : zerosInit(in);
    bool useBias = !biasInit.isNone() && (!b.has("normalizer_fn") || b.get("normalizer_fn")->isNone());
    Value y = convTransposeLayer(layer, b, *b.get("inputs"), filters, c.kernel, c.strides, c.padding, useBias,
                                 b.getOr("weights_initializer", Value::none()), biasInit, flag(b, "trainable", true));
    y = normalize(in, b, y);
    Value act = b.has("activation_fn") ? *b.get("activation_fn") : relu(in);
    return activate(in, act, y, in.callSite());
  };
  def(slim, "conv2d_transpose", slimConvTranspose);
  def(clayers, "conv2d_transpose", slimConvTranspose);
  def(slim, "convolution2d_transpose", slimConvTranspose);
  def(clayers, "convolution2d_transpose", slimConvTranspose);
  def(mod("tf.nn"), "batch_normalization", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "batch_normalization", a, {"*x", "*mean", "*variance", "*offset", "*scale", "*variance_epsilon", "name"});
    if (!b.ok())
      return Value::error();
    double eps;
    if (!number(in, b, "variance_epsilon", 0.0, eps))
      return Value::error();
    return nnBatchNormalization(in.tf(), *b.get("x"), *b.get("mean"), *b.get("variance"), *b.get("offset"),
                                *b.get("scale"), eps, b.getOr("name", Value::none()));
  });
  // slim.layer_norm (TF 1.15 contrib): variable scope "LayerNorm", beta then
  // gamma over the dimensions from begin_params_axis, moments over those from
  // begin_norm_axis (keep_dims), tf.nn.batch_normalization with epsilon 1e-12.
  NativeFn layerNorm = [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "layer_norm", a,
                {"*inputs", "center", "scale", "activation_fn", "reuse", "variables_collections",
                 "outputs_collections", "trainable", "begin_norm_axis", "begin_params_axis", "scope"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    int64_t normAxis = 1, paramsAxis = -1;
    if ((b.has("begin_norm_axis") && !toInt(in, *b.get("begin_norm_axis"), normAxis, "begin_norm_axis")) ||
        (b.has("begin_params_axis") && !toInt(in, *b.get("begin_params_axis"), paramsAxis, "begin_params_axis")))
      return Value::error();
    SlimLayer slimLayer(in, b, "LayerNorm", "slim.layer_norm");
    if (!slimLayer.ok())
      return Value::error();
    LegacyLayer &layer = slimLayer.layer;
    auto x = tf.toTensor(*b.get("inputs"), std::nullopt, "inputs");
    if (!x)
      return Value::error();
    const Shape s = tf.graph().type(*x).shape;
    if (s.unknownRank)
      return in.error(diag::value_error, "Inputs " + tf.graph().tensorName(*x) + " has undefined rank.");
    int64_t rank = static_cast<int64_t>(s.rank());
    if (normAxis < 0)
      normAxis += rank;
    if (paramsAxis >= rank || normAxis >= rank)
      return in.error(diag::value_error, "begin_params_axis (" + std::to_string(paramsAxis) + ") and begin_norm_axis (" +
                                             std::to_string(normAxis) + ") must be < rank(inputs) (" + std::to_string(rank) + ")");
    int64_t from = paramsAxis < 0 ? paramsAxis + rank : paramsAxis;
    Shape params = Shape::of(std::vector<int64_t>(s.dims.begin() + std::max<int64_t>(from, 0), s.dims.end()));
    if (!params.isFullyDefined())
      return in.error(diag::value_error, "Inputs " + tf.graph().tensorName(*x) + ": shape(inputs)[" +
                                             std::to_string(paramsAxis) + ":] is not fully defined: " + s.str());
    DType dtype = tf.graph().type(*x).dtype;
    bool trainable = flag(b, "trainable", true);
    Value beta = flag(b, "center", true) ? layer.addWeight("beta", params, zerosInit(in), dtype, trainable) : Value::none();
    Value gamma = flag(b, "scale", true) ? layer.addWeight("gamma", params, onesInit(in), dtype, trainable) : Value::none();
    if (beta.isError() || gamma.isError())
      return Value::error();
    Value y = layer.inside(false, [&]() -> Value {
      std::vector<Value> axes;
      for (int64_t k = normAxis; k < rank; ++k)
        axes.push_back(Value::integer(k));
      CallArgs m;
      m.positional = {tf.tensor(*x), Value::list(axes)};
      m.keywords.emplace_back("keep_dims", Value::boolean(true));
      Value mv = in.call(apiFn(in, "tf.nn", "moments"), m, in.callSite());
      if (mv.isError() || !mv.isTuple() || mv.items().size() != 2)
        return Value::error();
      return nnBatchNormalization(tf, tf.tensor(*x), mv.items()[0], mv.items()[1], beta, gamma,
                                  dtype == DType::Float16 ? 1e-3 : 1e-12, Value::none());
    });
    return activate(in, b.getOr("activation_fn", Value::none()), y, in.callSite());
  };
  def(slim, "layer_norm", layerNorm);
  def(clayers, "layer_norm", layerNorm);
  // tf.layers.conv1d: keras Conv1D, kernel [k, cin, filters]; the call is
  // tf.nn.conv1d ("conv1d" inside the layer's scope) through
  // _WithSpaceToBatch; 'causal' padding pads the input first (Pad).
  def(layers, "conv1d", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "conv1d", a,
                {"*inputs", "*filters", "*kernel_size", "strides", "padding", "data_format", "dilation_rate",
                 "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                 "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint", "trainable",
                 "name", "reuse"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    int64_t filters;
    std::vector<int64_t> kernel, strides, rate;
    if (!toInt(in, *b.get("filters"), filters, "filters") || !intList(in, *b.get("kernel_size"), 1, kernel, "kernel_size") ||
        !intList(in, b.getOr("strides", Value::integer(1)), 1, strides, "strides") ||
        !intList(in, b.getOr("dilation_rate", Value::integer(1)), 1, rate, "dilation_rate"))
      return Value::error();
    Value padArg = b.getOr("padding", Value::str("valid"));
    bool causal = padArg.isStr() && (padArg.asStr() == "causal" || padArg.asStr() == "CAUSAL");
    std::string padding = "VALID";
    if (!causal && !layerPadding(in, padArg, "VALID", padding))
      return Value::error();
    if (!channelsLast(in, b, "tf.layers.conv1d"))
      return Value::error();
    if (strides[0] > 1 && rate[0] > 1)
      return in.error(diag::value_error, "strides > 1 not supported in conjunction with dilation_rate > 1");
    KerasLayer layer(in, b, "conv1d", "tf.layers.conv1d");
    const Value &x = *b.get("inputs");
    int64_t cin;
    if (!knownLastDim(in, tf, x, cin, "Conv1D"))
      return Value::error();
    if (auto t = tf.toTensor(x, std::nullopt, "inputs"); t && tf.graph().type(*t).shape.rank() != 3)
      return in.error(diag::value_error, "Input 0 of layer conv1d is incompatible with the layer: expected ndim=3, found ndim=" +
                                             std::to_string(tf.graph().type(*t).shape.rank()) + ". Full shape received: " +
                                             asList(tf.graph().type(*t).shape));
    DType dtype = tf.dtypeOf(x).value_or(DType::Float32);
    bool useBias = flag(b, "use_bias", true);
    Value w = layer.addWeight("kernel", Shape::of({kernel[0], cin, filters}), b.getOr("kernel_initializer", Value::none()),
                              dtype, flag(b, "trainable", true));
    Value biasInit = b.has("bias_initializer") ? *b.get("bias_initializer") : zerosInit(in);
    Value bias = useBias ? layer.addWeight("bias", Shape::of({filters}), biasInit, dtype, flag(b, "trainable", true)) : Value::none();
    layer.built = true;
    if (w.isError() || bias.isError())
      return Value::error();
    return layer.inside(false, [&]() -> Value {
      WithSpaceToBatch stb;
      if (!stb.init(tf, rate, padding, {kernel[0], cin, filters}, true))
        return Value::error();
      Value input = x;
      if (causal) {
        CallArgs pa;
        int64_t left = rate[0] * (kernel[0] - 1);
        pa.positional = {x, Value::list({Value::list({Value::integer(0), Value::integer(0)}),
                                         Value::list({Value::integer(left), Value::integer(0)}),
                                         Value::list({Value::integer(0), Value::integer(0)})})};
        input = in.call(apiFn(in, "tf", "pad"), pa, in.callSite());
        if (input.isError())
          return input;
      }
      Value y = stb.call(tf, input, [&](const Value &xc, const std::string &p) {
        CallArgs c;
        c.positional = {xc, w, Value::integer(strides[0]), Value::str(p)};
        return in.call(apiFn(in, "tf.nn", "conv1d"), c, in.callSite());
      });
      if (useBias && !y.isError())
        y = biasAddOp(tf, y, bias, Value::none());
      return activate(in, b.getOr("activation", Value::none()), y, in.callSite());
    });
  });
  // Separable convolutions. keras SeparableConv2D (tf.layers, and slim with
  // num_outputs): depthwise_kernel [kh, kw, cin, multiplier], pointwise_kernel
  // [1, 1, cin * multiplier, filters], bias; call = tf.nn.separable_conv2d and
  // BiasAdd. slim with num_outputs=None: depthwise_weights and
  // tf.nn.depthwise_conv2d only.
  auto separableLayer = [](LegacyLayer &layer, const Value &x, const Value &filters, const std::vector<int64_t> &kernel,
                           const std::vector<int64_t> &strides, const std::vector<int64_t> &rate, const std::string &padding,
                           int64_t multiplier, bool useBias, const Value &dinit, const Value &pinit, const Value &binit,
                           bool trainable) -> Value {
    Interpreter &in = layer.in;
    TFState &tf = in.tf();
    int64_t cin;
    if (!knownLastDim(in, tf, x, cin, "SeparableConv2D"))
      return Value::error();
    DType dtype = tf.dtypeOf(x).value_or(DType::Float32);
    Value dk = layer.addWeight("depthwise_kernel", Shape::of({kernel[0], kernel[1], cin, multiplier}), dinit, dtype, trainable);
    int64_t nf = 0;
    if (!filters.isNone() && !toInt(in, filters, nf, "num_outputs"))
      return Value::error();
    Value pk = filters.isNone() ? Value::none()
                                : layer.addWeight("pointwise_kernel", Shape::of({1, 1, cin * multiplier, nf}), pinit, dtype, trainable);
    if (dk.isError() || pk.isError())
      return Value::error();
    Value bias = useBias ? layer.addWeight("bias", Shape::of({filters.isNone() ? cin * multiplier : nf}), binit, dtype, trainable)
                         : Value::none();
    layer.built = true;
    if (bias.isError())
      return bias;
    std::vector<Value> st{Value::integer(1), Value::integer(strides[0]), Value::integer(strides[1]), Value::integer(1)};
    return layer.inside(false, [&]() -> Value {
      CallArgs c;
      c.positional = filters.isNone() ? std::vector<Value>{x, dk, Value::list(st), Value::str(padding)}
                                      : std::vector<Value>{x, dk, pk, Value::list(st), Value::str(padding)};
      c.keywords.emplace_back("rate", Value::list({Value::integer(rate[0]), Value::integer(rate[1])}));
      Value y = in.call(apiFn(in, "tf.nn", filters.isNone() ? "depthwise_conv2d" : "separable_conv2d"), c, in.callSite());
      if (useBias && !y.isError())
        y = biasAddOp(tf, y, bias, Value::none());
      return y;
    });
  };
  def(layers, "separable_conv2d", [separableLayer](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "separable_conv2d", a,
                {"*inputs", "*filters", "*kernel_size", "strides", "padding", "data_format", "dilation_rate",
                 "depth_multiplier", "activation", "use_bias", "depthwise_initializer", "pointwise_initializer",
                 "bias_initializer", "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
                 "activity_regularizer", "depthwise_constraint", "pointwise_constraint", "bias_constraint",
                 "trainable", "name", "reuse"});
    if (!b.ok())
      return Value::error();
    ConvArgs c;
    if (!c.read(in, b, 2, false, "VALID") || !channelsLast(in, b, "tf.layers.separable_conv2d"))
      return Value::error();
    KerasLayer layer(in, b, "separable_conv2d", "tf.layers.separable_conv2d");
    Value biasInit = b.has("bias_initializer") ? *b.get("bias_initializer") : zerosInit(in);
    Value y = separableLayer(layer, *b.get("inputs"), *b.get("filters"), c.kernel, c.strides, c.rate, c.padding, c.multiplier,
                             flag(b, "use_bias", true), b.getOr("depthwise_initializer", Value::none()),
                             b.getOr("pointwise_initializer", Value::none()), biasInit, flag(b, "trainable", true));
    return y.isError() ? y : layer.inside(false, [&]() { return activate(in, b.getOr("activation", Value::none()), y, in.callSite()); });
  });
  NativeFn slimSeparable = [separableLayer](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "separable_convolution2d", a,
                {"*inputs", "*num_outputs", "*kernel_size", "depth_multiplier", "stride", "padding", "data_format", "rate",
                 "activation_fn", "normalizer_fn", "normalizer_params", "weights_initializer", "pointwise_initializer",
                 "weights_regularizer", "biases_initializer", "biases_regularizer", "reuse", "variables_collections",
                 "outputs_collections", "trainable", "scope"});
    if (!b.ok())
      return Value::error();
    ConvArgs c;
    if (!c.read(in, b, 2, true, "SAME") || !slimNHWC(in, b, "slim.separable_conv2d"))
      return Value::error();
    SlimLayer slimLayer(in, b, "SeparableConv2d", "slim.separable_conv2d", {{"depthwise_kernel", "depthwise_weights"}, {"pointwise_kernel", "pointwise_weights"}, {"bias", "biases"}});
    if (!slimLayer.ok())
      return Value::error();
    LegacyLayer &layer = slimLayer.layer;
    Value winit = b.getOr("weights_initializer", Value::none());
    Value pinit = b.has("pointwise_initializer") && !b.get("pointwise_initializer")->isNone() ? *b.get("pointwise_initializer") : winit;
    Value biasInit = b.has("biases_initializer") ? *b.get("biases_initializer") : zerosInit(in);
    bool useBias = !biasInit.isNone() && (!b.has("normalizer_fn") || b.get("normalizer_fn")->isNone());
    Value y = separableLayer(layer, *b.get("inputs"), *b.get("num_outputs"), c.kernel, c.strides, c.rate, c.padding, c.multiplier, useBias,
                             winit, pinit, biasInit, flag(b, "trainable", true));
    y = normalize(in, b, y);
    Value act = b.has("activation_fn") ? *b.get("activation_fn") : relu(in);
    return activate(in, act, y, in.callSite());
  };
  def(slim, "separable_conv2d", slimSeparable);
  def(slim, "separable_convolution2d", slimSeparable);
  def(clayers, "separable_conv2d", slimSeparable);
  def(clayers, "separable_convolution2d", slimSeparable);
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
  // Pooling layers. The 1-D ones are keras' Pooling1D: ExpandDims at axis 2,
  // the 2-D pool over (pool_size, 1), Squeeze.
  for (auto [fname, op, dims] : std::vector<std::tuple<std::string, std::string, size_t>>{
           {"max_pooling2d", "MaxPool", 2}, {"average_pooling2d", "AvgPool", 2},
           {"max_pooling1d", "MaxPool", 1}, {"average_pooling1d", "AvgPool", 1}}) {
    std::string f = fname, o = op;
    size_t d = dims;
    def(layers, f, [f, o, d, weightless](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, f, a, {"*inputs", "*pool_size", "*strides", "padding", "data_format", "name"});
      if (!b.ok())
        return Value::error();
      std::vector<int64_t> pool, strides;
      std::string padding;
      if (!intList(in, *b.get("pool_size"), d, pool, "pool_size") || !intList(in, *b.get("strides"), d, strides, "strides") ||
          !layerPadding(in, b.getOr("padding", Value::none()), "VALID", padding) ||
          !channelsLast(in, b, ("tf.layers." + f).c_str()))
        return Value::error();
      auto run = weightless(f, [&](Interpreter &in, const Value &x) -> Value {
        TFState &tf = in.tf();
        if (d == 2)
          return poolOp(tf, o, x, {1, pool[0], pool[1], 1}, {1, strides[0], strides[1], 1}, padding, Value::none());
        CallArgs e;
        e.positional = {x, Value::integer(2)};
        Value x4 = in.call(apiFn(in, "tf", "expand_dims"), e, in.callSite());
        Value y = x4.isError() ? x4 : poolOp(tf, o, x4, {1, pool[0], 1, 1}, {1, strides[0], 1, 1}, padding, Value::none());
        if (y.isError())
          return y;
        CallArgs q;
        q.positional = {y, Value::integer(2)};
        return in.call(apiFn(in, "tf", "squeeze"), q, in.callSite());
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
    double rate;
    if (!number(in, b, "rate", 0.5, rate))
      return Value::error();
    Value training = b.getOr("training", Value::boolean(false));
    return weightless("dropout", [rate, training](Interpreter &in, const Value &x) -> Value {
      return dropoutCall(in, x, training, rate, "tf.layers.dropout");
    })(in, *b.get("inputs"), b.getOr("name", Value::none()));
  });
  // Batch normalisation, inference form (the moving statistics).
  def(layers, "batch_normalization", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "batch_normalization", a,
                {"*inputs", "axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
                 "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
                 "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "training",
                 "trainable", "name", "reuse", "renorm", "renorm_clipping", "renorm_momentum", "fused",
                 "virtual_batch_size", "adjustment"});
    if (!b.ok())
      return Value::error();
    double momentum, epsilon;
    if (!number(in, b, "momentum", 0.99, momentum) || !number(in, b, "epsilon", 1e-3, epsilon))
      return Value::error();
    Value training = b.getOr("training", Value::boolean(false));
    if (!training.isBool() || training.asBool())
      return in.error(diag::unsupported_api, "tf.layers.batch_normalization with training=" + in.repr(training) +
                                                 " (batch statistics, moving-average updates) is not supported by "
                                                 "scopec: the compiled forward pass is inference (training=False)");
    int64_t axis = -1;
    if (b.has("axis") && !toInt(in, *b.get("axis"), axis, "axis"))
      return Value::error();
    if (flag(b, "renorm", false) || (b.has("virtual_batch_size") && !b.get("virtual_batch_size")->isNone()))
      return in.error(diag::unsupported_api, "tf.layers.batch_normalization with renorm or virtual_batch_size is not supported by scopec");
    KerasLayer layer(in, b, "batch_normalization", "tf.layers.batch_normalization");
    const Value &x = *b.get("inputs");
    if (auto t = in.tf().toTensor(x, std::nullopt, "inputs")) {
      const Shape &s = in.tf().graph().type(*t).shape;
      if (!s.unknownRank && axis != -1 && axis != static_cast<int64_t>(s.rank()) - 1)
        return in.error(diag::unsupported_api, "tf.layers.batch_normalization over axis " + std::to_string(axis) +
                                                   " (channels first) is not supported by scopec yet");
    }
    return batchNormLayer(layer, x, epsilon, momentum, flag(b, "center", true), flag(b, "scale", true),
                          b.getOr("beta_initializer", Value::none()), b.getOr("gamma_initializer", Value::none()),
                          b.getOr("moving_mean_initializer", Value::none()),
                          b.getOr("moving_variance_initializer", Value::none()), flag(b, "trainable", true),
                          "tf.layers.batch_normalization");
  });
  NativeFn slimBatchNorm = [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "batch_norm", a,
                {"*inputs", "decay", "center", "scale", "epsilon", "activation_fn", "param_initializers",
                 "param_regularizers", "updates_collections", "is_training", "reuse", "variables_collections",
                 "outputs_collections", "trainable", "batch_weights", "fused", "data_format",
                 "zero_debias_moving_mean", "scope", "renorm", "renorm_clipping", "renorm_decay", "adjustment"});
    if (!b.ok())
      return Value::error();
    double decay, epsilon;
    if (!number(in, b, "decay", 0.999, decay) || !number(in, b, "epsilon", 1e-3, epsilon))
      return Value::error();
    Value training = b.getOr("is_training", Value::boolean(true));
    if (!training.isBool() || training.asBool())
      return in.error(diag::unsupported_api, "slim.batch_norm with is_training=" + in.repr(training) +
                                                 " (batch statistics, moving-average updates) is not supported by "
                                                 "scopec: pass is_training=False for the inference graph");
    if (const Value *df = b.get("data_format"); df && df->isStr() && df->asStr() != "NHWC")
      return in.error(diag::unsupported_api, "slim.batch_norm with data_format='" + df->asStr() + "' is not supported by scopec yet");
    Value inits = b.getOr("param_initializers", Value::none());
    auto init = [&](const char *key) -> Value {
      if (auto *d = inits.as<DictObj>())
        if (Value *v = d->find(Value::str(key)))
          return *v;
      return Value::none();
    };
    SlimLayer slimLayer(in, b, "BatchNorm", "slim.batch_norm");
    if (!slimLayer.ok())
      return Value::error();
    LegacyLayer &layer = slimLayer.layer;
    Value y = batchNormLayer(layer, *b.get("inputs"), epsilon, decay, flag(b, "center", true), flag(b, "scale", false),
                             init("beta"), init("gamma"), init("moving_mean"), init("moving_variance"),
                             flag(b, "trainable", true), "slim.batch_norm");
    return activate(in, b.getOr("activation_fn", Value::none()), y, in.callSite());
  };
  def(slim, "batch_norm", slimBatchNorm);
  def(clayers, "batch_norm", slimBatchNorm);
  // slim.dropout: a Dropout layer in variable_scope(scope, 'Dropout');
  // is_training=False is its Identity, True tf.nn.dropout (the identity at
  // inference, language.md section 3).
  def(slim, "dropout", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "dropout", a, {"*inputs", "keep_prob", "noise_shape", "is_training",
                                   "outputs_collections", "scope", "seed"});
    if (!b.ok())
      return Value::error();
    Value training = b.getOr("is_training", Value::boolean(true));
    double keep;
    if (!number(in, b, "keep_prob", 0.5, keep))
      return Value::error();
    SlimLayer slimLayer(in, b, "Dropout", "", {}, /*withReuse=*/false);
    if (!slimLayer.ok())
      return Value::error();
    LegacyLayer &layer = slimLayer.layer;
    const Value x = *b.get("inputs");
    return layer.inside(false, [&]() { return dropoutCall(in, x, training, 1.0 - keep, "slim.dropout"); });
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
      std::string padding;
      if (!layerPadding(in, b.getOr("padding", Value::none()), "VALID", padding))
        return Value::error();
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
