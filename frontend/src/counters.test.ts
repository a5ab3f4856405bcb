import { describe, expect, it } from 'vitest';
import { countersByNode, ratesBetween, showRate } from './counters';
import { parseSamples } from './store';

describe('counters', () => {
  it('reads the runtime stats (nodes as a list with ids)', () => {
    const stats = {
      flow: 'f',
      nodes: [
        { id: 'in', kind: 'webhook', category: 'source', received: 3, out: 3, dropped: 0, errors: 0, queued: 0, delivered: 0, dead_lettered: 0 },
        { id: 'out', kind: 'http', category: 'destination', received: 3, out: 0, queued: 1, delivered: 2, dead_lettered: 0, errors: 1, delivery: { paused: false } },
      ],
    };
    expect(countersByNode(stats)).toEqual({
      in: { received: 3, out: 3, dropped: 0, errors: 0, queued: 0, delivered: 0, dead_lettered: 0 },
      out: { received: 3, out: 0, dropped: undefined, errors: 1, queued: 1, delivered: 2, dead_lettered: 0 },
    });
    expect(countersByNode({ nodes: { a: { received: 1 } } })).toEqual({ a: { received: 1 } });
    expect(countersByNode(null)).toEqual({});
  });

  it('computes rates from two snapshots', () => {
    expect(ratesBetween({ a: { out: 10 } }, { a: { out: 30 }, b: { out: 5 } }, 2)).toEqual({ a: 10, b: 0 });
    expect(showRate(0)).toBe('');
    expect(showRate(0.5)).toBe('0.5/s');
    expect(showRate(12.4)).toBe('12/s');
    expect(showRate(1500)).toBe('1.5k/s');
  });
});

describe('sample events', () => {
  it('takes a JSON array, one JSON value, or JSON lines', () => {
    expect(parseSamples('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseSamples('{"a":1}')).toEqual([{ a: 1 }]);
    expect(parseSamples('{"a":1}\n\n{"a":2}\n')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseSamples('  ')).toEqual([]);
    expect(() => parseSamples('{"a":1}\n{nope')).toThrow(/line 2/);
  });
});
