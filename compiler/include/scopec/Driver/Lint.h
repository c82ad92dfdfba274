//===- Lint.h - Suppressions and warning selection --------------*- C++ -*-===//
#ifndef SCOPEC_DRIVER_LINT_H
#define SCOPEC_DRIVER_LINT_H

#include "scopec/Driver/Driver.h"

#include <set>
#include <string>
#include <vector>

namespace scopec::driver {

/// Applies the file's `# scopec: ignore[...]`, `ignore-next-line[...]` and
/// `ignore-file[...]` comments: matching warnings are dropped; a
/// suppression that suppresses nothing, names an unknown code, names an
/// error (errors cannot be suppressed) or has no code list is W105.
void applySuppressions(FileResult &r);

/// `--select` / `--ignore`: which warnings are reported (errors always are).
struct WarningFilter {
  std::set<std::string> select; ///< empty: all
  std::set<std::string> ignore;
  bool allows(const std::string &code) const;
};

/// Parses "W101,W102" into codes; false with `error` for an unknown code or
/// an error code.
bool parseWarningCodes(const std::string &list, std::set<std::string> &out, std::string &error);

/// Drops the warnings the filter does not allow.
void filterWarnings(FileResult &r, const WarningFilter &f);

} // namespace scopec::driver

#endif
