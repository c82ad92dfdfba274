//===- GraphDump.h - `scopec graph` output formats --------------*- C++ -*-===//
#ifndef SCOPEC_GRAPH_GRAPHDUMP_H
#define SCOPEC_GRAPH_GRAPHDUMP_H

#include "scopec/Graph/Graph.h"

#include <string>

namespace scopec::graph {

struct DumpOptions {
  bool all = false; ///< include variables' helper ops (Assign, read, Initializer/...)
};

/// One line per node: `name = Op(input:0, ...) -> float32[?,784]`.
std::string dumpText(const Graph &g, const DumpOptions &opts);
/// Graphviz, nodes clustered by name scope.
std::string dumpDot(const Graph &g, const DumpOptions &opts);
/// The `graph --format json` document of cli.md; `fileName` names the
/// source of every node.
std::string dumpJSON(const Graph &g, const DumpOptions &opts, const SourceManager &sm);

} // namespace scopec::graph

#endif
