//===- ShapeInference.cpp - One shape function per registered op ----------===//
//
// The rules and messages of TF 1.15's C++ shape functions (common_shape_fns
// and the ops' REGISTER_OP shape functions), for static shapes with unknown
// dimensions (-1) and unknown ranks.
//
//===----------------------------------------------------------------------===//
#include "scopec/Graph/ShapeInference.h"

#include <cmath>
#include <set>

#include <algorithm>
#include <map>

namespace scopec::graph {

namespace {

using Outs = std::vector<TensorType>;
using Fn = bool (*)(const ShapeQuery &, Outs &, ShapeError &);

bool fail(ShapeError &e, ShapeError::Kind k, std::string msg, bool withShapes = true) {
  e.kind = k;
  e.message = std::move(msg);
  e.withInputShapes = withShapes;
  return false;
}

bool needInputs(const ShapeQuery &q, size_t n, ShapeError &e) {
  if (q.inputs.size() != n)
    return fail(e, ShapeError::Argument,
                q.opType + " takes " + std::to_string(n) + " inputs, got " +
                    std::to_string(q.inputs.size()),
                false);
  return true;
}

bool withRank(const Shape &s, size_t rank, ShapeError &e) {
  if (!s.unknownRank && s.rank() != rank)
    return fail(e, ShapeError::Rank,
                "Shape must be rank " + std::to_string(rank) + " but is rank " +
                    std::to_string(s.rank()));
  return true;
}

bool sameDType(const ShapeQuery &q, ShapeError &e, const char *first = "x", const char *second = "y") {
  if (q.inputs.size() >= 2 && q.inputs[0].dtype != q.inputs[1].dtype)
    return fail(e, ShapeError::DType,
                std::string("Input '") + second + "' of '" + q.opType + "' Op has type " +
                    dtypeName(q.inputs[1].dtype) + " that does not match type " +
                    dtypeName(q.inputs[0].dtype) + " of argument '" + first + "'.",
                false);
  return true;
}

bool floatInput(const ShapeQuery &q, ShapeError &e) {
  DType t = q.inputs[0].dtype;
  if (!isFloating(t))
    return fail(e, ShapeError::DType,
                std::string("Value passed to parameter 'x' has DataType ") + dtypeName(t) +
                    " not in list of allowed values: bfloat16, float16, float32, float64",
                false);
  return true;
}

TensorType out(DType t, Shape s) { return TensorType{t, false, std::move(s)}; }

bool shapeSource(const ShapeQuery &q, Outs &o, ShapeError &e) {
  // Sources get their type from the builder (Const value, placeholder shape).
  return fail(e, ShapeError::Argument, q.opType + " is created with its output type", false);
}

bool shapeFirstInput(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (q.inputs.empty())
    return needInputs(q, 1, e);
  o = {out(q.inputs[0].dtype, q.inputs[0].shape)};
  return true;
}

bool shapeFloatUnary(const ShapeQuery &q, Outs &o, ShapeError &e) {
  return needInputs(q, 1, e) && floatInput(q, e) && shapeFirstInput(q, o, e);
}

bool shapeBroadcast(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e) || !sameDType(q, e))
    return false;
  Shape s;
  int64_t a = 0, b = 0;
  if (!broadcastShapes(q.inputs[0].shape, q.inputs[1].shape, s, &a, &b))
    return fail(e, ShapeError::Shapes,
                "Dimensions must be equal, but are " + std::to_string(a) + " and " +
                    std::to_string(b));
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool shapeCompare(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!shapeBroadcast(q, o, e))
    return false;
  o[0].dtype = DType::Bool;
  return true;
}

/// FusedBatchNormV3(x, scale, offset, mean, variance), NHWC: y has x's
/// shape; batch_mean, batch_variance and the three reserve spaces are [C].
bool shapeFusedBatchNorm(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 5, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  if (!withRank(x, 4, e))
    return false;
  int64_t c = x.unknownRank ? -1 : x.dims[3];
  for (size_t k = 1; k < 5; ++k) {
    const Shape &v = q.inputs[k].shape;
    if (!withRank(v, 1, e))
      return false;
    if (!v.unknownRank && v.dims[0] >= 0) {
      if (c >= 0 && v.dims[0] != c)
        return fail(e, ShapeError::Shapes, "Dimensions must be equal, but are " + std::to_string(c) + " and " +
                                               std::to_string(v.dims[0]));
      c = v.dims[0];
    }
  }
  if (!isFloating(q.inputs[0].dtype))
    return floatInput(q, e);
  Shape vec = Shape::of({c});
  o = {out(q.inputs[0].dtype, x)};
  for (int k = 0; k < 5; ++k)
    o.push_back(out(DType::Float32, vec));
  return true;
}

/// LogicalAnd/LogicalOr/LogicalNot: bool inputs (a fixed input type in TF's op def).
bool shapeLogical(const ShapeQuery &q, Outs &o, ShapeError &e) {
  static const char *names[] = {"x", "y"};
  for (size_t k = 0; k < q.inputs.size() && k < 2; ++k)
    if (q.inputs[k].dtype != DType::Bool)
      return fail(e, ShapeError::DType,
                  std::string("Input '") + names[k] + "' of '" + q.opType + "' Op has type " +
                      dtypeName(q.inputs[k].dtype) + " that does not match expected type of bool.",
                  false);
  if (q.opType == "LogicalNot")
    return needInputs(q, 1, e) && shapeFirstInput(q, o, e);
  return shapeBroadcast(q, o, e);
}

/// AddN: N >= 1 inputs of one dtype and compatible shapes (no broadcasting).
bool shapeAddN(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (q.inputs.empty())
    return fail(e, ShapeError::Argument, "AddN takes at least one input", false);
  Shape s = q.inputs[0].shape;
  for (size_t k = 1; k < q.inputs.size(); ++k) {
    if (q.inputs[k].dtype != q.inputs[0].dtype)
      return fail(e, ShapeError::DType,
                  std::string("Tensors in list passed to 'inputs' of 'AddN' Op have types [") +
                      dtypeName(q.inputs[0].dtype) + ", " + dtypeName(q.inputs[k].dtype) + "] that don't all match.",
                  false);
    if (!mergeShapes(s, q.inputs[k].shape, s, e))
      return false;
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

/// Select(condition, t, e): t and e of one shape; the condition of that
/// shape or a vector over the first dimension.
bool shapeSelect(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 3, e))
    return false;
  const TensorType &c = q.inputs[0], &t = q.inputs[1], &f = q.inputs[2];
  if (c.dtype != DType::Bool)
    return fail(e, ShapeError::DType, std::string("Input 'condition' of 'Select' Op has type ") +
                                          dtypeName(c.dtype) + " that does not match expected type of bool.",
                false);
  if (t.dtype != f.dtype)
    return fail(e, ShapeError::DType, std::string("Input 'e' of 'Select' Op has type ") + dtypeName(f.dtype) +
                                          " that does not match type " + dtypeName(t.dtype) + " of argument 't'.",
                false);
  Shape s;
  if (!mergeShapes(t.shape, f.shape, s, e))
    return false;
  // As TF's Select: a scalar condition picks a whole input, a vector one
  // the rows, any other has the inputs' shape.
  if (!c.shape.unknownRank && !s.unknownRank && c.shape.rank() > 0) {
    if (c.shape.rank() == 1 && s.rank() > 1) {
      Shape merged;
      if (!mergeShapes(c.shape, Shape::of({s.dims[0]}), merged, e))
        return false;
      s.dims[0] = merged.dims[0];
    } else if (!mergeShapes(s, c.shape, s, e)) {
      return false;
    }
  }
  o = {out(t.dtype, s)};
  return true;
}

bool shapeSoftmax(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 1, e) || !floatInput(q, e))
    return false;
  const Shape &s = q.inputs[0].shape;
  if (!s.unknownRank && s.rank() < 1)
    return fail(e, ShapeError::Rank, "Shape must be at least rank 1 but is rank 0");
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool shapeCast(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 1, e))
    return false;
  const AttrValue *t = q.attr("DstT");
  if (!t || !std::holds_alternative<DType>(*t))
    return fail(e, ShapeError::Argument, "Cast needs a destination dtype", false);
  o = {out(std::get<DType>(*t), q.inputs[0].shape)};
  return true;
}

/// The shape a shape tensor (input k) holds: a constant, or what a Shape op
/// measures; unknown otherwise.
Shape shapeValue(const ShapeQuery &q, size_t k) {
  if (k < q.constInputs.size() && q.constInputs[k])
    return Shape::of(q.constInputs[k]->i);
  if (k < q.shapeOf.size() && q.shapeOf[k])
    return *q.shapeOf[k];
  return Shape::unknown();
}

bool shapeShape(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 1, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  DType t = DType::Int32;
  if (const AttrValue *a = q.attr("out_type"); a && std::holds_alternative<DType>(*a))
    t = std::get<DType>(*a);
  o = {out(t, Shape::of({x.unknownRank ? -1 : static_cast<int64_t>(x.rank())}))};
  return true;
}

bool shapeFill(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  Shape s = shapeValue(q, 0);
  o = {out(q.inputs[1].dtype, s)};
  return true;
}

bool shapeMatMul(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  const Shape &a = q.inputs[0].shape, &b = q.inputs[1].shape;
  if (!withRank(a, 2, e) || !withRank(b, 2, e) || !sameDType(q, e, "a", "b"))
    return false;
  bool ta = q.boolAttr("transpose_a", false), tb = q.boolAttr("transpose_b", false);
  int64_t m = a.unknownRank ? -1 : a.dims[ta ? 1 : 0], k1 = a.unknownRank ? -1 : a.dims[ta ? 0 : 1];
  int64_t k2 = b.unknownRank ? -1 : b.dims[tb ? 1 : 0], n = b.unknownRank ? -1 : b.dims[tb ? 0 : 1];
  if (k1 >= 0 && k2 >= 0 && k1 != k2)
    return fail(e, ShapeError::Shapes,
                "Dimensions must be equal, but are " + std::to_string(k1) + " and " +
                    std::to_string(k2));
  o = {out(q.inputs[0].dtype, Shape::of({m, n}))};
  return true;
}

bool shapeBiasAdd(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e) || !sameDType(q, e, "value", "bias"))
    return false;
  const Shape &x = q.inputs[0].shape, &b = q.inputs[1].shape;
  if (!withRank(b, 1, e))
    return false;
  if (!x.unknownRank && x.rank() < 2)
    return fail(e, ShapeError::Rank,
                "Shape must be at least rank 2 but is rank " + std::to_string(x.rank()));
  Shape s = x;
  if (!x.unknownRank && !b.unknownRank) {
    int64_t c = x.dims.back(), d = b.dims[0];
    if (c >= 0 && d >= 0 && c != d)
      return fail(e, ShapeError::Shapes,
                  "Dimensions must be equal, but are " + std::to_string(c) + " and " +
                      std::to_string(d));
    if (c < 0)
      s.dims.back() = d;
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool intsAttr(const ShapeQuery &q, const std::string &name, size_t n, std::vector<int64_t> &v,
              ShapeError &e) {
  const AttrValue *a = q.attr(name);
  if (!a || !std::holds_alternative<std::vector<int64_t>>(*a) ||
      std::get<std::vector<int64_t>>(*a).size() != n)
    return fail(e, ShapeError::Argument,
                name + " must be a list of " + std::to_string(n) + " ints", false);
  v = std::get<std::vector<int64_t>>(*a);
  return true;
}

/// Output size of a windowed op in one spatial dimension.
bool windowSize(int64_t in, int64_t window, int64_t stride, int64_t dilation,
                const std::string &padding, int64_t &outSize, ShapeError &e) {
  if (in < 0 || window < 0) {
    outSize = -1;
    return true;
  }
  int64_t eff = (window - 1) * dilation + 1;
  if (padding == "SAME") {
    outSize = (in + stride - 1) / stride;
    return true;
  }
  if (in < eff)
    return fail(e, ShapeError::Shapes,
                "Negative dimension size caused by subtracting " + std::to_string(eff) +
                    " from " + std::to_string(in));
  outSize = (in - eff) / stride + 1;
  return true;
}

bool checkPaddingStrides(const ShapeQuery &q, std::vector<int64_t> &strides, std::string &padding,
                         ShapeError &e) {
  if (!intsAttr(q, "strides", 4, strides, e))
    return false;
  const AttrValue *p = q.attr("padding");
  padding = p && std::holds_alternative<std::string>(*p) ? std::get<std::string>(*p) : "";
  if (padding != "SAME" && padding != "VALID")
    return fail(e, ShapeError::Argument,
                "padding must be 'SAME' or 'VALID', not '" + padding + "'", false);
  for (int64_t s : strides)
    if (s < 1)
      return fail(e, ShapeError::Argument, "strides must be positive", false);
  if (strides[0] != 1 || strides[3] != 1)
    return fail(e, ShapeError::Argument,
                "Current implementation does not yet support strides in the batch and depth "
                "dimensions.",
                false);
  return true;
}

bool shapeConv2D(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  const Shape &x = q.inputs[0].shape, &w = q.inputs[1].shape;
  if (!withRank(x, 4, e) || !withRank(w, 4, e) || !sameDType(q, e, "input", "filter"))
    return false;
  std::vector<int64_t> strides, dilations = {1, 1, 1, 1};
  std::string padding;
  if (!checkPaddingStrides(q, strides, padding, e))
    return false;
  if (q.attr("dilations") && !intsAttr(q, "dilations", 4, dilations, e))
    return false;
  Shape s = Shape::of({-1, -1, -1, -1});
  bool depthwise = q.opType == "DepthwiseConv2dNative";
  if (!x.unknownRank) {
    s.dims[0] = x.dims[0];
    if (!w.unknownRank && x.dims[3] >= 0 && w.dims[2] >= 0 && x.dims[3] != w.dims[2])
      return depthwise ? fail(e, ShapeError::Shapes, "Dimensions must be equal, but are " + std::to_string(x.dims[3]) +
                                                         " and " + std::to_string(w.dims[2]))
                       : fail(e, ShapeError::Shapes,
                              "Depth of input (" + std::to_string(x.dims[3]) +
                                  ") is not a multiple of input depth of filter (" + std::to_string(w.dims[2]) + ")");
    for (int k = 0; k < 2; ++k)
      if (!windowSize(x.dims[1 + k], w.unknownRank ? -1 : w.dims[k], strides[1 + k],
                      dilations[1 + k], padding, s.dims[1 + k], e))
        return false;
  }
  if (!w.unknownRank)
    s.dims[3] = depthwise ? (w.dims[2] >= 0 && w.dims[3] >= 0 ? w.dims[2] * w.dims[3] : -1) : w.dims[3];
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

/// Conv2DBackpropInput(input_sizes, filter, out_backprop): the transpose of a
/// convolution; the output is input_sizes. TF checks the rest when the op
/// runs; scopec checks it here, in the words of TF's kernel.
bool shapeConvBackpropInput(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 3, e))
    return false;
  const Shape &w = q.inputs[1].shape, &x = q.inputs[2].shape;
  if (!withRank(w, 4, e) || !withRank(x, 4, e))
    return false;
  if (q.inputs[1].dtype != q.inputs[2].dtype)
    return fail(e, ShapeError::DType, std::string("Input 'out_backprop' of 'Conv2DBackpropInput' Op has type ") +
                                          dtypeName(q.inputs[2].dtype) + " that does not match type " +
                                          dtypeName(q.inputs[1].dtype) + " of argument 'filter'.",
                false);
  // input_sizes: a Const, or a shape tensor built from tf.shape pieces whose
  // spatial and channel parts constant folding knows (the batch may not).
  Shape s = shapeValue(q, 0);
  if (s.unknownRank)
    return fail(e, ShapeError::Argument, "conv2d_transpose needs an output_shape whose value is known when the graph "
                                         "is built (a list, or tf.shape pieces with static sizes) in scopec", false);
  if (s.rank() != 4)
    return fail(e, ShapeError::Rank, "Shape must be rank 4 but is rank " + std::to_string(s.rank()));
  for (size_t k = 1; k < 4; ++k)
    if (s.dims[k] < 0)
      return fail(e, ShapeError::UnknownDim, "conv2d_transpose needs the height, width and depth of output_shape "
                                             "known when the graph is built in scopec; output_shape is " + s.str(), false);
  std::vector<int64_t> strides;
  std::string padding;
  if (!checkPaddingStrides(q, strides, padding, e))
    return false;
  if (!w.unknownRank && !x.unknownRank) {
    if (w.dims[3] >= 0 && x.dims[3] >= 0 && w.dims[3] != x.dims[3])
      return fail(e, ShapeError::Shapes, "Conv2DCustomBackpropInput: filter and out_backprop must have the same out_depth (" +
                                             std::to_string(w.dims[3]) + " and " + std::to_string(x.dims[3]) + ")", false);
    if (w.dims[2] >= 0 && w.dims[2] != s.dims[3])
      return fail(e, ShapeError::Shapes, "Conv2DCustomBackpropInput: input and filter must have the same depth (" +
                                             std::to_string(s.dims[3]) + " and " + std::to_string(w.dims[2]) + ")", false);
    for (int k = 0; k < 2; ++k) {
      int64_t computed;
      if (!windowSize(s.dims[1 + k], w.dims[k], strides[1 + k], 1, padding, computed, e))
        return false;
      if (computed >= 0 && x.dims[1 + k] >= 0 && computed != x.dims[1 + k])
        return fail(e, ShapeError::Shapes, "Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: actual = " +
                                               std::to_string(x.dims[1 + k]) + ", computed = " + std::to_string(computed),
                    false);
    }
  }
  o = {out(q.inputs[2].dtype, s)};
  return true;
}

// ResizeBilinear / ResizeNearestNeighbor(images [N,H,W,C], size [2]):
// [N, size[0], size[1], C]; bilinear outputs float32.
bool shapeResize(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e) || !withRank(q.inputs[0].shape, 4, e) || !withRank(q.inputs[1].shape, 1, e))
    return false;
  const Shape &x = q.inputs[0].shape, &sz = q.inputs[1].shape;
  if (!sz.unknownRank && sz.dims[0] >= 0 && sz.dims[0] != 2)
    return fail(e, ShapeError::Shapes, "Dimension must be 2 but is " + std::to_string(sz.dims[0]));
  if (q.inputs[1].dtype != DType::Int32)
    return fail(e, ShapeError::DType, std::string("Input 'size' of '") + q.opType + "' Op has type " +
                                          dtypeName(q.inputs[1].dtype) + " that does not match expected type of int32.",
                false);
  Shape v = shapeValue(q, 1);
  Shape s = Shape::of({x.unknownRank ? -1 : x.dims[0], -1, -1, x.unknownRank ? -1 : x.dims[3]});
  if (!v.unknownRank && v.rank() == 2) {
    for (int k = 0; k < 2; ++k)
      if (v.dims[k] == 0 || v.dims[k] < -1)
        return fail(e, ShapeError::Argument, "output dimensions must be positive", false);
    s.dims[1] = v.dims[0];
    s.dims[2] = v.dims[1];
  }
  o = {out(q.opType == "ResizeBilinear" ? DType::Float32 : q.inputs[0].dtype, s)};
  return true;
}

bool shapeLRN(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 1, e) || !withRank(q.inputs[0].shape, 4, e))
    return false;
  DType t = q.inputs[0].dtype;
  if (t != DType::Float32 && t != DType::Float16 && t != DType::BFloat16)
    return fail(e, ShapeError::DType, std::string("Value passed to parameter 'input' has DataType ") + dtypeName(t) +
                                          " not in list of allowed values: half, bfloat16, float32", false);
  o = {out(t, q.inputs[0].shape)};
  return true;
}

bool shapePool(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 1, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  if (!withRank(x, 4, e))
    return false;
  std::vector<int64_t> strides, ksize;
  std::string padding;
  if (!checkPaddingStrides(q, strides, padding, e) || !intsAttr(q, "ksize", 4, ksize, e))
    return false;
  if (ksize[0] != 1 || ksize[3] != 1)
    return fail(e, ShapeError::Argument,
                "Pooling is not yet supported on the batch nor depth dimensions.", false);
  Shape s = Shape::of({-1, -1, -1, -1});
  if (!x.unknownRank) {
    s.dims[0] = x.dims[0];
    s.dims[3] = x.dims[3];
    for (int k = 0; k < 2; ++k)
      if (!windowSize(x.dims[1 + k], ksize[1 + k], strides[1 + k], 1, padding, s.dims[1 + k], e))
        return false;
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

/// Axes from a constant input (reductions, ConcatV2, ExpandDims).
bool constAxes(const ShapeQuery &q, size_t index, std::vector<int64_t> &axes) {
  if (index >= q.constInputs.size() || !q.constInputs[index])
    return false;
  axes = q.constInputs[index]->i;
  return true;
}

bool normaliseAxis(int64_t &axis, int64_t rank, ShapeError &e, const std::string &what) {
  if (axis < -rank || axis >= rank)
    return fail(e, ShapeError::Argument,
                what + " " + std::to_string(axis) + " for input with " + std::to_string(rank) +
                    " dimensions.",
                false);
  if (axis < 0)
    axis += rank;
  return true;
}

bool shapeReduce(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  if ((q.opType == "Any" || q.opType == "All") && q.inputs[0].dtype != DType::Bool)
    return fail(e, ShapeError::DType, "Input 'input' of '" + q.opType + "' Op has type " +
                                          dtypeName(q.inputs[0].dtype) + " that does not match expected type of bool.",
                false);
  const Shape &x = q.inputs[0].shape;
  bool keep = q.boolAttr("keep_dims", false);
  std::vector<int64_t> axes;
  if (x.unknownRank || !constAxes(q, 1, axes)) {
    o = {out(q.inputs[0].dtype, Shape::unknown())};
    return true;
  }
  int64_t r = static_cast<int64_t>(x.rank());
  std::vector<bool> reduced(static_cast<size_t>(r), false);
  for (int64_t ax : axes) {
    if (!normaliseAxis(ax, r, e, "Invalid reduction dimension"))
      return false;
    reduced[static_cast<size_t>(ax)] = true;
  }
  Shape s = Shape::scalar();
  for (int64_t k = 0; k < r; ++k)
    if (!reduced[static_cast<size_t>(k)])
      s.dims.push_back(x.dims[static_cast<size_t>(k)]);
    else if (keep)
      s.dims.push_back(1);
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

// TopKV2(input, k): values and int32 indices of the k largest along the last axis.
bool shapeTopK(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e) || !withRank(q.inputs[1].shape, 0, e))
    return false;
  Shape s = q.inputs[0].shape;
  const TensorData *kd = q.constInputs[1];
  int64_t k = kd && !kd->i.empty() ? kd->i[0] : -1;
  if (kd && k < 0)
    return fail(e, ShapeError::Argument, "Need k >= 0, got " + std::to_string(k), false);
  if (!s.unknownRank) {
    if (s.rank() < 1)
      return fail(e, ShapeError::Rank, "Shape must be at least rank 1 but is rank 0");
    if (k >= 0 && s.dims.back() >= 0 && s.dims.back() < k)
      return fail(e, ShapeError::Shapes, "input must have at least k columns. Had " + std::to_string(s.dims.back()) +
                                             ", needed " + std::to_string(k));
    s.dims.back() = k;
  }
  o = {out(q.inputs[0].dtype, s), out(DType::Int32, s)};
  return true;
}

bool shapeArgMax(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  std::vector<int64_t> axes;
  DType t = DType::Int64;
  if (const AttrValue *a = q.attr("output_type"); a && std::holds_alternative<DType>(*a))
    t = std::get<DType>(*a);
  if (x.unknownRank || !constAxes(q, 1, axes) || axes.size() != 1) {
    o = {out(t, Shape::unknown())};
    return true;
  }
  int64_t ax = axes[0];
  if (!normaliseAxis(ax, static_cast<int64_t>(x.rank()), e, "Expected dimension in the range [" +
                                                               std::to_string(-static_cast<int64_t>(x.rank())) + ", " +
                                                               std::to_string(x.rank()) + "), but got"))
    return false;
  Shape s = x;
  s.dims.erase(s.dims.begin() + ax);
  o = {out(t, s)};
  return true;
}

bool shapeReshape(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  const TensorData *target = q.constInputs.size() > 1 ? q.constInputs[1] : nullptr;
  if (!target) {
    // A shape tensor (tf.shape(x), tf.stack([tf.shape(x)[0], -1])): what is
    // known of its value; as TF, one unknown dimension is inferred when the
    // input's size is known, or taken from the input's single unknown one
    // when the known parts have equal sizes.
    Shape s = shapeValue(q, 1);
    if (!s.unknownRank && !x.unknownRank) {
      auto split = [](const Shape &v, int64_t &known, int &unknownAt) {
        known = 1;
        unknownAt = -1;
        int count = 0;
        for (size_t k = 0; k < v.rank(); ++k)
          if (v.dims[k] < 0) {
            unknownAt = static_cast<int>(k);
            ++count;
          } else {
            known *= v.dims[k];
          }
        return count;
      };
      int64_t knownOut, knownIn;
      int outAt, inAt;
      int outUnknown = split(s, knownOut, outAt), inUnknown = split(x, knownIn, inAt);
      if (outUnknown == 0 && inUnknown == 0 && knownIn != knownOut)
        return fail(e, ShapeError::Shapes, "Cannot reshape a tensor with " + std::to_string(knownIn) +
                                               " elements to shape " + s.bracketStr() + " (" +
                                               std::to_string(knownOut) + " elements)");
      if (outUnknown == 1 && inUnknown == 0 && knownOut > 0) {
        if (knownIn % knownOut != 0)
          return fail(e, ShapeError::Shapes, "Cannot reshape a tensor with " + std::to_string(knownIn) +
                                                 " elements to shape " + s.bracketStr() + " (" +
                                                 std::to_string(knownOut) + " elements)");
        s.dims[static_cast<size_t>(outAt)] = knownIn / knownOut;
      } else if (outUnknown == 1 && inUnknown == 1 && knownIn == knownOut) {
        s.dims[static_cast<size_t>(outAt)] = -1;
      }
    }
    o = {out(q.inputs[0].dtype, s)};
    return true;
  }
  Shape s = Shape::of(target->i);
  int64_t unknownAt = -1, known = 1;
  for (size_t k = 0; k < s.rank(); ++k) {
    if (s.dims[k] == -1) {
      if (unknownAt >= 0)
        return fail(e, ShapeError::Argument, "Cannot infer multiple unknown dimensions in shape " +
                                                 s.bracketStr(), false);
      unknownAt = static_cast<int64_t>(k);
    } else if (s.dims[k] < -1) {
      return fail(e, ShapeError::Argument,
                  "Size " + std::to_string(k) + " must be non-negative, not " + std::to_string(s.dims[k]));
    } else {
      known *= s.dims[k];
    }
  }
  int64_t n = x.numElements();
  if (n >= 0) {
    if (unknownAt >= 0) {
      if (known == 0 || n % known != 0)
        return fail(e, ShapeError::Shapes,
                    "Cannot reshape a tensor with " + std::to_string(n) +
                        " elements to shape " + s.bracketStr() + " (" + std::to_string(known) +
                        " elements)");
      s.dims[static_cast<size_t>(unknownAt)] = n / known;
    } else if (n != known) {
      return fail(e, ShapeError::Shapes,
                  "Cannot reshape a tensor with " + std::to_string(n) + " elements to shape " +
                      s.bracketStr() + " (" + std::to_string(known) + " elements)");
    }
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool shapeTranspose(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  std::vector<int64_t> perm;
  if (x.unknownRank || !constAxes(q, 1, perm)) {
    o = {out(q.inputs[0].dtype, Shape::unknown())};
    return true;
  }
  if (perm.size() != x.rank())
    return fail(e, ShapeError::Rank,
                "Dimension must be " + std::to_string(x.rank()) + " but is " +
                    std::to_string(perm.size()));
  Shape s = Shape::scalar();
  std::vector<bool> seen(x.rank(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(x.rank()) || seen[static_cast<size_t>(p)])
      return fail(e, ShapeError::Argument, "perm must be a permutation of 0.." +
                                               std::to_string(x.rank() - 1), false);
    seen[static_cast<size_t>(p)] = true;
    s.dims.push_back(x.dims[static_cast<size_t>(p)]);
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool shapeConcat(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (q.inputs.size() < 2)
    return needInputs(q, 2, e);
  size_t n = q.inputs.size() - 1; // the last input is the axis
  std::vector<int64_t> axes;
  if (!constAxes(q, n, axes) || axes.size() != 1)
    return fail(e, ShapeError::Argument, "ConcatV2 needs a constant axis", false);
  Shape s = q.inputs[0].shape;
  for (size_t k = 1; k < n; ++k)
    if (q.inputs[k].dtype != q.inputs[0].dtype)
      return fail(e, ShapeError::DType,
                  std::string("Tensors in list passed to 'values' of 'ConcatV2' Op have types [") +
                      dtypeName(q.inputs[0].dtype) + ", " + dtypeName(q.inputs[k].dtype) +
                      "] that don't all match.",
                  false);
  if (s.unknownRank) {
    o = {out(q.inputs[0].dtype, s)};
    return true;
  }
  int64_t ax = axes[0];
  if (!normaliseAxis(ax, static_cast<int64_t>(s.rank()), e, "ConcatOp : Expected concatenating dimensions in the range [" +
                                                                std::to_string(-static_cast<int64_t>(s.rank())) + ", " +
                                                                std::to_string(s.rank()) + "), but got"))
    return false;
  for (size_t k = 1; k < n; ++k) {
    const Shape &t = q.inputs[k].shape;
    if (t.unknownRank)
      continue;
    if (t.rank() != s.rank())
      return fail(e, ShapeError::Rank, "Shape must be rank " + std::to_string(s.rank()) +
                                           " but is rank " + std::to_string(t.rank()));
    for (size_t d = 0; d < s.rank(); ++d) {
      if (static_cast<int64_t>(d) == ax) {
        s.dims[d] = s.dims[d] < 0 || t.dims[d] < 0 ? -1 : s.dims[d] + t.dims[d];
      } else if (s.dims[d] >= 0 && t.dims[d] >= 0 && s.dims[d] != t.dims[d]) {
        return fail(e, ShapeError::Shapes, "Dimension " + std::to_string(d) +
                                               " in both shapes must be equal, but are " +
                                               std::to_string(s.dims[d]) + " and " +
                                               std::to_string(t.dims[d]));
      } else if (s.dims[d] < 0) {
        s.dims[d] = t.dims[d];
      }
    }
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool shapePack(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (q.inputs.empty())
    return needInputs(q, 1, e);
  Shape s = q.inputs[0].shape;
  for (size_t k = 1; k < q.inputs.size(); ++k) {
    const Shape &t = q.inputs[k].shape;
    if (q.inputs[k].dtype != q.inputs[0].dtype)
      return fail(e, ShapeError::DType, "Tensors in list passed to 'values' of 'Pack' Op have types that don't all match.", false);
    if (!s.isCompatibleWith(t))
      return fail(e, ShapeError::Shapes, "Shapes must be equal rank, but are " +
                                             std::to_string(s.rank()) + " and " +
                                             std::to_string(t.rank()));
  }
  if (s.unknownRank) {
    o = {out(q.inputs[0].dtype, s)};
    return true;
  }
  int64_t ax = q.intAttr("axis", 0);
  if (!normaliseAxis(ax, static_cast<int64_t>(s.rank()) + 1, e, "axis"))
    return false;
  s.dims.insert(s.dims.begin() + ax, static_cast<int64_t>(q.inputs.size()));
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

// SpaceToBatchND(input, block_shape, paddings) / BatchToSpaceND(input,
// block_shape, crops) with constant block_shape [M] and paddings/crops [M, 2].
bool shapeSpaceToBatch(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 3, e))
    return false;
  bool toBatch = q.opType == "SpaceToBatchND";
  const Shape &x = q.inputs[0].shape;
  const TensorData *block = q.constInputs[1], *pads = q.constInputs[2];
  if (!block || !pads || x.unknownRank) {
    o = {out(q.inputs[0].dtype, x.unknownRank ? Shape::unknown() : Shape::of(std::vector<int64_t>(x.rank(), -1)))};
    return true;
  }
  size_t m = block->i.size();
  if (pads->i.size() != 2 * m)
    return fail(e, ShapeError::Shapes, std::string(toBatch ? "paddings" : "crops") + " must have shape [" +
                                           std::to_string(m) + ", 2]", false);
  if (x.rank() < m + 1)
    return fail(e, ShapeError::Rank, "Shape must be at least rank " + std::to_string(m + 1) + " but is rank " +
                                         std::to_string(x.rank()));
  Shape s = x;
  int64_t prod = 1;
  for (size_t k = 0; k < m; ++k) {
    int64_t b = block->i[k], lo = pads->i[2 * k], hi = pads->i[2 * k + 1];
    if (b < 1 || lo < 0 || hi < 0)
      return fail(e, ShapeError::Argument, std::string(toBatch ? "paddings" : "crops") + " and block_shape must be non-negative and positive", false);
    prod *= b;
    int64_t &d = s.dims[k + 1];
    if (d < 0)
      continue;
    if (toBatch) {
      if ((d + lo + hi) % b != 0)
        return fail(e, ShapeError::Shapes, "Dimension size must be evenly divisible by " + std::to_string(b) + " but is " +
                                               std::to_string(d + lo + hi));
      d = (d + lo + hi) / b;
    } else {
      d = d * b - lo - hi;
      if (d < 0)
        return fail(e, ShapeError::Shapes, "Negative dimension size caused by subtracting crops", false);
    }
  }
  if (s.dims[0] >= 0) {
    if (!toBatch && s.dims[0] % prod != 0)
      return fail(e, ShapeError::Shapes, "Dimension size must be evenly divisible by " + std::to_string(prod) + " but is " +
                                             std::to_string(s.dims[0]));
    s.dims[0] = toBatch ? s.dims[0] * prod : s.dims[0] / prod;
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

// Switch(data, pred): both outputs are data; pred a bool scalar.
bool shapeSwitch(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  if (q.inputs[1].dtype != DType::Bool)
    return fail(e, ShapeError::DType, std::string("Input 'pred' of 'Switch' Op has type ") +
                                          dtypeName(q.inputs[1].dtype) + " that does not match expected type of bool.",
                false);
  if (!withRank(q.inputs[1].shape, 0, e))
    return false;
  o = {out(q.inputs[0].dtype, q.inputs[0].shape), out(q.inputs[0].dtype, q.inputs[0].shape)};
  return true;
}

// Merge(inputs): the shape all inputs have (a differing dimension unknown,
// differing ranks an unknown rank), and value_index, an int32 scalar.
bool shapeMerge(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (q.inputs.empty())
    return fail(e, ShapeError::Argument, "Merge needs at least one input", false);
  Shape s = q.inputs[0].shape;
  for (size_t k = 1; k < q.inputs.size(); ++k) {
    const Shape &t = q.inputs[k].shape;
    if (q.inputs[k].dtype != q.inputs[0].dtype)
      return fail(e, ShapeError::DType, "Inputs to 'Merge' Op have types that don't all match.", false);
    if (s.unknownRank || t.unknownRank || s.rank() != t.rank()) {
      s = Shape::unknown();
      continue;
    }
    for (size_t d = 0; d < s.rank(); ++d)
      if (s.dims[d] != t.dims[d])
        s.dims[d] = -1;
  }
  o = {out(q.inputs[0].dtype, s), out(DType::Int32, Shape::scalar())};
  return true;
}

bool shapeSqueeze(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 1, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  if (x.unknownRank) {
    o = {out(q.inputs[0].dtype, x)};
    return true;
  }
  std::vector<int64_t> dims;
  if (const AttrValue *a = q.attr("squeeze_dims"); a && std::holds_alternative<std::vector<int64_t>>(*a))
    dims = std::get<std::vector<int64_t>>(*a);
  int64_t r = static_cast<int64_t>(x.rank());
  std::vector<bool> drop(x.rank(), false);
  if (dims.empty()) {
    for (size_t k = 0; k < x.rank(); ++k)
      drop[k] = x.dims[k] == 1;
  } else {
    for (int64_t d : dims) {
      if (!normaliseAxis(d, r, e, "Tried to squeeze dim index"))
        return false;
      if (x.dims[static_cast<size_t>(d)] != 1 && x.dims[static_cast<size_t>(d)] >= 0)
        return fail(e, ShapeError::Argument, "Can not squeeze dim[" + std::to_string(d) +
                                                 "], expected a dimension of 1, got " +
                                                 std::to_string(x.dims[static_cast<size_t>(d)]));
      drop[static_cast<size_t>(d)] = true;
    }
  }
  Shape s = Shape::scalar();
  for (size_t k = 0; k < x.rank(); ++k)
    if (!drop[k])
      s.dims.push_back(x.dims[k]);
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool shapeExpandDims(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  std::vector<int64_t> axes;
  if (x.unknownRank || !constAxes(q, 1, axes) || axes.size() != 1) {
    o = {out(q.inputs[0].dtype, Shape::unknown())};
    return true;
  }
  int64_t ax = axes[0];
  if (!normaliseAxis(ax, static_cast<int64_t>(x.rank()) + 1, e, "Tried to expand dim index"))
    return false;
  Shape s = x;
  s.dims.insert(s.dims.begin() + ax, 1);
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

/// GatherV2(params, indices, axis): params.shape[:axis] + indices.shape +
/// params.shape[axis + 1:].
bool shapeGather(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 3, e))
    return false;
  const TensorType &p = q.inputs[0], &ix = q.inputs[1];
  if (ix.dtype != DType::Int32 && ix.dtype != DType::Int64)
    return fail(e, ShapeError::DType, std::string("Value passed to parameter 'indices' has DataType ") +
                                          dtypeName(ix.dtype) + " not in list of allowed values: int32, int64",
                false);
  if (!p.shape.unknownRank && p.shape.rank() < 1)
    return fail(e, ShapeError::Rank, "Shape must be at least rank 1 but is rank 0");
  std::vector<int64_t> axes;
  if (!constAxes(q, 2, axes) || axes.size() != 1)
    return fail(e, ShapeError::Argument, "GatherV2 needs a constant axis", false);
  if (p.shape.unknownRank || ix.shape.unknownRank) {
    o = {out(p.dtype, Shape::unknown())};
    return true;
  }
  int64_t axis = axes[0], r = static_cast<int64_t>(p.shape.rank());
  if (axis < -r || axis >= r)
    return fail(e, ShapeError::Rank, "Shape must be at least rank " + std::to_string(axis < 0 ? -axis : axis + 1) +
                                         " but is rank " + std::to_string(r));
  if (axis < 0)
    axis += r;
  Shape s;
  s.dims.assign(p.shape.dims.begin(), p.shape.dims.begin() + axis);
  s.dims.insert(s.dims.end(), ix.shape.dims.begin(), ix.shape.dims.end());
  s.dims.insert(s.dims.end(), p.shape.dims.begin() + axis + 1, p.shape.dims.end());
  o = {out(p.dtype, s)};
  return true;
}

/// The constant int vector of input `i`, checked to be rank 1 of length `n`
/// (n < 0: any length).
bool constVector(const ShapeQuery &q, size_t i, int64_t n, std::vector<int64_t> &out, ShapeError &e,
                 const char *what) {
  const Shape &s = q.inputs[i].shape;
  if (!withRank(s, 1, e))
    return false;
  if (i >= q.constInputs.size() || !q.constInputs[i])
    return fail(e, ShapeError::Argument, q.opType + " needs constant " + what + " in scopec", false);
  out = q.constInputs[i]->i;
  if (n >= 0 && static_cast<int64_t>(out.size()) != n)
    return fail(e, ShapeError::Rank, "Shape must be rank " + std::to_string(out.size()) + " but is rank " +
                                         std::to_string(n));
  return true;
}

bool shapeTile(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  std::vector<int64_t> m;
  if (!constVector(q, 1, x.unknownRank ? -1 : static_cast<int64_t>(x.rank()), m, e, "multiples"))
    return false;
  Shape s = Shape::of(std::vector<int64_t>(m.size(), -1));
  for (size_t k = 0; k < m.size(); ++k) {
    if (m[k] < 0)
      return fail(e, ShapeError::Argument, "Expected multiples[" + std::to_string(k) + "] >= 0, but got " +
                                               std::to_string(m[k]), false);
    if (!x.unknownRank && x.dims[k] >= 0)
      s.dims[k] = x.dims[k] * m[k];
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool shapePad(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  const Shape &x = q.inputs[0].shape, &p = q.inputs[1].shape;
  if (!withRank(p, 2, e))
    return false;
  const TensorData *pd = q.constInputs.size() > 1 ? q.constInputs[1] : nullptr;
  if (!pd)
    return fail(e, ShapeError::Argument, "Pad needs constant paddings in scopec", false);
  if (!p.unknownRank && ((p.dims[1] >= 0 && p.dims[1] != 2) || (!x.unknownRank && p.dims[0] >= 0 &&
                                                                 p.dims[0] != static_cast<int64_t>(x.rank()))))
    return fail(e, ShapeError::Shapes, "The first dimension of paddings must be the rank of inputs" + p.bracketStr() +
                                           " " + x.bracketStr(), false);
  Shape s = x;
  for (size_t k = 0; !x.unknownRank && k < x.rank(); ++k) {
    int64_t before = pd->i[2 * k], after = pd->i[2 * k + 1];
    if (before < 0 || after < 0)
      return fail(e, ShapeError::Argument, "Paddings must be non-negative: " + std::to_string(before) + " " +
                                               std::to_string(after), false);
    if (s.dims[k] >= 0)
      s.dims[k] += before + after;
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool shapeSlice(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 3, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  int64_t r = x.unknownRank ? -1 : static_cast<int64_t>(x.rank());
  std::vector<int64_t> begin, size;
  if (!constVector(q, 1, r, begin, e, "begin") || !constVector(q, 2, static_cast<int64_t>(begin.size()), size, e, "size"))
    return false;
  Shape s = Shape::of(std::vector<int64_t>(begin.size(), -1));
  for (size_t k = 0; k < begin.size(); ++k) {
    int64_t d = x.unknownRank ? -1 : x.dims[k];
    if (d >= 0 && (begin[k] < 0 || begin[k] > d))
      return fail(e, ShapeError::Argument, "Expected begin[" + std::to_string(k) + "] in [0, " + std::to_string(d) +
                                               "], but got " + std::to_string(begin[k]), false);
    if (size[k] == -1) {
      s.dims[k] = d >= 0 ? d - begin[k] : -1;
    } else {
      if (size[k] < 0 || (d >= 0 && begin[k] + size[k] > d))
        return fail(e, ShapeError::Argument, "Expected size[" + std::to_string(k) + "] in [0, " +
                                                 std::to_string(d >= 0 ? d - begin[k] : size[k]) + "], but got " +
                                                 std::to_string(size[k]), false);
      s.dims[k] = size[k];
    }
  }
  o = {out(q.inputs[0].dtype, s)};
  return true;
}

bool shapeReverse(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  std::vector<int64_t> axes;
  if (!constVector(q, 1, -1, axes, e, "axis"))
    return false;
  int64_t r = x.unknownRank ? -1 : static_cast<int64_t>(x.rank());
  std::set<int64_t> seen;
  for (size_t k = 0; r >= 0 && k < axes.size(); ++k) {
    int64_t a = axes[k];
    if (a < -r || a >= r)
      return fail(e, ShapeError::Argument, "'axis'[" + std::to_string(k) + "] = " + std::to_string(a) +
                                               " is out of valid range [0, " + std::to_string(r) + ")", false);
    if (!seen.insert(a < 0 ? a + r : a).second)
      return fail(e, ShapeError::Argument, "axis " + std::to_string(a < 0 ? a + r : a) + " specified more than once.", false);
  }
  o = {out(q.inputs[0].dtype, x)};
  return true;
}

/// Split(split_dim, value) into attr num_split equal parts; SplitV(value,
/// size_splits, split_dim) into the given sizes (one may be -1).
bool shapeSplit(const ShapeQuery &q, Outs &o, ShapeError &e) {
  bool v = q.opType == "SplitV";
  if (!needInputs(q, v ? 3 : 2, e))
    return false;
  const TensorType &x = q.inputs[v ? 0 : 1];
  std::vector<int64_t> axes;
  if (!constAxes(q, v ? 2 : 0, axes) || axes.size() != 1)
    return fail(e, ShapeError::Argument, q.opType + " needs a constant axis in scopec", false);
  if (x.shape.unknownRank)
    return fail(e, ShapeError::Argument, q.opType + " of a tensor of unknown rank", false);
  int64_t r = static_cast<int64_t>(x.shape.rank()), axis = axes[0];
  if (axis < -r || axis >= r)
    return fail(e, ShapeError::Argument, "Shape must be at least rank " + std::to_string((axis < 0 ? -axis : axis + 1)) +
                                             " but is rank " + std::to_string(r));
  if (axis < 0)
    axis += r;
  int64_t d = x.shape.dims[static_cast<size_t>(axis)];
  std::vector<int64_t> sizes;
  if (!v) {
    int64_t n = q.intAttr("num_split", 1);
    if (d >= 0 && (n <= 0 || d % n != 0))
      return fail(e, ShapeError::Shapes, "Dimension size must be evenly divisible by " + std::to_string(n) + " but is " +
                                             std::to_string(d));
    sizes.assign(static_cast<size_t>(n), d < 0 ? -1 : d / n);
  } else {
    const TensorData *sz = q.constInputs.size() > 1 ? q.constInputs[1] : nullptr;
    if (!sz)
      return fail(e, ShapeError::Argument, "SplitV needs constant size_splits in scopec", false);
    sizes = sz->i;
    int64_t known = 0, unknownAt = -1;
    for (size_t k = 0; k < sizes.size(); ++k)
      if (sizes[k] == -1) {
        if (unknownAt >= 0)
          return fail(e, ShapeError::Argument, "Only one dimensions can have a value of -1. Second one found at dimension " +
                                                   std::to_string(k), false);
        unknownAt = static_cast<int64_t>(k);
      } else {
        known += sizes[k];
      }
    if (d >= 0) {
      if (unknownAt >= 0)
        sizes[static_cast<size_t>(unknownAt)] = d - known;
      if ((unknownAt < 0 && known != d) || (unknownAt >= 0 && known > d))
        return fail(e, ShapeError::Shapes, "Determined shape must either match input shape along split_dim exactly if "
                                           "fully specified, or be less than the size of the input along split_dim if "
                                           "not fully specified.  Got: " + std::to_string(known), false);
    }
  }
  o.clear();
  for (int64_t sz : sizes) {
    Shape s = x.shape;
    s.dims[static_cast<size_t>(axis)] = sz;
    o.push_back(out(x.dtype, s));
  }
  return true;
}

/// Unpack(value), attrs num and axis: num tensors without that axis.
bool shapeUnpack(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 1, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  int64_t r = static_cast<int64_t>(x.rank()), axis = q.intAttr("axis", 0), num = q.intAttr("num", 0);
  if (x.unknownRank || axis < -r || axis >= r)
    return fail(e, ShapeError::Argument, "axis = " + std::to_string(axis) + " not in [" + std::to_string(-r) + ", " +
                                             std::to_string(r) + ")", false);
  if (axis < 0)
    axis += r;
  if (x.dims[static_cast<size_t>(axis)] >= 0 && x.dims[static_cast<size_t>(axis)] != num)
    return fail(e, ShapeError::Shapes, "Dimension must be " + std::to_string(num) + " but is " +
                                           std::to_string(x.dims[static_cast<size_t>(axis)]));
  Shape s = x;
  s.dims.erase(s.dims.begin() + axis);
  o.assign(static_cast<size_t>(num), out(q.inputs[0].dtype, s));
  return true;
}

/// OneHot(indices, depth, on_value, off_value), attr axis (-1: last).
bool shapeOneHot(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 4, e))
    return false;
  const TensorType &ix = q.inputs[0];
  if (ix.dtype != DType::Int32 && ix.dtype != DType::Int64 && ix.dtype != DType::UInt8)
    return fail(e, ShapeError::DType, std::string("Value passed to parameter 'indices' has DataType ") +
                                          dtypeName(ix.dtype) + " not in list of allowed values: uint8, int32, int64",
                false);
  if (!withRank(q.inputs[1].shape, 0, e) || !withRank(q.inputs[2].shape, 0, e) || !withRank(q.inputs[3].shape, 0, e))
    return false;
  if (q.inputs[2].dtype != q.inputs[3].dtype)
    return fail(e, ShapeError::DType, std::string("Input 'off_value' of 'OneHot' Op has type ") +
                                          dtypeName(q.inputs[3].dtype) + " that does not match type " +
                                          dtypeName(q.inputs[2].dtype) + " of argument 'on_value'.",
                false);
  const TensorData *depth = q.constInputs.size() > 1 ? q.constInputs[1] : nullptr;
  int64_t d = depth && !depth->i.empty() ? depth->i[0] : -1;
  if (d < -1 || (depth && d < 0))
    return fail(e, ShapeError::Argument, "depth must be non-negative, got: " + std::to_string(d), false);
  if (ix.shape.unknownRank) {
    o = {out(q.inputs[2].dtype, Shape::unknown())};
    return true;
  }
  int64_t axis = q.intAttr("axis", -1), r = static_cast<int64_t>(ix.shape.rank());
  if (axis < -1 || axis > r)
    return fail(e, ShapeError::Argument, "Expected axis to be -1 or between [0, " + std::to_string(r) +
                                             ").  But received: " + std::to_string(axis), false);
  Shape s = ix.shape;
  s.dims.insert(s.dims.begin() + (axis == -1 ? r : axis), d);
  o = {out(q.inputs[2].dtype, s)};
  return true;
}

/// Range(start, limit, delta): a vector of ceil((limit - start) / delta).
bool shapeRange(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 3, e))
    return false;
  for (int k = 0; k < 3; ++k)
    if (!withRank(q.inputs[k].shape, 0, e))
      return false;
  const TensorData *a = q.constInputs.size() > 2 ? q.constInputs[0] : nullptr, *b = a ? q.constInputs[1] : nullptr,
                   *c = b ? q.constInputs[2] : nullptr;
  int64_t n = -1;
  // A limit constant folding knows (sequence_mask's Maximum(0, Max(lengths))).
  int64_t folded = !b && a && q.scalarOf.size() > 1 ? q.scalarOf[1] : -1;
  c = q.constInputs.size() > 2 ? q.constInputs[2] : nullptr;
  if (a && (b || folded >= 0) && c) {
    auto v = [](const TensorData *d) { return isFloating(d->dtype) ? d->f[0] : static_cast<double>(d->i[0]); };
    double start = v(a), limit = b ? v(b) : static_cast<double>(folded), delta = v(c);
    if (delta == 0)
      return fail(e, ShapeError::Argument, "Requires delta != 0", false);
    if ((delta > 0 && start > limit) || (delta < 0 && start < limit))
      return fail(e, ShapeError::Argument, delta > 0 ? "Requires start <= limit when delta > 0: " + std::to_string(static_cast<int64_t>(start)) + "/" + std::to_string(static_cast<int64_t>(limit))
                                                     : "Requires start >= limit when delta < 0: " + std::to_string(static_cast<int64_t>(start)) + "/" + std::to_string(static_cast<int64_t>(limit)),
                  false);
    n = isFloating(a->dtype) ? static_cast<int64_t>(std::ceil(std::fabs((limit - start) / delta)))
                             : (std::llabs(static_cast<int64_t>(limit - start)) + std::llabs(static_cast<int64_t>(delta)) - 1) /
                                   std::llabs(static_cast<int64_t>(delta));
  }
  o = {out(q.inputs[0].dtype, Shape::of({n}))};
  return true;
}

/// Cumsum(x, axis): x's shape.
bool shapeCumsum(const ShapeQuery &q, Outs &o, ShapeError &e) {
  if (!needInputs(q, 2, e) || !withRank(q.inputs[1].shape, 0, e))
    return false;
  const Shape &x = q.inputs[0].shape;
  std::vector<int64_t> axes;
  if (!x.unknownRank && constAxes(q, 1, axes) && !axes.empty()) {
    int64_t a = axes[0], r = static_cast<int64_t>(x.rank());
    if (a < -r || a >= r)
      return fail(e, ShapeError::Argument, "ScanOp: Expected scan axis in the range [" + std::to_string(-r) + ", " +
                                               std::to_string(r) + "), but got " + std::to_string(a), false);
  }
  o = {out(q.inputs[0].dtype, x)};
  return true;
}

bool shapeStridedSlice(const ShapeQuery &q, Outs &o, ShapeError &e) {
  // The builder computes the result shape from the Python slice (it knows
  // the masks); the node records it in "result_shape".
  if (const AttrValue *a = q.attr("result_shape"); a && std::holds_alternative<std::vector<int64_t>>(*a)) {
    o = {out(q.inputs[0].dtype, Shape::of(std::get<std::vector<int64_t>>(*a)))};
    return true;
  }
  o = {out(q.inputs[0].dtype, Shape::unknown())};
  return true;
}

struct Entry {
  const char *name;
  Fn fn;
};

const std::vector<Entry> &registry() {
  static const std::vector<Entry> r = {
#define OP(Type, Shape) {#Type, Shape},
#include "scopec/Graph/Ops.def"
  };
  return r;
}

} // namespace

/// TF's InferenceContext::Merge: equal ranks and dimensions, unknowns filled in.
bool mergeShapes(const Shape &a, const Shape &b, Shape &out, ShapeError &e) {
  if (a.unknownRank || b.unknownRank) {
    out = a.unknownRank ? b : a;
    return true;
  }
  if (a.rank() != b.rank())
    return fail(e, ShapeError::Rank, "Shapes must be equal rank, but are " + std::to_string(a.rank()) + " and " +
                                         std::to_string(b.rank()));
  Shape m = a;
  for (size_t k = 0; k < a.rank(); ++k) {
    if (a.dims[k] >= 0 && b.dims[k] >= 0 && a.dims[k] != b.dims[k])
      return fail(e, ShapeError::Shapes, "Dimension " + std::to_string(k) + " in both shapes must be equal, but are " +
                                             std::to_string(a.dims[k]) + " and " + std::to_string(b.dims[k]));
    if (m.dims[k] < 0)
      m.dims[k] = b.dims[k];
  }
  out = std::move(m);
  return true;
}


const AttrValue *ShapeQuery::attr(const std::string &name) const {
  if (!attrs)
    return nullptr;
  auto it = attrs->find(name);
  return it == attrs->end() ? nullptr : &it->second;
}

int64_t ShapeQuery::intAttr(const std::string &name, int64_t dflt) const {
  const AttrValue *a = attr(name);
  return a && std::holds_alternative<int64_t>(*a) ? std::get<int64_t>(*a) : dflt;
}

bool ShapeQuery::boolAttr(const std::string &name, bool dflt) const {
  const AttrValue *a = attr(name);
  return a && std::holds_alternative<bool>(*a) ? std::get<bool>(*a) : dflt;
}

std::optional<OpKind> opKindFromName(std::string_view type) {
  const auto &r = registry();
  for (size_t k = 0; k < r.size(); ++k)
    if (type == r[k].name)
      return static_cast<OpKind>(k);
  return std::nullopt;
}

const char *opKindName(OpKind k) { return registry()[static_cast<size_t>(k)].name; }

const std::vector<std::string> &registeredOps() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Entry &e : registry())
      v.push_back(e.name);
    return v;
  }();
  return names;
}

bool inferShape(const ShapeQuery &q, std::vector<TensorType> &outs, ShapeError &err) {
  auto kind = opKindFromName(q.opType);
  if (!kind)
    return fail(err, ShapeError::Argument, "op type '" + q.opType + "' is not registered", false);
  return registry()[static_cast<size_t>(*kind)].fn(q, outs, err);
}

std::string formatShapeError(const ShapeQuery &q, const ShapeError &err) {
  if (!err.withInputShapes)
    return err.message;
  std::string shapes;
  for (size_t k = 0; k < q.inputs.size(); ++k)
    shapes += (k ? ", " : "") + q.inputs[k].shape.bracketStr();
  return err.message + " for '" + q.nodeName + "' (op: '" + q.opType +
         "') with input shapes: " + shapes + ".";
}

bool broadcastShapes(const Shape &a, const Shape &b, Shape &out, int64_t *badA, int64_t *badB) {
  if (a.unknownRank || b.unknownRank) {
    out = Shape::unknown();
    return true;
  }
  size_t n = std::max(a.rank(), b.rank());
  out = Shape::scalar();
  out.dims.resize(n);
  for (size_t k = 0; k < n; ++k) {
    int64_t x = k < n - a.rank() ? 1 : a.dims[k - (n - a.rank())];
    int64_t y = k < n - b.rank() ? 1 : b.dims[k - (n - b.rank())];
    if (x == 1)
      out.dims[k] = y;
    else if (y == 1)
      out.dims[k] = x;
    else if (x < 0)
      out.dims[k] = y;
    else if (y < 0 || x == y)
      out.dims[k] = x;
    else {
      if (badA)
        *badA = x;
      if (badB)
        *badB = y;
      return false;
    }
  }
  return true;
}

} // namespace scopec::graph

namespace scopec::graph {

void addInput(ShapeQuery &q, const Graph &g, TensorRef r) {
  const Node &src = g.node(r.node);
  q.inputs.push_back(src.outputs[r.index]);
  q.inputs.back().isRef = false;
  q.constInputs.push_back(src.op == "Const" && src.value ? src.value.get() : nullptr);
  q.shapeOf.push_back(src.op == "Const" ? std::nullopt : partialShapeValue(g, r));
  q.scalarOf.push_back(src.op == "Const" ? -1 : partialScalarValue(g, r));
}

namespace {
int64_t intAttrOf(const Node &n, const char *name) {
  auto it = n.attrs.find(name);
  return it != n.attrs.end() && std::holds_alternative<int64_t>(it->second) ? std::get<int64_t>(it->second) : 0;
}
const TensorData *constOf(const Graph &g, const Node &n, size_t k) {
  if (k >= n.inputs.size())
    return nullptr;
  const Node &src = g.node(n.inputs[k].node);
  return src.op == "Const" && src.value && !isFloating(src.value->dtype) ? src.value.get() : nullptr;
}
bool isIntTensor(const Graph &g, TensorRef r) {
  DType t = g.type(r).dtype;
  return t == DType::Int32 || t == DType::Int64;
}

/// StridedSlice of a rank-1 value with constant begin/end/strides: the
/// index of a shrunk scalar (`shape[0]`) or the range of a slice (`shape[1:]`).
bool sliceOfVector(const Graph &g, const Node &n, int64_t len, bool &shrink, int64_t &b, int64_t &e, int64_t &st) {
  const TensorData *bd = constOf(g, n, 1), *ed = constOf(g, n, 2), *sd = constOf(g, n, 3);
  if (!bd || !ed || !sd || bd->i.size() != 1 || ed->i.size() != 1 || sd->i.size() != 1 || sd->i[0] == 0 ||
      intAttrOf(n, "ellipsis_mask") || intAttrOf(n, "new_axis_mask"))
    return false;
  shrink = intAttrOf(n, "shrink_axis_mask") & 1;
  st = sd->i[0];
  b = bd->i[0];
  e = ed->i[0];
  if (shrink) {
    if (b < 0)
      b += len;
    return b >= 0 && b < len;
  }
  auto clampIdx = [&](int64_t v, bool masked, bool isBegin) {
    if (masked)
      return isBegin ? (st > 0 ? int64_t(0) : len - 1) : (st > 0 ? len : int64_t(-1));
    if (v < 0)
      v += len;
    return st > 0 ? std::clamp<int64_t>(v, 0, len) : std::clamp<int64_t>(v, -1, len - 1);
  };
  b = clampIdx(b, intAttrOf(n, "begin_mask") & 1, true);
  e = clampIdx(e, intAttrOf(n, "end_mask") & 1, false);
  return true;
}

std::optional<Shape> partialShape(const Graph &g, TensorRef r, int depth);

int64_t partialScalar(const Graph &g, TensorRef r, int depth) {
  if (depth > 64 || !isIntTensor(g, r))
    return -1;
  const Node &n = g.node(r.node);
  const Shape &s = n.outputs[r.index].shape;
  if (s.unknownRank || s.rank() != 0)
    return -1;
  if (n.op == "Const")
    return n.value && n.value->i.size() == 1 ? n.value->i[0] : -1;
  if (n.op == "Cast" || n.op == "Identity")
    return partialScalar(g, n.inputs[0], depth + 1);
  if ((n.op == "Max" || n.op == "Min") && n.inputs.size() == 2) {
    // A reduction of a whole Const (sequence_mask's maxlen).
    const Node &src = g.node(n.inputs[0].node);
    if (src.op != "Const" || !src.value || src.value->i.empty() || isFloating(src.value->dtype))
      return -1;
    auto [lo, hi] = std::minmax_element(src.value->i.begin(), src.value->i.end());
    return n.op == "Max" ? *hi : *lo;
  }
  if (n.op == "StridedSlice") {
    auto v = partialShape(g, n.inputs[0], depth + 1);
    bool shrink;
    int64_t b, e, st;
    if (!v || v->unknownRank || !sliceOfVector(g, n, static_cast<int64_t>(v->rank()), shrink, b, e, st) || !shrink)
      return -1;
    return v->dims[static_cast<size_t>(b)];
  }
  static const std::set<std::string> arith = {"Add", "AddV2", "Sub", "Mul", "FloorDiv", "Maximum", "Minimum"};
  if (arith.count(n.op) && n.inputs.size() == 2) {
    int64_t a = partialScalar(g, n.inputs[0], depth + 1), c = partialScalar(g, n.inputs[1], depth + 1);
    if (a < 0 || c < 0)
      return -1;
    if (n.op == "Add" || n.op == "AddV2")
      return a + c;
    if (n.op == "Sub")
      return a - c >= 0 ? a - c : -1;
    if (n.op == "Mul")
      return a * c;
    if (n.op == "FloorDiv")
      return c > 0 ? a / c : -1;
    return n.op == "Maximum" ? std::max(a, c) : std::min(a, c);
  }
  return -1;
}

std::optional<Shape> partialShape(const Graph &g, TensorRef r, int depth) {
  if (depth > 64 || !isIntTensor(g, r))
    return std::nullopt;
  const Node &n = g.node(r.node);
  const Shape &s = n.outputs[r.index].shape;
  if (!s.unknownRank && s.rank() != 1)
    return std::nullopt;
  if (n.op == "Shape")
    return g.type(n.inputs[0]).shape;
  if (n.op == "Const") {
    if (!n.value)
      return std::nullopt;
    Shape v = Shape::of(n.value->i);
    for (int64_t &d : v.dims)
      d = d < 0 ? -1 : d;
    return v;
  }
  if (n.op == "Cast" || n.op == "Identity")
    return partialShape(g, n.inputs[0], depth + 1);
  if (n.op == "Pack" && intAttrOf(n, "axis") == 0) {
    Shape v = Shape::of({});
    for (TensorRef in : n.inputs)
      v.dims.push_back(std::max<int64_t>(partialScalar(g, in, depth + 1), -1));
    return v;
  }
  if (n.op == "ConcatV2") {
    Shape v = Shape::of({});
    for (size_t k = 0; k + 1 < n.inputs.size(); ++k) {
      auto part = partialShape(g, n.inputs[k], depth + 1);
      if (!part || part->unknownRank)
        return std::nullopt;
      v.dims.insert(v.dims.end(), part->dims.begin(), part->dims.end());
    }
    return v;
  }
  if (n.op == "StridedSlice") {
    auto v = partialShape(g, n.inputs[0], depth + 1);
    bool shrink;
    int64_t b, e, st;
    if (!v || v->unknownRank || !sliceOfVector(g, n, static_cast<int64_t>(v->rank()), shrink, b, e, st) || shrink)
      return std::nullopt;
    Shape out = Shape::of({});
    for (int64_t k = b; st > 0 ? k < e : k > e; k += st)
      out.dims.push_back(v->dims[static_cast<size_t>(k)]);
    return out;
  }
  if (!s.unknownRank && s.dims[0] >= 0) {
    Shape v = Shape::of(std::vector<int64_t>(static_cast<size_t>(s.dims[0]), -1));
    return v;
  }
  return std::nullopt;
}
} // namespace

std::optional<Shape> partialShapeValue(const Graph &g, TensorRef r) { return partialShape(g, r, 0); }
int64_t partialScalarValue(const Graph &g, TensorRef r) { return partialScalar(g, r, 0); }

std::vector<std::string> verifyGraph(const Graph &g) {
  std::vector<std::string> problems;
  std::map<std::string, NodeID> names;
  for (size_t k = 0; k < g.size(); ++k) {
    const Node &n = g.node(static_cast<NodeID>(k));
    if (!names.emplace(n.name, n.id).second)
      problems.push_back("duplicate node name '" + n.name + "'");
    auto kind = opKindFromName(n.op);
    if (!kind) {
      problems.push_back("'" + n.name + "' has the unregistered op type " + n.op);
      continue;
    }
    ShapeQuery q;
    q.nodeName = n.name;
    q.opType = n.op;
    q.attrs = &n.attrs;
    bool inputsOk = true;
    for (TensorRef r : n.inputs) {
      if (r.node >= n.id || r.index >= g.node(r.node).outputs.size()) {
        problems.push_back("'" + n.name + "' has an input that is not an earlier node's output");
        inputsOk = false;
        break;
      }
      addInput(q, g, r);
    }
    if (!inputsOk || n.outputs.empty())
      continue;
    std::vector<TensorType> outs;
    ShapeError err;
    if (!inferShape(q, outs, err))
      continue; // sources and builder-typed helpers
    if (n.helper)
      continue; // helpers' types are set by their builder
    if (outs[0].dtype != n.outputs[0].dtype || !(outs[0].shape == n.outputs[0].shape))
      problems.push_back("'" + n.name + "' (" + n.op + ") has output type " +
                         dtypeName(n.outputs[0].dtype) + n.outputs[0].shape.bracketStr() +
                         " but its shape function gives " + dtypeName(outs[0].dtype) +
                         outs[0].shape.bracketStr());
  }
  return problems;
}

} // namespace scopec::graph
