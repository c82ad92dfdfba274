//===- Diagnostics.h - The diagnostics engine -------------------*- C++ -*-===//
//
// One registry (Diagnostics.def), a typed builder
//   diags.report(range, diag::variable_exists) << name;
// notes attached to their diagnostic, and a compile-time call chain that the
// evaluator pushes on every call so "called from here" notes come for free.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_BASIC_DIAGNOSTICS_H
#define SCOPEC_BASIC_DIAGNOSTICS_H

#include "scopec/Basic/SourceManager.h"

#include <cstdint>
#include <optional>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace scopec {

enum class Severity : uint8_t { Note, Warning, Error };

namespace diag {
enum ID : uint16_t {
#define DIAG(ID, SEV, CODE, RULE, FMT, SUMMARY) ID,
#include "scopec/Basic/Diagnostics.def"
  NUM_DIAGNOSTICS
};
} // namespace diag

/// Static facts about one diagnostic kind.
struct DiagInfo {
  diag::ID id;
  Severity severity;
  const char *code;
  const char *rule;
  const char *format;
  const char *summary;
};

const DiagInfo &getDiagInfo(diag::ID id);
/// Looks a diagnostic up by its code ("E201"); nullptr when unknown.
const DiagInfo *findDiagByCode(std::string_view code);
/// Every registered diagnostic, in registry order.
const std::vector<DiagInfo> &allDiagInfos();
const char *severityName(Severity s);

struct Note {
  diag::ID id;
  SourceRange range;
  std::string message;
};

/// One reported problem. Locations are kept as ranges; renderers resolve
/// them through the SourceManager.
struct Diagnostic {
  diag::ID id;
  SourceRange range;
  std::string message;
  std::vector<Note> notes;

  Severity severity() const { return getDiagInfo(id).severity; }
  const char *code() const { return getDiagInfo(id).code; }
  const char *rule() const { return getDiagInfo(id).rule; }
};

class DiagnosticsEngine;

/// Collects the arguments of one diagnostic; commits it on destruction.
class DiagnosticBuilder {
public:
  DiagnosticBuilder(DiagnosticsEngine &engine, SourceRange range, diag::ID id);
  DiagnosticBuilder(DiagnosticBuilder &&other) noexcept;
  DiagnosticBuilder(const DiagnosticBuilder &) = delete;
  DiagnosticBuilder &operator=(const DiagnosticBuilder &) = delete;
  ~DiagnosticBuilder();

  DiagnosticBuilder &operator<<(std::string_view arg);
  DiagnosticBuilder &operator<<(const std::string &arg) {
    return *this << std::string_view(arg);
  }
  DiagnosticBuilder &operator<<(const char *arg) {
    return *this << std::string_view(arg);
  }
  DiagnosticBuilder &operator<<(long long arg);
  DiagnosticBuilder &operator<<(int arg) { return *this << (long long)arg; }
  DiagnosticBuilder &operator<<(unsigned arg) {
    return *this << (long long)arg;
  }
  DiagnosticBuilder &operator<<(size_t arg) { return *this << (long long)arg; }

  /// Attaches a note (its message is the registry's format, or `message`).
  DiagnosticBuilder &note(SourceRange range, diag::ID id,
                          std::string message = {});
  /// Sets the whole message text (for diagnostics whose text is composed by
  /// the caller, e.g. TF's messages built with their arguments).
  DiagnosticBuilder &message(std::string text) {
    rawMessage_ = std::move(text);
    hasRawMessage_ = true;
    return *this;
  }
  /// Does not attach the call-chain notes to this diagnostic.
  DiagnosticBuilder &withoutCallChain() {
    callChain_ = false;
    return *this;
  }

private:
  DiagnosticsEngine *engine_;
  SourceRange range_;
  diag::ID id_;
  std::vector<std::string> args_;
  std::vector<Note> notes_;
  bool callChain_ = true;
  bool hasRawMessage_ = false;
  std::string rawMessage_;
};

/// Receives every diagnostic as it is reported.
class DiagnosticConsumer {
public:
  virtual ~DiagnosticConsumer();
  virtual void handle(const Diagnostic &d) = 0;
};

/// Reports diagnostics for one compilation. Not thread-safe: each compilation
/// (one file, or one program of several files) has its own engine.
class DiagnosticsEngine {
public:
  explicit DiagnosticsEngine(const SourceManager &sm) : sm_(sm) {}

  DiagnosticBuilder report(SourceRange range, diag::ID id) {
    return DiagnosticBuilder(*this, range, id);
  }

  /// The compile-time call chain: the evaluator pushes the call site of
  /// every call it enters. Errors get one "called from here" note per frame,
  /// innermost first, at most kMaxCallChainNotes (like TF's 5 frames).
  void pushCallFrame(SourceRange callSite) { callStack_.push_back(callSite); }
  void popCallFrame() { callStack_.pop_back(); }
  static constexpr unsigned kMaxCallChainNotes = 5;

  void setConsumer(DiagnosticConsumer *c) { consumer_ = c; }
  /// Called with the index of every error as it is committed (the
  /// evaluator turns errors inside `try` into Python exceptions).
  void setErrorObserver(std::function<void(size_t)> f) { errorObserver_ = std::move(f); }
  /// Withdraws the diagnostic at `index` (an error a `try` caught). Only
  /// without a consumer, which would already have seen it.
  void retract(size_t index);
  const std::vector<Diagnostic> &diagnostics() const { return diags_; }
  std::vector<Diagnostic> takeDiagnostics() { return std::move(diags_); }
  unsigned numErrors() const { return numErrors_; }
  unsigned numWarnings() const { return numWarnings_; }
  bool hasErrors() const { return numErrors_ != 0; }
  const SourceManager &getSourceManager() const { return sm_; }

  /// Formats a registry message: %0..%9 are replaced by args.
  static std::string formatMessage(const char *fmt,
                                   const std::vector<std::string> &args);

private:
  friend class DiagnosticBuilder;
  void commit(Diagnostic d, bool withCallChain);

  const SourceManager &sm_;
  std::vector<Diagnostic> diags_;
  std::vector<SourceRange> callStack_;
  DiagnosticConsumer *consumer_ = nullptr;
  std::function<void(size_t)> errorObserver_;
  unsigned numErrors_ = 0;
  unsigned numWarnings_ = 0;
};

} // namespace scopec

#endif
