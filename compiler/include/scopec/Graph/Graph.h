//===- Graph.h - The dataflow graph of a model ------------------*- C++ -*-===//
//
// Nodes carry their final TF name (given by the evaluator's naming service),
// their TF op type, their inputs and the static dtype/shape of each output.
// Nodes are only added; their order is creation order, which every dump
// follows.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_GRAPH_GRAPH_H
#define SCOPEC_GRAPH_GRAPH_H

#include "scopec/Basic/SourceManager.h"
#include "scopec/Graph/Types.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace scopec::graph {

using NodeID = uint32_t;

/// One output of one node: "name:index".
struct TensorRef {
  NodeID node = 0;
  uint32_t index = 0;
  friend bool operator==(TensorRef a, TensorRef b) {
    return a.node == b.node && a.index == b.index;
  }
};

struct TensorType {
  DType dtype = DType::Float32;
  bool isRef = false; ///< a RefVariable's output: "float32_ref"
  Shape shape;
};

/// Dense compile-time data (constants, initial values). Floating values are
/// held as double, rounded to the dtype's precision; integers and bools as
/// int64; strings as strings.
struct TensorData {
  DType dtype = DType::Float32;
  Shape shape;
  std::vector<double> f;
  std::vector<int64_t> i;
  std::vector<std::string> s;
  size_t size() const { return isFloating(dtype) ? f.size() : dtype == DType::String ? s.size() : i.size(); }
};

/// Rounds a double to what `t` can hold (float32: to the nearest float).
double roundToDType(double v, DType t);

using AttrValue = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>, DType>;

struct Node {
  NodeID id = 0;
  std::string name;
  std::string op; ///< TF op type: "Const", "MatMul", "VariableV2", ...
  std::vector<TensorRef> inputs;
  std::vector<TensorType> outputs;
  std::map<std::string, AttrValue> attrs;
  SourceRange loc;
  /// A variable's helper op (Assign, read, Initializer/...): not a fetch.
  bool helper = false;
  /// The value of a Const node.
  std::shared_ptr<TensorData> value;
  /// The tf.cond branch (Graph::conds index) the node is built in, or -1:
  /// it runs only when that branch (and every enclosing one) is taken.
  int32_t cond = -1;
  /// TF's prevent_fetching: ops inside a branch and cond's pivots.
  bool noFetch = false;
};

/// One branch of a tf.cond (TF's CondContext): taken when `pred` (the
/// cond's pred_id) equals `branch` and the parent branch is taken.
struct CondContext {
  TensorRef pred;
  uint32_t branch = 1;
  int32_t parent = -1;
};

class Graph {
public:
  Node &addNode(std::string name, std::string op, std::vector<TensorRef> inputs,
                std::vector<TensorType> outputs, SourceRange loc);
  Node &node(NodeID id) { return *nodes_.at(id); }
  const Node &node(NodeID id) const { return *nodes_.at(id); }
  size_t size() const { return nodes_.size(); }
  const TensorType &type(TensorRef t) const { return node(t.node).outputs.at(t.index); }
  std::string tensorName(TensorRef t) const {
    return node(t.node).name + ":" + std::to_string(t.index);
  }
  /// The node called `name`, if any.
  const Node *find(const std::string &name) const;
  /// The tf.cond branches, referred to by Node::cond.
  std::vector<CondContext> conds;
  /// True when branch `inner` is `outer` or nested in it (-1: the top level).
  bool condWithin(int32_t inner, int32_t outer) const {
    for (int32_t c = inner;; c = conds.at(static_cast<size_t>(c)).parent) {
      if (c == outer)
        return true;
      if (c < 0)
        return false;
    }
  }

private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, NodeID> byName_;
};

} // namespace scopec::graph

#endif
