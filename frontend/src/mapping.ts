// The one place that converts between the flow document (what is saved and
// run) and the canvas (React Flow nodes and edges: positions, selection,
// sizes). The canvas never leaks into the document and vice versa.
import type { Edge, Node } from '@xyflow/react';
import type { Category, FlowDoc, FlowEdge, Position } from './types';

export interface BoxData extends Record<string, unknown> {
  kind: string;
}
export type BoxNode = Node<BoxData, 'box'>;

export const GRID = { x: 280, y: 140, left: 80, top: 80 };

/** Canvas nodes for a document: positions from its layout, the rest laid out. */
export function toCanvas(doc: FlowDoc): BoxNode[] {
  const auto = autoLayout(doc);
  return doc.nodes.map((n) => ({
    id: n.id,
    type: 'box' as const,
    position: { ...(doc.layout?.[n.id] ?? auto[n.id] ?? { x: GRID.left, y: GRID.top }) },
    data: { kind: n.kind },
  }));
}

export function edgeId(e: FlowEdge): string {
  return `${e.from}->${e.to}${e.route ? `#${e.route}` : ''}`;
}

/** Canvas edges for the document's edges. */
export function toEdges(edges: FlowEdge[], selected: string | null): Edge[] {
  return edges.map((e) => ({
    id: edgeId(e),
    source: e.from,
    target: e.to,
    label: e.route,
    selected: edgeId(e) === selected,
  }));
}

/** The document with its layout taken from the canvas positions. */
export function toDoc(doc: FlowDoc, nodes: BoxNode[]): FlowDoc {
  const pos = new Map(nodes.map((n) => [n.id, n.position]));
  const layout: Record<string, Position> = {};
  for (const n of doc.nodes) {
    const p = pos.get(n.id);
    if (p) layout[n.id] = { x: Math.round(p.x), y: Math.round(p.y) };
  }
  return {
    ...doc,
    nodes: doc.nodes.map((n) => ({ ...n })),
    edges: doc.edges.map((e) => ({ ...e })),
    layout,
  };
}

/** A fresh node id for a kind: the kind name and the first free number. */
export function nextId(kind: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = /^[A-Za-z]/.test(kind) ? kind : `n_${kind}`;
  for (let i = 1; ; i++) {
    const id = `${base}${i}`;
    if (!used.has(id)) return id;
  }
}

/**
 * Why an edge from -> to may not be drawn, or null when it may. The
 * engine's validation says the same on save; this only refuses obviously
 * wrong drags early.
 */
export function refuseConnection(
  doc: FlowDoc,
  categoryOf: (id: string) => Category | undefined,
  from: string,
  to: string,
): string | null {
  if (from === to) return 'a node cannot feed itself';
  if (categoryOf(to) === 'source') return 'a source takes no input';
  if (categoryOf(from) === 'destination') return 'a destination has no output';
  if (doc.edges.some((e) => e.from === from && e.to === to && !e.route)) return 'these nodes are already connected';
  // A path to -> ... -> from would close a cycle.
  const out = new Map<string, string[]>();
  for (const e of doc.edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const seen = new Set<string>();
  const stack = [to];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === from) return 'that would make a cycle';
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(out.get(id) ?? []));
  }
  return null;
}

/** Positions in layers: each node one column right of its furthest input. */
export function autoLayout(doc: FlowDoc): Record<string, Position> {
  const ins = new Map<string, string[]>();
  for (const e of doc.edges) ins.set(e.to, [...(ins.get(e.to) ?? []), e.from]);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle: the engine reports it
    visiting.add(id);
    const d = Math.max(-1, ...(ins.get(id) ?? []).map(depthOf)) + 1;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  const rows = new Map<number, number>();
  const out: Record<string, Position> = {};
  for (const n of doc.nodes) {
    const col = depthOf(n.id);
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    out[n.id] = { x: GRID.left + col * GRID.x, y: GRID.top + row * GRID.y };
  }
  return out;
}

/** Edge problems name the edge's source node; field "edges[N]..." */
export function problemsByNode<T extends { node?: string }>(problems: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const p of problems) {
    const key = p.node ?? '';
    m.set(key, [...(m.get(key) ?? []), p]);
  }
  return m;
}
