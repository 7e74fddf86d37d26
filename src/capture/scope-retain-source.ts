/**
 * The source text that keeps an entry script's top-level scope alive until the trace is read
 * (docs/decisions.md, "An entry script's top level is live at the end"). A direct `eval` in a
 * function makes V8 keep every variable of the scopes around it in their context object; keeping
 * that function keeps the context, so the script's top-level variables stay reachable after it
 * returns, as Python's module globals do. Text is only ever added where no line or column of the
 * program moves: on a line of its own after the last line, or at the end of a line that holds no
 * code that could be named in an error (a blank line between two statements, the `'use strict'`
 * line).
 */
import type { Options, Parser as AcornParser } from 'acorn';

/** The registry key through which CommonJS retainers reach the preload (a global symbol). */
export const SCOPE_KEY = 'alloctrace.keepScope';

/**
 * Run once by a CommonJS entry: hands over a function whose scope is the module's. Never throws
 * (a program that shadows `globalThis` or `Symbol` at its top level only loses the retention).
 */
export const CJS_RETAINER = `;try{globalThis[Symbol.for(${JSON.stringify(SCOPE_KEY)})](()=>eval(""))}catch{}`;

/**
 * For an ES module nothing has to run: V8's module record holds the module's context for ever,
 * and the `eval` below (never called) puts every top-level variable in it. So it also holds
 * after a top-level `throw` or a rejected top-level `await`.
 */
export const ESM_RETAINER = `\n;(()=>eval(""));\n`;

/** Parsing stops (and the retainer goes after the last line) past this many characters. */
const SEARCH_LIMIT = 256 * 1024;

export interface Retained {
  source: string;
  /**
   * `early`: runs before the script's first statement that can fail; `end`: after its last line;
   * `unparsed`: after its last line, the source not being a script (e.g. module syntax).
   */
  at: 'early' | 'end' | 'unparsed';
}

/** An ES module with its top-level scope kept: one line after its last. */
export function retainModuleScope(source: string): string {
  return source + ESM_RETAINER;
}

interface Span {
  start: number;
  end: number;
}

interface AstNode extends Span {
  type: string;
  [key: string]: unknown;
}

interface IncrementalParser {
  type: unknown;
  start: number;
  nextToken(): void;
  parseStatement(context: null, topLevel: boolean): AstNode;
}

type AcornModule = { Parser: typeof AcornParser; tokTypes: { eof: unknown; string: unknown } };

const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/g;

/** Whether `[from, to)` holds only spaces and tabs (and other non-breaking whitespace). */
function blank(text: string, from: number, to: number): boolean {
  return /^[^\S\r\n\u2028\u2029]*$/.test(text.slice(from, to));
}

function inside(comments: readonly Span[], at: number): boolean {
  return comments.some((c) => c.start <= at && at < c.end);
}

/**
 * The first blank line in the gap `[from, to)` between two statements that no comment covers:
 * the offset of its end (where text can go without moving anything), or -1.
 */
function blankLineIn(source: string, from: number, to: number, comments: readonly Span[]): number {
  LINE_BREAK.lastIndex = from;
  let lineStart = -1;
  for (let m = LINE_BREAK.exec(source); m !== null && m.index < to; m = LINE_BREAK.exec(source)) {
    if (lineStart >= 0 && blank(source, lineStart, m.index) && !inside(comments, lineStart) && !inside(comments, m.index)) return m.index;
    lineStart = m.index + m[0].length;
  }
  return -1;
}

/** The end of the line `at` is on (the offset of its line break, or the source's end). */
function lineEnd(source: string, at: number): number {
  LINE_BREAK.lastIndex = at;
  const m = LINE_BREAK.exec(source);
  return m === null ? source.length : m.index;
}

function lineStartOf(source: string, at: number): number {
  let i = at;
  while (i > 0 && !'\n\r\u2028\u2029'.includes(source[i - 1] ?? '')) i--;
  return i;
}

function isDirective(source: string, stmt: AstNode): boolean {
  const e = stmt['expression'] as AstNode | undefined;
  return stmt.type === 'ExpressionStatement' && e?.type === 'Literal' && typeof e['value'] === 'string' && e.start === stmt.start && /^["']/.test(source[stmt.start] ?? '');
}

/** Constructors a script's first lines make empty collections with (`new Map()`). */
const EMPTY_CONSTRUCTORS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array', 'Object']);

/**
 * Whether evaluating `node` can fail at a position of its own (so that Node, printing an uncaught
 * error, could show its line): literals, functions, `[]`/`{}` of such, `new Map()`, `require('x')`
 * (whose failures are located in Node's loader or in the required module) cannot.
 */
function cannotFailHere(node: AstNode | null | undefined): boolean {
  if (node == null) return true;
  switch (node.type) {
    case 'Literal':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return true;
    case 'TemplateLiteral':
      return (node['expressions'] as AstNode[]).length === 0;
    case 'ArrayExpression':
      return (node['elements'] as Array<AstNode | null>).every((e) => e === null || (e.type !== 'SpreadElement' && cannotFailHere(e)));
    case 'ObjectExpression':
      return (node['properties'] as AstNode[]).every((p) => p.type === 'Property' && p['computed'] === false && p['kind'] === 'init' && cannotFailHere(p['value'] as AstNode));
    case 'NewExpression': {
      const callee = node['callee'] as AstNode;
      return callee.type === 'Identifier' && EMPTY_CONSTRUCTORS.has(callee['name'] as string) && (node['arguments'] as AstNode[]).length === 0;
    }
    case 'CallExpression': {
      const callee = node['callee'] as AstNode;
      const args = node['arguments'] as AstNode[];
      return callee.type === 'Identifier' && callee['name'] === 'require' && args.length === 1 && args[0]?.type === 'Literal' && typeof args[0]['value'] === 'string';
    }
    default:
      return false;
  }
}

/** Statements after which the retainer can share the last line: nothing on that line can fail. */
function cannotFailOnLastLine(source: string, stmt: AstNode): boolean {
  if (stmt.type === 'EmptyStatement') return true;
  if (stmt.type === 'VariableDeclaration') {
    return (stmt['declarations'] as AstNode[]).every((d) => (d['id'] as AstNode).type === 'Identifier' && cannotFailHere(d['init'] as AstNode | null));
  }
  if (stmt.type === 'FunctionDeclaration') {
    // Its body may throw anywhere, but not on a last line that is only its closing brace.
    return /^\s*\}$/.test(source.slice(lineStartOf(source, stmt.end - 1), stmt.end));
  }
  return false;
}

/** The end of `stmt`'s last line when the next statement starts on a later line and nothing else is on it, else -1. */
function endOfOwnLine(source: string, stmt: AstNode, next: number): number {
  const end = lineEnd(source, stmt.end);
  return blank(source, stmt.end, end) && end < next ? end : -1;
}

/**
 * The earliest offset where the CommonJS retainer can go: after the directive prologue, at the end
 * of the first line that ends a top-level statement which cannot fail on that line (the last
 * directive, `const x = require('x')`, `let rows = []`, a function's closing brace), or on the
 * first blank line between two top-level statements. -1 when there is none before the last statement (a minified
 * bundle is one line); -2 when the source does not parse as a script.
 */
export function earlyRetainOffset(source: string, acorn: AcornModule): number {
  const comments: Span[] = [];
  const options: Options = {
    ecmaVersion: 'latest',
    sourceType: 'script',
    allowReturnOutsideFunction: true,
    allowHashBang: true,
    onComment: (_block, _text, start, end) => comments.push({ start, end }),
  };
  try {
    // acorn's statement-level API (what its plugins extend), so that parsing stops at the first fit.
    const Incremental = acorn.Parser as unknown as new (options: Options, input: string) => IncrementalParser;
    const parser = new Incremental(options, source);
    parser.nextToken();
    let prologue = true;
    while (parser.type !== acorn.tokTypes.eof && parser.start < SEARCH_LIMIT) {
      const stmt = parser.parseStatement(null, true);
      const next = parser.type === acorn.tokTypes.eof ? source.length : parser.start;
      if (next === source.length) return -1;
      if (prologue && isDirective(source, stmt)) {
        // Nothing goes before the last directive: 'use strict' must stay the script's first statement.
        if (parser.type === acorn.tokTypes.string) continue;
        prologue = false;
        const own = blank(source, lineStartOf(source, stmt.start), stmt.start) ? endOfOwnLine(source, stmt, next) : -1;
        if (own >= 0) return own;
      } else {
        prologue = false;
        if (cannotFailOnLastLine(source, stmt)) {
          const own = endOfOwnLine(source, stmt, next);
          if (own >= 0) return own;
        }
      }
      const gap = blankLineIn(source, stmt.end, next, comments);
      if (gap >= 0) return gap;
    }
    return -1;
  } catch {
    return -2;
  }
}

/**
 * `const x = require('m');` alone on the first line (trailing blanks allowed), the next line
 * starting with code that is not a comment: the statement cannot fail on its line and the next
 * one starts below it, so the parser's first fit is its end.
 */
const REQUIRE_LINE = /^(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*require\([ \t]*(["'])[^"'\\\r\n\u2028\u2029]*\2[ \t]*\)[ \t]*;[ \t]*(?=\r?\n\s*[^\s/])/;

/** Names that cannot be bound (a syntax error: the parser's answer would differ). */
const RESERVED = new Set(
  'await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(' '),
);

/**
 * A CommonJS entry with its top-level scope kept: the retainer runs as early as it can go without
 * moving a line or column (so a later top-level `throw` or `return` still leaves the scope kept),
 * else after the last line (kept when the script runs to its end).
 */
export function retainScriptScope(source: string, loadAcorn: () => AcornModule): Retained {
  // tsc's and esbuild's CommonJS output: 'use strict' alone on the first line, no parser needed.
  const strict = /^(["'])use strict\1;?(?=\r?\n(?!\s*["']))/.exec(source);
  if (strict !== null) return { source: strict[0] + CJS_RETAINER + source.slice(strict[0].length), at: 'early' };
  // Two shapes the parser would place without doubt, decided without loading it (acorn is ~25 ms
  // of the traced program's start-up): nothing but white space, and a first line that is one
  // `const x = require('m');` with code on a later line (test/unit/scope-retain-source.test.ts
  // checks both against the parser).
  if (!/\S/.test(source)) return { source: `${source}\n${CJS_RETAINER}\n`, at: 'end' };
  const required = REQUIRE_LINE.exec(source);
  if (required !== null && !RESERVED.has(required[1] ?? '')) return { source: required[0] + CJS_RETAINER + source.slice(required[0].length), at: 'early' };
  const at = earlyRetainOffset(source, loadAcorn());
  if (at < 0) return { source: `${source}\n${CJS_RETAINER}\n`, at: at === -2 ? 'unparsed' : 'end' };
  return { source: source.slice(0, at) + CJS_RETAINER + source.slice(at), at: 'early' };
}
