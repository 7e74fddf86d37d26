/**
 * `--exact-lines`: wraps each allocating expression of user code in a function of its own,
 * `E` → `(()=>(E))()`, so that (with inlining off) V8 charges E's allocations to a frame whose
 * position names E. Pure and deterministic: the traced process applies the plan to the code it
 * runs, the report side computes the same plan from the same file to read positions back.
 *
 * Only text is inserted, never a line break: lines stay, columns shift. An arrow keeps `this`,
 * `arguments`, `super` and `new.target`, so E means the same inside it. Not wrapped: E holding
 * `await`/`yield`/direct `eval`/`super()` of its own function, callee/object/tag positions
 * (optional chains, `this` of calls), closures (wrapping would change their inferred `name`),
 * and an expression already inside a wrapper on the same line (that one names the line).
 */
import { childrenOf, isFunctionNode, isClassNode, ScriptCode, type AstNode } from './script-code';

export interface Wrap {
  /** Offsets of E in the original text. */
  start: number;
  end: number;
  /** Text inserted before E (its arrow's `(` is at `opener.length - 5` into it). */
  opener: string;
}

export const OPENER = '(()=>(';
/** A statement that is only E: `void` keeps a previous line without `;` from calling it. */
export const STATEMENT_OPENER = 'void (()=>(';
export const CLOSER = '))()';

/** Depth beyond which nothing more is wrapped (the planner recurses). */
const MAX_DEPTH = 2000;

function wrappable(node: AstNode): boolean {
  switch (node.type) {
    case 'ObjectExpression':
    case 'ArrayExpression':
    case 'NewExpression':
    case 'CallExpression':
    case 'TaggedTemplateExpression':
      return true;
    case 'TemplateLiteral':
      return Array.isArray(node['expressions']) && node['expressions'].length > 0;
    case 'BinaryExpression':
    case 'AssignmentExpression': {
      const op = node['operator'];
      if (op === '+' || op === '+=') {
        return [node['left'], node['right']].some((o) => isStringy(o as AstNode));
      }
      const left = node['left'] as AstNode | undefined;
      return op === '=' && left?.type === 'MemberExpression' && left['computed'] === true;
    }
    case 'Literal':
      return node['regex'] !== undefined;
    default:
      return false;
  }
}

function isStringy(node: AstNode | undefined): boolean {
  return node !== undefined && ((node.type === 'Literal' && typeof node['value'] === 'string') || node.type === 'TemplateLiteral');
}

/** Positions where a call's result is not just a value: wrapping there changes meaning. */
function isSlotFixed(parent: AstNode | null, key: string): boolean {
  if (parent === null) return false;
  if (parent.type === 'MemberExpression' && key === 'object') return true;
  if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && key === 'callee') return true;
  if (parent.type === 'TaggedTemplateExpression') return true;
  if (parent.type === 'ChainExpression') return true;
  return false;
}

/** Nodes whose own function's code (nested functions aside) suspends or needs its exact scope. */
function findUnsafe(program: AstNode): Set<AstNode> {
  const unsafe = new Set<AstNode>();
  const visit = (node: AstNode, depth: number): boolean => {
    if (depth > MAX_DEPTH) return true;
    let bad = node.type === 'AwaitExpression' || node.type === 'YieldExpression' || node.type === 'MetaProperty';
    if (node.type === 'CallExpression') {
      const callee = node['callee'] as AstNode;
      if (callee.type === 'Super' || (callee.type === 'Identifier' && callee['name'] === 'eval')) bad = true;
    }
    for (const child of childrenOf(node)) {
      const childBad = visit(child, depth + 1);
      // A nested function's suspensions are its own.
      if (childBad && !isFunctionNode(child)) bad = true;
    }
    if (bad) unsafe.add(node);
    return bad;
  };
  visit(program, 0);
  return unsafe;
}

/** Where to wrap, in source order of starts (outer first). */
export function planWraps(code: ScriptCode): Wrap[] {
  const unsafe = findUnsafe(code.program);
  const wraps: Wrap[] = [];
  const lineOf = (offset: number): number => code.positionOf(offset).line;
  const walk = (node: AstNode, parent: AstNode | null, key: string, wrappedLine: number, statementStart: number, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    let inner = wrappedLine;
    if (isFunctionNode(node) || isClassNode(node)) inner = -1; // a new function: its own lines
    else if (wrappable(node) && !unsafe.has(node) && !isSlotFixed(parent, key)) {
      const line = lineOf(node.start);
      if (line !== wrappedLine) {
        const whole = parent?.type === 'ExpressionStatement';
        if (node.start !== statementStart || whole) {
          wraps.push({ start: node.start, end: node.end, opener: node.start === statementStart ? STATEMENT_OPENER : OPENER });
          inner = line;
        }
      }
    }
    const statement = node.type === 'ExpressionStatement' ? node.start : statementStart;
    for (const k in node) {
      if (k === 'type' || k === 'start' || k === 'end' || k === 'loc' || k === 'range') continue;
      const value = node[k];
      const children = Array.isArray(value) ? value : [value];
      for (const c of children) {
        if (typeof c === 'object' && c !== null && typeof (c as AstNode).type === 'string') {
          // Only the leftmost chain of a statement starts where the statement does.
          walk(c as AstNode, node, k, inner, statement, depth + 1);
        }
      }
    }
  };
  walk(code.program, null, '', -1, -1, 0);
  return wraps;
}

interface Insertion {
  offset: number;
  text: string;
  /** The wrap whose opener this is, else `null` (a closer). */
  wrap: Wrap | null;
  /** Sort rank at equal offsets: closers (inner first) before openers (outer first). */
  rank: number;
}

function insertionsOf(wraps: readonly Wrap[]): Insertion[] {
  const out: Insertion[] = [];
  for (const w of wraps) {
    out.push({ offset: w.start, text: w.opener, wrap: w, rank: -(w.end - w.start) });
    out.push({ offset: w.end, text: CLOSER, wrap: null, rank: -1e15 + (w.end - w.start) });
  }
  return out.sort((a, b) => a.offset - b.offset || a.rank - b.rank);
}

/** The code with every wrap applied. */
export function applyWraps(text: string, wraps: readonly Wrap[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const ins of insertionsOf(wraps)) {
    parts.push(text.slice(at, ins.offset), ins.text);
    at = ins.offset;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Reads offsets of the wrapped code back as offsets of the original. */
export class WrapTranslator {
  private readonly insertions: Array<Insertion & { at: number }>;

  constructor(wraps: readonly Wrap[]) {
    let shift = 0;
    this.insertions = insertionsOf(wraps).map((ins) => {
      const at = ins.offset + shift;
      shift += ins.text.length;
      return { ...ins, at };
    });
  }

  /**
   * The original offset of wrapped-code offset `t`, and the wrap whose arrow starts there when
   * `t` is inside an inserted opener (V8 places that arrow at its `(`).
   */
  original(t: number): { offset: number; wrap: Wrap | null } {
    let shift = 0;
    for (const ins of this.insertions) {
      if (t < ins.at) break;
      if (t < ins.at + ins.text.length) return { offset: ins.offset, wrap: ins.wrap };
      shift += ins.text.length;
    }
    return { offset: t - shift, wrap: null };
  }
}
