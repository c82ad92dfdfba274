// Parser of the .scope language: the Python 3 subset of language.md section 1.
//
// The grammar accepts more than scopec runs (class, while, try, decorators,
// global, yield, async, walrus, lambda defaults, ...) so that the syntax
// library can name an unsupported construct (E003) instead of reporting a
// bare syntax error. The parse tree is converted to our AST by explicit
// functions in compiler/lib/Syntax/ASTBuilder.cpp, one per rule.
parser grammar ScopeParser;

// Every context derives from ContextBase (compiler/lib/Syntax/ContextBase.h),
// whose child accessors need no RTTI.
options { tokenVocab = ScopeLexer; contextSuperClass = ContextBase; }

@parser::header {
#include "ContextBase.h"
}

// The driver parses one top-level statement at a time (and frees its parse
// tree after conversion), so there is no file rule.
stmt : simple_stmts | compound_stmt ;

// Lists take `(SEP item?)*`, not `(SEP item)* SEP?`: ANTLR then decides them
// from the next token alone; the AST builder reports a doubled separator
// (`a,,b`, `a;;b`) as Python's "invalid syntax".
simple_stmts : small_stmt (SEMI small_stmt?)* NEWLINE ;

small_stmt
  : expr_stmt
  | del_stmt
  | pass_stmt
  | break_stmt
  | continue_stmt
  | return_stmt
  | raise_stmt
  | global_stmt
  | nonlocal_stmt
  | assert_stmt
  | import_name
  | import_from
  | yield_expr
  ;

expr_stmt
  : testlist_star_expr
    ( annassign
    | augassign (yield_expr | testlist)
    | (ASSIGN (yield_expr | testlist_star_expr))*
    )
  ;
annassign : COLON test (ASSIGN (yield_expr | testlist_star_expr))? ;
augassign
  : ADD_ASSIGN | SUB_ASSIGN | MUL_ASSIGN | AT_ASSIGN | DIV_ASSIGN | MOD_ASSIGN
  | AND_ASSIGN | OR_ASSIGN | XOR_ASSIGN | LSHIFT_ASSIGN | RSHIFT_ASSIGN
  | POWER_ASSIGN | IDIV_ASSIGN
  ;
testlist_star_expr : (test | star_expr) (COMMA (test | star_expr)?)* ;

del_stmt      : DEL exprlist ;
pass_stmt     : PASS ;
break_stmt    : BREAK ;
continue_stmt : CONTINUE ;
return_stmt   : RETURN testlist_star_expr? ;
raise_stmt    : RAISE (test (FROM test)?)? ;
global_stmt   : GLOBAL NAME (COMMA NAME)* ;
nonlocal_stmt : NONLOCAL NAME (COMMA NAME)* ;
assert_stmt   : ASSERT test (COMMA test)? ;

import_name    : IMPORT dotted_as_name (COMMA dotted_as_name)* ;
dotted_as_name : dotted_name (AS NAME)? ;
import_from
  : FROM ( import_dots* dotted_name | import_dots+ )
    IMPORT ( STAR | LPAREN import_as_names RPAREN | import_as_names )
  ;
import_dots     : DOT | ELLIPSIS ;
import_as_names : import_as_name (COMMA import_as_name)* COMMA? ;
import_as_name  : NAME (AS NAME)? ;
dotted_name     : NAME (DOT NAME)* ;

compound_stmt
  : if_stmt
  | for_stmt
  | with_stmt
  | funcdef
  | while_stmt
  | try_stmt
  | classdef
  | decorated
  | async_stmt
  ;

if_stmt     : IF namedexpr_test COLON block elif_clause* else_clause? ;
elif_clause : ELIF namedexpr_test COLON block ;
else_clause : ELSE COLON block ;
for_stmt    : FOR exprlist IN testlist COLON block else_clause? ;
with_stmt   : WITH with_item (COMMA with_item)* COLON block ;
with_item   : test (AS expr)? ;
funcdef     : DEF NAME parameters (ARROW test)? COLON block ;
parameters  : LPAREN typedargslist? RPAREN ;

// Parameters of a def: order rules are checked when the AST is built.
typedargslist : tfpdef_item (COMMA tfpdef_item)* COMMA? ;
tfpdef_item
  : tfpdef (ASSIGN test)?
  | STAR tfpdef?
  | POWER tfpdef
  | SLASH
  ;
tfpdef : NAME (COLON test)? ;
// Parameters of a lambda.
varargslist : vfpdef_item (COMMA vfpdef_item)* COMMA? ;
vfpdef_item
  : NAME (ASSIGN test)?
  | STAR NAME?
  | POWER NAME
  | SLASH
  ;

// Recognised only to be reported as unsupported (E003).
while_stmt     : WHILE namedexpr_test COLON block else_clause? ;
try_stmt       : TRY COLON block ( except_clause+ else_clause? finally_clause? | finally_clause ) ;
except_clause  : EXCEPT (test (AS NAME)?)? COLON block ;
finally_clause : FINALLY COLON block ;
classdef       : CLASS NAME (LPAREN arglist? RPAREN)? COLON block ;
decorated      : decorator+ (classdef | funcdef | async_stmt) ;
decorator      : AT namedexpr_test NEWLINE ;
async_stmt     : ASYNC (funcdef | with_stmt | for_stmt) ;

block : simple_stmts | NEWLINE INDENT stmt+ DEDENT ;

// Expressions, lowest precedence first.
namedexpr_test : test (WALRUS test)? ;
test           : or_test (IF or_test ELSE test)? | lambdef ;
test_nocond    : or_test | lambdef_nocond ;
lambdef        : LAMBDA varargslist? COLON test ;
lambdef_nocond : LAMBDA varargslist? COLON test_nocond ;
// `is not` before `is`: `a is not b` is never `a is (not b)`.
comp_op        : LT | GT | EQ | GE | LE | NE | IN | NOT IN | IS NOT | IS ;
star_expr      : STAR expr ;

// Operators: flat sequences of operands, with the precedence of Python's
// grammar applied by the AST builder. Every loop here is LL(1) (ANTLR decides
// it from the next token alone, without adaptive prediction, which is what
// the parser's time went to with left-recursive rules), and an operand costs
// two rule calls (or_test, expr) plus its atom.
//
// or_test: `or` < `and` < `not` < comparisons. A `not` may start an operand
// of `and`/`or` (and the whole test), not the right side of a comparison:
// the builder reports `a == not b` as Python does.
or_test
  : NOT* expr ((comp_op | AND | OR) NOT* expr)*
  ;

// expr: `|` < `^` < `&` < shifts < `+ -` < `* @ / % //` < unary `+ - ~` <
// `**` (right-associative; its right side may start with a unary operator,
// `-x ** 2` is `-(x ** 2)` and `2 ** -1` is `2 ** (-1)`). An operand is
// `(PLUS | MINUS | TILDE)* AWAIT? atom trailer*`.
expr
  : (PLUS | MINUS | TILDE)* AWAIT? atom trailer*
    ( (POWER | STAR | AT | SLASH | PERCENT | FLOORDIV | PLUS | MINUS | LSHIFT | RSHIFT | AMP
       | CARET | PIPE)
      (PLUS | MINUS | TILDE)* AWAIT? atom trailer* )*
  ;

// Unlabeled (one context per atom, not two): the AST builder tells the
// alternatives apart by their first token.
atom
  : LPAREN (yield_expr | testlist_comp)? RPAREN
  | LBRACK testlist_comp? RBRACK
  | LBRACE dictorsetmaker? RBRACE
  | NAME
  | NUMBER
  | STRING+
  | ELLIPSIS
  | NONE
  | TRUE
  | FALSE
  ;

testlist_comp
  : (namedexpr_test | star_expr)
    ( comp_for | (COMMA (namedexpr_test | star_expr)?)* )
  ;
trailer : LPAREN arglist? RPAREN | LBRACK subscriptlist RBRACK | DOT NAME ;
subscriptlist : subscript (COMMA subscript?)* ;
subscript     : test | test? COLON test? sliceop? ;
sliceop       : COLON test? ;
exprlist      : (expr | star_expr) (COMMA (expr | star_expr)?)* ;
testlist      : test (COMMA test?)* ;

dictorsetmaker
  : dict_item (comp_for | (COMMA dict_item)* COMMA?)            # dictMaker
  | (test | star_expr) (comp_for | (COMMA (test | star_expr))* COMMA?) # setMaker
  ;
dict_item : test COLON test | POWER expr ;

arglist  : argument (COMMA argument?)* ;
// `name=value` is `test ASSIGN test`: the builder requires a name on the left.
argument
  : test (ASSIGN test | comp_for)?
  | POWER test
  | STAR test
  ;

comp_for  : ASYNC? FOR exprlist IN or_test comp_iter? ;
comp_iter : comp_for | comp_if ;
comp_if   : IF test_nocond comp_iter? ;

yield_expr : YIELD (FROM test | testlist_star_expr)? ;
