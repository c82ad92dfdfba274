//===- GraphDump.cpp ------------------------------------------------------===//
#include "scopec/Graph/GraphDump.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

namespace scopec::graph {

namespace {

std::string typeText(const TensorType &t) {
  std::string s = std::string(dtypeName(t.dtype)) + (t.isRef ? "_ref" : "");
  return s + t.shape.bracketStr();
}

bool shown(const Node &n, const DumpOptions &o) { return o.all || !n.helper; }

std::string quoteDot(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

/// The scope path of a node: its name without the last component.
std::string scopeOf(const std::string &name) {
  size_t slash = name.rfind('/');
  return slash == std::string::npos ? "" : name.substr(0, slash);
}

} // namespace

std::string dumpText(const Graph &g, const DumpOptions &opts) {
  std::string out;
  for (size_t k = 0; k < g.size(); ++k) {
    const Node &n = g.node(static_cast<NodeID>(k));
    if (!shown(n, opts))
      continue;
    out += n.name + " = " + n.op + "(";
    for (size_t i = 0; i < n.inputs.size(); ++i)
      out += (i ? ", " : "") + g.tensorName(n.inputs[i]);
    out += ") -> ";
    for (size_t i = 0; i < n.outputs.size(); ++i)
      out += (i ? ", " : "") + typeText(n.outputs[i]);
    out += "\n";
  }
  return out;
}

std::string dumpDot(const Graph &g, const DumpOptions &opts) {
  // A tree of scopes in first-appearance order.
  struct Scope {
    std::string path;
    std::vector<std::string> children; ///< child scope paths
    std::vector<NodeID> nodes;
  };
  std::map<std::string, Scope> scopes;
  scopes[""].path = "";
  // Registers a scope and its parents; a child is listed once, when first seen.
  std::function<Scope &(const std::string &)> ensure = [&](const std::string &path) -> Scope & {
    auto it = scopes.find(path);
    if (it != scopes.end())
      return it->second;
    Scope &parent = ensure(scopeOf(path));
    parent.children.push_back(path);
    Scope &s = scopes[path];
    s.path = path;
    return s;
  };
  for (size_t k = 0; k < g.size(); ++k) {
    const Node &n = g.node(static_cast<NodeID>(k));
    if (shown(n, opts))
      ensure(scopeOf(n.name)).nodes.push_back(n.id);
  }
  std::string out = "digraph scopec {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n";
  int cluster = 0;
  std::function<void(const Scope &, int)> emit = [&](const Scope &s, int depth) {
    std::string pad(static_cast<size_t>(2 * depth), ' ');
    for (NodeID id : s.nodes) {
      const Node &n = g.node(id);
      std::string label = n.name.substr(n.name.rfind('/') == std::string::npos ? 0 : n.name.rfind('/') + 1) +
                          "\n" + n.op + "\n" + (n.outputs.empty() ? "" : typeText(n.outputs[0]));
      out += pad + "  " + quoteDot(n.name) + " [label=" + quoteDot(label) +
             (n.op == "VariableV2" ? ", style=filled, fillcolor=lightyellow" : n.op == "Placeholder" ? ", style=filled, fillcolor=lightblue" : "") +
             "];\n";
    }
    for (const std::string &c : s.children) {
      const Scope &child = scopes.at(c);
      out += pad + "  subgraph cluster_" + std::to_string(cluster++) + " {\n";
      out += pad + "    label=" + quoteDot(c.substr(c.rfind('/') == std::string::npos ? 0 : c.rfind('/') + 1)) + ";\n";
      emit(child, depth + 1);
      out += pad + "  }\n";
    }
  };
  emit(scopes.at(""), 0);
  for (size_t k = 0; k < g.size(); ++k) {
    const Node &n = g.node(static_cast<NodeID>(k));
    if (!shown(n, opts))
      continue;
    for (TensorRef in : n.inputs) {
      // A hidden helper (a variable's read) stands for what it reads.
      const Node *src = &g.node(in.node);
      while (!shown(*src, opts) && !src->inputs.empty())
        src = &g.node(src->inputs[0].node);
      if (!shown(*src, opts))
        continue;
      out += "  " + quoteDot(src->name) + " -> " + quoteDot(n.name) + ";\n";
    }
  }
  return out + "}\n";
}

std::string dumpJSON(const Graph &g, const DumpOptions &opts, const SourceManager &sm) {
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (size_t k = 0; k < g.size(); ++k) {
    const Node &n = g.node(static_cast<NodeID>(k));
    if (!shown(n, opts))
      continue;
    nlohmann::ordered_json j;
    j["name"] = n.name;
    j["op"] = n.op;
    nlohmann::ordered_json ins = nlohmann::ordered_json::array();
    for (TensorRef r : n.inputs)
      ins.push_back(g.tensorName(r));
    j["inputs"] = ins;
    nlohmann::ordered_json outs = nlohmann::ordered_json::array();
    for (const TensorType &t : n.outputs) {
      nlohmann::ordered_json o;
      if (t.shape.unknownRank) {
        o["shape"] = nullptr;
      } else {
        nlohmann::ordered_json dims = nlohmann::ordered_json::array();
        for (int64_t d : t.shape.dims)
          dims.push_back(d < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d));
        o["shape"] = dims;
      }
      o["dtype"] = std::string(dtypeName(t.dtype)) + (t.isRef ? "_ref" : "");
      outs.push_back(o);
    }
    j["outputs"] = outs;
    j["file"] = n.loc.isValid() ? sm.getName(n.loc.file) : "";
    j["line"] = n.loc.begin.line;
    j["column"] = n.loc.begin.col;
    nodes.push_back(std::move(j));
  }
  nlohmann::ordered_json doc;
  doc["version"] = 1;
  doc["nodes"] = std::move(nodes);
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

} // namespace scopec::graph
