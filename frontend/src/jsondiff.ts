// A small structural diff of two JSON values, flattened to one row per
// leaf field (objects by key, arrays by index), for the before/after view
// of a transform step.

export type DiffKind = 'same' | 'changed' | 'added' | 'removed';

export interface DiffRow {
  /** Where the field is: `a.b[2].c`; empty for the value itself. */
  path: string;
  kind: DiffKind;
  before?: unknown;
  after?: unknown;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A container with something in it, walked into; anything else is a leaf. */
function walkable(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : isObj(v) && Object.keys(v).length > 0;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

function keyPath(base: string, key: string): string {
  if (IDENT.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

/** Every leaf of v as an added or removed row. */
function leaves(v: unknown, path: string, kind: 'added' | 'removed', out: DiffRow[]) {
  if (!walkable(v)) {
    out.push(kind === 'added' ? { path, kind, after: v } : { path, kind, before: v });
    return;
  }
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, `${path}[${i}]`, kind, out));
  else for (const [k, x] of Object.entries(v as Obj)) leaves(x, keyPath(path, k), kind, out);
}

function walk(a: unknown, b: unknown, path: string, out: DiffRow[]) {
  if (Array.isArray(a) && Array.isArray(b) && (a.length || b.length)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= a.length) leaves(b[i], p, 'added', out);
      else if (i >= b.length) leaves(a[i], p, 'removed', out);
      else walk(a[i], b[i], p, out);
    }
    return;
  }
  if (isObj(a) && isObj(b) && (walkable(a) || walkable(b))) {
    for (const [k, x] of Object.entries(a)) {
      const p = keyPath(path, k);
      if (k in b) walk(x, b[k], p, out);
      else leaves(x, p, 'removed', out);
    }
    for (const [k, x] of Object.entries(b)) if (!(k in a)) leaves(x, keyPath(path, k), 'added', out);
    return;
  }
  out.push({ path, kind: equal(a, b) ? 'same' : 'changed', before: a, after: b });
}

/** The rows of a diff from before to after, in before's field order, then after's new fields. */
export function diffJSON(before: unknown, after: unknown): DiffRow[] {
  const out: DiffRow[] = [];
  walk(before, after, '', out);
  return out;
}

/** How many rows of each kind a diff has. */
export function diffCounts(rows: DiffRow[]): Record<DiffKind, number> {
  const c: Record<DiffKind, number> = { same: 0, changed: 0, added: 0, removed: 0 };
  for (const r of rows) c[r.kind]++;
  return c;
}

/** A leaf as one short line of JSON. */
export function showLeaf(v: unknown): string {
  if (v === undefined) return '';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s;
}
