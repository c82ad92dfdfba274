//===- Graph.cpp ----------------------------------------------------------===//
#include "scopec/Graph/Graph.h"

namespace scopec::graph {

double roundToDType(double v, DType t) {
  switch (t) {
  case DType::Float32:
    return static_cast<double>(static_cast<float>(v));
  case DType::Float16:
  case DType::BFloat16:
    // Kept at float32 precision: scopec computes these in float32.
    return static_cast<double>(static_cast<float>(v));
  default:
    return v;
  }
}

Node &Graph::addNode(std::string name, std::string op, std::vector<TensorRef> inputs,
                     std::vector<TensorType> outputs, SourceRange loc) {
  auto n = std::make_unique<Node>();
  n->id = static_cast<NodeID>(nodes_.size());
  n->name = std::move(name);
  n->op = std::move(op);
  n->inputs = std::move(inputs);
  n->outputs = std::move(outputs);
  n->loc = loc;
  byName_.emplace(n->name, n->id);
  nodes_.push_back(std::move(n));
  return *nodes_.back();
}

const Node *Graph::find(const std::string &name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : nodes_[it->second].get();
}

} // namespace scopec::graph
