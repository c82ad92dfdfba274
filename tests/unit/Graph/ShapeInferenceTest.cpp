//===- ShapeInferenceTest.cpp - Every registered op's shape function ------===//
#include "scopec/Graph/ShapeInference.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

using namespace scopec::graph;

namespace {

/// "?,784" -> [-1, 784]; "*" -> unknown rank; "" -> scalar.
Shape S(const std::string &text) {
  if (text == "*")
    return Shape::unknown();
  Shape s = Shape::scalar();
  std::stringstream ss(text);
  for (std::string d; std::getline(ss, d, ',');)
    s.dims.push_back(d == "?" ? -1 : std::stoll(d));
  return s;
}

TensorType T(const std::string &shape, DType t = DType::Float32) { return TensorType{t, false, S(shape)}; }

TensorData ints(std::vector<int64_t> v, bool scalar = false) {
  TensorData d;
  d.dtype = DType::Int32;
  d.shape = scalar ? Shape::scalar() : Shape::of({static_cast<int64_t>(v.size())});
  d.i = std::move(v);
  return d;
}

struct Case {
  std::string op;
  std::vector<TensorType> inputs;
  std::map<std::string, AttrValue> attrs;
  std::map<size_t, TensorData> consts; ///< input index -> value
  std::string expect;                  ///< "float32[?,10]" or "error: <message>"
};

std::string run(const Case &c) {
  ShapeQuery q;
  q.nodeName = c.op;
  q.opType = c.op;
  q.inputs = c.inputs;
  q.attrs = &c.attrs;
  for (size_t k = 0; k < c.inputs.size(); ++k)
    q.constInputs.push_back(c.consts.count(k) ? &c.consts.at(k) : nullptr);
  std::vector<TensorType> outs;
  ShapeError err;
  if (!inferShape(q, outs, err))
    return "error: " + formatShapeError(q, err);
  return std::string(dtypeName(outs.at(0).dtype)) + outs.at(0).shape.bracketStr();
}

const std::vector<Case> &cases() {
  using V = std::vector<int64_t>;
  static const std::vector<Case> c = {
      {"Const", {}, {}, {}, "error: Const is created with its output type"},
      {"Placeholder", {}, {}, {}, "error: Placeholder is created with its output type"},
      {"VariableV2", {}, {}, {}, "error: VariableV2 is created with its output type"},
      {"RandomUniform", {}, {}, {}, "error: RandomUniform is created with its output type"},
      {"RandomStandardNormal", {}, {}, {}, "error: RandomStandardNormal is created with its output type"},
      {"TruncatedNormal", {}, {}, {}, "error: TruncatedNormal is created with its output type"},
      {"Fill", {T("2", DType::Int32), T("")}, {}, {{0, ints({3, 4})}}, "float32[3,4]"},
      {"Assign", {T("2"), T("2")}, {}, {}, "float32[2]"},
      {"Identity", {T("?,3")}, {}, {}, "float32[?,3]"},
      {"Add", {T("2,3"), T("3")}, {}, {}, "float32[2,3]"},
      {"AddV2", {T("?,1"), T("1,5")}, {}, {}, "float32[?,5]"},
      {"AddV2", {T("2,3"), T("2,4")}, {}, {},
       "error: Dimensions must be equal, but are 3 and 4 for 'AddV2' (op: 'AddV2') with input shapes: [2,3], [2,4]."},
      {"AddV2", {T("2"), T("2", DType::Int32)}, {}, {},
       "error: Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of argument 'x'."},
      {"Sub", {T("*"), T("3")}, {}, {}, "float32?"},
      {"Mul", {T(""), T("4,5")}, {}, {}, "float32[4,5]"},
      {"RealDiv", {T("4,5"), T("")}, {}, {}, "float32[4,5]"},
      {"FloorDiv", {T("3"), T("3")}, {}, {}, "float32[3]"},
      {"FloorMod", {T("3"), T("1")}, {}, {}, "float32[3]"},
      {"Pow", {T("3"), T("3")}, {}, {}, "float32[3]"},
      {"Maximum", {T("?,128"), T("?,128")}, {}, {}, "float32[?,128]"},
      {"Minimum", {T("2"), T("2")}, {}, {}, "float32[2]"},
      {"Less", {T("2"), T("2")}, {}, {}, "bool[2]"},
      {"LessEqual", {T("2"), T("")}, {}, {}, "bool[2]"},
      {"Greater", {T("2"), T("2")}, {}, {}, "bool[2]"},
      {"GreaterEqual", {T("2"), T("2")}, {}, {}, "bool[2]"},
      {"Equal", {T("2"), T("2")}, {}, {}, "bool[2]"},
      {"NotEqual", {T("2"), T("3")}, {}, {},
       "error: Dimensions must be equal, but are 2 and 3 for 'NotEqual' (op: 'NotEqual') with input shapes: [2], [3]."},
      {"Neg", {T("5")}, {}, {}, "float32[5]"},
      {"Abs", {T("5", DType::Int32)}, {}, {}, "int32[5]"},
      {"Square", {T("5")}, {}, {}, "float32[5]"},
      {"Sqrt", {T("5")}, {}, {}, "float32[5]"},
      {"Sqrt", {T("5", DType::Int32)}, {}, {},
       "error: Value passed to parameter 'x' has DataType int32 not in list of allowed values: bfloat16, float16, float32, float64"},
      {"Exp", {T("5")}, {}, {}, "float32[5]"},
      {"Log", {T("5")}, {}, {}, "float32[5]"},
      {"Relu", {T("?,3")}, {}, {}, "float32[?,3]"},
      {"Relu6", {T("?,3")}, {}, {}, "float32[?,3]"},
      {"LeakyRelu", {T("?,3")}, {{"alpha", 0.2}}, {}, "float32[?,3]"},
      {"Elu", {T("?,3")}, {}, {}, "float32[?,3]"},
      {"Sigmoid", {T("?,1")}, {}, {}, "float32[?,1]"},
      {"Tanh", {T("?,1")}, {}, {}, "float32[?,1]"},
      {"Softmax", {T("?,10")}, {}, {}, "float32[?,10]"},
      {"Softmax", {T("")}, {}, {},
       "error: Shape must be at least rank 1 but is rank 0 for 'Softmax' (op: 'Softmax') with input shapes: []."},
      {"LogSoftmax", {T("?,10")}, {}, {}, "float32[?,10]"},
      {"Cast", {T("3")}, {{"DstT", DType::Int32}}, {}, "int32[3]"},
      {"MatMul", {T("?,784"), T("784,256")}, {}, {}, "float32[?,256]"},
      {"MatMul", {T("?,784"), T("256,10")}, {}, {},
       "error: Dimensions must be equal, but are 784 and 256 for 'MatMul' (op: 'MatMul') with input shapes: [?,784], [256,10]."},
      {"MatMul", {T("1,2,3"), T("3,4")}, {}, {},
       "error: Shape must be rank 2 but is rank 3 for 'MatMul' (op: 'MatMul') with input shapes: [1,2,3], [3,4]."},
      {"MatMul", {T("3,2"), T("4,3")}, {{"transpose_a", true}, {"transpose_b", true}}, {}, "float32[2,4]"},
      {"BiasAdd", {T("?,28,28,8"), T("8")}, {}, {}, "float32[?,28,28,8]"},
      {"BiasAdd", {T("?,3"), T("4")}, {}, {},
       "error: Dimensions must be equal, but are 3 and 4 for 'BiasAdd' (op: 'BiasAdd') with input shapes: [?,3], [4]."},
      {"Conv2D", {T("?,64,64,32"), T("5,5,32,32")}, {{"strides", V{1, 1, 1, 1}}, {"padding", std::string("SAME")}}, {}, "float32[?,64,64,32]"},
      {"Conv2D", {T("1,28,28,3"), T("3,3,3,8")}, {{"strides", V{1, 2, 2, 1}}, {"padding", std::string("VALID")}}, {}, "float32[1,13,13,8]"},
      {"Conv2D", {T("1,28,28,3"), T("3,3,3,8")}, {{"strides", V{1, 1, 1, 1}}, {"padding", std::string("VALID")}, {"dilations", V{1, 2, 2, 1}}}, {}, "float32[1,24,24,8]"},
      {"Conv2D", {T("1,28,28,4"), T("3,3,3,8")}, {{"strides", V{1, 1, 1, 1}}, {"padding", std::string("SAME")}}, {},
       "error: Depth of input (4) is not a multiple of input depth of filter (3) for 'Conv2D' (op: 'Conv2D') with input shapes: [1,28,28,4], [3,3,3,8]."},
      {"Conv2D", {T("1,2,2,3"), T("3,3,3,8")}, {{"strides", V{1, 1, 1, 1}}, {"padding", std::string("VALID")}}, {},
       "error: Negative dimension size caused by subtracting 3 from 2 for 'Conv2D' (op: 'Conv2D') with input shapes: [1,2,2,3], [3,3,3,8]."},
      {"Conv2D", {T("1,8,8,3"), T("3,3,3,8")}, {{"strides", V{1, 1, 1, 1}}, {"padding", std::string("FULL")}}, {},
       "error: padding must be 'SAME' or 'VALID', not 'FULL'"},
      {"MaxPool", {T("?,28,28,8")}, {{"ksize", V{1, 2, 2, 1}}, {"strides", V{1, 2, 2, 1}}, {"padding", std::string("VALID")}}, {}, "float32[?,14,14,8]"},
      {"AvgPool", {T("?,7,7,8")}, {{"ksize", V{1, 2, 2, 1}}, {"strides", V{1, 2, 2, 1}}, {"padding", std::string("SAME")}}, {}, "float32[?,4,4,8]"},
      {"AvgPool", {T("?,7,7,8")}, {{"ksize", V{2, 2, 2, 1}}, {"strides", V{1, 2, 2, 1}}, {"padding", std::string("SAME")}}, {},
       "error: Pooling is not yet supported on the batch nor depth dimensions."},
      {"Sum", {T("?,3,4"), T("1", DType::Int32)}, {}, {{1, ints({1})}}, "float32[?,4]"},
      {"Prod", {T("?,3,4", DType::Int32), T("1", DType::Int32)}, {{"keep_dims", true}}, {{1, ints({2})}}, "int32[?,3,1]"},
      {"Any", {T("?,3", DType::Bool), T("1", DType::Int32)}, {}, {{1, ints({1})}}, "bool[?]"},
      {"All", {T("?,3"), T("1", DType::Int32)}, {}, {{1, ints({1})}}, "error: Input 'input' of 'All' Op has type float32 that does not match expected type of bool."},
      {"Mean", {T("?,3,4"), T("2", DType::Int32)}, {{"keep_dims", true}}, {{1, ints({1, 2})}}, "float32[?,1,1]"},
      {"Max", {T("3,4"), T("", DType::Int32)}, {}, {{1, ints({-1}, true)}}, "float32[3]"},
      {"Min", {T("3,4"), T("", DType::Int32)}, {}, {{1, ints({2}, true)}},
       "error: Invalid reduction dimension 2 for input with 2 dimensions."},
      {"ArgMax", {T("?,10"), T("", DType::Int32)}, {}, {{1, ints({1}, true)}}, "int64[?]"},
      {"ArgMin", {T("?,10"), T("", DType::Int32)}, {{"output_type", DType::Int32}}, {{1, ints({1}, true)}}, "int32[?]"},
      {"TopKV2", {T("?,10"), T("", DType::Int32)}, {}, {{1, ints({3}, true)}}, "float32[?,3]"},
      {"TopKV2", {T("?,2"), T("", DType::Int32)}, {}, {{1, ints({3}, true)}}, "error: input must have at least k columns. Had 2, needed 3 for 'TopKV2' (op: 'TopKV2') with input shapes: [?,2], []."},
      {"Reshape", {T("?,28,28,3"), T("2", DType::Int32)}, {}, {{1, ints({-1, 2352})}}, "float32[?,2352]"},
      {"Reshape", {T("4,6"), T("2", DType::Int32)}, {}, {{1, ints({-1, 8})}}, "float32[3,8]"},
      {"Reshape", {T("4,6"), T("2", DType::Int32)}, {}, {{1, ints({5, 5})}},
       "error: Cannot reshape a tensor with 24 elements to shape [5,5] (25 elements) for 'Reshape' (op: 'Reshape') with input shapes: [4,6], [2]."},
      {"Transpose", {T("2,3,4"), T("3", DType::Int32)}, {}, {{1, ints({2, 0, 1})}}, "float32[4,2,3]"},
      {"ConcatV2", {T("?,3"), T("?,5"), T("", DType::Int32)}, {}, {{2, ints({1}, true)}}, "float32[?,8]"},
      {"ConcatV2", {T("2,3"), T("4,5"), T("", DType::Int32)}, {}, {{2, ints({1}, true)}},
       "error: Dimension 0 in both shapes must be equal, but are 2 and 4 for 'ConcatV2' (op: 'ConcatV2') with input shapes: [2,3], [4,5], []."},
      {"Pack", {T("3"), T("3")}, {{"axis", int64_t(1)}}, {}, "float32[3,2]"},
      {"Squeeze", {T("1,3,1")}, {}, {}, "float32[3]"},
      {"Squeeze", {T("2,3")}, {{"squeeze_dims", V{0}}}, {},
       "error: Can not squeeze dim[0], expected a dimension of 1, got 2 for 'Squeeze' (op: 'Squeeze') with input shapes: [2,3]."},
      {"ExpandDims", {T("3,4"), T("", DType::Int32)}, {}, {{1, ints({-1}, true)}}, "float32[3,4,1]"},
      {"GatherV2", {T("50,8"), T("?,12", DType::Int32), T("", DType::Int32)}, {}, {{2, ints({0}, true)}}, "float32[?,12,8]"},
      {"SquaredDifference", {T("?,3"), T("")}, {}, {}, "float32[?,3]"},
      {"LogicalAnd", {T("?,3", DType::Bool), T("3", DType::Bool)}, {}, {}, "bool[?,3]"},
      {"LogicalOr", {T("2", DType::Bool), T("2")}, {}, {},
       "error: Input 'y' of 'LogicalOr' Op has type float32 that does not match expected type of bool."},
      {"LogicalNot", {T("2")}, {}, {},
       "error: Input 'x' of 'LogicalNot' Op has type float32 that does not match expected type of bool."},
      {"AddN", {T("?,3"), T("4,?"), T("?,3")}, {}, {}, "float32[4,3]"},
      {"AddN", {T("2,3"), T("3")}, {}, {},
       "error: Shapes must be equal rank, but are 2 and 1 for 'AddN' (op: 'AddN') with input shapes: [2,3], [3]."},
      {"Select", {T("?,3", DType::Bool), T("?,3"), T("5,3")}, {}, {}, "float32[5,3]"},
      {"Select", {T("4", DType::Bool), T("?,3"), T("?,3")}, {}, {}, "float32[4,3]"},
      {"Select", {T("2", DType::Bool), T("3,2"), T("3,2")}, {}, {},
       "error: Dimension 0 in both shapes must be equal, but are 2 and 3 for 'Select' (op: 'Select') with input shapes: [2], [3,2], [3,2]."},
      {"Select", {T("", DType::Bool), T("3,2"), T("3,2")}, {}, {}, "float32[3,2]"},
      {"Select", {T("3,2"), T("3,2"), T("3,2")}, {}, {},
       "error: Input 'condition' of 'Select' Op has type float32 that does not match expected type of bool."},
      {"Rsqrt", {T("?,3")}, {}, {}, "float32[?,3]"},
      {"StopGradient", {T("?,3")}, {}, {}, "float32[?,3]"},
      {"LRN", {T("?,4,4,8")}, {}, {}, "float32[?,4,4,8]"},
      {"DepthwiseConv2dNative", {T("?,8,8,3"), T("3,3,3,2")},
       {{"strides", V{1, 1, 1, 1}}, {"padding", std::string("SAME")}}, {}, "float32[?,8,8,6]"},
      {"DepthwiseConv2dNative", {T("?,8,8,3"), T("3,3,4,2")}, {{"strides", V{1, 1, 1, 1}}, {"padding", std::string("SAME")}}, {},
       "error: Dimensions must be equal, but are 3 and 4 for 'DepthwiseConv2dNative' (op: 'DepthwiseConv2dNative') with input shapes: [?,8,8,3], [3,3,4,2]."},
      {"LRN", {T("?,8")}, {}, {}, "error: Shape must be rank 4 but is rank 2 for 'LRN' (op: 'LRN') with input shapes: [?,8]."},
      {"Shape", {T("?,3,2")}, {}, {}, "int32[3]"},
      {"Shape", {T("*")}, {{"out_type", DType::Int64}}, {}, "int64[?]"},
      {"Split", {T("", DType::Int32), T("?,6")}, {{"num_split", int64_t(3)}}, {{0, ints({1}, true)}}, "float32[?,2]"},
      {"Split", {T("", DType::Int32), T("?,6")}, {{"num_split", int64_t(4)}}, {{0, ints({1}, true)}},
       "error: Dimension size must be evenly divisible by 4 but is 6 for 'Split' (op: 'Split') with input shapes: [], [?,6]."},
      {"SplitV", {T("?,6"), T("2", DType::Int32), T("", DType::Int32)}, {}, {{1, ints({-1, 2})}, {2, ints({1}, true)}}, "float32[?,4]"},
      {"Unpack", {T("?,3")}, {{"num", int64_t(3)}, {"axis", int64_t(1)}}, {}, "float32[?]"},
      {"Unpack", {T("?,3")}, {{"num", int64_t(2)}, {"axis", int64_t(1)}}, {},
       "error: Dimension must be 2 but is 3 for 'Unpack' (op: 'Unpack') with input shapes: [?,3]."},
      {"OneHot", {T("?,2", DType::Int32), T("", DType::Int32), T(""), T("")}, {}, {{1, ints({5}, true)}}, "float32[?,2,5]"},
      {"OneHot", {T("?,2", DType::Int32), T("", DType::Int32), T(""), T("", DType::Int32)}, {}, {{1, ints({5}, true)}},
       "error: Input 'off_value' of 'OneHot' Op has type int32 that does not match type float32 of argument 'on_value'."},
      {"Range", {T("", DType::Int32), T("", DType::Int32), T("", DType::Int32)}, {},
       {{0, ints({2}, true)}, {1, ints({11}, true)}, {2, ints({3}, true)}}, "int32[3]"},
      {"Range", {T("", DType::Int32), T("", DType::Int32), T("", DType::Int32)}, {},
       {{0, ints({0}, true)}, {1, ints({5}, true)}, {2, ints({0}, true)}}, "error: Requires delta != 0"},
      {"Cumsum", {T("?,3"), T("", DType::Int32)}, {}, {{1, ints({1}, true)}}, "float32[?,3]"},
      {"Cumsum", {T("?,3"), T("", DType::Int32)}, {}, {{1, ints({2}, true)}},
       "error: ScanOp: Expected scan axis in the range [-2, 2), but got 2"},
      {"Tile", {T("?,3"), T("2", DType::Int32)}, {}, {{1, ints({2, 4})}}, "float32[?,12]"},
      {"Tile", {T("2,3"), T("3", DType::Int32)}, {}, {{1, ints({1, 1, 1})}},
       "error: Shape must be rank 3 but is rank 2 for 'Tile' (op: 'Tile') with input shapes: [2,3], [3]."},
      {"Pad", {T("?,3"), T("2,2", DType::Int32)}, {}, {{1, ints({0, 0, 1, 2})}}, "float32[?,6]"},
      {"Pad", {T("2,3"), T("2,2", DType::Int32)}, {}, {{1, ints({0, 0, -1, 2})}}, "error: Paddings must be non-negative: -1 2"},
      {"Slice", {T("?,5"), T("2", DType::Int32), T("2", DType::Int32)}, {}, {{1, ints({0, 1})}, {2, ints({-1, 3})}}, "float32[?,3]"},
      {"Slice", {T("4,5"), T("2", DType::Int32), T("2", DType::Int32)}, {}, {{1, ints({0, 3})}, {2, ints({-1, 3})}},
       "error: Expected size[1] in [0, 2], but got 3"},
      {"ReverseV2", {T("?,5"), T("1", DType::Int32)}, {}, {{1, ints({-1})}}, "float32[?,5]"},
      {"ReverseV2", {T("?,5"), T("1", DType::Int32)}, {}, {{1, ints({2})}}, "error: 'axis'[0] = 2 is out of valid range [0, 2)"},
      {"Conv2DBackpropInput", {T("4", DType::Int32), T("5,5,3,8"), T("4,4,4,8")},
       {{"strides", V{1, 2, 2, 1}}, {"padding", std::string("SAME")}}, {{0, ints({4, 8, 8, 3})}}, "float32[4,8,8,3]"},
      {"Conv2DBackpropInput", {T("4", DType::Int32), T("5,5,3,8"), T("4,4,4,8")},
       {{"strides", V{1, 2, 2, 1}}, {"padding", std::string("SAME")}}, {{0, ints({4, 9, 9, 3})}},
       "error: Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: actual = 4, computed = 5"},
      {"FusedBatchNormV3", {T("?,8,8,3"), T("3"), T("3"), T("3"), T("?")}, {}, {}, "float32[?,8,8,3]"},
      {"FusedBatchNormV3", {T("?,3"), T("3"), T("3"), T("3"), T("3")}, {}, {},
       "error: Shape must be rank 4 but is rank 2 for 'FusedBatchNormV3' (op: 'FusedBatchNormV3') with input shapes: [?,3], [3], [3], [3], [3]."},
      {"FusedBatchNormV3", {T("?,8,8,3"), T("3"), T("4"), T("3"), T("3")}, {}, {},
       "error: Dimensions must be equal, but are 3 and 4 for 'FusedBatchNormV3' (op: 'FusedBatchNormV3') with input shapes: [?,8,8,3], [3], [4], [3], [3]."},
      {"Softplus", {T("3", DType::Int32)}, {}, {},
       "error: Value passed to parameter 'x' has DataType int32 not in list of allowed values: bfloat16, float16, float32, float64"},
      {"ZerosLike", {T("?,3", DType::Int64)}, {}, {}, "int64[?,3]"},
      {"GatherV2", {T("2,5,3"), T("4", DType::Int64), T("", DType::Int32)}, {}, {{2, ints({-2}, true)}}, "float32[2,4,3]"},
      {"GatherV2", {T(""), T("4", DType::Int32), T("", DType::Int32)}, {}, {{2, ints({0}, true)}},
       "error: Shape must be at least rank 1 but is rank 0 for 'GatherV2' (op: 'GatherV2') with input shapes: [], [4], []."},
      {"GatherV2", {T("5,3"), T("4", DType::Int32), T("", DType::Int32)}, {}, {{2, ints({2}, true)}},
       "error: Shape must be at least rank 3 but is rank 2 for 'GatherV2' (op: 'GatherV2') with input shapes: [5,3], [4], []."},
      {"GatherV2", {T("5,3"), T("4"), T("", DType::Int32)}, {}, {{2, ints({0}, true)}},
       "error: Value passed to parameter 'indices' has DataType float32 not in list of allowed values: int32, int64"},
      {"StridedSlice", {T("?,28,3"), T("2", DType::Int32), T("2", DType::Int32), T("2", DType::Int32)}, {{"result_shape", V{-1, 3}}}, {}, "float32[?,3]"},
      {"SpaceToBatchND", {T("?,5,6,3"), T("2", DType::Int32), T("2,2", DType::Int32)}, {}, {{1, ints({2, 2})}, {2, ints({1, 2, 2, 2})}}, "float32[?,4,5,3]"},
      {"SpaceToBatchND", {T("2,5,6,3"), T("2", DType::Int32), T("2,2", DType::Int32)}, {}, {{1, ints({2, 2})}, {2, ints({0, 0, 0, 0})}}, "error: Dimension size must be evenly divisible by 2 but is 5 for 'SpaceToBatchND' (op: 'SpaceToBatchND') with input shapes: [2,5,6,3], [2], [2,2]."},
      {"BatchToSpaceND", {T("8,4,5,3"), T("2", DType::Int32), T("2,2", DType::Int32)}, {}, {{1, ints({2, 2})}, {2, ints({0, 1, 0, 0})}}, "float32[2,7,10,3]"},
      {"BatchToSpaceND", {T("6,4,5,3"), T("2", DType::Int32), T("2,2", DType::Int32)}, {}, {{1, ints({2, 2})}, {2, ints({0, 0, 0, 0})}}, "error: Dimension size must be evenly divisible by 4 but is 6 for 'BatchToSpaceND' (op: 'BatchToSpaceND') with input shapes: [6,4,5,3], [2], [2,2]."},
      {"ResizeBilinear", {T("?,4,4,3", DType::Int32), T("2", DType::Int32)}, {}, {{1, ints({8, 6})}}, "float32[?,8,6,3]"},
      {"ResizeNearestNeighbor", {T("2,4,4,3"), T("2", DType::Int32)}, {}, {{1, ints({8, 6})}}, "float32[2,8,6,3]"},
      {"ResizeNearestNeighbor", {T("4,4,3"), T("2", DType::Int32)}, {}, {{1, ints({8, 6})}}, "error: Shape must be rank 4 but is rank 3 for 'ResizeNearestNeighbor' (op: 'ResizeNearestNeighbor') with input shapes: [4,4,3], [2]."},
      {"ResizeBilinear", {T("2,4,4,3"), T("3", DType::Int32)}, {}, {}, "error: Dimension must be 2 but is 3 for 'ResizeBilinear' (op: 'ResizeBilinear') with input shapes: [2,4,4,3], [3]."},
      {"Switch", {T("?,3"), T("", DType::Bool)}, {}, {}, "float32[?,3]"},
      {"Switch", {T("?,3"), T("2", DType::Bool)}, {}, {}, "error: Shape must be rank 0 but is rank 1 for 'Switch' (op: 'Switch') with input shapes: [?,3], [2]."},
      {"Switch", {T("?,3"), T("")}, {}, {}, "error: Input 'pred' of 'Switch' Op has type float32 that does not match expected type of bool."},
      {"Merge", {T("?,3"), T("4,3")}, {}, {}, "float32[?,3]"},
      {"Merge", {T("2,3"), T("3")}, {}, {}, "float32?"},
      {"Merge", {T("2,3"), T("2,3", DType::Int32)}, {}, {}, "error: Inputs to 'Merge' Op have types that don't all match."},
  };
  return c;
}

TEST(ShapeInference, EveryCase) {
  for (const Case &c : cases())
    EXPECT_EQ(run(c), c.expect) << c.op;
}

TEST(ShapeInference, EveryRegisteredOpHasACase) {
  std::set<std::string> tested;
  for (const Case &c : cases())
    tested.insert(c.op);
  for (const std::string &op : registeredOps())
    EXPECT_TRUE(tested.count(op)) << op << " is registered in Ops.def but has no shape test";
}

TEST(ShapeInference, UnknownOpIsRefused) {
  ShapeQuery q;
  q.opType = "NoSuchOp";
  std::vector<TensorType> outs;
  ShapeError err;
  EXPECT_FALSE(inferShape(q, outs, err));
  EXPECT_EQ(err.message, "op type 'NoSuchOp' is not registered");
}

} // namespace

TEST(GraphVerifier, AcceptsAValidGraphAndNamesViolations) {
  Graph g;
  Node &x = g.addNode("x", "Placeholder", {}, {T("?,3")}, {});
  Node &w = g.addNode("w", "VariableV2", {}, {TensorType{DType::Float32, true, S("3,4")}}, {});
  g.addNode("MatMul", "MatMul", {{x.id, 0}, {w.id, 0}}, {T("?,4")}, {});
  EXPECT_TRUE(verifyGraph(g).empty());
  g.addNode("bad", "MatMul", {{x.id, 0}, {w.id, 0}}, {T("?,5")}, {});
  g.addNode("x", "Identity", {{x.id, 0}}, {T("?,3")}, {});
  g.addNode("future", "Identity", {{99, 0}}, {T("?,3")}, {});
  g.addNode("odd", "NoSuchOp", {}, {T("")}, {});
  std::vector<std::string> problems = verifyGraph(g);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0], "'bad' (MatMul) has output type float32[?,5] but its shape function gives float32[?,4]");
  EXPECT_EQ(problems[1], "duplicate node name 'x'");
  EXPECT_EQ(problems[2], "'future' has an input that is not an earlier node's output");
  EXPECT_EQ(problems[3], "'odd' has the unregistered op type NoSuchOp");
}

namespace {
/// A graph of int32 shape pieces, as tf.shape(x)[i] * k and tf.stack build them.
struct PieceGraph {
  Graph g;
  TensorRef add(const std::string &op, std::vector<TensorRef> in, TensorType out,
                std::map<std::string, AttrValue> attrs = {}, std::shared_ptr<TensorData> value = nullptr) {
    Node &n = g.addNode(op + std::to_string(g.size()), op, std::move(in), {out}, {});
    n.attrs = std::move(attrs);
    n.value = std::move(value);
    return TensorRef{n.id, 0};
  }
  TensorRef konst(std::vector<int64_t> v, bool scalar = false) {
    auto d = std::make_shared<TensorData>(ints(v, scalar));
    return add("Const", {}, TensorType{DType::Int32, false, d->shape}, {}, d);
  }
  TensorRef dim(TensorRef shape, int64_t i) {
    return add("StridedSlice", {shape, konst({i}), konst({i + 1}), konst({1})}, T("", DType::Int32),
               {{"shrink_axis_mask", int64_t(1)}});
  }
};
} // namespace

TEST(PartialShapeValue, FollowsShapePiecesAsTFConstantFoldingDoes) {
  PieceGraph p;
  TensorRef x = p.add("Placeholder", {}, T("?,4,5,3"));
  TensorRef shape = p.add("Shape", {x}, T("4", DType::Int32));
  TensorRef h2 = p.add("Mul", {p.dim(shape, 1), p.konst({2}, true)}, T("", DType::Int32));
  TensorRef packed = p.add("Pack", {p.dim(shape, 0), h2, p.dim(shape, -2), p.konst({7}, true)}, T("4", DType::Int32));
  EXPECT_EQ(partialShapeValue(p.g, packed)->str(), "(?, 8, 5, 7)");
  EXPECT_EQ(partialScalarValue(p.g, h2), 8);
  EXPECT_EQ(partialScalarValue(p.g, p.dim(shape, 0)), -1); // the batch is run-time data
  // A slice of a shape (tf.shape(x)[1:3]) and a concat of pieces.
  TensorRef mid = p.add("StridedSlice", {shape, p.konst({1}), p.konst({3}), p.konst({1})}, T("2", DType::Int32));
  EXPECT_EQ(partialShapeValue(p.g, mid)->str(), "(4, 5)");
  TensorRef cat = p.add("ConcatV2", {mid, p.konst({-1, 6}), p.konst({0}, true)}, T("4", DType::Int32));
  EXPECT_EQ(partialShapeValue(p.g, cat)->str(), "(4, 5, ?, 6)");
  // A vector of unknown values: only its length is known; floats are no shape.
  TensorRef ph = p.add("Placeholder", {}, T("3", DType::Int32));
  EXPECT_EQ(partialShapeValue(p.g, ph)->str(), "(?, ?, ?)");
  EXPECT_FALSE(partialShapeValue(p.g, x).has_value());
}
