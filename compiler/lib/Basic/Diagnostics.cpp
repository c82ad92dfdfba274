//===- Diagnostics.cpp ----------------------------------------------------===//
#include "scopec/Basic/Diagnostics.h"

#include <cassert>
#include <string>

namespace scopec {

const std::vector<DiagInfo> &allDiagInfos() {
  static const std::vector<DiagInfo> infos = {
#define DIAG(ID, SEV, CODE, RULE, FMT, SUMMARY)                                \
  DiagInfo{diag::ID, Severity::SEV, CODE, RULE, FMT, SUMMARY},
#include "scopec/Basic/Diagnostics.def"
  };
  return infos;
}

const DiagInfo &getDiagInfo(diag::ID id) {
  assert(id < diag::NUM_DIAGNOSTICS && "invalid diagnostic id");
  return allDiagInfos()[id];
}

const DiagInfo *findDiagByCode(std::string_view code) {
  for (const DiagInfo &info : allDiagInfos())
    if (code == info.code)
      return &info;
  return nullptr;
}

const char *severityName(Severity s) {
  switch (s) {
  case Severity::Note:
    return "note";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "error";
}

DiagnosticConsumer::~DiagnosticConsumer() = default;

DiagnosticBuilder::DiagnosticBuilder(DiagnosticsEngine &engine,
                                     SourceRange range, diag::ID id)
    : engine_(&engine), range_(range), id_(id) {}

DiagnosticBuilder::DiagnosticBuilder(DiagnosticBuilder &&other) noexcept
    : engine_(other.engine_), range_(other.range_), id_(other.id_),
      args_(std::move(other.args_)), notes_(std::move(other.notes_)),
      callChain_(other.callChain_), hasRawMessage_(other.hasRawMessage_),
      rawMessage_(std::move(other.rawMessage_)) {
  other.engine_ = nullptr;
}

DiagnosticBuilder::~DiagnosticBuilder() {
  if (!engine_)
    return;
  Diagnostic d;
  d.id = id_;
  d.range = range_;
  d.message = hasRawMessage_ ? rawMessage_
                            : DiagnosticsEngine::formatMessage(getDiagInfo(id_).format, args_);
  d.notes = std::move(notes_);
  engine_->commit(std::move(d), callChain_);
}

DiagnosticBuilder &DiagnosticBuilder::operator<<(std::string_view arg) {
  args_.emplace_back(arg);
  return *this;
}

DiagnosticBuilder &DiagnosticBuilder::operator<<(long long arg) {
  args_.push_back(std::to_string(arg));
  return *this;
}

DiagnosticBuilder &DiagnosticBuilder::note(SourceRange range, diag::ID id,
                                           std::string message) {
  if (message.empty())
    message = getDiagInfo(id).format;
  notes_.push_back(Note{id, range, std::move(message)});
  return *this;
}

std::string DiagnosticsEngine::formatMessage(
    const char *fmt, const std::vector<std::string> &args) {
  std::string out;
  for (const char *p = fmt; *p; ++p) {
    if (p[0] == '%' && p[1] >= '0' && p[1] <= '9') {
      size_t idx = static_cast<size_t>(p[1] - '0');
      if (idx < args.size())
        out += args[idx];
      ++p;
    } else {
      out += *p;
    }
  }
  return out;
}

void DiagnosticsEngine::commit(Diagnostic d, bool withCallChain) {
  Severity sev = d.severity();
  if (withCallChain && sev == Severity::Error) {
    unsigned n = 0;
    for (auto it = callStack_.rbegin();
         it != callStack_.rend() && n < kMaxCallChainNotes; ++it, ++n)
      d.notes.push_back(Note{diag::note_called_from, *it,
                             getDiagInfo(diag::note_called_from).format});
  }
  if (sev == Severity::Error)
    ++numErrors_;
  else if (sev == Severity::Warning)
    ++numWarnings_;
  if (consumer_)
    consumer_->handle(d);
  diags_.push_back(std::move(d));
  if (sev == Severity::Error && errorObserver_)
    errorObserver_(diags_.size() - 1);
}

void DiagnosticsEngine::retract(size_t index) {
  if (consumer_ || index >= diags_.size())
    return;
  Severity sev = diags_[index].severity();
  if (sev == Severity::Error)
    --numErrors_;
  else if (sev == Severity::Warning)
    --numWarnings_;
  diags_.erase(diags_.begin() + static_cast<long>(index));
}

} // namespace scopec
