//===- TFOps.cpp - The op functions of language.md section 3 --------------===//
//
// Each function names its node as TF 1.15 does (the op type, or the
// composite op's scope), converts its inputs, and builds the node through
// the op registry (TFState::createOp), whose shape function reports TF's
// shape errors.
//
//===----------------------------------------------------------------------===//
#include "TF.h"

#include "scopec/Graph/ShapeInference.h"

#include <algorithm>
#include <cmath>

namespace scopec::eval {

using graph::DType;
using graph::Shape;
using graph::TensorData;
using graph::TensorRef;
using graph::TensorType;

TensorData int32Vector(const std::vector<int64_t> &v, std::optional<Shape> shape) {
  TensorData d;
  d.dtype = DType::Int32;
  d.shape = shape ? *shape : Shape::of({static_cast<int64_t>(v.size())});
  d.i = v;
  return d;
}

TensorData scalarData(DType t, double v) {
  TensorData d;
  d.dtype = t;
  d.shape = Shape::scalar();
  if (graph::isFloating(t))
    d.f = {graph::roundToDType(v, t)};
  else
    d.i = {static_cast<int64_t>(v)};
  return d;
}

namespace {

TensorData int32Scalar(int64_t v) {
  TensorData d;
  d.dtype = DType::Int32;
  d.shape = Shape::scalar();
  d.i = {v};
  return d;
}

/// `with name_scope(name or default)`: the op's scope; converts inputs in
/// it, then names the op after the scope.
struct OpScope : ScopedName {
  std::string name; ///< the op name: scope without '/'
  OpScope(TFState &tf, const Value &requested, const std::string &dflt) : ScopedName(tf, requested, dflt) {
    if (ok)
      name = scope.substr(0, scope.size() - 1);
  }
};

/// An op's scope with its first input converted inside it.
struct ScopedOp : OpScope {
  std::optional<TensorRef> x;
  ScopedOp(TFState &tf, const Value &requested, const std::string &dflt, const Value &input,
           const char *inputName)
      : OpScope(tf, requested, dflt) {
    if (ok)
      x = tf.toTensor(input, std::nullopt, inputName);
  }
  bool valid() const { return ok && x.has_value(); }
};

Value finish(TFState &tf, graph::Node *n) { return n ? tf.makeTensor(*n) : Value::error(); }

/// The outputs of a node with several (Split, Unpack) as a list of tensors.
Value outputList(TFState &tf, graph::Node *n) {
  if (!n)
    return Value::error();
  std::vector<Value> outs;
  for (unsigned i = 0; i < n->outputs.size(); ++i)
    outs.push_back(tf.makeTensor(*n, i));
  return Value::list(std::move(outs));
}

bool readAxis(Interpreter &in, const ArgBinder &b, const std::string &name, int64_t dflt, int64_t &out) {
  out = dflt;
  const Value *v = b.get(name);
  return !v || v->isNone() || toInt(in, *v, out, name);
}

bool readDType(TFState &tf, const Value *v, DType &out) { return !v || v->isNone() || tf.toDType(*v, out); }

/// Converts a list of values (tf.concat, tf.stack) to tensors of the first
/// one's dtype, named "values" in the current scope.
bool convertAll(TFState &tf, const std::vector<Value> &items, std::vector<TensorRef> &out) {
  for (const Value &v : items) {
    auto t = tf.toTensor(v, out.empty() ? std::nullopt : std::optional<DType>(tf.graph().type(out[0]).dtype), "values");
    if (!t)
      return false;
    out.push_back(*t);
  }
  return true;
}

} // namespace

bool intList(Interpreter &in, const Value &v, size_t want, std::vector<int64_t> &out,
             const std::string &what) {
  std::vector<Value> items;
  if (v.isInt() || v.as<DimensionObj>())
    items.assign(want, v);
  else if (v.isSequence())
    items = v.items();
  else {
    in.error(diag::invalid_argument, what + " must be an int or a list of ints");
    return false;
  }
  for (const Value &x : items) {
    int64_t i;
    if (!toInt(in, x, i, what))
      return false;
    out.push_back(i);
  }
  if (out.size() != want) {
    in.error(diag::invalid_argument, what + " must have " + std::to_string(want) +
                                         " elements, not " + std::to_string(out.size()));
    return false;
  }
  return true;
}

/// Two operands of one op: the second converted to the first's dtype.
static bool operandPair(TFState &tf, const Value &a, const char *aName, const Value &b,
                        const char *bName, TensorRef &x, TensorRef &y) {
  auto first = tf.toTensor(a, std::nullopt, aName);
  auto second = first ? tf.toTensor(b, tf.graph().type(*first).dtype, bName) : std::nullopt;
  if (!first || !second)
    return false;
  x = *first;
  y = *second;
  return true;
}

Value matmulOp(TFState &tf, const Value &a, const Value &b, bool transposeA, bool transposeB,
               const Value &name) {
  OpScope s(tf, name, "MatMul");
  if (!s.ok)
    return Value::error();
  TensorRef x, y;
  if (!operandPair(tf, a, "a", b, "b", x, y))
    return Value::error();
  return finish(tf, tf.createOp(s.name, "MatMul", {x, y},
                                {{"transpose_a", transposeA}, {"transpose_b", transposeB}}));
}

Value biasAddOp(TFState &tf, const Value &value, const Value &bias, const Value &name) {
  OpScope s(tf, name, "BiasAdd");
  if (!s.ok)
    return Value::error();
  TensorRef x, b;
  if (!operandPair(tf, value, "value", bias, "bias", x, b))
    return Value::error();
  return finish(tf, tf.createOp(s.name, "BiasAdd", {x, b}));
}

Value conv2dOp(TFState &tf, const Value &input, const Value &filter, std::vector<int64_t> strides,
               const std::string &padding, std::vector<int64_t> dilations, const Value &name) {
  OpScope s(tf, name, "Conv2D");
  if (!s.ok)
    return Value::error();
  TensorRef x, w;
  if (!operandPair(tf, input, "input", filter, "filter", x, w))
    return Value::error();
  return finish(tf, tf.createOp(s.name, "Conv2D", {x, w},
                                {{"strides", strides}, {"padding", padding}, {"dilations", dilations}}));
}

bool WithSpaceToBatch::init(TFState &tf, std::vector<int64_t> r, const std::string &pad,
                            const std::vector<int64_t> &filter, bool filterConst) {
  rate = std::move(r);
  padding = pad;
  tf.constant("dilation_rate", int32Vector(rate));
  for (int64_t v : rate)
    if (v < 1) {
      tf.interp().error(diag::value_error, "dilation_rate must be positive");
      return false;
    }
  direct = rate == std::vector<int64_t>(rate.size(), 1);
  if (direct)
    return true;
  base.assign(2 * rate.size(), 0);
  if (padding == "SAME") {
    if (filterConst)
      tf.constant("filter_shape", int32Vector(filter));
    for (size_t k = 0; k < rate.size(); ++k) {
      int64_t dilated = filter[k] + (filter[k] - 1) * (rate[k] - 1), extra = dilated - 1;
      base[2 * k] = extra / 2;
      base[2 * k + 1] = extra - extra / 2;
    }
    tf.constant("stack", int32Vector(base, Shape::of({static_cast<int64_t>(rate.size()), 2})));
  }
  return true;
}

Value WithSpaceToBatch::call(TFState &tf, const Value &x, const std::function<Value(const Value &, const std::string &)> &op) {
  if (direct)
    return op(x, padding);
  Interpreter &in = tf.interp();
  auto t = tf.toTensor(x, std::nullopt, "input");
  if (!t)
    return Value::error();
  const Shape &xs = tf.graph().type(*t).shape;
  size_t m = rate.size();
  if (xs.unknownRank || xs.rank() < m + 1)
    return in.error(diag::unsupported_api, "a dilated convolution on an input of shape " + xs.str() + " is not supported by scopec");
  std::vector<int64_t> spatial(xs.dims.begin() + 1, xs.dims.begin() + 1 + static_cast<std::ptrdiff_t>(m));
  for (int64_t d : spatial)
    if (d < 0)
      return in.error(diag::unsupported_api, "a dilated convolution needs the input's spatial dimensions known when the "
                                             "graph is built in scopec, got " + xs.str());
  auto mat = [&](const std::vector<int64_t> &v) { return int32Vector(v, Shape::of({static_cast<int64_t>(m), 2})); };
  // array_ops.required_space_to_batch_paddings, folded to Consts as TF does
  // for static shapes.
  std::vector<int64_t> paddings(2 * m), crops(2 * m);
  TensorRef padT, cropT;
  {
    TFState::SavedStack saved;
    bool ok;
    tf.enterNameScope(std::string("required_space_to_batch_paddings"), saved, ok);
    if (!ok)
      return Value::error();
    tf.constant("input_shape", int32Vector(spatial));
    if (padding != "SAME")
      tf.constant("base_paddings", mat(base));
    for (size_t k = 0; k < m; ++k) {
      int64_t full = spatial[k] + base[2 * k] + base[2 * k + 1];
      int64_t extra = (rate[k] - full % rate[k]) % rate[k];
      paddings[2 * k] = base[2 * k];
      paddings[2 * k + 1] = base[2 * k + 1] + extra;
      crops[2 * k] = 0;
      crops[2 * k + 1] = extra;
    }
    padT = tf.constant("paddings", mat(paddings));
    cropT = tf.constant("crops", mat(crops));
    tf.exitNameScope(saved);
  }
  auto blockOp = [&](const char *type, TensorRef input, TensorRef third) -> graph::Node * {
    TFState::SavedStack saved;
    bool ok;
    std::string scope = tf.enterNameScope(std::string(type), saved, ok);
    if (!ok)
      return nullptr;
    TensorRef block = tf.constant("block_shape", int32Vector(rate));
    graph::Node *n = tf.createOp(scope.substr(0, scope.size() - 1), type, {input, block, third});
    tf.exitNameScope(saved);
    return n;
  };
  graph::Node *s2b = blockOp("SpaceToBatchND", *t, padT);
  if (!s2b)
    return Value::error();
  Value y = op(tf.makeTensor(*s2b), "VALID");
  auto yt = y.isError() ? std::nullopt : tf.toTensor(y, std::nullopt, "input");
  if (!yt)
    return Value::error();
  graph::Node *b2s = blockOp("BatchToSpaceND", *yt, cropT);
  return b2s ? tf.makeTensor(*b2s) : Value::error();
}

Value poolOp(TFState &tf, const std::string &op, const Value &input, std::vector<int64_t> ksize,
             std::vector<int64_t> strides, const std::string &padding, const Value &name) {
  ScopedOp s(tf, name, op, input, "input");
  if (!s.valid())
    return Value::error();
  auto &x = s.x;
  return finish(tf, tf.createOp(s.name, op, {*x},
                                {{"ksize", ksize}, {"strides", strides}, {"padding", padding}}));
}

Value reshapeOp(TFState &tf, const Value &xv, const std::vector<int64_t> &shape, const Value &name) {
  ScopedOp s(tf, name, "Reshape", xv, "tensor");
  if (!s.valid())
    return Value::error();
  auto &x = s.x;
  TensorRef shapeT = tf.constant("shape", int32Vector(shape));
  return finish(tf, tf.createOp(s.name, "Reshape", {*x, shapeT}));
}

void installOps(TFState &tf) {
  Interpreter &in = tf.interp();
  auto mod = [&](const std::string &k) { return tf.modules().at(k).as<ModuleObj>(); };
  auto def = [&](ModuleObj *m, const std::string &name, NativeFn fn) {
    std::string full = (m->name == "tensorflow" ? std::string("tf") : m->name) + "." + name;
    m->attrs[name] = in.makeBuiltin(full, std::move(fn));
  };
  ModuleObj *tfm = mod("tf"), *nn = mod("tf.nn");

  def(tfm, "matmul", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "matmul", a, {"*a", "*b", "transpose_a", "transpose_b", "adjoint_a",
                                  "adjoint_b", "a_is_sparse", "b_is_sparse", "name"});
    if (!b.ok())
      return Value::error();
    auto flag = [&](const char *n) { return b.has(n) && b.get(n)->isBool() && b.get(n)->asBool(); };
    return matmulOp(in.tf(), *b.get("a"), *b.get("b"), flag("transpose_a"), flag("transpose_b"),
                    b.getOr("name", Value::none()));
  });
  def(nn, "bias_add", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "bias_add", a, {"*value", "*bias", "data_format", "name"});
    if (!b.ok())
      return Value::error();
    return biasAddOp(in.tf(), *b.get("value"), *b.get("bias"), b.getOr("name", Value::none()));
  });
  def(nn, "conv2d", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "conv2d", a, {"*input", "*filter", "*strides", "*padding", "use_cudnn_on_gpu",
                                  "data_format", "dilations", "name", "filters"});
    if (!b.ok())
      return Value::error();
    std::vector<int64_t> strides, dilations;
    if (!intList(in, *b.get("strides"), 4, strides, "strides"))
      return Value::error();
    if (!intList(in, b.getOr("dilations", Value::integer(1)), 4, dilations, "dilations"))
      return Value::error();
    const Value &pad = *b.get("padding");
    if (!pad.isStr())
      return in.error(diag::invalid_argument, "padding must be 'SAME' or 'VALID'");
    if (const Value *f = b.get("data_format"); f && f->isStr() && f->asStr() != "NHWC")
      return in.error(diag::unsupported_api, "tf.nn.conv2d with data_format='" + f->asStr() +
                                                 "' is not supported by scopec (NHWC only)");
    return conv2dOp(in.tf(), *b.get("input"), *b.get("filter"), strides, pad.asStr(), dilations,
                    b.getOr("name", Value::none()));
  });
  // tf.nn.conv1d (TF 1.15): in scope "conv1d", ExpandDims(value, 1) and
  // ExpandDims(filters, 0), a Conv2D named after the scope, Squeeze([1]).
  def(nn, "conv1d", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "conv1d", a, {"value", "filters", "stride", "padding", "use_cudnn_on_gpu", "data_format", "name",
                                  "input", "dilations"});
    if (!b.ok())
      return Value::error();
    const Value *value = b.has("value") ? b.get("value") : b.get("input");
    const Value *filters = b.get("filters");
    if (!value || !filters || !b.has("stride") || !b.has("padding"))
      return in.error(diag::type_error, "conv1d() needs value (input), filters, stride and padding");
    if (const Value *f = b.get("data_format"); f && !f->isNone() && (!f->isStr() || (f->asStr() != "NWC" && f->asStr() != "NHWC")))
      return in.error(diag::unsupported_api, "tf.nn.conv1d with data_format=" + in.repr(*f) + " is not supported by scopec (NWC only)");
    // _get_sequence(v, 1, channel_index=2): an int, [s] or [1, s, 1].
    auto sequence = [&](const Value &v, const char *what, int64_t &out) {
      std::vector<int64_t> l;
      if (v.isInt() || v.as<DimensionObj>())
        return toInt(in, v, out, what);
      if (!intList(in, v, v.isSequence() ? v.items().size() : 1, l, what))
        return false;
      if (l.size() == 1 || (l.size() == 3 && l[0] == 1 && l[2] == 1)) {
        out = l.size() == 1 ? l[0] : l[1];
        return true;
      }
      in.error(diag::value_error, std::string(what) + " should be of length 1, 1 or 3 but was " + std::to_string(l.size()));
      return false;
    };
    int64_t stride, dilation = 1;
    if (!sequence(*b.get("stride"), "stride", stride) ||
        (b.has("dilations") && !b.get("dilations")->isNone() && !sequence(*b.get("dilations"), "dilations", dilation)))
      return Value::error();
    const Value &pad = *b.get("padding");
    if (!pad.isStr())
      return in.error(diag::invalid_argument, "padding must be 'SAME' or 'VALID'");
    TFState &tf = in.tf();
    OpScope s(tf, b.getOr("name", Value::none()), "conv1d");
    if (!s.ok)
      return Value::error();
    Value expand = tf.modules().at("tf").as<ModuleObj>()->attrs.at("expand_dims");
    CallArgs ex1, ex2;
    ex1.positional = {*value, Value::integer(1)};
    Value x = in.call(expand, ex1, in.callSite());
    ex2.positional = {*filters, Value::integer(0)};
    Value w = x.isError() ? x : in.call(expand, ex2, in.callSite());
    if (w.isError())
      return w;
    Value y = conv2dOp(tf, x, w, {1, 1, stride, 1}, pad.asStr(), {1, 1, dilation, 1}, Value::str(s.name + "/"));
    if (y.isError())
      return y;
    CallArgs sq;
    sq.positional = {y, Value::list({Value::integer(1)})};
    return in.call(tf.modules().at("tf").as<ModuleObj>()->attrs.at("squeeze"), sq, in.callSite());
  });
  // tf.nn.conv2d_transpose: the v1 name scope "conv2d_transpose", re-entered by
  // the v2 function; Conv2DBackpropInput named after it, its input_sizes a
  // Const inside. tf.nn.deconv2d is the pre-1.0 name DCGAN code falls back to.
  NativeFn convTranspose = [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "conv2d_transpose", a, {"value", "filter", "*output_shape", "*strides", "padding", "data_format",
                                            "name", "input", "filters", "dilations"});
    if (!b.ok())
      return Value::error();
    const Value *value = b.has("value") ? b.get("value") : b.get("input");
    const Value *filter = b.has("filter") ? b.get("filter") : b.get("filters");
    if (!value || !filter)
      return in.error(diag::type_error, "conv2d_transpose() needs value (input) and filter (filters)");
    std::vector<int64_t> strides, dilations;
    if (!intList(in, *b.get("strides"), 4, strides, "strides") ||
        !intList(in, b.getOr("dilations", Value::integer(1)), 4, dilations, "dilations"))
      return Value::error();
    if (dilations != std::vector<int64_t>{1, 1, 1, 1})
      return in.error(diag::unsupported_api, "tf.nn.conv2d_transpose with dilations is not supported by scopec yet");
    Value pad = b.getOr("padding", Value::str("SAME"));
    if (!pad.isStr())
      return in.error(diag::invalid_argument, "padding must be 'SAME' or 'VALID'");
    if (const Value *f = b.get("data_format"); f && f->isStr() && f->asStr() != "NHWC")
      return in.error(diag::unsupported_api, "tf.nn.conv2d_transpose with data_format='" + f->asStr() +
                                                 "' is not supported by scopec (NHWC only)");
    TFState &tf = in.tf();
    OpScope outer(tf, b.getOr("name", Value::none()), "conv2d_transpose");
    if (!outer.ok)
      return Value::error();
    OpScope s(tf, Value::str(outer.name + "/"), "");
    auto sizes = tf.toTensor(*b.get("output_shape"), DType::Int32, "input_sizes");
    auto w = sizes ? tf.toTensor(*filter, std::nullopt, "filter") : std::nullopt;
    auto x = w ? tf.toTensor(*value, std::nullopt, "out_backprop") : std::nullopt;
    if (!x)
      return Value::error();
    return finish(tf, tf.createOp(s.name, "Conv2DBackpropInput", {*sizes, *w, *x},
                                  {{"strides", strides}, {"padding", pad.asStr()}, {"dilations", dilations}}));
  };
  def(nn, "conv2d_transpose", convTranspose);
  // tf.nn.depthwise_conv2d / separable_conv2d (rate 1): TF 1.15's with_space_to_batch
  // measures the filter (a Shape op), then DepthwiseConv2dNative ("depthwise");
  // separable_conv2d adds the 1x1 pointwise Conv2D named after its scope.
  auto depthwiseFn = [](bool separable) {
    return [separable](Interpreter &in, CallArgs &a) -> Value {
      std::vector<std::string> params = separable
          ? std::vector<std::string>{"*input", "*depthwise_filter", "*pointwise_filter", "*strides", "*padding", "rate",
                                     "name", "data_format", "dilations"}
          : std::vector<std::string>{"*input", "*filter", "*strides", "*padding", "rate", "name", "data_format", "dilations"};
      ArgBinder b(in, separable ? "separable_conv2d" : "depthwise_conv2d", a, params);
      if (!b.ok())
        return Value::error();
      std::vector<int64_t> strides, rate;
      if (!intList(in, *b.get("strides"), 4, strides, "strides") ||
          !intList(in, b.getOr("rate", Value::integer(1)), 2, rate, "rate"))
        return Value::error();
      if (b.has("dilations") && !b.get("dilations")->isNone()) { // deprecated_argument_lookup("dilations", ..., "rate", ...)
        if (b.has("rate") && !b.get("rate")->isNone())
          return in.error(diag::value_error, "Cannot specify both 'dilations' and 'rate'.");
        if (!intList(in, *b.get("dilations"), 2, rate, "dilations"))
          return Value::error();
      }
      const Value &pad = *b.get("padding");
      if (!pad.isStr() || (pad.asStr() != "SAME" && pad.asStr() != "VALID"))
        return in.error(diag::invalid_argument, "padding must be 'SAME' or 'VALID'");
      if (const Value *f = b.get("data_format"); f && f->isStr() && f->asStr() != "NHWC")
        return in.error(diag::unsupported_api, "depthwise convolutions with data_format='" + f->asStr() + "' are not supported by scopec (NHWC only)");
      TFState &tf = in.tf();
      OpScope s(tf, b.getOr("name", Value::none()), separable ? "separable_conv2d" : "depthwise");
      if (!s.ok)
        return Value::error();
      auto x = tf.toTensor(*b.get("input"), std::nullopt, "tensor_in");
      auto w = x ? tf.toTensor(*b.get(separable ? "depthwise_filter" : "filter"), std::nullopt,
                               separable ? "depthwise_filter" : "filter_in")
                 : std::nullopt;
      auto pw = w && separable ? tf.toTensor(*b.get("pointwise_filter"), std::nullopt, "pointwise_filter") : std::nullopt;
      if (!w || (separable && !pw))
        return Value::error();
      if (separable) {
        const Shape &ps = tf.graph().type(*pw).shape;
        if (!ps.unknownRank && ps.rank() != 4)
          return in.error(diag::value_error, "Shape " + ps.str() + " must have rank 4");
        for (size_t k = 0; !ps.unknownRank && k < 2; ++k)
          if (ps.dims[k] >= 0 && ps.dims[k] != 1)
            return in.error(diag::value_error, "Dimensions " + std::to_string(ps.dims[k]) + " and 1 are not compatible");
      }
      if (!tf.createOp(tf.uniqueName("Shape"), "Shape", {*w}, {{"out_type", DType::Int32}}))
        return Value::error();
      const Shape &ws = tf.graph().type(*w).shape;
      if (rate != std::vector<int64_t>{1, 1} && (strides[1] > 1 || strides[2] > 1))
        return in.error(diag::value_error, "strides > 1 not supported in conjunction with dilation_rate > 1");
      if (rate != std::vector<int64_t>{1, 1} && (ws.unknownRank || ws.dims[0] < 0 || ws.dims[1] < 0))
        return in.error(diag::unsupported_api, "a dilated depthwise convolution needs a filter of known size in scopec");
      WithSpaceToBatch stb;
      if (!stb.init(tf, rate, pad.asStr(), ws.unknownRank ? std::vector<int64_t>{} : ws.dims, false))
        return Value::error();
      Value dwv = stb.call(tf, tf.tensor(*x), [&](const Value &xc, const std::string &p) -> Value {
        auto xt = tf.toTensor(xc, std::nullopt, "input");
        std::map<std::string, graph::AttrValue> attrs{{"strides", strides}, {"padding", p},
                                                       {"dilations", std::vector<int64_t>{1, 1, 1, 1}}};
        graph::Node *dw = xt ? tf.createOp(separable ? tf.uniqueName("depthwise") : s.name, "DepthwiseConv2dNative", {*xt, *w}, attrs)
                             : nullptr;
        return dw ? tf.makeTensor(*dw) : Value::error();
      });
      if (dwv.isError() || !separable)
        return dwv;
      return conv2dOp(tf, dwv, tf.tensor(*pw), {1, 1, 1, 1}, "VALID", {1, 1, 1, 1}, Value::str(s.name + "/"));
    };
  };
  def(nn, "depthwise_conv2d", depthwiseFn(false));
  def(nn, "separable_conv2d", depthwiseFn(true));
  def(nn, "deconv2d", convTranspose);
  for (auto [fname, op] : std::vector<std::pair<std::string, std::string>>{
           {"max_pool", "MaxPool"}, {"avg_pool", "AvgPool"}}) {
    std::string f = fname, o = op;
    def(nn, f, [f, o](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, f, a, {"*value", "*ksize", "*strides", "*padding", "data_format", "name", "input"});
      if (!b.ok())
        return Value::error();
      std::vector<int64_t> ksize, strides;
      if (!intList(in, *b.get("ksize"), 4, ksize, "ksize") ||
          !intList(in, *b.get("strides"), 4, strides, "strides"))
        return Value::error();
      const Value &pad = *b.get("padding");
      if (!pad.isStr())
        return in.error(diag::invalid_argument, "padding must be 'SAME' or 'VALID'");
      return poolOp(in.tf(), o, *b.get("value"), ksize, strides, pad.asStr(), b.getOr("name", Value::none()));
    });
  }
  // Activations with an attribute or a composite form.
  def(nn, "leaky_relu", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "leaky_relu", a, {"*features", "alpha", "name"});
    if (!b.ok())
      return Value::error();
    double alpha = 0.2;
    if (const Value *v = b.get("alpha"); v && !toFloat(*v, alpha))
      return in.error(diag::type_error, "alpha must be a number");
    TFState &tf = in.tf();
    ScopedOp s(tf, b.getOr("name", Value::none()), "LeakyRelu", *b.get("features"), "features");
    if (!s.valid())
      return Value::error();
    auto &x = s.x;
    return finish(tf, tf.createOp(s.name, "LeakyRelu", {*x}, {{"alpha", alpha}}));
  });
  for (auto [fname, op] : std::vector<std::pair<std::string, std::string>>{
           {"softmax", "Softmax"}, {"log_softmax", "LogSoftmax"}}) {
    std::string f = fname, o = op;
    def(nn, f, [f, o](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, f, a, {"*logits", "axis", "name", "dim"});
      if (!b.ok())
        return Value::error();
      TFState &tf = in.tf();
      int64_t axis = -1;
      if (!readAxis(in, b, "axis", -1, axis) || !readAxis(in, b, "dim", axis, axis))
        return Value::error();
      ScopedOp s(tf, b.getOr("name", Value::none()), o, *b.get("logits"), "logits");
      if (!s.valid())
        return Value::error();
      auto &x = s.x;
      const Shape &sh = tf.graph().type(*x).shape;
      if (axis != -1 && !(static_cast<int64_t>(sh.rank()) - 1 == axis))
        return in.error(diag::unsupported_api, "tf.nn." + f + " over an axis other than the last is not supported by scopec yet");
      return finish(tf, tf.createOp(s.name, o, {*x}));
    });
  }
  // Dropout is the identity at inference (language.md section 3).
  def(nn, "dropout", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "dropout", a, {"*x", "keep_prob", "noise_shape", "seed", "name", "rate"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    ScopedOp s(tf, b.getOr("name", Value::none()), "dropout", *b.get("x"), "x");
    if (!s.valid())
      return Value::error();
    auto &x = s.x;
    return finish(tf, tf.createOp(s.name, "Identity", {*x}));
  });

  // Reductions: TF 1.15's _ReductionDims puts the indices Const in the
  // current scope without an axis, inside the op's scope with one.
  for (auto [fname, op] : std::vector<std::pair<std::string, std::string>>{
           {"reduce_sum", "Sum"}, {"reduce_mean", "Mean"}, {"reduce_max", "Max"}, {"reduce_min", "Min"},
           {"reduce_prod", "Prod"}, {"reduce_any", "Any"}, {"reduce_all", "All"}}) {
    std::string f = fname, o = op;
    def(tfm, f, [f, o](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, f, a, {"*input_tensor", "axis", "keepdims", "name", "reduction_indices", "keep_dims"});
      if (!b.ok())
        return Value::error();
      TFState &tf = in.tf();
      Value axis = b.getOr("axis", b.getOr("reduction_indices", Value::none()));
      bool keep = false;
      for (const char *k : {"keepdims", "keep_dims"})
        if (const Value *v = b.get(k); v && v->isBool())
          keep = v->asBool();
      auto x = tf.toTensor(*b.get("input_tensor"), std::nullopt, "input");
      if (!x)
        return Value::error();
      const Shape &sh = tf.graph().type(*x).shape;
      std::vector<int64_t> axes;
      if (axis.isNone()) {
        if (sh.unknownRank)
          return in.error(diag::unsupported_api, f + " over all axes of a tensor of unknown rank is not supported by scopec");
        for (size_t k = 0; k < sh.rank(); ++k)
          axes.push_back(static_cast<int64_t>(k));
      } else if (!intList(in, axis, axis.isSequence() ? axis.items().size() : 1, axes, "axis")) {
        return Value::error();
      }
      std::optional<TensorRef> idx;
      if (axis.isNone())
        idx = tf.constant("Const", int32Vector(axes));
      OpScope s(tf, b.getOr("name", Value::none()), o);
      if (!s.ok)
        return Value::error();
      if (!idx)
        idx = tf.constant("reduction_indices", axis.isSequence() ? int32Vector(axes) : int32Scalar(axes[0]));
      return finish(tf, tf.createOp(s.name, o, {*x, *idx}, {{"keep_dims", keep}}));
    });
  }
  for (auto [fname, op] : std::vector<std::pair<std::string, std::string>>{{"argmax", "ArgMax"}, {"argmin", "ArgMin"}}) {
  std::string f = fname, o = op;
  def(tfm, f, [f, o](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, f, a, {"*input", "axis", "name", "dimension", "output_type"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    int64_t axis = 0;
    if (!readAxis(in, b, "axis", 0, axis) || !readAxis(in, b, "dimension", axis, axis))
      return Value::error();
    DType outType = DType::Int64;
    if (!readDType(tf, b.get("output_type"), outType))
      return Value::error();
    ScopedOp s(tf, b.getOr("name", Value::none()), o, *b.get("input"), "input");
    if (!s.valid())
      return Value::error();
    auto &x = s.x;
    TensorRef dim = tf.constant("dimension", int32Scalar(axis));
    return finish(tf, tf.createOp(s.name, o, {*x, dim}, {{"output_type", outType}}));
  });
  }
  // tf.nn.top_k / tf.math.top_k: TopKV2 with its k Const inside; a
  // (values, indices) namedtuple TopKV2.
  auto topKType = std::make_shared<NamedTupleType>();
  topKType->name = "TopKV2";
  topKType->fields = {"values", "indices"};
  def(nn, "top_k", [topKType](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "top_k", a, {"*input", "k", "sorted", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    int64_t k = 1;
    if (b.has("k") && !toInt(in, *b.get("k"), k, "k"))
      return Value::error();
    // sorted=False leaves the order unspecified: the sorted one is one of them.
    bool sorted = true;
    if (const Value *srt = b.get("sorted"); srt && srt->isBool())
      sorted = srt->asBool();
    ScopedOp s(tf, b.getOr("name", Value::none()), "TopKV2", *b.get("input"), "input");
    if (!s.valid())
      return Value::error();
    graph::Node *n = tf.createOp(s.name, "TopKV2", {*s.x, tf.constant("k", int32Scalar(k))}, {{"sorted", sorted}});
    if (!n)
      return Value::error();
    return Value::object(Kind::Tuple, std::make_shared<NamedTupleObj>(
                                          std::vector<Value>{tf.makeTensor(*n, 0), tf.makeTensor(*n, 1)}, topKType));
  });
  def(tfm, "reshape", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "reshape", a, {"*tensor", "*shape", "name"});
    if (!b.ok())
      return Value::error();
    std::vector<int64_t> shape;
    const Value &sv = *b.get("shape");
    if (in.tf().containsTensor(sv)) { // a shape tensor (tf.shape(x), [tf.shape(x)[0], -1]): no Const
      TFState &tf = in.tf();
      ScopedOp s(tf, b.getOr("name", Value::none()), "Reshape", *b.get("tensor"), "tensor");
      auto st = s.valid() ? tf.toTensor(sv, std::nullopt, "shape") : std::nullopt;
      return st ? finish(tf, tf.createOp(s.name, "Reshape", {*s.x, *st})) : Value::error();
    }
    std::vector<Value> items = sv.isSequence() ? sv.items() : std::vector<Value>{sv};
    for (const Value &d : items) {
      int64_t v;
      if (d.isNone())
        v = -1;
      else if (!toInt(in, d, v, "shape"))
        return Value::error();
      shape.push_back(v);
    }
    return reshapeOp(in.tf(), *b.get("tensor"), shape, b.getOr("name", Value::none()));
  });
  def(tfm, "transpose", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "transpose", a, {"*a", "perm", "name", "conjugate"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    ScopedOp s(tf, b.getOr("name", Value::none()), "transpose", *b.get("a"), "a");
    if (!s.valid())
      return Value::error();
    auto &x = s.x;
    const Shape &sh = tf.graph().type(*x).shape;
    std::vector<int64_t> perm;
    if (const Value *p = b.get("perm"); p && !p->isNone()) {
      if (!intList(in, *p, p->isSequence() ? p->items().size() : 1, perm, "perm"))
        return Value::error();
    } else {
      if (sh.unknownRank)
        return in.error(diag::unsupported_api, "tf.transpose without perm of a tensor of unknown rank is not supported by scopec");
      for (size_t k = sh.rank(); k-- > 0;)
        perm.push_back(static_cast<int64_t>(k));
    }
    TensorRef p = tf.constant("perm", int32Vector(perm));
    return finish(tf, tf.createOp(s.name, "Transpose", {*x, p}));
  });
  def(tfm, "concat", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "concat", a, {"*values", "*axis", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    std::vector<Value> items;
    if (!in.iterate(*b.get("values"), items))
      return Value::error();
    int64_t axis;
    if (!toInt(in, *b.get("axis"), axis, "axis"))
      return Value::error();
    if (items.size() == 1) { // TF: concat of one tensor is identity(values[0])
      OpScope s(tf, b.getOr("name", Value::none()), "concat");
      auto x = tf.toTensor(items[0], std::nullopt, "values");
      return x ? finish(tf, tf.createOp(s.name, "Identity", {*x})) : Value::error();
    }
    OpScope s(tf, b.getOr("name", Value::none()), "concat");
    if (!s.ok)
      return Value::error();
    std::vector<TensorRef> ins;
    if (!convertAll(tf, items, ins))
      return Value::error();
    ins.push_back(tf.constant("axis", int32Scalar(axis)));
    return finish(tf, tf.createOp(s.name, "ConcatV2", ins));
  });
  tfm->attrs["concat_v2"] = tfm->attrs["concat"]; // TF 0.12's name
  def(tfm, "stack", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "stack", a, {"*values", "axis", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    std::vector<Value> items;
    if (!in.iterate(*b.get("values"), items))
      return Value::error();
    int64_t axis = 0;
    if (!readAxis(in, b, "axis", 0, axis))
      return Value::error();
    Value name = b.getOr("name", Value::none());
    std::string n = name.isStr() && !name.asStr().empty() ? name.asStr() : "stack";
    std::optional<DType> first;
    for (const Value &v : items)
      if (tf.isTensorOrVariable(v)) {
        DType t = *tf.dtypeOf(v);
        if (first && *first != t)
          return in.error(diag::incompatible_dtypes, std::string("Tensors in list passed to 'values' of 'Pack' Op have types [") +
                                                         graph::dtypeName(*first) + ", " + graph::dtypeName(t) +
                                                         "] that don't all match.");
        first = t;
      }
    if (axis == 0) {
      // convert_to_tensor(values): one Const, or TF's autopacking (a Pack
      // named `name` with Consts "name/<index>" for the Python elements).
      auto t = tf.toTensor(*b.get("values"), std::nullopt, n);
      return t ? tf.tensor(*t) : Value::error();
    }
    if (!items.empty() && !tf.isTensorOrVariable(items[0]) && !tf.toTensor(items[0], std::nullopt, n))
      return Value::error(); // TF measures values[0] through convert_to_tensor(values[0], name=name)
    OpScope s(tf, Value::str(n), "stack");
    if (!s.ok)
      return Value::error();
    std::vector<TensorRef> ins;
    for (size_t i = 0; i < items.size(); ++i) {
      auto t = tf.toTensor(items[i], ins.empty() ? std::nullopt : std::optional<DType>(tf.graph().type(ins[0]).dtype),
                           "values_" + std::to_string(i));
      if (!t)
        return Value::error();
      ins.push_back(*t);
    }
    return finish(tf, tf.createOp(s.name, "Pack", ins, {{"axis", axis}}));
  });
  def(tfm, "squeeze", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "squeeze", a, {"*input", "axis", "name", "squeeze_dims"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    std::vector<int64_t> dims;
    Value ax = b.getOr("axis", b.getOr("squeeze_dims", Value::none()));
    if (!ax.isNone() && !intList(in, ax, ax.isSequence() ? ax.items().size() : 1, dims, "axis"))
      return Value::error();
    OpScope s(tf, b.getOr("name", Value::none()), "Squeeze");
    if (!s.ok)
      return Value::error();
    auto x = tf.toTensor(*b.get("input"), std::nullopt, "input");
    return x ? finish(tf, tf.createOp(s.name, "Squeeze", {*x}, {{"squeeze_dims", dims}})) : Value::error();
  });
  def(tfm, "expand_dims", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "expand_dims", a, {"*input", "axis", "name", "dim"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    int64_t axis;
    if (!readAxis(in, b, "axis", 0, axis) || !readAxis(in, b, "dim", axis, axis))
      return Value::error();
    ScopedOp s(tf, b.getOr("name", Value::none()), "ExpandDims", *b.get("input"), "input");
    if (!s.valid())
      return Value::error();
    auto &x = s.x;
    TensorRef dim = tf.constant("dim", int32Scalar(axis));
    return finish(tf, tf.createOp(s.name, "ExpandDims", {*x, dim}));
  });
  // tf.gather: GatherV2 with its axis Const inside the op's scope.
  auto gather = [](TFState &tf, TensorRef params, const Value &indices, int64_t axis,
                   const std::string &name) -> Value {
    auto ix = tf.toTensor(indices, std::nullopt, "indices");
    if (!ix)
      return Value::error();
    TensorRef ax = tf.constant("axis", int32Scalar(axis));
    return finish(tf, tf.createOp(name, "GatherV2", {params, *ix, ax}, {{"batch_dims", int64_t(0)}}));
  };
  def(tfm, "gather", [gather](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "gather", a, {"*params", "*indices", "validate_indices", "name", "axis", "batch_dims"});
    if (!b.ok())
      return Value::error();
    int64_t axis, batchDims;
    if (!readAxis(in, b, "axis", 0, axis) || !readAxis(in, b, "batch_dims", 0, batchDims))
      return Value::error();
    if (batchDims != 0)
      return in.error(diag::unsupported_api, "tf.gather with batch_dims is not supported by scopec yet");
    TFState &tf = in.tf();
    ScopedOp s(tf, b.getOr("name", Value::none()), "GatherV2", *b.get("params"), "params");
    if (!s.valid())
      return Value::error();
    return gather(tf, *s.x, *b.get("indices"), axis, s.name);
  });
  // tf.nn.embedding_lookup (TF 1.15's _embedding_lookup_and_transform, one
  // partition): scope "embedding_lookup", GatherV2 named after the scope, and
  // an Identity inside it.
  def(nn, "embedding_lookup", [gather](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "embedding_lookup", a, {"*params", "*ids", "partition_strategy", "name", "validate_indices", "max_norm"});
    if (!b.ok())
      return Value::error();
    Value params = *b.get("params");
    if (params.isSequence()) {
      if (params.items().empty())
        return in.error(diag::value_error, "Need at least one param");
      if (params.items().size() > 1)
        return in.error(diag::unsupported_api, "tf.nn.embedding_lookup over partitioned params is not supported by scopec yet");
      params = params.items()[0];
    }
    if (params.isNone())
      return in.error(diag::value_error, "Need at least one param");
    if (b.has("max_norm") && !b.get("max_norm")->isNone())
      return in.error(diag::unsupported_api, "tf.nn.embedding_lookup with max_norm is not supported by scopec yet");
    TFState &tf = in.tf();
    OpScope s(tf, b.getOr("name", Value::none()), "embedding_lookup");
    if (!s.ok)
      return Value::error();
    auto p = tf.toTensor(params, std::nullopt, "params");
    auto ids = p ? tf.toTensor(*b.get("ids"), std::nullopt, "ids") : std::nullopt;
    if (!ids)
      return Value::error();
    Value r;
    {
      OpScope inner(tf, Value::str(s.name + "/"), "");
      r = gather(tf, *p, tf.tensor(*ids), 0, s.name);
    }
    if (r.isError())
      return r;
    auto t = tf.toTensor(r, std::nullopt, "input");
    return finish(tf, tf.createOp(tf.uniqueName("Identity"), "Identity", {*t}));
  });
  // tf.nn.xw_plus_b: name_scope(name, "xw_plus_b"), MatMul, then BiasAdd named after the scope.
  def(nn, "xw_plus_b", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "xw_plus_b", a, {"*x", "*weights", "*biases", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    OpScope s(tf, b.getOr("name", Value::none()), "xw_plus_b");
    if (!s.ok)
      return Value::error();
    auto x = tf.toTensor(*b.get("x"), std::nullopt, "x");
    auto w = x ? tf.toTensor(*b.get("weights"), std::nullopt, "weights") : std::nullopt;
    auto bias = w ? tf.toTensor(*b.get("biases"), std::nullopt, "biases") : std::nullopt;
    if (!bias)
      return Value::error();
    Value mm = matmulOp(tf, tf.tensor(*x), tf.tensor(*w), false, false, Value::none());
    if (mm.isError())
      return mm;
    return biasAddOp(tf, mm, tf.tensor(*bias), Value::str(s.name + "/"));
  });
  // Array plumbing whose arguments TF converts inside the op's scope:
  // tf.tile (Tile/multiples), tf.pad (Pad/paddings), tf.slice (Slice/begin,
  // Slice/size), tf.reverse (ReverseV2/axis).
  auto plumbing = [](const std::string &fname, const std::string &op, std::vector<std::string> params,
                     std::vector<std::string> argNames) {
    return [fname, op, params, argNames](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, fname, a, params);
      if (!b.ok())
        return Value::error();
      if (fname == "pad") {
        Value mode = b.getOr("mode", Value::str("CONSTANT"));
        if (!mode.isStr() || (mode.asStr() != "CONSTANT" && mode.asStr() != "constant"))
          return in.error(diag::unsupported_api, "tf.pad with mode=" + in.repr(mode) + " is not supported by scopec yet (CONSTANT)");
        Value cv = b.getOr("constant_values", Value::integer(0));
        if (!(cv.isNumber() && cv.asFloat() == 0))
          return in.error(diag::unsupported_api, "tf.pad with constant_values other than 0 (PadV2) is not supported by scopec yet");
      }
      TFState &tf = in.tf();
      ScopedOp s(tf, b.getOr("name", Value::none()), op, *b.get(params[0].substr(1)), params[0].substr(1).c_str());
      if (!s.valid())
        return Value::error();
      std::vector<TensorRef> ins{*s.x};
      for (size_t k = 0; k < argNames.size(); ++k) {
        const Value &v = *b.get(params[k + 1].substr(1));
        std::optional<DType> want = tf.dtypeOf(v) ? std::nullopt : std::optional<DType>(DType::Int32);
        auto t = tf.toTensor(v, want, argNames[k]);
        if (!t)
          return Value::error();
        ins.push_back(*t);
      }
      return finish(tf, tf.createOp(s.name, op, ins));
    };
  };
  def(tfm, "tile", plumbing("tile", "Tile", {"*input", "*multiples", "name"}, {"multiples"}));
  def(tfm, "pad", plumbing("pad", "Pad", {"*tensor", "*paddings", "mode", "name", "constant_values"}, {"paddings"}));
  def(tfm, "slice", plumbing("slice", "Slice", {"*input_", "*begin", "*size", "name"}, {"begin", "size"}));
  def(tfm, "reverse", plumbing("reverse", "ReverseV2", {"*tensor", "*axis", "name"}, {"axis"}));
  def(tfm, "reverse_v2", plumbing("reverse_v2", "ReverseV2", {"*tensor", "*axis", "name"}, {"axis"}));
  // tf.split: an int gives Split(split_dim, value), sizes give SplitV with
  // the sizes converted where the call is; both named "split", the axis a
  // Const "split/split_dim". tf.unstack: Unpack named "unstack".
  def(tfm, "split", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "split", a, {"*value", "*num_or_size_splits", "axis", "num", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    const Value &spec = *b.get("num_or_size_splits");
    int64_t n = 0;
    bool equal = spec.isInt() || spec.as<DimensionObj>();
    if (equal && !toInt(in, spec, n, "num_or_size_splits"))
      return Value::error();
    std::optional<TensorRef> sizes;
    if (!equal) {
      sizes = tf.toTensor(spec, DType::Int32, "Const");
      if (!sizes)
        return Value::error();
      const Shape &ss = tf.graph().type(*sizes).shape;
      if (ss.rank() == 0)
        return in.error(diag::value_error, "Rank-0 tensors are not supported as the num_or_size_splits argument to split. "
                                           "Argument provided: " + in.repr(spec));
      n = ss.dims[0];
    }
    OpScope s(tf, b.getOr("name", Value::str("split")), "split");
    if (!s.ok)
      return Value::error();
    auto value = tf.toTensor(*b.get("value"), std::nullopt, "value");
    auto axis = value ? tf.toTensor(b.getOr("axis", Value::integer(0)), DType::Int32, "split_dim") : std::nullopt;
    if (!axis)
      return Value::error();
    return outputList(tf, equal ? tf.createOp(s.name, "Split", {*axis, *value}, {{"num_split", n}})
                                : tf.createOp(s.name, "SplitV", {*value, *sizes, *axis}, {{"num_split", n}}));
  });
  def(tfm, "unstack", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "unstack", a, {"*value", "num", "axis", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    int64_t axis = 0, num = -1;
    if ((b.has("axis") && !toInt(in, *b.get("axis"), axis, "axis")) ||
        (b.has("num") && !b.get("num")->isNone() && !toInt(in, *b.get("num"), num, "num")))
      return Value::error();
    auto value = tf.toTensor(*b.get("value"), std::nullopt, "value");
    if (!value)
      return Value::error();
    const Shape &vs = tf.graph().type(*value).shape;
    if (num < 0 && !vs.unknownRank) {
      int64_t r = static_cast<int64_t>(vs.rank());
      if (axis < -r || axis >= r)
        return in.error(diag::value_error, "axis = " + std::to_string(axis) + " not in [" + std::to_string(-r) + ", " +
                                               std::to_string(r) + ")");
      num = vs.dims[static_cast<size_t>(axis < 0 ? axis + r : axis)];
    }
    if (num < 0)
      return in.error(diag::value_error, "Cannot infer num from shape " + vs.str());
    OpScope s(tf, b.getOr("name", Value::str("unstack")), "unstack");
    if (!s.ok)
      return Value::error();
    return outputList(tf, tf.createOp(s.name, "Unpack", {*value}, {{"num", num}, {"axis", axis}}));
  });
  // tf.shape: the run-time shape (batch included) as a tensor.
  def(tfm, "shape", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "shape", a, {"*input", "name", "out_type"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    DType t = DType::Int32;
    if (const Value *o = b.get("out_type"); o && !o->isNone() && !tf.toDType(*o, t))
      return Value::error();
    if (t != DType::Int32 && t != DType::Int64)
      return in.error(diag::incompatible_dtypes, std::string("Value for attr 'out_type' of ") + graph::dtypeName(t) +
                                                     " is not in the list of allowed values: int32, int64");
    ScopedOp s(tf, b.getOr("name", Value::none()), "Shape", *b.get("input"), "input");
    if (!s.valid())
      return Value::error();
    return finish(tf, tf.createOp(s.name, "Shape", {*s.x}, {{"out_type", t}}));
  });
  def(tfm, "stop_gradient", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "stop_gradient", a, {"*input", "name"});
    if (!b.ok())
      return Value::error();
    return in.tf().unary("StopGradient", *b.get("input"), b.getOr("name", Value::none()));
  });
  // tf.range: start/limit/delta Consts in the scope (default name "range"), the op after it.
  def(tfm, "range", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "range", a, {"*start", "limit", "delta", "dtype", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    Value start = *b.get("start"), limit = b.getOr("limit", Value::none()), delta = b.getOr("delta", Value::integer(1));
    if (limit.isNone())
      std::swap(start, limit), start = Value::integer(0);
    std::optional<DType> want;
    if (const Value *d = b.get("dtype"); d && !d->isNone()) {
      DType t;
      if (!tf.toDType(*d, t))
        return Value::error();
      want = t;
    }
    OpScope s(tf, b.getOr("name", Value::str("range")), "Range");
    if (!s.ok)
      return Value::error();
    auto st = tf.toTensor(start, want, "start");
    auto li = st ? tf.toTensor(limit, want, "limit") : std::nullopt;
    auto de = li ? tf.toTensor(delta, want, "delta") : std::nullopt;
    if (!de)
      return Value::error();
    const graph::Graph &g = tf.graph();
    if (g.type(*st).dtype != g.type(*li).dtype || g.type(*st).dtype != g.type(*de).dtype)
      return in.error(diag::unsupported_api, "tf.range with arguments of different dtypes (TF casts them) is not supported by scopec yet");
    return finish(tf, tf.createOp(s.name, "Range", {*st, *li, *de}));
  });
  // tf.sequence_mask (TF 1.15): in scope "SequenceMask", Range(0, maxlen, 1)
  // < Cast(ExpandDims(lengths, -1)); without maxlen, maxlen = Maximum(0,
  // Max(lengths)) -- a size the compiled code knows only for constant lengths.
  def(tfm, "sequence_mask", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "sequence_mask", a, {"*lengths", "maxlen", "dtype", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    DType out = DType::Bool;
    if (const Value *d = b.get("dtype"); d && !d->isNone() && !tf.toDType(*d, out))
      return Value::error();
    OpScope s(tf, b.getOr("name", Value::none()), "SequenceMask");
    if (!s.ok)
      return Value::error();
    auto lengths = tf.toTensor(*b.get("lengths"), std::nullopt, "Const");
    if (!lengths)
      return Value::error();
    const graph::Graph &g = tf.graph();
    std::optional<TensorRef> maxlen;
    Value ml = b.getOr("maxlen", Value::none());
    if (ml.isNone()) {
      const Shape &ls = g.type(*lengths).shape;
      if (ls.unknownRank)
        return in.error(diag::unsupported_api, "tf.sequence_mask without maxlen on lengths of unknown rank is not supported by scopec");
      std::vector<int64_t> all;
      for (size_t k = 0; k < ls.rank(); ++k)
        all.push_back(static_cast<int64_t>(k));
      TensorRef axes = tf.constant("Const", int32Vector(all));
      graph::Node *mx = tf.createOp(tf.uniqueName("Max"), "Max", {*lengths, axes}, {{"keep_dims", false}});
      if (!mx)
        return Value::error();
      DType t = g.type(TensorRef{mx->id, 0}).dtype;
      graph::Node *m = tf.createOp(tf.uniqueName("Maximum"), "Maximum", {tf.constant("Const", scalarData(t, 0)), TensorRef{mx->id, 0}});
      if (!m)
        return Value::error();
      maxlen = TensorRef{m->id, 0};
    } else {
      maxlen = tf.toTensor(ml, std::nullopt, "Const");
      if (!maxlen)
        return Value::error();
      const Shape &ms = g.type(*maxlen).shape;
      if (!ms.unknownRank && ms.rank() != 0)
        return in.error(diag::value_error, "maxlen must be scalar for sequence_mask");
    }
    DType mt = g.type(*maxlen).dtype;
    if (mt != DType::Int32 && mt != DType::Int64)
      return in.error(diag::incompatible_dtypes, std::string("Value passed to parameter 'limit' has DataType ") +
                                                     graph::dtypeName(mt) + " not in list of allowed values: int32, int64");
    TensorRef zero = tf.constant("Const", scalarData(mt, 0));
    TensorRef one = tf.constant("Const", scalarData(mt, 1));
    graph::Node *row = tf.createOp(tf.uniqueName("Range"), "Range", {zero, *maxlen, one});
    if (!row)
      return Value::error();
    TFState::SavedStack es;
    bool ok;
    std::string eScope = tf.enterNameScope(std::string("ExpandDims"), es, ok);
    if (!ok)
      return Value::error();
    graph::Node *ex = tf.createOp(eScope.substr(0, eScope.size() - 1), "ExpandDims", {*lengths, tf.constant("dim", int32Scalar(-1))});
    tf.exitNameScope(es);
    graph::Node *cast = ex ? tf.createOp(tf.uniqueName("Cast"), "Cast", {TensorRef{ex->id, 0}}, {{"DstT", mt}}) : nullptr;
    if (!cast)
      return Value::error();
    Value result = tf.binary("Less", "Less", tf.makeTensor(*row), tf.makeTensor(*cast), Value::none(), false);
    if (result.isError() || out == DType::Bool)
      return result;
    auto r = tf.toTensor(result, std::nullopt, "x");
    return finish(tf, tf.createOp(tf.uniqueName("Cast"), "Cast", {*r}, {{"DstT", out}}));
  });
  // tf.one_hot: on_value/off_value Consts in the scope, the op (with its depth Const) after it.
  def(tfm, "one_hot", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "one_hot", a, {"*indices", "*depth", "on_value", "off_value", "axis", "dtype", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    DType dt = DType::Float32;
    if (const Value *d = b.get("dtype"); d && !d->isNone() && !tf.toDType(*d, dt))
      return Value::error();
    int64_t axis = -1;
    if (b.has("axis") && !b.get("axis")->isNone() && !toInt(in, *b.get("axis"), axis, "axis"))
      return Value::error();
    ScopedOp s(tf, b.getOr("name", Value::none()), "one_hot", *b.get("indices"), "indices");
    if (!s.valid())
      return Value::error();
    if (!b.has("dtype")) // the values' dtype when they are tensors
      for (const char *k : {"on_value", "off_value"})
        if (auto t = b.has(k) ? tf.dtypeOf(*b.get(k)) : std::nullopt)
          dt = *t;
    auto on = tf.toTensor(b.getOr("on_value", Value::integer(1)), dt, "on_value");
    auto off = on ? tf.toTensor(b.getOr("off_value", Value::integer(0)), dt, "off_value") : std::nullopt;
    if (!off)
      return Value::error();
    OpScope inner(tf, Value::str(s.name + "/"), "");
    auto depth = tf.toTensor(*b.get("depth"), DType::Int32, "depth");
    if (!depth)
      return Value::error();
    return finish(tf, tf.createOp(s.name, "OneHot", {*s.x, *depth, *on, *off}, {{"axis", axis}}));
  });
  // tf.cumsum: x in the scope "Cumsum", the axis Const inside the op's.
  def(tfm, "cumsum", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "cumsum", a, {"*x", "axis", "exclusive", "reverse", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    ScopedOp s(tf, b.getOr("name", Value::none()), "Cumsum", *b.get("x"), "x");
    if (!s.valid())
      return Value::error();
    auto axis = tf.toTensor(b.getOr("axis", Value::integer(0)), DType::Int32, "axis");
    if (!axis)
      return Value::error();
    auto flagOf = [&](const char *k) { return b.has(k) && b.get(k)->isBool() && b.get(k)->asBool(); };
    return finish(tf, tf.createOp(s.name, "Cumsum", {*s.x, *axis}, {{"exclusive", flagOf("exclusive")}, {"reverse", flagOf("reverse")}}));
  });
  // tf.nn.moments: mean and variance (keepdims), squeezed unless keep_dims.
  def(nn, "moments", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "moments", a, {"*x", "*axes", "shift", "name", "keep_dims", "keepdims"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    OpScope s(tf, b.getOr("name", Value::none()), "moments");
    if (!s.ok)
      return Value::error();
    ModuleObj *tfm = tf.modules().at("tf").as<ModuleObj>();
    const Value &axes = *b.get("axes");
    auto reduceMean = [&](const Value &v, const char *name) {
      CallArgs r;
      r.positional = {v, axes};
      r.keywords = {{"keepdims", Value::boolean(true)}, {"name", Value::str(name)}};
      return in.call(tfm->attrs.at("reduce_mean"), r, in.callSite());
    };
    Value mean = reduceMean(*b.get("x"), "mean");
    Value sg = mean.isError() ? mean : tf.unary("StopGradient", mean, Value::none());
    Value sq = sg.isError() ? sg : tf.binary("SquaredDifference", "SquaredDifference", *b.get("x"), sg, Value::none(), false);
    Value var = sq.isError() ? sq : reduceMean(sq, "variance");
    if (var.isError())
      return var;
    bool keep = (b.has("keep_dims") && b.get("keep_dims")->isBool() && b.get("keep_dims")->asBool()) ||
                (b.has("keepdims") && b.get("keepdims")->isBool() && b.get("keepdims")->asBool());
    if (!keep) {
      for (Value *v : {&mean, &var}) {
        CallArgs q;
        q.positional = {*v, axes};
        *v = in.call(tfm->attrs.at("squeeze"), q, in.callSite());
        if (v->isError())
          return *v;
      }
    }
    return Value::tuple({mean, var});
  });
  // tf.convert_to_tensor: tensors as they are, Python values a Const (named `name`).
  def(tfm, "convert_to_tensor", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "convert_to_tensor", a, {"*value", "dtype", "name", "preferred_dtype", "dtype_hint"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    std::optional<DType> want;
    if (const Value *d = b.get("dtype"); d && !d->isNone()) {
      DType t;
      if (!tf.toDType(*d, t))
        return Value::error();
      want = t;
    }
    Value name = b.getOr("name", Value::none());
    auto t = tf.toTensor(*b.get("value"), want, name.isStr() && !name.asStr().empty() ? name.asStr() : "Const");
    return t ? tf.tensor(*t) : Value::error();
  });
  // tf.nn.lrn / local_response_normalization: LRN named "LRN".
  NativeFn lrn = [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "lrn", a, {"*input", "depth_radius", "bias", "alpha", "beta", "name"});
    if (!b.ok())
      return Value::error();
    int64_t radius = 5;
    if (b.has("depth_radius") && !toInt(in, *b.get("depth_radius"), radius, "depth_radius"))
      return Value::error();
    double bias = 1, alpha = 1, beta = 0.5;
    for (auto [k, p] : {std::pair<const char *, double *>{"bias", &bias}, {"alpha", &alpha}, {"beta", &beta}})
      if (const Value *v = b.get(k); v && !toFloat(*v, *p))
        return in.error(diag::type_error, std::string(k) + " must be a number");
    TFState &tf = in.tf();
    ScopedOp s(tf, b.getOr("name", Value::none()), "LRN", *b.get("input"), "input");
    if (!s.valid())
      return Value::error();
    return finish(tf, tf.createOp(s.name, "LRN", {*s.x},
                                  {{"depth_radius", radius}, {"bias", bias}, {"alpha", alpha}, {"beta", beta}}));
  };
  def(nn, "lrn", lrn);
  def(nn, "local_response_normalization", lrn);
  // tf.div: Python 2 division (RealDiv for floats, FloorDiv for integers), named "div".
  def(tfm, "div", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "div", a, {"*x", "*y", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    ScopedOp s(tf, b.getOr("name", Value::none()), "div", *b.get("x"), "x");
    if (!s.valid())
      return Value::error();
    DType t = tf.graph().type(*s.x).dtype;
    auto y = tf.toTensor(*b.get("y"), t, "y");
    if (!y)
      return Value::error();
    return finish(tf, tf.createOp(s.name, graph::isFloating(t) ? "RealDiv" : "FloorDiv", {*s.x, *y}));
  });
  // tf.add_n: the inputs converted where the call is, one input returned as is.
  def(tfm, "add_n", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "add_n", a, {"*inputs", "name"});
    if (!b.ok())
      return Value::error();
    const Value &inputs = *b.get("inputs");
    if (!inputs.isSequence() || inputs.items().empty())
      return in.error(diag::value_error, "inputs must be a list of at least one Tensor/IndexedSlices with the same "
                                         "dtype and shape");
    TFState &tf = in.tf();
    std::vector<TensorRef> ts;
    for (const Value &v : inputs.items()) {
      auto t = tf.toTensor(v, std::nullopt, "Const");
      if (!t)
        return Value::error();
      ts.push_back(*t);
    }
    Value name = b.getOr("name", Value::none());
    if (ts.size() == 1) {
      if (!name.isStr() || name.asStr().empty())
        return tf.tensor(ts[0]);
      OpScope s(tf, name, "Identity");
      return s.ok ? finish(tf, tf.createOp(s.name, "Identity", {ts[0]})) : Value::error();
    }
    OpScope s(tf, name, "AddN");
    return s.ok ? finish(tf, tf.createOp(s.name, "AddN", ts)) : Value::error();
  });
  // tf.where(condition, x, y): Select, its inputs converted in its scope.
  def(tfm, "where", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "where", a, {"*condition", "x", "y", "name"});
    if (!b.ok())
      return Value::error();
    Value x = b.getOr("x", Value::none()), y = b.getOr("y", Value::none());
    if (x.isNone() != y.isNone())
      return in.error(diag::value_error, "x and y must both be non-None or both be None.");
    if (x.isNone())
      return in.error(diag::unsupported_api, "tf.where(condition) (the indices of true elements: a run-time "
                                             "shape) is not supported by scopec");
    TFState &tf = in.tf();
    OpScope s(tf, b.getOr("name", Value::none()), "Select");
    if (!s.ok)
      return Value::error();
    auto c = tf.toTensor(*b.get("condition"), DType::Bool, "condition");
    std::optional<DType> want = tf.dtypeOf(x);
    if (!want)
      want = tf.dtypeOf(y);
    auto t = c ? tf.toTensor(x, want, "t") : std::nullopt;
    auto e = t ? tf.toTensor(y, tf.graph().type(*t).dtype, "e") : std::nullopt;
    return e ? finish(tf, tf.createOp(s.name, "Select", {*c, *t, *e})) : Value::error();
  });
  // tf.clip_by_value: Minimum with the upper bound, then Maximum named after the scope.
  def(tfm, "clip_by_value", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "clip_by_value", a, {"*t", "*clip_value_min", "*clip_value_max", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    ScopedOp s(tf, b.getOr("name", Value::none()), "clip_by_value", *b.get("t"), "t");
    if (!s.valid())
      return Value::error();
    Value values = tf.tensor(*s.x);
    Value lo = tf.binary("Minimum", "Minimum", values, *b.get("clip_value_max"), Value::none(), false);
    if (lo.isError())
      return lo;
    auto shapeOf = [&](const Value &v) { return tf.graph().type(*tf.toTensor(v, std::nullopt, "t")).shape; };
    Shape merged;
    graph::ShapeError err;
    if (!graph::mergeShapes(shapeOf(values), shapeOf(lo), merged, err))
      return in.error(diag::value_error, "Shapes " + shapeOf(values).str() + " and " + shapeOf(lo).str() +
                                             " are not compatible");
    Value hi = tf.binary("Maximum", "Maximum", lo, *b.get("clip_value_min"), Value::str(s.name + "/"), false);
    if (hi.isError())
      return hi;
    if (!graph::mergeShapes(shapeOf(values), shapeOf(hi), merged, err))
      return in.error(diag::value_error, "Shapes " + shapeOf(values).str() + " and " + shapeOf(hi).str() +
                                             " are not compatible");
    return hi;
  });
  // tf.zeros_like / tf.ones_like: constants when the shape is static
  // (zeros_like: a Const named after the scope; ones_like: a "Shape" Const
  // and a Fill); zeros_like of a batch-sized tensor is ZerosLike.
  for (bool ones : {false, true}) {
    std::string fname = ones ? "ones_like" : "zeros_like";
    def(tfm, fname, [fname, ones](Interpreter &in, CallArgs &a) -> Value {
      ArgBinder b(in, fname, a, {"*tensor", "dtype", "name", "optimize"});
      if (!b.ok())
        return Value::error();
      TFState &tf = in.tf();
      DType want;
      bool haveDType = b.has("dtype") && !b.get("dtype")->isNone();
      if (haveDType && !tf.toDType(*b.get("dtype"), want))
        return Value::error();
      ScopedOp s(tf, b.getOr("name", Value::none()), fname, *b.get("tensor"), "tensor");
      if (!s.valid())
        return Value::error();
      const TensorType &t = tf.graph().type(*s.x);
      DType dt = haveDType ? want : t.dtype;
      if (!t.shape.isFullyDefined()) {
        if (!ones && dt == t.dtype)
          return finish(tf, tf.createOp(s.name, "ZerosLike", {*s.x}));
        if (!ones || t.shape.unknownRank)
          return in.error(diag::unsupported_api, "tf." + fname + " with another dtype of a tensor whose shape is known "
                                                     "only at run time, " + t.shape.str() + ", is not supported by scopec yet");
        // ones_like: Shape (the run-time shape), a Const one, and a Fill named after the scope.
        graph::Node *shape = tf.createOp(tf.uniqueName("Shape"), "Shape", {*s.x}, {{"out_type", DType::Int32}});
        if (!shape)
          return Value::error();
        return finish(tf, tf.createOp(s.name, "Fill", {TensorRef{shape->id, 0}, tf.constant("Const", scalarData(dt, 1))}));
      }
      std::vector<Value> dims;
      for (int64_t d : t.shape.dims)
        dims.push_back(Value::integer(d));
      if (!ones) {
        CallArgs z;
        z.positional = {Value::list(dims), tf.dtypeValue(dt)};
        z.keywords.emplace_back("name", Value::str(s.name + "/"));
        return in.call(tf.modules().at("tf").as<ModuleObj>()->attrs.at("zeros"), z, in.callSite());
      }
      TensorRef shape = tf.constant("Shape", int32Vector(t.shape.dims));
      return finish(tf, tf.createOp(s.name, "Fill", {shape, tf.constant("Const", scalarData(dt, 1))}));
    });
  }
  // tf.nn.l2_normalize: x * rsqrt(max(sum(x^2, axis, keepdims), epsilon)).
  def(nn, "l2_normalize", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "l2_normalize", a, {"*x", "axis", "epsilon", "name", "dim"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    ScopedOp s(tf, b.getOr("name", Value::none()), "l2_normalize", *b.get("x"), "x");
    if (!s.valid())
      return Value::error();
    ModuleObj *tfm = tf.modules().at("tf").as<ModuleObj>();
    Value x = tf.tensor(*s.x);
    Value sq = tf.unary("Square", x, Value::none());
    CallArgs r;
    r.positional = {sq, b.has("dim") && !b.has("axis") ? *b.get("dim") : b.getOr("axis", Value::none())};
    r.keywords.emplace_back("keepdims", Value::boolean(true));
    Value sum = sq.isError() ? sq : in.call(tfm->attrs.at("reduce_sum"), r, in.callSite());
    Value mx = sum.isError() ? sum
                             : tf.binary("Maximum", "Maximum", sum, b.getOr("epsilon", Value::real(1e-12)),
                                         Value::none(), false);
    Value inv = mx.isError() ? mx : tf.unary("Rsqrt", mx, Value::none());
    return inv.isError() ? inv : tf.binary("Mul", "Mul", x, inv, Value::str(s.name + "/"), false);
  });
  def(tfm, "cast", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "cast", a, {"*x", "*dtype", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    DType t;
    if (!tf.toDType(*b.get("dtype"), t))
      return Value::error();
    ScopedOp s(tf, b.getOr("name", Value::none()), "Cast", *b.get("x"), "x");
    if (!s.valid())
      return Value::error();
    auto &x = s.x;
    if (tf.graph().type(*x).dtype == t) // TF returns the input unchanged
      return tf.tensor(*x);
    return finish(tf, tf.createOp(s.name, "Cast", {*x}, {{"DstT", t}}));
  });
  def(tfm, "fill", [](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, "fill", a, {"*dims", "*value", "name"});
    if (!b.ok())
      return Value::error();
    TFState &tf = in.tf();
    if (tf.containsTensor(*b.get("dims"))) { // a run-time shape: tf.fill(tf.shape(x), v)
      OpScope s(tf, b.getOr("name", Value::none()), "Fill");
      auto dims = s.ok ? tf.toTensor(*b.get("dims"), std::nullopt, "dims") : std::nullopt;
      auto v = dims ? tf.toTensor(*b.get("value"), std::nullopt, "value") : std::nullopt;
      return v ? finish(tf, tf.createOp(s.name, "Fill", {*dims, *v})) : Value::error();
    }
    Shape shape;
    if (!tf.toShape(*b.get("dims"), shape) || !shape.isFullyDefined())
      return shape.isFullyDefined() ? Value::error() : in.error(diag::unknown_dimension, "tf.fill needs fully defined dims");
    OpScope s(tf, b.getOr("name", Value::none()), "Fill");
    if (!s.ok)
      return Value::error();
    TensorRef dims = tf.constant("dims", int32Vector(shape.dims));
    auto v = tf.toTensor(*b.get("value"), std::nullopt, "value");
    return v ? finish(tf, tf.createOp(s.name, "Fill", {dims, *v})) : Value::error();
  });
}

} // namespace scopec::eval
