//===- FuzzTargets.h - What each fuzz target does ---------------*- C++ -*-===//
//
// The bodies of the libFuzzer targets, shared with the regression test that
// replays every reproducer in tests/fuzz-regressions/ in the normal build.
// Each returns false when it sees a bug that is not a crash (an internal
// error, an inconsistent array); crashes and sanitizer reports speak for
// themselves.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_FUZZ_TARGETS_H
#define SCOPEC_FUZZ_TARGETS_H

#include <string_view>

namespace scopec::fuzz {

/// Lexer and parser (and the token dump) on any bytes.
bool parser(std::string_view bytes);
/// The whole front end as `scopec check` runs it, then every renderer.
bool frontend(std::string_view bytes);
/// The first byte picks the reader: even → .npy, odd → .npz.
bool npy(std::string_view bytes);

} // namespace scopec::fuzz

#endif
