/**
 * What one function's own code does (nested functions excluded, they are frames of their own):
 * the calls it makes, by callee name, and every construct that may allocate in its own frame.
 *
 * The allocation list is deliberately wide. Optimised code inlines callees and builtins, and
 * their allocations are then charged to this function: so every call counts, beside literals,
 * `new`, spread/rest, templates, `+` (string concatenation), closures, regexps, iteration
 * protocols, `await`/`yield`, `arguments`, element stores, and the entry of async functions and
 * generators (their promise or generator object). A line is claimed only when all
 * of them are on it. Not counted (see docs/decisions.md): heap numbers from arithmetic,
 * named-property stores, inlined getters.
 */
import { childrenOf, isAstNode, isClassNode, isFunctionNode, type AstNode } from './script-code';

export interface CallSite {
  /** Names the call may reach: the callee's last name (`a.b.repeat` → `repeat`). */
  names: string[];
  /** Offset of the name token (where a reader sees the call). */
  offset: number;
  /** Start of the callee's name identifier, for looking up the map's `names`. */
  nameOffset: number | null;
  /** The called function's own node, for immediately invoked function expressions. */
  calleeFunction: AstNode | null;
}

export interface FunctionCode {
  calls: CallSite[];
  /** Offsets of the constructs that may allocate in this function's frame. */
  allocations: number[];
}

/** Which part of a class a V8 frame at the class's start is. */
export type ClassPart = 'constructor' | 'instance-initializer' | 'static-initializer';

function str(node: AstNode, key: string): string | null {
  const v = node[key];
  return typeof v === 'string' ? v : null;
}

function child(node: AstNode, key: string): AstNode | null {
  const v = node[key];
  return isAstNode(v) ? v : null;
}

/** Name and name-token offset of a callee expression. */
function calleeName(callee: AstNode): { name: string; offset: number } | null {
  switch (callee.type) {
    case 'Identifier':
      return { name: str(callee, 'name') ?? '', offset: callee.start };
    case 'MemberExpression': {
      const property = child(callee, 'property');
      if (property === null) return null;
      if (callee['computed'] !== true && property.type === 'Identifier') return { name: str(property, 'name') ?? '', offset: property.start };
      if (property.type === 'PrivateIdentifier') return { name: `#${str(property, 'name') ?? ''}`, offset: property.start };
      if (property.type === 'Literal' && typeof property['value'] === 'string') return { name: property['value'], offset: property.start };
      return null;
    }
    case 'SequenceExpression': {
      // tsc calls imports as `(0, module_1.f)(…)`.
      const expressions = callee['expressions'];
      const last = Array.isArray(expressions) ? expressions[expressions.length - 1] : undefined;
      return isAstNode(last) ? calleeName(last) : null;
    }
    case 'ChainExpression': {
      const expression = child(callee, 'expression');
      return expression === null ? null : calleeName(expression);
    }
    default:
      return null;
  }
}

function callSite(node: AstNode): CallSite {
  const callee = child(node, node.type === 'TaggedTemplateExpression' ? 'tag' : 'callee');
  const names: string[] = [];
  let offset = node.start;
  let nameOffset: number | null = null;
  let calleeFunction: AstNode | null = null;
  if (callee !== null) {
    if (isFunctionNode(callee) || isClassNode(callee)) calleeFunction = callee;
    const named = calleeName(callee);
    if (named !== null) {
      names.push(named.name);
      offset = named.offset;
      nameOffset = named.offset;
      // `f.call(…)` / `f.apply(…)` run `f`.
      if ((named.name === 'call' || named.name === 'apply') && callee.type === 'MemberExpression') {
        const object = child(callee, 'object');
        const target = object === null ? null : calleeName(object);
        if (target !== null) names.push(target.name);
      }
    }
  }
  return { names, offset, nameOffset, calleeFunction };
}

function mayAllocate(node: AstNode): boolean {
  switch (node.type) {
    case 'ObjectExpression':
    case 'ArrayExpression':
    case 'NewExpression':
    case 'CallExpression':
    case 'TaggedTemplateExpression':
    case 'ImportExpression':
    case 'SpreadElement':
    case 'RestElement':
    case 'ArrayPattern':
    case 'ForOfStatement':
    case 'ForInStatement':
    case 'AwaitExpression':
    case 'YieldExpression':
      return true;
    case 'TemplateLiteral':
      return Array.isArray(node['expressions']) && node['expressions'].length > 0;
    case 'BinaryExpression':
      return node['operator'] === '+';
    case 'AssignmentExpression': {
      if (node['operator'] === '+=') return true;
      const left = child(node, 'left');
      return left !== null && left.type === 'MemberExpression' && left['computed'] === true;
    }
    case 'Literal':
      return node['regex'] !== undefined;
    case 'Identifier':
      return node['name'] === 'arguments';
    default:
      return false;
  }
}

/**
 * The own code of a function node (its parameters and body), of a class's implicit functions,
 * or of a whole program (module top level).
 */
export function analyseFunction(root: AstNode, part: ClassPart = 'constructor'): FunctionCode {
  const code: FunctionCode = { calls: [], allocations: [] };
  const start: AstNode[] = [];
  if (isClassNode(root)) {
    // A frame at a class's start is its default constructor (no code) or its field initialisers.
    if (part === 'constructor') return code;
    const body = child(root, 'body');
    const members = body === null ? [] : ((body['body'] as unknown[]) ?? []);
    for (const m of members) {
      if (!isAstNode(m) || m.type !== 'PropertyDefinition') continue;
      if ((m['static'] === true) !== (part === 'static-initializer')) continue;
      const value = child(m, 'value');
      if (value !== null) start.push(value);
    }
  } else if (isFunctionNode(root)) {
    // An async function allocates its promise, a generator its generator object, on entry.
    if (root['async'] === true || root['generator'] === true) code.allocations.push(root.start);
    for (const p of (root['params'] as unknown[]) ?? []) if (isAstNode(p)) start.push(p);
    const body = child(root, 'body');
    if (body !== null) start.push(body);
  } else {
    start.push(root);
  }

  const work = start.reverse();
  while (work.length > 0) {
    const node = work.pop()!;
    if (isFunctionNode(node)) {
      // A nested function is a closure created here; its code runs in a frame of its own.
      code.allocations.push(node.start);
      continue;
    }
    if (isClassNode(node)) {
      code.allocations.push(node.start);
      const superClass = child(node, 'superClass');
      if (superClass !== null) work.push(superClass);
      continue;
    }
    if (node.type === 'CallExpression' || node.type === 'NewExpression' || node.type === 'TaggedTemplateExpression') {
      const site = callSite(node);
      code.calls.push(site);
      code.allocations.push(site.offset);
    } else if (mayAllocate(node)) {
      code.allocations.push(node.start);
    }
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) work.push(children[i]!);
  }
  return code;
}
