//===- SourceManager.h - Source buffers and locations -----------*- C++ -*-===//
#ifndef SCOPEC_BASIC_SOURCEMANAGER_H
#define SCOPEC_BASIC_SOURCEMANAGER_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace scopec {

/// Identifies one buffer of a SourceManager. 0 is "no file".
using FileID = uint32_t;

/// A position in a file: 1-based line and 1-based column counted in Unicode
/// code points. Line 0 means "no location".
struct SourceLoc {
  uint32_t line = 0;
  uint32_t col = 0;
  bool isValid() const { return line != 0; }
  friend bool operator==(SourceLoc a, SourceLoc b) {
    return a.line == b.line && a.col == b.col;
  }
  friend bool operator<(SourceLoc a, SourceLoc b) {
    return a.line < b.line || (a.line == b.line && a.col < b.col);
  }
};

/// A half-open range [begin, end) in one file.
struct SourceRange {
  FileID file = 0;
  SourceLoc begin;
  SourceLoc end;
  bool isValid() const { return file != 0 && begin.isValid(); }
};

/// Owns the text of every file of one compilation. Line ends are normalised
/// on entry (CRLF and lone CR become LF, a leading UTF-8 BOM is dropped), so
/// every later phase sees one kind of line end.
class SourceManager {
public:
  /// Adds a buffer; `name` is what diagnostics print (e.g. "model.scope" or
  /// "<stdin>").
  FileID addBuffer(std::string name, std::string_view contents);

  const std::string &getName(FileID id) const { return get(id).name; }
  const std::string &getText(FileID id) const { return get(id).text; }
  unsigned getNumLines(FileID id) const {
    return static_cast<unsigned>(get(id).lineStarts.size());
  }
  /// The text of a 1-based line without its line end ("" past the end).
  std::string_view getLine(FileID id, uint32_t line) const;
  /// The location of a byte offset into the (normalised) text.
  SourceLoc getLocForOffset(FileID id, size_t offset) const;
  /// The byte offset of a location (clamped to the line's end).
  size_t getOffset(FileID id, SourceLoc loc) const;
  bool hadBOM(FileID id) const { return get(id).hadBOM; }

private:
  struct Buffer {
    std::string name;
    std::string text;
    std::vector<size_t> lineStarts;
    bool hadBOM = false;
  };
  const Buffer &get(FileID id) const { return *buffers_.at(id - 1); }
  std::vector<std::unique_ptr<Buffer>> buffers_;
};

/// Number of code points in a UTF-8 string (invalid bytes count as one each).
size_t countCodePoints(std::string_view s);
/// Byte length of the UTF-8 sequence starting at s[i] if it is valid, else 0.
size_t validUTF8SequenceLength(std::string_view s, size_t i);
/// Replaces every invalid UTF-8 byte by U+FFFD.
std::string sanitizeUTF8(std::string_view s);
/// Appends the UTF-8 encoding of a code point.
void appendUTF8(std::string &out, uint32_t cp);

} // namespace scopec

#endif
