//===- ShapeInference.h - The op registry's shape functions -----*- C++ -*-===//
#ifndef SCOPEC_GRAPH_SHAPEINFERENCE_H
#define SCOPEC_GRAPH_SHAPEINFERENCE_H

#include "scopec/Graph/Graph.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scopec::graph {

enum class OpKind : uint16_t {
#define OP(Type, Shape) Type,
#include "scopec/Graph/Ops.def"
};

std::optional<OpKind> opKindFromName(std::string_view type);
const char *opKindName(OpKind k);
/// Every registered op type, in registry order.
const std::vector<std::string> &registeredOps();

/// What a shape function sees of the node being built.
struct ShapeQuery {
  std::string nodeName;
  std::string opType;
  std::vector<TensorType> inputs;
  /// The compile-time value of each input when it is a Const (else null).
  std::vector<const TensorData *> constInputs;
  const std::map<std::string, AttrValue> *attrs = nullptr;
  /// When input k is a shape-valued int tensor that is not a Const: what
  /// TF's constant folding knows of its value as a shape (a Shape op's
  /// input shape, a Pack of dimensions, a concat of such; -1 unknown), else
  /// nullopt (TF's MakeShapeFromShapeTensor).
  std::vector<std::optional<Shape>> shapeOf;
  /// For an int scalar input that is not a Const: its value when constant
  /// folding knows it (a dimension, Max of a Const, ...), else -1.
  std::vector<int64_t> scalarOf;

  const AttrValue *attr(const std::string &name) const;
  int64_t intAttr(const std::string &name, int64_t dflt) const;
  bool boolAttr(const std::string &name, bool dflt) const;
};

/// A shape function's failure, in TF's words. `withInputShapes` appends
/// " for 'NAME' (op: 'TYPE') with input shapes: [..], [..]." as TF does.
struct ShapeError {
  enum Kind { Shapes, Rank, DType, Argument, UnknownDim } kind = Shapes;
  std::string message;
  bool withInputShapes = true;
};

/// Appends input `r` of graph `g` to `q`: its type, constant value, measured shape.
void addInput(ShapeQuery &q, const Graph &g, TensorRef r);

/// What graph-construction constant folding knows of an int tensor used as
/// a shape: the value with -1 for what depends on run-time data (the batch),
/// nullopt when not even the rank is known. Follows Shape, Const, Pack,
/// ConcatV2, StridedSlice of a shape, Cast, Identity and scalar arithmetic.
std::optional<Shape> partialShapeValue(const Graph &g, TensorRef r);
/// The same for a scalar: its value, or -1.
int64_t partialScalarValue(const Graph &g, TensorRef r);

/// Runs the registered shape function of `q.opType`.
bool inferShape(const ShapeQuery &q, std::vector<TensorType> &outs, ShapeError &err);

/// The complete message of a shape error for a node.
std::string formatShapeError(const ShapeQuery &q, const ShapeError &err);

/// TF's shape Merge: equal ranks, equal known dimensions; the result has the
/// dimensions either knows. False with TF's message in `err`.
bool mergeShapes(const Shape &a, const Shape &b, Shape &out, ShapeError &err);

/// NumPy broadcasting of two static shapes (unknown dims stay unknown).
bool broadcastShapes(const Shape &a, const Shape &b, Shape &out, int64_t *badA = nullptr,
                     int64_t *badB = nullptr);

} // namespace scopec::graph

#endif

namespace scopec::graph {
/// Checks the invariants every consumer relies on: unique names, inputs that
/// refer to earlier nodes' existing outputs, registered op types, and output
/// types that the op's shape function reproduces. Returns the violations
/// (an empty list for a valid graph); a violation is a compiler bug.
std::vector<std::string> verifyGraph(const Graph &g);
}
