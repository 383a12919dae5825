/**
 * Names and imports: what a name means (a scope's value, a builtin, or undefined), and the
 * bindings `import` statements make, as references to qualified names (`tensorflow.keras.layers`).
 */
import type { SyntaxNode } from '@lezer/common';
import { BUILTINS, PYTHON_BUILTINS } from './builtins';
import type { Context, Scope } from './context';
import { starNames } from './keras';
import { UNKNOWN, unknownFrom, type Value } from './values';

/** The value of a name used at `node`; undefined names are the policy's to judge. */
export function lookupName(cx: Context, name: string, scope: Scope, node: SyntaxNode): Value {
  const v = scope.lookup(name);
  if (v !== undefined) {
    if (v.kind === 'model') cx.graph.used(v.model);
    return v;
  }
  if (BUILTINS.has(name)) return { kind: 'ref', path: `builtins.${name}` };
  cx.policy.undefinedName(name, cx.span(node));
  // Python's other builtins exist: unknown, but not "never defined".
  if (PYTHON_BUILTINS.has(name)) return UNKNOWN;
  return unknownFrom(name, `\`${name}\` is never imported or defined`);
}

/** `import a.b [as c], ...` and `from a.b import c [as d], ... | *`. */
export function importStatement(cx: Context, node: SyntaxNode, scope: Scope): void {
  const isFrom = node.firstChild?.name === 'from';
  const text = cx.src(node);
  const imported = /^\s*(?:from|import)\s+([\w.]+)/.exec(text)?.[1] ?? '';
  cx.policy.importModule(imported, cx.span(node));
  if (!isFrom) {
    // import a.b.c [as d], e
    let path: string[] = [];
    let alias: string | null = null;
    let expectAlias = false;
    const flush = () => {
      if (path.length === 0) return;
      cx.importRoots.add(path[0]!);
      cx.imported(path.join('.'));
      if (alias) scope.vars.set(alias, { kind: 'ref', path: path.join('.') });
      else scope.vars.set(path[0]!, { kind: 'ref', path: path[0]! });
      path = [];
      alias = null;
    };
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.name === 'VariableName') {
        if (expectAlias) {
          alias = cx.src(c);
          expectAlias = false;
        } else path.push(cx.src(c));
      } else if (c.name === 'as') expectAlias = true;
      else if (c.name === ',') flush();
    }
    flush();
    return;
  }
  // from a.b import c [as d], e | *
  const module: string[] = [];
  let c = node.firstChild?.nextSibling ?? null;
  let dots = '';
  for (; c && c.name !== 'import'; c = c.nextSibling) {
    if (c.name === 'VariableName') module.push(cx.src(c));
    else if (c.name === '.' && module.length === 0) dots += '.';
  }
  if (dots) return; // relative imports name the user's own modules
  const modulePath = module.join('.');
  if (module[0]) cx.importRoots.add(module[0]);
  if (/\bimport\s*\*/.test(text)) {
    for (const name of starNames(modulePath)) {
      scope.vars.set(name, { kind: 'ref', path: `${modulePath}.${name}` });
    }
    return;
  }
  let name: string | null = null;
  let expectAlias = false;
  cx.imported(modulePath);
  const bind = (alias: string | null) => {
    if (name) cx.imported(`${modulePath}.${name}`);
    if (name) scope.vars.set(alias ?? name, { kind: 'ref', path: `${modulePath}.${name}` });
    name = null;
  };
  for (c = c?.nextSibling ?? null; c; c = c.nextSibling) {
    if (c.name === 'VariableName') {
      if (expectAlias) {
        bind(cx.src(c));
        expectAlias = false;
      } else {
        bind(null);
        name = cx.src(c);
      }
    } else if (c.name === 'as') expectAlias = true;
  }
  bind(null);
}
