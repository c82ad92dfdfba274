//===- Types.h - dtypes and static shapes of the graph ----------*- C++ -*-===//
#ifndef SCOPEC_GRAPH_TYPES_H
#define SCOPEC_GRAPH_TYPES_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scopec::graph {

/// TF's dtypes of language.md section 3.
enum class DType : uint8_t {
  Invalid,
  Float16,
  BFloat16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  UInt16,
  Bool,
  String,
  Complex64,
};

/// TF's name: "float32", "int32", ...
const char *dtypeName(DType t);
std::optional<DType> dtypeFromName(std::string_view name);
bool isFloating(DType t);
/// Bytes per element as the generated code stores a tensor of `t` (bool: 1).
size_t storageBytes(DType t);
bool isInteger(DType t); ///< signed or unsigned
bool isUnsigned(DType t);
bool isComplex(DType t);

/// A static shape: unknown rank, or dims with -1 for an unknown dimension.
struct Shape {
  bool unknownRank = false;
  std::vector<int64_t> dims;

  static Shape unknown() { return Shape{true, {}}; }
  static Shape scalar() { return Shape{false, {}}; }
  static Shape of(std::vector<int64_t> d) { return Shape{false, std::move(d)}; }
  size_t rank() const { return dims.size(); }
  bool isFullyDefined() const;
  /// Number of elements when fully defined (saturating: -1 on overflow).
  int64_t numElements() const;
  bool isCompatibleWith(const Shape &other) const;
  friend bool operator==(const Shape &a, const Shape &b) {
    return a.unknownRank == b.unknownRank && a.dims == b.dims;
  }
  /// TF1 TensorShape.__str__: "(2,)", "(1, 2)", "()", "<unknown>", "(?, 784)".
  std::string str() const;
  /// The form of shape-function errors: "[?,784]", "[]", "?".
  std::string bracketStr() const;
};

} // namespace scopec::graph

#endif
