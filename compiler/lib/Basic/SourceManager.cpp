//===- SourceManager.cpp --------------------------------------------------===//
#include "scopec/Basic/SourceManager.h"

#include <algorithm>

namespace scopec {

FileID SourceManager::addBuffer(std::string name, std::string_view contents) {
  auto buf = std::make_unique<Buffer>();
  buf->name = std::move(name);
  if (contents.size() >= 3 && contents.substr(0, 3) == "\xEF\xBB\xBF") {
    buf->hadBOM = true;
    contents.remove_prefix(3);
  }
  std::string &text = buf->text;
  text.reserve(contents.size());
  for (size_t i = 0; i < contents.size(); ++i) {
    char c = contents[i];
    if (c == '\r') {
      text.push_back('\n');
      if (i + 1 < contents.size() && contents[i + 1] == '\n')
        ++i;
    } else {
      text.push_back(c);
    }
  }
  buf->lineStarts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' && i + 1 < text.size())
      buf->lineStarts.push_back(i + 1);
  buffers_.push_back(std::move(buf));
  return static_cast<FileID>(buffers_.size());
}

std::string_view SourceManager::getLine(FileID id, uint32_t line) const {
  const Buffer &b = get(id);
  if (line == 0 || line > b.lineStarts.size())
    return {};
  size_t start = b.lineStarts[line - 1];
  size_t end = b.text.find('\n', start);
  if (end == std::string::npos)
    end = b.text.size();
  return std::string_view(b.text).substr(start, end - start);
}

SourceLoc SourceManager::getLocForOffset(FileID id, size_t offset) const {
  const Buffer &b = get(id);
  offset = std::min(offset, b.text.size());
  auto it = std::upper_bound(b.lineStarts.begin(), b.lineStarts.end(), offset);
  size_t lineIdx = static_cast<size_t>(it - b.lineStarts.begin()) - 1;
  size_t start = b.lineStarts[lineIdx];
  std::string_view prefix = std::string_view(b.text).substr(start, offset - start);
  return SourceLoc{static_cast<uint32_t>(lineIdx + 1),
                   static_cast<uint32_t>(countCodePoints(prefix) + 1)};
}

size_t SourceManager::getOffset(FileID id, SourceLoc loc) const {
  const Buffer &b = get(id);
  if (loc.line == 0 || loc.line > b.lineStarts.size())
    return b.text.size();
  size_t start = b.lineStarts[loc.line - 1];
  std::string_view line = getLine(id, loc.line);
  size_t i = 0;
  for (uint32_t col = 1; col < loc.col && i < line.size(); ++col) {
    size_t n = validUTF8SequenceLength(line, i);
    i += n ? n : 1;
  }
  return start + i;
}

size_t validUTF8SequenceLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  if (c < 0x80)
    return 1;
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size())
    return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((at(i + k) & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (at(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

size_t countCodePoints(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    size_t len = validUTF8SequenceLength(s, i);
    i += len ? len : 1;
  }
  return n;
}

void appendUTF8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string sanitizeUTF8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = validUTF8SequenceLength(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

} // namespace scopec
