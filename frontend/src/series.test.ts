import { describe, expect, it } from 'vitest';
import { addSample, emptyHistory, group, sampleOf } from './series';
import type { Category } from './types';

describe('addSample', () => {
  it('appends samples and fills keys that appear late with null', () => {
    let h = addSample(emptyHistory(), 100, { 'in:a': 1 });
    h = addSample(h, 101, { 'in:a': 2, 'in:b': 5 });
    expect(h.t).toEqual([100, 101]);
    expect(h.series).toEqual({ 'in:a': [1, 2], 'in:b': [null, 5] });
    h = addSample(h, 102, { 'in:b': 6 });
    expect(h.series).toEqual({ 'in:a': [1, 2, null], 'in:b': [null, 5, 6] });
  });

  it('keeps at most cap samples, dropping the oldest', () => {
    let h = emptyHistory();
    for (let i = 0; i < 10; i++) h = addSample(h, i, { 'q:x': i }, 1000, 4);
    expect(h.t).toEqual([6, 7, 8, 9]);
    expect(h.series['q:x']).toEqual([6, 7, 8, 9]);
  });

  it('drops samples older than the window, and keys left with no value', () => {
    let h = addSample(emptyHistory(), 0, { 'in:old': 3 });
    h = addSample(h, 200, { 'in:new': 1 }, 300);
    expect(h.t).toEqual([0, 200]);
    h = addSample(h, 301, { 'in:new': 2 }, 300);
    expect(h.t).toEqual([200, 301]);
    expect(h.series).toEqual({ 'in:new': [1, 2] });
  });

  it('does not change the history it was given', () => {
    const h = addSample(emptyHistory(), 1, { a: 1 });
    addSample(h, 2, { a: 2 });
    expect(h).toEqual({ t: [1], series: { a: [1] } });
  });

  it('keeps the last sample even after a long pause', () => {
    const h = addSample(addSample(emptyHistory(), 0, { a: 1 }), 10_000, { a: 2 }, 300);
    expect(h).toEqual({ t: [10_000], series: { a: [2] } });
  });
});

describe('sampleOf', () => {
  const cats: Record<string, Category> = { hook: 'source', py: 'transform', out: 'destination' };
  const cat = (id: string) => cats[id];

  it('computes rates in and out per node and the queue depth of destinations', () => {
    const prev = { hook: { received: 10 }, py: { received: 10, out: 8 }, out: { received: 8, delivered: 6, queued: 2 } };
    const next = { hook: { received: 30 }, py: { received: 30, out: 20 }, out: { received: 20, delivered: 10, queued: 10 } };
    expect(sampleOf(prev, next, 2, cat)).toEqual({
      'in:hook': 10,
      'in:py': 10,
      'out:py': 6,
      'in:out': 6,
      'out:out': 2,
      'queue:out': 10,
    });
  });

  it('reads a node seen for the first time, or whose counters went back, as 0/s', () => {
    expect(sampleOf({}, { py: { received: 5, out: 5 } }, 1, cat)).toEqual({ 'in:py': 0, 'out:py': 0 });
    expect(sampleOf({ py: { received: 9 } }, { py: { received: 1 } }, 1, cat)).toEqual({ 'in:py': 0 });
    expect(sampleOf({}, { py: { received: 1 } }, 0, cat)).toEqual({});
  });

  it('groups series by node', () => {
    let h = addSample(emptyHistory(), 1, { 'in:b': 1, 'in:a': 2, 'queue:out': 3 });
    h = addSample(h, 2, { 'in:a': 4 });
    expect(group(h, 'in')).toEqual([['a', [2, 4]], ['b', [1, null]]]);
    expect(group(h, 'queue')).toEqual([['out', [3, null]]]);
    expect(group(h, 'out')).toEqual([]);
  });
});
