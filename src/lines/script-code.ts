/**
 * A generated script's code, parsed once (acorn) at report time: turns V8's 1-based function
 * start positions into the function's syntax node, and offsets into 1-based line/column.
 * Never throws: unparsable code is a `{ ok: false }` with a one-line reason.
 */
import { parse, type Node } from 'acorn';

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

  private constructor(text: string, program: AstNode) {
    this.program = program;
    this.length = text.length;
    this.lineStarts = lineStartsOf(text);
    this.headers = collectHeaders(program, this.classes, this.inferred);
  }

  /** Parses a script as an ES module, else as a (sloppy) script, as V8 would have run it. */
  static parse(text: string): { ok: true; code: ScriptCode } | { ok: false; error: string } {
    let lastError = '';
    for (const sourceType of ['module', 'script'] as const) {
      try {
        const program = parse(text, {
          ecmaVersion: 'latest',
          sourceType,
          allowHashBang: true,
          allowReturnOutsideFunction: true,
          allowAwaitOutsideFunction: sourceType === 'script',
        }) as unknown as AstNode;
        return { ok: true, code: new ScriptCode(text, program) };
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
