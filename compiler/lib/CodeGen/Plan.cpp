//===- Plan.cpp - Feeds, fetches and what they depend on ------------------===//
#include "scopec/CodeGen/CodeGen.h"

#include <algorithm>
#include <set>

namespace scopec::codegen {

using namespace scopec::graph;

int64_t Binding::numElements(int64_t batch) const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d < 0 ? batch : d;
  return n;
}

namespace {

/// Inputs that are data (lowered), not static arguments (shapes, axes).
std::vector<size_t> dataInputs(const Node &n) {
  size_t k = n.inputs.size();
  if (n.op == "Reshape" || n.op == "Transpose" || n.op == "Sum" || n.op == "Mean" ||
      n.op == "Max" || n.op == "Min" || n.op == "ArgMax" || n.op == "ExpandDims" ||
      n.op == "StridedSlice")
    return {0};
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
      if (n.helper || isSource(n) || consumed.count(n.id))
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
    b.dims = n.outputs[t.index].shape.dims;
    plan.fetches.push_back(b);
  }
  return true;
}

} // namespace scopec::codegen
