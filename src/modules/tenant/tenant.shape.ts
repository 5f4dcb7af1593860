/**
 * The committee tree as this process last loaded it (tenant-sync): how many provinces (roots), and the most
 * committees directly below any one committee. Lists of committees are costed by it in the complexity budget,
 * so asking for the whole tree three levels deep fits the default budget, and deeper nesting of parents and
 * children does not. Until a tree is loaded: one root, 20 children.
 */
export const treeShape = { roots: 1, fanout: 20 };

/** A committee has at most two ancestors: its province and its city. */
export const MAX_ANCESTORS = 2;

export function setTreeShape(roots: number, fanout: number): void {
  treeShape.roots = Math.max(1, roots);
  treeShape.fanout = Math.max(1, fanout);
}
