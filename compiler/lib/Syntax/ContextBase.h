//===- ContextBase.h - Parse-tree accessors without RTTI --------*- C++ -*-===//
//
// Private to the syntax library. The base class of every context the
// generated parser makes (the grammar's contextSuperClass). ANTLR's accessors
// (`ctx->test()`, `ctx->NAME()`) find children with dynamic_cast, and across
// the runtime's shared library every failed cast compares type names with
// strcmp: that was a fifth of the front end's time. The members here hide the
// runtime's and classify a child by its type_info's address (terminals) and
// by its rule index (contexts), which is exact: every context class is one
// rule, and a labeled alternative's class keeps its rule's index.
//
//===----------------------------------------------------------------------===//
#ifndef SCOPEC_SYNTAX_CONTEXTBASE_H
#define SCOPEC_SYNTAX_CONTEXTBASE_H

#include "antlr4-runtime.h"

#include <typeinfo>
#include <vector>

namespace scopec::syntax {

/// Whether a parse-tree node is a terminal (a token or an error node).
inline bool isTerminal(const antlr4::tree::ParseTree *t) {
  const std::type_info *type = &typeid(*t);
  return type == &typeid(antlr4::tree::TerminalNodeImpl) ||
         type == &typeid(antlr4::tree::ErrorNodeImpl);
}

/// The rule index of context class `T` (the same for a rule's labeled
/// alternatives), found once from a throw-away instance.
template <typename T> size_t ruleIndexOf() {
  static const size_t index = T(nullptr, 0).getRuleIndex();
  return index;
}

/// `t` as a context of `T`'s rule, or nullptr.
template <typename T> T *asContext(antlr4::tree::ParseTree *t) {
  if (!t || isTerminal(t))
    return nullptr;
  auto *c = static_cast<antlr4::RuleContext *>(t);
  return c->getRuleIndex() == ruleIndexOf<T>() ? static_cast<T *>(c) : nullptr;
}

class ContextBase : public antlr4::ParserRuleContext {
public:
  using antlr4::ParserRuleContext::ParserRuleContext;

  template <typename T> T *getRuleContext(size_t i) {
    for (antlr4::tree::ParseTree *child : children)
      if (T *c = asContext<T>(child); c && i-- == 0)
        return c;
    return nullptr;
  }

  template <typename T> std::vector<T *> getRuleContexts() {
    std::vector<T *> out;
    for (antlr4::tree::ParseTree *child : children)
      if (T *c = asContext<T>(child))
        out.push_back(c);
    return out;
  }

  antlr4::tree::TerminalNode *getToken(size_t type, size_t i) {
    for (antlr4::tree::ParseTree *child : children)
      if (auto *t = terminalOfType(child, type); t && i-- == 0)
        return t;
    return nullptr;
  }

  std::vector<antlr4::tree::TerminalNode *> getTokens(size_t type) {
    std::vector<antlr4::tree::TerminalNode *> out;
    for (antlr4::tree::ParseTree *child : children)
      if (auto *t = terminalOfType(child, type))
        out.push_back(t);
    return out;
  }

private:
  static antlr4::tree::TerminalNode *terminalOfType(antlr4::tree::ParseTree *t, size_t type) {
    if (!isTerminal(t))
      return nullptr;
    auto *node = static_cast<antlr4::tree::TerminalNode *>(t);
    return node->getSymbol()->getType() == type ? node : nullptr;
  }
};

} // namespace scopec::syntax

#endif
