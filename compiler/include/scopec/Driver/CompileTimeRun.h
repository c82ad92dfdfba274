//===- CompileTimeRun.h - sess.run at compile time --------------*- C++ -*-===//
#ifndef SCOPEC_DRIVER_COMPILETIMERUN_H
#define SCOPEC_DRIVER_COMPILETIMERUN_H

#include "scopec/Eval/Interpreter.h"

namespace scopec::driver {

/// The evaluator's compile-time sess.run / Tensor.eval, through the same
/// planner, lowering and JIT as `scopec run`.
eval::TensorComputer jitTensorComputer();

} // namespace scopec::driver

#endif
