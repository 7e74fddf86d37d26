/**
 * A generated script's code, parsed once (acorn) at report time: turns V8's 1-based function
 * start positions into the function's syntax node, and offsets into 1-based line/column.
 * Never throws: unparsable code is a `{ ok: false }` with a one-line reason.
 */
import { Parser, parse, tokenizer, tokTypes, type Node, type Options } from 'acorn';

/** A syntax node seen loosely: the walkers only need `type`, range and child nodes. */
export type AstNode = Node & Record<string, unknown>;

const FUNCTION_TYPES: ReadonlySet<string> = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const CLASS_TYPES: ReadonlySet<string> = new Set(['ClassDeclaration', 'ClassExpression']);

export function isFunctionNode(node: AstNode): boolean {
  return FUNCTION_TYPES.has(node.type);
}

export function isClassNode(node: AstNode): boolean {
  return CLASS_TYPES.has(node.type);
}

export function isAstNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && typeof (value as { start?: unknown }).start === 'number';
}

/** Child nodes of `node`, in source order. */
export function childrenOf(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const key in node) {
    if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const v of value) if (isAstNode(v)) out.push(v);
    } else if (isAstNode(value)) {
      out.push(value);
    }
  }
  return out;
}

/** A function or class whose header (from its start to its body) holds V8's start position. */
interface Header {
  node: AstNode;
  start: number;
  /** Where the body starts: V8's position of a function lies before it. */
  end: number;
}

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** Line break sequences as ECMAScript (and V8's line numbers) count them. */
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/g;

/** Offsets where each line of `text` starts. */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (const m of text.matchAll(LINE_BREAK)) starts.push((m.index ?? 0) + m[0].length);
  return starts;
}

export class ScriptCode {
  readonly program: AstNode;
  private readonly lineStarts: number[];
  private readonly headers: Header[];
  private readonly length: number;
  /** Explicit constructors → their class (whose name the constructor's frame carries). */
  private readonly classes = new Map<AstNode, AstNode>();
  /** Anonymous function and class expressions → the identifier V8 infers their name from. */
  private readonly inferred = new Map<AstNode, AstNode>();

  /** Whether some function bodies were left empty (`parse` with `wanted`): ask only about those wanted. */
  readonly partial: boolean;

  private constructor(text: string, program: AstNode, lineStarts: number[] = lineStartsOf(text), partial = false) {
    this.program = program;
    this.partial = partial;
    this.length = text.length;
    this.lineStarts = lineStarts;
    this.headers = collectHeaders(program, this.classes, this.inferred);
  }

  /**
   * Parses a script as an ES module, else as a (sloppy) script, as V8 would have run it. With
   * `wanted` (offsets of the functions asked about), a large script keeps only the bodies of the
   * functions that hold one of them: the others keep their header and an empty body (see
   * `parseSkipping`), so a report costs what its samples touch, not the size of the code.
   * Positions are 1-based, as frames carry them.
   */
  static parse(text: string, wanted: readonly Position[] | null = null): { ok: true; code: ScriptCode } | { ok: false; error: string } {
    let lastError = '';
    const lazy = wanted !== null && text.length >= LAZY_PARSE_BYTES;
    const lineStarts = lazy ? lineStartsOf(text) : undefined;
    const offsets = lazy && lineStarts !== undefined ? wanted.map((p) => (lineStarts[p.line - 1] ?? text.length) + p.column - 1) : [];
    for (const sourceType of ['module', 'script'] as const) {
      const options: Options = {
        ecmaVersion: 'latest',
        sourceType,
        allowHashBang: true,
        allowReturnOutsideFunction: true,
        allowAwaitOutsideFunction: sourceType === 'script',
      };
      if (lazy) {
        const skipping = parseSkipping(text, options, offsets);
        if (skipping !== null && 'program' in skipping) return { ok: true, code: new ScriptCode(text, skipping.program, lineStarts, true) };
        // An error in code it did parse: the whole parse fails there too.
        if (skipping !== null) {
          lastError = skipping.error;
          continue;
        }
      }
      try {
        return { ok: true, code: new ScriptCode(text, parse(text, options) as unknown as AstNode, lineStarts) };
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    return { ok: false, error: lastError };
  }

  /** Offset of a 1-based line and column, or `null` when outside the text. */
  offsetOf(line: number, column: number): number | null {
    const start = this.lineStarts[line - 1];
    if (start === undefined || column < 1) return null;
    const offset = start + column - 1;
    const next = this.lineStarts[line];
    if (offset > (next ?? this.length)) return null;
    return offset;
  }

  /** 1-based line and column of an offset. */
  positionOf(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  /**
   * The identifier that names a function (or the class of a constructor): its own `id`, else
   * the variable, property or assignment target it is the value of. `null` when nameless.
   */
  nameNodeOf(node: AstNode): AstNode | null {
    const owner = this.classes.get(node) ?? node;
    const id = owner['id'];
    if (isAstNode(id)) return id;
    return this.inferred.get(owner) ?? null;
  }

  /** The outermost node spanning exactly `start`–`end`, or `null` when no node does. */
  nodeSpanning(start: number, end: number): AstNode | null {
    let node: AstNode | undefined = this.program;
    while (node !== undefined) {
      if (node.start === start && node.end === end) return node;
      node = childrenOf(node).find((c) => c.start <= start && end <= c.end);
    }
    return null;
  }

  /**
   * The function (or class, for default constructors and field initialisers) whose header holds
   * `offset`: V8 places a function at its parameter list, an arrow at its first parameter, a
   * class's implicit functions at `class`. The innermost header wins.
   */
  functionAt(offset: number): AstNode | null {
    let best: Header | null = null;
    for (const h of this.headers) {
      if (h.start > offset) break;
      if (offset < h.end && (best === null || h.start >= best.start)) best = h;
    }
    return best?.node ?? null;
  }
}

/** `[value, name]` when `node` gives an anonymous function or class expression a name. */
function namingOf(node: AstNode): [unknown, unknown] | null {
  switch (node.type) {
    case 'VariableDeclarator':
      return [node['init'], node['id']];
    case 'AssignmentExpression':
      return [node['right'], node['left']];
    case 'Property':
    case 'PropertyDefinition':
    case 'MethodDefinition':
      return node['computed'] === true ? null : [node['value'], node['key']];
    default:
      return null;
  }
}

function collectHeaders(program: AstNode, classes: Map<AstNode, AstNode>, inferred: Map<AstNode, AstNode>): Header[] {
  const headers: Header[] = [];
  const work: AstNode[] = [program];
  while (work.length > 0) {
    const node = work.pop()!;
    const naming = namingOf(node);
    if (naming !== null) {
      const [value, target] = naming;
      const name = isAstNode(target) && target.type === 'MemberExpression' ? target['property'] : target;
      if (isAstNode(value) && (isFunctionNode(value) || isClassNode(value)) && isAstNode(name) && name.type === 'Identifier') inferred.set(value, name);
    }
    if (isClassNode(node)) {
      const body = node['body'];
      const members = isAstNode(body) && Array.isArray(body['body']) ? (body['body'] as unknown[]) : [];
      for (const m of members) {
        if (isAstNode(m) && m.type === 'MethodDefinition' && m['kind'] === 'constructor' && isAstNode(m['value'])) classes.set(m['value'], node);
      }
    }
    if (isFunctionNode(node) || isClassNode(node)) {
      const body = node['body'];
      if (isAstNode(body)) headers.push({ node, start: node.start, end: body.start });
    }
    for (const child of childrenOf(node)) work.push(child);
  }
  return headers.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** Scripts from this size on are parsed skipping the bodies no sample asks about; smaller ones whole. */
export const LAZY_PARSE_BYTES = 256 * 1024;

/** Offset of each `{` (and template `${`) token → offset of its matching `}`; `null` if unbalanced or unreadable. */
function matchingBraces(text: string, options: Options): Map<number, number> | null {
  const closeOf = new Map<number, number>();
  const open: number[] = [];
  try {
    for (const token of tokenizer(text, options)) {
      if (token.type === tokTypes.braceL || token.type === tokTypes.dollarBraceL) open.push(token.start);
      else if (token.type === tokTypes.braceR) {
        const start = open.pop();
        if (start === undefined) return null;
        closeOf.set(start, token.start);
      }
    }
  } catch {
    return null;
  }
  return open.length === 0 ? closeOf : null;
}

interface SkippingParser {
  type: unknown;
  start: number;
  pos: number;
  strict: boolean;
  next(): void;
  startNode(): AstNode;
  finishNode(node: AstNode, type: string): AstNode;
}

/**
 * The program with the body of every function that holds no `wanted` offset (between its start
 * and its closing brace) left empty: a token pass finds each brace's match, and the parser jumps
 * over those bodies (one third of a full parse's time on tsc's 6 MB compiler, less memory). The
 * tree keeps every function's header, name and nesting, so what resolve-lines asks about is the
 * same. A syntax error in the code it parsed is the script's; `null` when the pass cannot be
 * trusted (the caller then parses the whole script).
 */
function parseSkipping(text: string, options: Options, wanted: readonly number[]): { program: AstNode } | { error: string } | null {
  const closeOf = matchingBraces(text, options);
  if (closeOf === null) return null;
  let lost = false;
  const sorted = [...wanted].sort((a, b) => a - b);
  /** Whether a wanted offset lies in [from, to]. */
  const holds = (from: number, to: number): boolean => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && sorted[lo]! <= to;
  };
  const Skipping = Parser.extend((Base) => {
    // acorn's parser methods are untyped internals: seen through `SkippingParser` only.
    const base = Base.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
    return class extends Base {
      /** The function whose body the next block is. */
      pendingFunction: AstNode | null = null;

      parseFunctionBody(this: SkippingParser & { pendingFunction: AstNode | null }, node: AstNode, isArrow: boolean, ...rest: unknown[]): unknown {
        this.pendingFunction = isArrow && this.type !== tokTypes.braceL ? null : node;
        try {
          return base['parseFunctionBody']!.call(this, node, isArrow, ...rest);
        } finally {
          this.pendingFunction = null;
        }
      }

      parseBlock(this: SkippingParser & { pendingFunction: AstNode | null }, createNewLexicalScope?: boolean, node?: AstNode, exitStrict?: boolean): unknown {
        const fn = this.pendingFunction;
        this.pendingFunction = null;
        const close = fn !== null && this.type === tokTypes.braceL ? closeOf.get(this.start) : undefined;
        if (fn === null || close === undefined || holds(fn.start, close)) return base['parseBlock']!.call(this, createNewLexicalScope, node, exitStrict);
        const block = node ?? this.startNode();
        block['body'] = [];
        this.pos = close;
        this.next();
        if (this.type !== tokTypes.braceR) {
          lost = true;
          throw new Error('skipping parse lost its place');
        }
        if (exitStrict === true) this.strict = false;
        this.next();
        return this.finishNode(block, 'BlockStatement');
      }
    } as unknown as typeof Parser;
  });
  try {
    return { program: Skipping.parse(text, options) as unknown as AstNode };
  } catch (error) {
    return lost || !(error instanceof SyntaxError) ? null : { error: error.message };
  }
}
