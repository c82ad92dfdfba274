//===- Types.cpp ----------------------------------------------------------===//
#include "scopec/Graph/Types.h"

namespace scopec::graph {

namespace {
struct DTypeName {
  DType t;
  const char *name;
};
constexpr DTypeName kNames[] = {
    {DType::Float16, "float16"}, {DType::BFloat16, "bfloat16"}, {DType::Float32, "float32"},
    {DType::Float64, "float64"}, {DType::Int8, "int8"},         {DType::Int16, "int16"},
    {DType::Int32, "int32"},     {DType::Int64, "int64"},       {DType::UInt8, "uint8"},
    {DType::UInt16, "uint16"},   {DType::Bool, "bool"},         {DType::String, "string"},
    {DType::Complex64, "complex64"},
};
} // namespace

const char *dtypeName(DType t) {
  for (const DTypeName &n : kNames)
    if (n.t == t)
      return n.name;
  return "invalid";
}

std::optional<DType> dtypeFromName(std::string_view name) {
  for (const DTypeName &n : kNames)
    if (name == n.name)
      return n.t;
  if (name == "half")
    return DType::Float16;
  if (name == "float")
    return DType::Float32;
  if (name == "double")
    return DType::Float64;
  return std::nullopt;
}

size_t storageBytes(DType t) {
  return t == DType::Float64 || t == DType::Int64 ? 8 : t == DType::Bool ? 1 : 4;
}

bool isFloating(DType t) {
  return t == DType::Float16 || t == DType::BFloat16 || t == DType::Float32 ||
         t == DType::Float64;
}
bool isUnsigned(DType t) { return t == DType::UInt8 || t == DType::UInt16; }
bool isInteger(DType t) {
  return t == DType::Int8 || t == DType::Int16 || t == DType::Int32 || t == DType::Int64 ||
         isUnsigned(t);
}
bool isComplex(DType t) { return t == DType::Complex64; }

bool Shape::isFullyDefined() const {
  if (unknownRank)
    return false;
  for (int64_t d : dims)
    if (d < 0)
      return false;
  return true;
}

int64_t Shape::numElements() const {
  if (!isFullyDefined())
    return -1;
  int64_t n = 1;
  for (int64_t d : dims)
    if (__builtin_mul_overflow(n, d, &n))
      return -1;
  return n;
}

bool Shape::isCompatibleWith(const Shape &other) const {
  if (unknownRank || other.unknownRank)
    return true;
  if (dims.size() != other.dims.size())
    return false;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] >= 0 && other.dims[i] >= 0 && dims[i] != other.dims[i])
      return false;
  return true;
}

std::string Shape::str() const {
  if (unknownRank)
    return "<unknown>";
  std::string s = "(";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      s += ", ";
    s += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  if (dims.size() == 1)
    s += ",";
  return s + ")";
}

std::string Shape::bracketStr() const {
  if (unknownRank)
    return "?";
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      s += ",";
    s += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  return s + "]";
}

} // namespace scopec::graph
