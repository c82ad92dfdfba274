//===- Plan.cpp - Feeds, fetches and what they depend on ------------------===//
#include "scopec/CodeGen/CodeGen.h"

#include <algorithm>
#include <map>
#include <set>

namespace scopec::codegen {

using namespace scopec::graph;

int64_t Binding::numElements(int64_t batch) const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d < 0 ? -d * batch : d;
  return n;
}

namespace {

/// Inputs that are data (lowered), not static arguments (shapes, axes).
std::vector<size_t> dataInputs(const Node &n) {
  size_t k = n.inputs.size();
  if (n.op == "Reshape" || n.op == "Transpose" || n.op == "Sum" || n.op == "Mean" ||
      n.op == "Max" || n.op == "Min" || n.op == "Prod" || n.op == "Any" || n.op == "All" || n.op == "ArgMax" ||
      n.op == "ArgMin" || n.op == "TopKV2" || n.op == "ExpandDims" ||
      n.op == "StridedSlice" || n.op == "Tile" || n.op == "Pad" || n.op == "Slice" || n.op == "ReverseV2" ||
      n.op == "SpaceToBatchND" || n.op == "BatchToSpaceND")
    return {0};
  if (n.op == "Fill")
    return {1};
  if (n.op == "Shape")
    return {}; // reads only the (plan's) dimensions of its input
  if (n.op == "GatherV2")
    return {0, 1}; // the axis is static
  if (n.op == "Conv2DBackpropInput")
    return {1, 2}; // input_sizes is static
  if (n.op == "ResizeBilinear" || n.op == "ResizeNearestNeighbor")
    return {0}; // the size is static
  if (n.op == "OneHot")
    return {0, 2, 3}; // depth is static
  if (n.op == "Split")
    return {1};
  if (n.op == "SplitV")
    return {0};
  if (n.op == "Range")
    return {}; // from constants
  if (n.op == "Cumsum")
    return {0};
  if (n.op == "RandomUniform" || n.op == "RandomStandardNormal" || n.op == "TruncatedNormal")
    return {}; // the shape is static
  if (n.op == "ConcatV2") {
    std::vector<size_t> v;
    for (size_t i = 0; i + 1 < k; ++i)
      v.push_back(i);
    return v;
  }
  std::vector<size_t> v;
  for (size_t i = 0; i < k; ++i)
    v.push_back(i);
  return v;
}

/// Elements of a run-time shape: K times the batch (batched) or K.
struct Count {
  int64_t k = 1;
  bool batched = false;
};
Count countOf(const std::vector<int64_t> &d) {
  Count c;
  for (int64_t x : d) {
    c.k *= x < 0 ? -x : x;
    c.batched |= x < 0;
  }
  return c;
}

const TensorData *constValue(const Graph &g, const Node &n, size_t i) {
  if (i >= n.inputs.size())
    return nullptr;
  const Node &src = g.node(n.inputs[i].node);
  return src.op == "Const" ? src.value.get() : nullptr;
}

using Known = std::map<NodeID, std::vector<int64_t>>;
constexpr int64_t kInfer = INT64_MIN; ///< a -1 in a shape value: inferred by Reshape

const std::vector<int64_t> &knownDims(const Graph &g, TensorRef r, const Known &known) {
  auto it = known.find(r.node);
  return it != known.end() && r.index == 0 ? it->second : g.type(r).shape.dims;
}

/// A scalar int tensor made of tf.shape pieces, in the plan's terms: d >= 0
/// static, d < 0 -d times the batch, kInfer for a literal -1.
bool runtimeScalar(const Graph &g, TensorRef r, const Known &known, int64_t &v, int depth) {
  const Node &n = g.node(r.node);
  if (depth > 32 || !n.outputs[r.index].shape.dims.empty() || n.outputs[r.index].shape.unknownRank)
    return false;
  if (n.op == "Const" && n.value && n.value->i.size() == 1) {
    v = n.value->i[0] == -1 ? kInfer : n.value->i[0];
    return v >= 0 || v == kInfer;
  }
  if (n.op == "Cast" || n.op == "Identity")
    return runtimeScalar(g, n.inputs[0], known, v, depth + 1);
  if (n.op == "StridedSlice") {
    const Node &src = g.node(n.inputs[0].node);
    auto mask = n.attrs.find("shrink_axis_mask");
    const TensorData *b = constValue(g, n, 1);
    if (src.op != "Shape" || mask == n.attrs.end() || std::get<int64_t>(mask->second) != 1 || !b || b->i.size() != 1)
      return false;
    const std::vector<int64_t> &d = knownDims(g, src.inputs[0], known);
    int64_t i = b->i[0] < 0 ? b->i[0] + static_cast<int64_t>(d.size()) : b->i[0];
    if (i < 0 || i >= static_cast<int64_t>(d.size()))
      return false;
    v = d[static_cast<size_t>(i)];
    return true;
  }
  if (n.op == "Mul") {
    int64_t a, c;
    if (!runtimeScalar(g, n.inputs[0], known, a, depth + 1) || !runtimeScalar(g, n.inputs[1], known, c, depth + 1) ||
        a == kInfer || c == kInfer || (a < 0 && c < 0))
      return false;
    v = a * c; // a batch multiple times a constant stays one
    return true;
  }
  return false;
}

/// A shape tensor's run-time value (see runtimeScalar).
bool runtimeShape(const Graph &g, TensorRef r, const Known &known, std::vector<int64_t> &v, int depth) {
  const Node &n = g.node(r.node);
  if (depth > 32)
    return false;
  if (n.op == "Shape") {
    v = knownDims(g, n.inputs[0], known);
    return true;
  }
  if (n.op == "Const" && n.value) {
    v.clear();
    for (int64_t d : n.value->i)
      v.push_back(d == -1 ? kInfer : d);
    return true;
  }
  if (n.op == "Cast" || n.op == "Identity")
    return runtimeShape(g, n.inputs[0], known, v, depth + 1);
  if (n.op == "Pack" && (!n.attrs.count("axis") || std::get<int64_t>(n.attrs.at("axis")) == 0)) {
    v.clear();
    for (TensorRef in : n.inputs) {
      int64_t d;
      if (!runtimeScalar(g, in, known, d, depth + 1))
        return false;
      v.push_back(d);
    }
    return true;
  }
  if (n.op == "ConcatV2") {
    v.clear();
    for (size_t k = 0; k + 1 < n.inputs.size(); ++k) {
      std::vector<int64_t> part;
      if (!runtimeShape(g, n.inputs[k], known, part, depth + 1))
        return false;
      v.insert(v.end(), part.begin(), part.end());
    }
    return true;
  }
  return false;
}

/// Reshape/Fill by a shape tensor: its run-time value, a -1 inferred from
/// the element count of Reshape's input.
bool shapeFromTensor(const Graph &g, const Node &n, const Known &known, std::vector<int64_t> &out, std::string &why) {
  size_t at = n.op == "Fill" ? 0 : 1;
  std::vector<int64_t> v;
  if (!runtimeShape(g, n.inputs.at(at), known, v, 0) || v.size() != out.size())
    return false;
  int64_t P = 1, batchedKnown = 0;
  size_t infer = v.size();
  for (size_t k = 0; k < v.size(); ++k) {
    if (v[k] == kInfer) {
      if (infer != v.size() || n.op == "Fill")
        return false;
      infer = k;
    } else {
      P *= v[k] < 0 ? -v[k] : v[k];
      batchedKnown += v[k] < 0;
    }
  }
  if (batchedKnown > 1)
    return false;
  if (infer != v.size()) {
    Count c = countOf(knownDims(g, n.inputs[0], known));
    if (P == 0 || c.k % P != 0 || (!c.batched && batchedKnown)) {
      why = "has a dimension that is not a multiple of the batch";
      return false;
    }
    v[infer] = c.batched && !batchedKnown ? -(c.k / P) : c.k / P;
  }
  if (n.op == "Reshape") {
    Count c = countOf(knownDims(g, n.inputs[0], known)), o = countOf(v);
    if (c.k != o.k || c.batched != o.batched) {
      why = "reshapes " + std::to_string(c.k) + (c.batched ? " x batch" : "") + " elements into " +
            std::to_string(o.k) + (o.batched ? " x batch" : "");
      return false;
    }
  }
  for (size_t k = 0; k < v.size(); ++k)
    if (out[k] >= 0 && v[k] != out[k]) {
      why = "has a static dimension its run-time shape does not give";
      return false;
    }
  out = v;
  return true;
}

/// The run-time shape of `n`'s output 0 from its inputs' (see Plan::dims).
bool runtimeDims(const Graph &g, const Node &n, const std::map<NodeID, std::vector<int64_t>> &known,
                 std::vector<int64_t> &out, std::string &why) {
  if (n.outputs.empty() || n.outputs[0].shape.unknownRank) {
    why = "has an unknown rank";
    return n.outputs.empty() && (why.clear(), true);
  }
  out = n.outputs[0].shape.dims;
  size_t unknown = 0, at = 0;
  for (size_t k = 0; k < out.size(); ++k)
    if (out[k] < 0) {
      ++unknown;
      at = k;
    }
  if (unknown == 0)
    return true;
  if ((n.op == "Reshape" || n.op == "Fill") && !constValue(g, n, n.op == "Fill" ? 0 : 1)) {
    if (shapeFromTensor(g, n, known, out, why))
      return true;
    if (!why.empty())
      return false;
  }
  if (unknown > 1) {
    why = "has more than one unknown dimension";
    return false;
  }
  auto in = [&](size_t i) -> const std::vector<int64_t> & {
    auto it = known.find(n.inputs.at(i).node);
    return it != known.end() ? it->second : g.type(n.inputs[i]).shape.dims;
  };
  const std::string &op = n.op;
  if (op == "Placeholder") {
    out[at] = -1;
    return true;
  }
  if (op == "SpaceToBatchND" || op == "BatchToSpaceND") {
    // The batch grows (shrinks) by the product of the block shape.
    const TensorData *block = constValue(g, n, 1);
    int64_t prod = 1;
    for (int64_t b : block ? block->i : std::vector<int64_t>{})
      prod *= b;
    int64_t b0 = in(0).at(0);
    if (!block || at != 0 || b0 >= 0 || (op == "BatchToSpaceND" && (-b0) % prod != 0)) {
      why = "has an unknown spatial dimension or a batch that is not a multiple of the block";
      return false;
    }
    out[0] = op == "SpaceToBatchND" ? b0 * prod : b0 / prod;
    return true;
  }
  if (op == "TopKV2") { // the leading dimensions are the input's
    if (at + 1 >= out.size() || in(0).size() != out.size()) {
      why = "has an unknown k";
      return false;
    }
    out[at] = in(0)[at];
    return true;
  }
  if (op == "Switch" || op == "Merge") {
    // Switch passes its data through; Merge joins branches of one shape.
    if (op == "Merge" && in(0) != in(1)) {
      why = "joins tf.cond branches of different shapes";
      return false;
    }
    out = in(0);
    return true;
  }
  // Ops that keep the element count: the unknown dimension is what is left
  // of the input's elements after the output's static dimensions.
  static const std::set<std::string> sameCount = {
      "Identity", "Reshape", "ExpandDims", "Squeeze", "Transpose", "Cast", "Neg", "Abs", "Square",
      "Sqrt", "Exp", "Log", "Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Softmax",
      "LogSoftmax", "BiasAdd", "Rsqrt", "Softplus", "LogicalNot", "ZerosLike", "FusedBatchNormV3", "ReverseV2", "StopGradient", "Cumsum", "LRN"};
  if (sameCount.count(op)) {
    Count c = countOf(in(0));
    int64_t rest = 1;
    for (size_t k = 0; k < out.size(); ++k)
      if (k != at)
        rest *= out[k];
    if (!c.batched || rest == 0 || c.k % rest != 0) {
      why = "has a dimension that is not a multiple of the batch";
      return false;
    }
    out[at] = -(c.k / rest);
    return true;
  }
  // Broadcasting ops: the batched input's dimension at the same place from the right.
  auto fromAligned = [&](size_t first, size_t last) -> bool {
    int64_t found = 0;
    for (size_t i = first; i < last; ++i) {
      const std::vector<int64_t> &d = in(i);
      size_t off = out.size() - d.size();
      if (at < off)
        continue;
      int64_t v = d[at - off];
      if (v < 0) {
        if (found != 0 && found != v) {
          why = "combines dimensions of " + std::to_string(-found) + " and " + std::to_string(-v) +
                " times the batch";
          return false;
        }
        found = v;
      }
    }
    if (found == 0) {
      why = "has an unknown dimension that no input gives";
      return false;
    }
    out[at] = found;
    return true;
  };
  if (op == "MatMul") {
    bool ta = n.attrs.count("transpose_a") && std::get<bool>(n.attrs.at("transpose_a"));
    bool tb = n.attrs.count("transpose_b") && std::get<bool>(n.attrs.at("transpose_b"));
    out[at] = at == 0 ? in(0)[ta ? 1 : 0] : in(1)[tb ? 0 : 1];
    if (out[at] >= 0) {
      why = "has an unknown dimension that no input gives";
      return false;
    }
    return true;
  }
  if (op == "Conv2D" || op == "DepthwiseConv2dNative" || op == "MaxPool" || op == "AvgPool" ||
      op == "Conv2DBackpropInput" || op == "ResizeBilinear" || op == "ResizeNearestNeighbor") {
    // The batch of the image input (conv2d_transpose: out_backprop's; its
    // input_sizes measure it with tf.shape).
    size_t image = op == "Conv2DBackpropInput" ? 2 : 0;
    if (at != 0 || in(image)[0] >= 0) {
      why = "has an unknown spatial or channel dimension";
      return false;
    }
    out[0] = in(image)[0];
    return true;
  }
  if (op == "Sum" || op == "Mean" || op == "Max" || op == "Min" || op == "Prod" || op == "Any" || op == "All" ||
      op == "ArgMax" || op == "ArgMin") {
    const TensorData *axes = constValue(g, n, 1);
    if (!axes) {
      why = "reduces over axes that are not constant";
      return false;
    }
    const std::vector<int64_t> &xd = in(0);
    int64_t r = static_cast<int64_t>(xd.size());
    std::set<int64_t> reduced;
    for (int64_t a : axes->i)
      reduced.insert(a < 0 ? a + r : a);
    bool keep = n.attrs.count("keep_dims") && std::holds_alternative<bool>(n.attrs.at("keep_dims")) &&
                std::get<bool>(n.attrs.at("keep_dims"));
    std::vector<int64_t> kept;
    for (int64_t k = 0; k < r; ++k)
      if (!reduced.count(k))
        kept.push_back(xd[static_cast<size_t>(k)]);
      else if (keep)
        kept.push_back(1);
    if (kept.size() != out.size()) {
      why = "internal: reduction rank mismatch";
      return false;
    }
    out = kept;
    return true;
  }
  if (op == "ConcatV2" || op == "Pack") {
    size_t nIn = op == "Pack" ? n.inputs.size() : n.inputs.size() - 1;
    int64_t axis = 0;
    if (op == "Pack") {
      auto it = n.attrs.find("axis");
      axis = it != n.attrs.end() && std::holds_alternative<int64_t>(it->second) ? std::get<int64_t>(it->second) : 0;
    } else if (const TensorData *a = constValue(g, n, n.inputs.size() - 1); a && !a->i.empty()) {
      axis = a->i[0];
    } else {
      why = "concatenates along an axis that is not constant";
      return false;
    }
    if (axis < 0)
      axis += static_cast<int64_t>(out.size());
    if (op == "ConcatV2" && static_cast<size_t>(axis) == at) {
      int64_t sum = 0;
      bool allBatched = true;
      for (size_t i = 0; i < nIn; ++i) {
        int64_t v = in(i).at(at);
        allBatched &= v < 0;
        sum += v < 0 ? -v : v;
      }
      if (!allBatched) {
        why = "concatenates a batch-sized and a fixed-size dimension";
        return false;
      }
      out[at] = -sum;
      return true;
    }
    if (op == "Pack") {
      size_t src = at < static_cast<size_t>(axis) ? at : at - 1;
      for (size_t i = 0; i < nIn; ++i)
        if (in(i).at(src) < 0) {
          out[at] = in(i)[src];
          return true;
        }
      why = "has an unknown dimension that no input gives";
      return false;
    }
    return fromAligned(0, nIn);
  }
  if (op == "Fill" || op == "Reshape") {
    if (op == "Fill") {
      why = "has a run-time shape scopec cannot follow";
      return false;
    }
  }
  if (op == "Split" || op == "SplitV" || op == "Unpack") {
    // The batch axis passes through (a split along it is not compiled).
    const std::vector<int64_t> &xd = in(op == "Split" ? 1 : 0);
    int64_t axis = op == "Unpack" ? (n.attrs.count("axis") ? std::get<int64_t>(n.attrs.at("axis")) : 0) : 0;
    if (op != "Unpack") {
      const TensorData *a = constValue(g, n, op == "Split" ? 0 : 2);
      axis = a && !a->i.empty() ? a->i[0] : 0;
    }
    if (axis < 0)
      axis += static_cast<int64_t>(xd.size());
    size_t src = op == "Unpack" && at >= static_cast<size_t>(axis) ? at + 1 : at;
    if (src == static_cast<size_t>(axis) || xd.at(src) >= 0) {
      why = "splits along a batch-sized axis";
      return false;
    }
    out[at] = xd[src];
    return true;
  }
  if (op == "OneHot") {
    int64_t axis = n.attrs.count("axis") ? std::get<int64_t>(n.attrs.at("axis")) : -1;
    const std::vector<int64_t> &id = in(0);
    size_t pos = axis < 0 ? id.size() : static_cast<size_t>(axis);
    if (at == pos || (at < pos ? id.at(at) : id.at(at - 1)) >= 0) {
      why = "has an unknown depth";
      return false;
    }
    out[at] = at < pos ? id[at] : id[at - 1];
    return true;
  }
  if (op == "Tile" || op == "Pad" || op == "Slice") {
    // A batch-sized axis may be tiled (k x batch), or kept whole by a pad or a slice.
    const TensorData *arg = constValue(g, n, 1), *size = op == "Slice" ? constValue(g, n, 2) : nullptr;
    int64_t v = in(0).at(at);
    bool whole = arg && (op == "Tile" || (op == "Pad" ? arg->i.at(2 * at) == 0 && arg->i.at(2 * at + 1) == 0
                                                      : size && arg->i.at(at) == 0 && size->i.at(at) == -1));
    if (v >= 0 || !whole) {
      why = op == "Tile" ? "tiles with multiples that are not constant" : "pads or slices a batch-sized axis";
      return false;
    }
    out[at] = op == "Tile" ? v * arg->i.at(at) : v;
    return true;
  }
  if (op == "GatherV2") {
    // params.shape[:axis] + indices.shape + params.shape[axis + 1:].
    const TensorData *ad = constValue(g, n, 2);
    const std::vector<int64_t> &pd = in(0), &id = in(1);
    int64_t axis = ad && !ad->i.empty() ? ad->i[0] : 0;
    if (axis < 0)
      axis += static_cast<int64_t>(pd.size());
    size_t a = static_cast<size_t>(axis), k = id.size();
    int64_t v = at < a ? pd[at] : at < a + k ? id[at - a] : pd[at - k + 1];
    if (v >= 0) {
      why = "has an unknown dimension that no input gives";
      return false;
    }
    out[at] = v;
    return true;
  }
  if (op == "StridedSlice") {
    // Only whole batched dimensions pass through a slice (x[:, 1:3]).
    const TensorData *bd = constValue(g, n, 1), *ed = constValue(g, n, 2), *sd = constValue(g, n, 3);
    if (!bd || !ed || !sd) {
      why = "slices with bounds that are not constant";
      return false;
    }
    auto mask = [&](const char *k) {
      auto it = n.attrs.find(k);
      return it != n.attrs.end() && std::holds_alternative<int64_t>(it->second) ? std::get<int64_t>(it->second) : 0;
    };
    int64_t beginMask = mask("begin_mask"), endMask = mask("end_mask"), ellipsis = mask("ellipsis_mask"),
            newAxis = mask("new_axis_mask"), shrink = mask("shrink_axis_mask");
    const std::vector<int64_t> &xd = in(0);
    size_t specs = bd->i.size(), consumed = 0;
    for (size_t k = 0; k < specs; ++k)
      if (!(newAxis >> k & 1) && !(ellipsis >> k & 1))
        ++consumed;
    std::vector<int64_t> res;
    size_t inDim = 0;
    for (size_t k = 0; k < specs && inDim <= xd.size(); ++k) {
      if (ellipsis >> k & 1) {
        for (size_t j = 0; j + consumed < xd.size(); ++j)
          res.push_back(xd[inDim++]);
        continue;
      }
      if (newAxis >> k & 1) {
        res.push_back(1);
        continue;
      }
      if (inDim >= xd.size())
        break;
      int64_t v = xd[inDim];
      if (!(shrink >> k & 1)) {
        if (v < 0) {
          bool whole = sd->i[k] == 1 && ((beginMask >> k & 1) || bd->i[k] == 0) &&
                       ((endMask >> k & 1) || ed->i[k] >= (int64_t(1) << 31) - 1);
          if (!whole) {
            why = "slices part of a batch-sized dimension";
            return false;
          }
        }
        res.push_back(v < 0 ? v : out[res.size()]);
      }
      ++inDim;
    }
    for (; inDim < xd.size(); ++inDim)
      res.push_back(xd[inDim]);
    if (res.size() != out.size()) {
      why = "internal: slice rank mismatch";
      return false;
    }
    for (size_t k = 0; k < out.size(); ++k)
      if (out[k] < 0)
        out[k] = res[k];
    return out[at] < 0 || (why = "has an unknown dimension that no input gives", false);
  }
  // Elementwise and everything else: broadcast over all inputs.
  return fromAligned(0, n.inputs.size());
}

bool isSource(const Node &n) {
  return n.op == "Const" || n.op == "Placeholder" || n.op == "VariableV2";
}

} // namespace

bool makePlan(const Graph &g, const std::vector<std::string> &fetchNames, Plan &plan,
              std::string &error, std::string &code) {
  plan = Plan{};
  std::vector<TensorRef> fetches;
  if (fetchNames.empty()) {
    // The sinks: outputs no other (non-helper) op consumes.
    std::set<NodeID> consumed;
    for (size_t k = 0; k < g.size(); ++k) {
      const Node &n = g.node(static_cast<NodeID>(k));
      if (n.helper)
        continue;
      for (TensorRef r : n.inputs)
        consumed.insert(r.node);
    }
    for (size_t k = 0; k < g.size(); ++k) {
      const Node &n = g.node(static_cast<NodeID>(k));
      if (n.helper || n.noFetch || isSource(n) || consumed.count(n.id))
        continue;
      for (uint32_t i = 0; i < n.outputs.size(); ++i)
        fetches.push_back(TensorRef{n.id, i});
    }
    if (fetches.empty()) {
      code = "E401";
      error = "the graph has nothing to compute: no op consumes the placeholders or weights "
              "(name a fetch with --fetch)";
      return false;
    }
  } else {
    for (const std::string &name : fetchNames) {
      std::string node = name;
      uint32_t index = 0;
      size_t colon = name.rfind(':');
      if (colon != std::string::npos) {
        node = name.substr(0, colon);
        try {
          index = static_cast<uint32_t>(std::stoul(name.substr(colon + 1)));
        } catch (...) {
          code = "E402";
          error = "'" + name + "' is not a tensor name (op:index)";
          return false;
        }
      }
      const Node *n = g.find(node);
      if (!n || index >= n->outputs.size()) {
        code = "E402";
        error = "--fetch '" + name + "' names no tensor of the graph";
        return false;
      }
      if (n->noFetch) { // TF's prevent_fetching: inside a tf.cond branch, or its pivots
        code = "E402";
        error = "Operation '" + n->name + "' has been marked as not fetchable (it is inside a tf.cond branch; "
                "fetch what tf.cond returns)";
        return false;
      }
      fetches.push_back(TensorRef{n->id, index});
    }
  }
  // Everything the fetches depend on.
  std::vector<bool> needed(g.size(), false);
  std::vector<TensorRef> work = fetches;
  while (!work.empty()) {
    TensorRef t = work.back();
    work.pop_back();
    if (needed[t.node])
      continue;
    needed[t.node] = true;
    const Node &n = g.node(t.node);
    if (n.op == "VariableV2")
      continue;
    // A branch's ops run when its pred_id (and its parents') says so.
    for (int32_t c = n.cond; c >= 0; c = g.conds.at(static_cast<size_t>(c)).parent)
      work.push_back(g.conds[static_cast<size_t>(c)].pred);
    for (size_t i : dataInputs(n))
      work.push_back(n.inputs[i]);
  }
  for (size_t k = 0; k < g.size(); ++k) {
    if (!needed[k])
      continue;
    const Node &n = g.node(static_cast<NodeID>(k));
    if (n.op == "Placeholder") {
      Binding b;
      b.name = n.name + ":0";
      b.tensor = TensorRef{n.id, 0};
      b.dtype = n.outputs[0].dtype;
      const Shape &s = n.outputs[0].shape;
      if (s.unknownRank) {
        code = "E401";
        error = "placeholder '" + n.name + "' has an unknown rank; give it a shape";
        return false;
      }
      b.dims = s.dims;
      plan.feeds.push_back(b);
    } else if (n.op == "VariableV2") {
      plan.variables.push_back(n.id);
    }
    plan.nodes.push_back(n.id);
    std::vector<int64_t> d;
    std::string why;
    if (!runtimeDims(g, n, plan.dims, d, why)) {
      code = "E401";
      error = "'" + n.name + "' (" + n.op + ") " + why + "; the compiled code sizes every unknown "
              "dimension as a multiple of the batch";
      return false;
    }
    plan.dims[n.id] = std::move(d);
  }
  for (TensorRef t : fetches) {
    const Node &n = g.node(t.node);
    Binding b;
    b.name = g.tensorName(t);
    b.tensor = t;
    b.dtype = n.outputs[t.index].dtype;
    if (n.outputs[t.index].shape.unknownRank) {
      code = "E401";
      error = "the fetch '" + b.name + "' has an unknown rank";
      return false;
    }
    b.dims = t.index == 0 ? plan.dims.at(n.id) : n.outputs[t.index].shape.dims;
    plan.fetches.push_back(b);
  }
  return true;
}

} // namespace scopec::codegen
