//===- Npy.h - NumPy .npy and .npz files ------------------------*- C++ -*-===//
//
// Reads and writes the formats np.save / np.savez / np.savez_compressed
// write: C-order little-endian float32, float64, int32, int64 and bool.
// Every size in a header is checked against the bytes actually present
// before anything is allocated.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_RUNTIME_NPY_H
#define SCOPEC_RUNTIME_NPY_H

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scopec::npy {

enum class ElemType { Float32, Float64, Int32, Int64, Bool };

const char *elemTypeName(ElemType t); ///< "float32", ...
size_t elemSize(ElemType t);

struct Array {
  ElemType type = ElemType::Float32;
  std::vector<int64_t> shape;
  std::vector<unsigned char> data; ///< C order, little endian

  int64_t numElements() const;
  float *f32() { return reinterpret_cast<float *>(data.data()); }
  const float *f32() const { return reinterpret_cast<const float *>(data.data()); }
  std::string shapeString() const; ///< "(2, 3)"
};

/// Parses the bytes of a .npy file. On failure returns false with a one-line reason.
bool parseNpy(std::string_view bytes, Array &out, std::string &error);
/// The bytes of a .npy file (format version 1.0).
std::string serializeNpy(const Array &a);

using NamedArrays = std::vector<std::pair<std::string, Array>>;

bool readNpyFile(const std::string &path, Array &out, std::string &error);
bool writeNpyFile(const std::string &path, const Array &a, std::string &error);
/// Entries of an .npz (stored or deflated), names without the ".npy" suffix.
bool readNpzFile(const std::string &path, NamedArrays &out, std::string &error);
/// The same from the bytes of an archive in memory.
bool parseNpz(std::string_view bytes, NamedArrays &out, std::string &error);
bool writeNpzFile(const std::string &path, const NamedArrays &arrays, std::string &error);

} // namespace scopec::npy

#endif
