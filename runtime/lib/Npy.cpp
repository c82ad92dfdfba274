//===- Npy.cpp - .npy / .npz reading and writing --------------------------===//
#include "scopec/Runtime/Npy.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

namespace scopec::npy {

const char *elemTypeName(ElemType t) {
  switch (t) {
  case ElemType::Float32: return "float32";
  case ElemType::Float64: return "float64";
  case ElemType::Int32: return "int32";
  case ElemType::Int64: return "int64";
  case ElemType::Bool: return "bool";
  }
  return "?";
}

size_t elemSize(ElemType t) {
  switch (t) {
  case ElemType::Float64:
  case ElemType::Int64: return 8;
  case ElemType::Bool: return 1;
  default: return 4;
  }
}

int64_t Array::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string Array::shapeString() const {
  std::string s = "(";
  for (size_t k = 0; k < shape.size(); ++k)
    s += (k ? ", " : "") + std::to_string(shape[k]);
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

namespace {

/// The value of `key` in the header dict: "'descr': '<f4'" -> "'<f4'".
bool dictValue(const std::string &header, const std::string &key, std::string &value) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    return false;
  size_t colon = header.find(':', k);
  if (colon == std::string::npos)
    return false;
  size_t start = header.find_first_not_of(" ", colon + 1);
  if (start == std::string::npos)
    return false;
  size_t end;
  if (header[start] == '(') {
    end = header.find(')', start);
    if (end == std::string::npos)
      return false;
    ++end;
  } else if (header[start] == '\'') {
    end = header.find('\'', start + 1);
    if (end == std::string::npos)
      return false;
    ++end;
  } else {
    end = header.find_first_of(",}", start);
    if (end == std::string::npos)
      return false;
  }
  value = header.substr(start, end - start);
  return true;
}

} // namespace

bool parseNpy(std::string_view bytes, Array &out, std::string &error) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY") {
    error = "not a .npy file (bad magic)";
    return false;
  }
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) {
      error = "truncated .npy header";
      return false;
    }
    headerLen = 0;
    for (int k = 3; k >= 0; --k)
      headerLen = headerLen << 8 | static_cast<unsigned char>(bytes[8 + k]);
    offset = 12;
  } else {
    error = "unsupported .npy format version " + std::to_string(major);
    return false;
  }
  if (headerLen > bytes.size() - offset) {
    error = "truncated .npy header";
    return false;
  }
  std::string header(bytes.substr(offset, headerLen));
  std::string descr, fortran, shape;
  if (!dictValue(header, "descr", descr) || !dictValue(header, "fortran_order", fortran) ||
      !dictValue(header, "shape", shape)) {
    error = "malformed .npy header: " + header.substr(0, 80);
    return false;
  }
  if (descr == "'<f4'")
    out.type = ElemType::Float32;
  else if (descr == "'<f8'")
    out.type = ElemType::Float64;
  else if (descr == "'<i4'")
    out.type = ElemType::Int32;
  else if (descr == "'<i8'")
    out.type = ElemType::Int64;
  else if (descr == "'|b1'")
    out.type = ElemType::Bool;
  else {
    error = "unsupported .npy dtype " + descr +
            " (supported: float32, float64, int32, int64, bool, little endian)";
    return false;
  }
  if (fortran != "False") {
    error = "Fortran-order .npy arrays are not supported (save with C order)";
    return false;
  }
  out.shape.clear();
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') {
    error = "malformed .npy shape '" + shape.substr(0, 80) + "'";
    return false;
  }
  std::string dims = shape.substr(1, shape.size() - 2);
  // Entries separated by commas; only the last may be empty ("(3,)", "()").
  std::vector<std::string> entries;
  for (size_t p = 0;;) {
    size_t q = dims.find(',', p);
    std::string d = dims.substr(p, q == std::string::npos ? std::string::npos : q - p);
    size_t a = d.find_first_not_of(' '), b = d.find_last_not_of(' ');
    entries.push_back(a == std::string::npos ? std::string() : d.substr(a, b - a + 1));
    if (q == std::string::npos)
      break;
    p = q + 1;
  }
  if (entries.back().empty() && (entries.size() > 1 || dims.find(',') == std::string::npos))
    entries.pop_back();
  uint64_t count = 1;
  bool overflow = false;
  for (const std::string &d : entries) {
    if (d.empty() || d.find_first_not_of("0123456789") != std::string::npos || d.size() > 18) {
      error = "malformed .npy shape " + shape;
      return false;
    }
    int64_t v = std::stoll(d);
    out.shape.push_back(v);
    if (v != 0 && count > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(v))
      overflow = true;
    count *= static_cast<uint64_t>(v);
  }
  size_t dataOffset = offset + headerLen;
  uint64_t want = count * elemSize(out.type);
  if (overflow || count > std::numeric_limits<uint64_t>::max() / 8 ||
      want != bytes.size() - dataOffset) {
    error = "the .npy header claims shape " + shape + " (" + elemTypeName(out.type) + ") but the file holds " +
            std::to_string(bytes.size() - dataOffset) + " data bytes";
    return false;
  }
  out.data.assign(bytes.begin() + static_cast<long>(dataOffset), bytes.end());
  return true;
}

std::string serializeNpy(const Array &a) {
  const char *descr = a.type == ElemType::Float32 ? "<f4"
                      : a.type == ElemType::Float64 ? "<f8"
                      : a.type == ElemType::Int32   ? "<i4"
                      : a.type == ElemType::Int64   ? "<i8"
                                                    : "|b1";
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " +
                       a.shapeString() + ", }";
  size_t total = 10 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char *>(a.data.data()), a.data.size());
  return out;
}

static bool readFile(const std::string &path, std::string &out, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool readNpyFile(const std::string &path, Array &out, std::string &error) {
  std::string bytes;
  if (!readFile(path, bytes, error))
    return false;
  if (!parseNpy(bytes, out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

bool writeNpyFile(const std::string &path, const Array &a, std::string &error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::string bytes = serializeNpy(a);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

namespace {

/// Reads every entry of an opened archive; closes it. `what` names the input
/// in messages. Entries are read in chunks, so a size the archive claims
/// never drives an allocation: memory follows the bytes actually inflated.
bool readArchive(zip_t *z, const std::string &what, NamedArrays &out, std::string &error) {
  auto fail = [&](std::string msg) {
    error = what + ": " + std::move(msg);
    zip_discard(z);
    return false;
  };
  zip_int64_t n = zip_get_num_entries(z, 0);
  for (zip_int64_t k = 0; k < n; ++k) {
    zip_stat_t st;
    if (zip_stat_index(z, static_cast<zip_uint64_t>(k), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        !(st.valid & ZIP_STAT_NAME))
      return fail("unreadable entry " + std::to_string(k));
    std::string name = st.name;
    if (st.size > (uint64_t(1) << 34))
      return fail("entry '" + name + "' is larger than 16 GiB");
    zip_file_t *f = zip_fopen_index(z, static_cast<zip_uint64_t>(k), 0);
    if (!f)
      return fail("cannot open entry '" + name + "': " + zip_strerror(z));
    std::string bytes;
    char chunk[1 << 16];
    bool ok = true;
    while (bytes.size() < st.size) {
      zip_uint64_t want = std::min<zip_uint64_t>(sizeof chunk, st.size - bytes.size());
      zip_int64_t got = zip_fread(f, chunk, want);
      if (got <= 0) {
        ok = false;
        break;
      }
      bytes.append(chunk, static_cast<size_t>(got));
    }
    zip_fclose(f);
    if (!ok)
      return fail("entry '" + name + "' is truncated or corrupt");
    Array a;
    if (!parseNpy(bytes, a, error))
      return fail("entry '" + name + "': " + error);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    out.emplace_back(name, std::move(a));
  }
  zip_discard(z);
  return true;
}

} // namespace

bool readNpzFile(const std::string &path, NamedArrays &out, std::string &error) {
  int err = 0;
  zip_t *z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    error = "cannot read '" + path + "' as .npz: " + zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return false;
  }
  return readArchive(z, path, out, error);
}

bool parseNpz(std::string_view bytes, NamedArrays &out, std::string &error) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
  zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : nullptr;
  if (!z) {
    error = std::string("not a valid .npz: ") + zip_error_strerror(&ze);
    if (src)
      zip_source_free(src);
    zip_error_fini(&ze);
    return false;
  }
  zip_error_fini(&ze);
  return readArchive(z, "<npz>", out, error);
}

bool writeNpzFile(const std::string &path, const NamedArrays &arrays, std::string &error) {
  int err = 0;
  zip_t *z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) {
    error = "cannot write '" + path + "'";
    return false;
  }
  std::vector<std::string> keep; // the buffers must live until zip_close
  keep.reserve(arrays.size());
  for (const auto &[name, a] : arrays) {
    keep.push_back(serializeNpy(a));
    zip_source_t *src = zip_source_buffer(z, keep.back().data(), keep.back().size(), 0);
    if (!src || zip_file_add(z, (name + ".npy").c_str(), src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
      if (src)
        zip_source_free(src);
      error = "cannot add '" + name + "' to '" + path + "': " + zip_strerror(z);
      zip_discard(z);
      return false;
    }
  }
  if (zip_close(z) != 0) {
    error = "cannot write '" + path + "': " + zip_strerror(z);
    zip_discard(z);
    return false;
  }
  return true;
}

} // namespace scopec::npy
