// Lexer of the .scope language: the Python 3 tokens of language.md section 1.
//
// This grammar is the definition of the tokens; scopec lexes with the
// hand-written scanner of compiler/lib/Syntax/Tokenizer.cpp, which matches
// these rules (longest match, ties to the earlier rule; a unit test compares
// the two) and adds the layout Python's tokenizer adds (INDENT/DEDENT, line
// ends ignored inside brackets, blank lines skipped). The generated lexer
// supplies the parser's token vocabulary and the Unicode sets of ID_START and
// ID_CONTINUE.  CR and CRLF line ends are normalised to LF by the source
// manager before the text reaches the scanner.
lexer grammar ScopeLexer;

tokens { INDENT, DEDENT }

// Keywords (Python 3.11 hard keywords).
AND      : 'and';
AS       : 'as';
ASSERT   : 'assert';
ASYNC    : 'async';
AWAIT    : 'await';
BREAK    : 'break';
CLASS    : 'class';
CONTINUE : 'continue';
DEF      : 'def';
DEL      : 'del';
ELIF     : 'elif';
ELSE     : 'else';
EXCEPT   : 'except';
FALSE    : 'False';
FINALLY  : 'finally';
FOR      : 'for';
FROM     : 'from';
GLOBAL   : 'global';
IF       : 'if';
IMPORT   : 'import';
IN       : 'in';
IS       : 'is';
LAMBDA   : 'lambda';
NONE     : 'None';
NONLOCAL : 'nonlocal';
NOT      : 'not';
OR       : 'or';
PASS     : 'pass';
RAISE    : 'raise';
RETURN   : 'return';
TRUE     : 'True';
TRY      : 'try';
WHILE    : 'while';
WITH     : 'with';
YIELD    : 'yield';

// A line end with the next line's indentation.
NEWLINE : '\n' [ \t\f]* ;

NAME : ID_START ID_CONTINUE*;

// Numbers: Python 3 integer, float and imaginary literals with '_' separators.
NUMBER
  : DEC_INTEGER
  | '0' [oO] ('_'? [0-7])+
  | '0' [xX] ('_'? [0-9a-fA-F])+
  | '0' [bB] ('_'? [01])+
  | FLOAT_NUMBER
  | (FLOAT_NUMBER | DIGITS) [jJ]
  ;

// Every string form; the prefix (r, b, f, u and their combinations) is part
// of the token and decoded by the syntax library.  A triple-quoted string may
// run into the end of the input: the tokenizer reports it as unterminated.
STRING
  : STRING_PREFIX? ( SHORT_STRING | LONG_STRING )
  ;

// A one-line string that reaches the end of its line without its closing
// quote.  When the string is closed, STRING matches one character more and wins.
UNTERMINATED_STRING
  : STRING_PREFIX? ( '\'' ( '\\' ~[\n] | ~[\\\n'] )* | '"' ( '\\' ~[\n] | ~[\\\n"] )* )
  ;

// Operators and delimiters.
LPAREN   : '(';
RPAREN   : ')';
LBRACK   : '[';
RBRACK   : ']';
LBRACE   : '{';
RBRACE   : '}';
DOT      : '.';
ELLIPSIS : '...';
STAR     : '*';
COMMA    : ',';
COLON    : ':';
SEMI     : ';';
POWER    : '**';
ASSIGN   : '=';
PIPE     : '|';
CARET    : '^';
AMP      : '&';
LSHIFT   : '<<';
RSHIFT   : '>>';
PLUS     : '+';
MINUS    : '-';
SLASH    : '/';
PERCENT  : '%';
FLOORDIV : '//';
TILDE    : '~';
AT       : '@';
ARROW    : '->';
WALRUS   : ':=';
LT       : '<';
GT       : '>';
EQ       : '==';
GE       : '>=';
LE       : '<=';
NE       : '!=';
ADD_ASSIGN    : '+=';
SUB_ASSIGN    : '-=';
MUL_ASSIGN    : '*=';
AT_ASSIGN     : '@=';
DIV_ASSIGN    : '/=';
MOD_ASSIGN    : '%=';
AND_ASSIGN    : '&=';
OR_ASSIGN     : '|=';
XOR_ASSIGN    : '^=';
LSHIFT_ASSIGN : '<<=';
RSHIFT_ASSIGN : '>>=';
POWER_ASSIGN  : '**=';
IDIV_ASSIGN   : '//=';

COMMENT      : '#' ~[\n]* -> channel(HIDDEN);
LINE_JOIN    : '\\' [ \t\f]* '\n' -> channel(HIDDEN);
WS           : [ \t\f]+ -> channel(HIDDEN);

// Anything else is one invalid character; the tokenizer reports it.
ERROR_CHAR   : . ;

fragment STRING_PREFIX
  : [rRuUfFbB] | [rR] [bBfF] | [bBfF] [rR]
  ;
fragment SHORT_STRING
  : '\'' ( '\\' . | ~[\\\n'] )* '\''
  | '"' ( '\\' . | ~[\\\n"] )* '"'
  ;
fragment LONG_STRING
  : '\'\'\'' ( '\\' . | ~[\\] )*? ( '\'\'\'' | '\\'? EOF )
  | '"""' ( '\\' . | ~[\\] )*? ( '"""' | '\\'? EOF )
  ;
fragment DIGITS       : [0-9] ('_'? [0-9])*;
fragment DEC_INTEGER  : [1-9] ('_'? [0-9])* | '0'+ ('_'? '0')*;
fragment FLOAT_NUMBER : POINT_FLOAT | EXPONENT_FLOAT;
fragment POINT_FLOAT  : DIGITS? '.' DIGITS | DIGITS '.';
fragment EXPONENT_FLOAT : (DIGITS | POINT_FLOAT) [eE] [+-]? DIGITS;
fragment ID_START     : [_\p{L}\p{Nl}];
fragment ID_CONTINUE  : [\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}];
