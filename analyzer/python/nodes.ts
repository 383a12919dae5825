/** Reading lezer's Python tree: the children that are expressions, not punctuation. */
import type { SyntaxNode } from '@lezer/common';

function isPunct(n: SyntaxNode): boolean {
  return /^[()[\]{},:;=]$/.test(n.name) || n.name === 'return' || n.name === 'AssignOp';
}

/** The first child that is neither punctuation nor a comment (`return X`: X). */
export function firstExpr(node: SyntaxNode): SyntaxNode | null {
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (!isPunct(c) && c.name !== 'Comment') return c;
  }
  return null;
}

/** The expression children of a bracketed node (skipping brackets, commas and colons). */
export function exprChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (
      !/^[()[\]{},:]$/.test(c.name) &&
      c.name !== '*' &&
      c.name !== '**' &&
      c.name !== 'Comment'
    ) {
      out.push(c);
    }
  }
  return out;
}
