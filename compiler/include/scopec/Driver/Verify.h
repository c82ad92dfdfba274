//===- Verify.h - `--verify`: expectations written in the source -*- C++ -*-===//
#ifndef SCOPEC_DRIVER_VERIFY_H
#define SCOPEC_DRIVER_VERIFY_H

#include "scopec/Driver/Driver.h"

#include <string>
#include <vector>

namespace scopec::driver {

struct Expectation {
  Severity severity;
  uint32_t line;      ///< where the diagnostic is expected
  uint32_t writtenAt; ///< the line of the comment
  std::string text;   ///< must be a substring of the message
};

/// The `# expected-error {{...}}` (and -warning, -note, `@+N`, `@-N`)
/// annotations of a file. Malformed annotations are returned in `problems`.
std::vector<Expectation> collectExpectations(const FileResult &r,
                                             std::vector<std::string> &problems);

/// Checks the diagnostics of `r` against its annotations: every error and
/// warning expected, every expectation met. Returns the mismatches, each one
/// line ready to print.
std::vector<std::string> verifyFile(const FileResult &r);

} // namespace scopec::driver

#endif
