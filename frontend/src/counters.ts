// Reads the runtime's per-node counters out of Runs.Stats, whichever of the
// usual shapes it has: {nodes: {id: counters}}, {nodes: [{id|node, ...}]}
// or {id: counters}.
import type { Category, Counters } from './types';

const KEYS: (keyof Counters)[] = ['received', 'out', 'dropped', 'errors', 'queued', 'delivered', 'dead_lettered'];

function pick(v: unknown): Counters | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const c: Counters = {};
  let any = false;
  for (const k of KEYS) {
    const x = o[k];
    if (typeof x === 'number') {
      c[k] = x;
      any = true;
    }
  }
  return any ? c : undefined;
}

export function countersByNode(stats: unknown): Record<string, Counters> {
  const out: Record<string, Counters> = {};
  if (typeof stats !== 'object' || stats === null) return out;
  const s = stats as Record<string, unknown>;
  const nodes = 'nodes' in s || 'Nodes' in s ? (s.nodes ?? s.Nodes) : s;
  if (Array.isArray(nodes)) {
    for (const n of nodes) {
      const o = n as Record<string, unknown>;
      const id = String(o.id ?? o.node ?? o.ID ?? '');
      const c = pick(n);
      if (id && c) out[id] = c;
    }
  } else if (typeof nodes === 'object' && nodes !== null) {
    for (const [id, v] of Object.entries(nodes as Record<string, unknown>)) {
      const c = pick(v);
      if (c) out[id] = c;
    }
  }
  return out;
}

/** The counters shown on a box, by the category of its node. */
export const COUNTERS: Record<Category, [keyof Counters, string][]> = {
  source: [
    ['received', 'in'],
    ['errors', 'errors'],
  ],
  transform: [
    ['received', 'in'],
    ['out', 'out'],
    ['dropped', 'dropped'],
    ['errors', 'errors'],
  ],
  destination: [
    ['received', 'in'],
    ['queued', 'queued'],
    ['delivered', 'delivered'],
    ['errors', 'errors'],
    ['dead_lettered', 'dead'],
  ],
};

/**
 * Events per second of each node's output between two snapshots of the
 * counters taken seconds apart.
 */
export function ratesBetween(prev: Record<string, Counters>, next: Record<string, Counters>, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (seconds <= 0) return out;
  for (const [id, c] of Object.entries(next)) {
    const now = c.out ?? c.delivered ?? 0;
    const before = prev[id]?.out ?? prev[id]?.delivered ?? now;
    out[id] = Math.max(0, (now - before) / seconds);
  }
  return out;
}

/** A short text for a rate: "", "0.5/s", "12/s", "1.2k/s". */
export function showRate(r: number | undefined): string {
  if (!r || r < 0.05) return '';
  if (r >= 1000) return `${(r / 1000).toFixed(1)}k/s`;
  return r >= 10 ? `${Math.round(r)}/s` : `${r.toFixed(1)}/s`;
}
