import { describe, expect, it } from 'vitest';
import { diffCounts, diffJSON, showLeaf } from './jsondiff';

describe('diffJSON', () => {
  it('marks changed, added, removed and same fields', () => {
    const rows = diffJSON({ amount: 30, email: 'Bob@Example.com', gone: true }, { amount: 30, email: 'bob@example.com', tier: 'gold' });
    expect(rows).toEqual([
      { path: 'amount', kind: 'same', before: 30, after: 30 },
      { path: 'email', kind: 'changed', before: 'Bob@Example.com', after: 'bob@example.com' },
      { path: 'gone', kind: 'removed', before: true },
      { path: 'tier', kind: 'added', after: 'gold' },
    ]);
    expect(diffCounts(rows)).toEqual({ same: 1, changed: 1, added: 1, removed: 1 });
  });

  it('walks nested objects and arrays by index', () => {
    const rows = diffJSON({ a: { b: [1, 2, 3] } }, { a: { b: [1, 5] } });
    expect(rows.map((r) => `${r.kind} ${r.path}`)).toEqual(['same a.b[0]', 'changed a.b[1]', 'removed a.b[2]']);
  });

  it('lists every leaf of a new or removed object', () => {
    const rows = diffJSON({}, { user: { id: 1, tags: ['x'] } });
    expect(rows).toEqual([
      { path: 'user.id', kind: 'added', after: 1 },
      { path: 'user.tags[0]', kind: 'added', after: 'x' },
    ]);
    expect(diffJSON({ user: { id: 1 } }, {}).map((r) => `${r.kind} ${r.path}`)).toEqual(['removed user.id']);
  });

  it('treats a change of type as one changed field', () => {
    expect(diffJSON({ a: { b: 1 } }, { a: 'flat' })).toEqual([{ path: 'a', kind: 'changed', before: { b: 1 }, after: 'flat' }]);
    expect(diffJSON({ a: null }, { a: 0 })[0]!.kind).toBe('changed');
    expect(diffJSON({ a: [] }, { a: {} })[0]!.kind).toBe('changed');
  });

  it('compares empty containers and scalars at the top', () => {
    expect(diffJSON({ a: [] }, { a: [] })).toEqual([{ path: 'a', kind: 'same', before: [], after: [] }]);
    expect(diffJSON(1, 2)).toEqual([{ path: '', kind: 'changed', before: 1, after: 2 }]);
    expect(diffJSON('x', 'x')[0]!.kind).toBe('same');
  });

  it('quotes keys that are not identifiers', () => {
    expect(diffJSON({ 'a-b': 1 }, { 'a-b': 2 })[0]!.path).toBe('["a-b"]');
    expect(diffJSON({ x: { 'has space': 1 } }, { x: { 'has space': 1 } })[0]!.path).toBe('x["has space"]');
  });

  it('shows leaves as short JSON', () => {
    expect(showLeaf('a')).toBe('"a"');
    expect(showLeaf(undefined)).toBe('');
    expect(showLeaf({ b: 1 })).toBe('{"b":1}');
  });
});
