import { describe, expect, it } from 'vitest';
import { autoLayout, edgeId, nextId, refuseConnection, toCanvas, toDoc, toEdges } from './mapping';
import type { Category, FlowDoc } from './types';

const doc: FlowDoc = {
  version: 1,
  name: 'orders',
  nodes: [
    { id: 'orders', kind: 'webhook', config: { path: '/hooks/orders' } },
    { id: 'normalize', kind: 'python', config: { code: 'def transform(event):\n    return event\n' } },
    { id: 'crm', kind: 'http', config: { url: 'http://127.0.0.1:9/x' }, delivery: { retry: { initial: '1s' } } },
  ],
  edges: [
    { from: 'orders', to: 'normalize' },
    { from: 'normalize', to: 'crm' },
  ],
  layout: { orders: { x: 10, y: 20 } },
};

const cats: Record<string, Category> = { orders: 'source', normalize: 'transform', crm: 'destination' };
const categoryOf = (id: string) => cats[id];

describe('document <-> canvas', () => {
  it('places nodes from the layout and lays out the rest', () => {
    const nodes = toCanvas(doc);
    expect(nodes.map((n) => n.id)).toEqual(['orders', 'normalize', 'crm']);
    expect(nodes[0]!.position).toEqual({ x: 10, y: 20 });
    expect(nodes[1]!.position.x).toBeGreaterThan(nodes[0]!.position.x);
    expect(nodes[2]!.position.x).toBeGreaterThan(nodes[1]!.position.x);
    expect(nodes[1]!.data).toEqual({ kind: 'python' });
    expect(nodes.every((n) => n.type === 'box')).toBe(true);
  });

  it('round-trips: config, delivery and edges unchanged, layout from positions', () => {
    const nodes = toCanvas(doc);
    nodes[1]!.position = { x: 300.4, y: 99.6 };
    const back = toDoc(doc, nodes);
    expect(back.nodes).toEqual(doc.nodes);
    expect(back.edges).toEqual(doc.edges);
    expect(back.name).toBe('orders');
    expect(back.layout).toEqual({
      orders: { x: 10, y: 20 },
      normalize: { x: 300, y: 100 },
      crm: nodes[2]!.position,
    });
  });

  it('never writes canvas state into the document', () => {
    const nodes = toCanvas(doc).map((n) => ({ ...n, selected: true, measured: { width: 180, height: 60 } }));
    const back = toDoc(doc, nodes);
    expect(JSON.stringify(back)).not.toMatch(/selected|measured|type|data/);
  });

  it('drops layout of nodes that are gone and copies rather than shares', () => {
    const nodes = toCanvas(doc).filter((n) => n.id !== 'crm');
    const back = toDoc({ ...doc, nodes: doc.nodes.slice(0, 2) }, nodes);
    expect(Object.keys(back.layout!)).toEqual(['orders', 'normalize']);
    back.nodes[0]!.id = 'changed';
    expect(doc.nodes[0]!.id).toBe('orders');
  });

  it('maps edges with stable ids and selection', () => {
    const es = toEdges(doc.edges, 'orders->normalize');
    expect(es.map((e) => [e.id, e.source, e.target, e.selected])).toEqual([
      ['orders->normalize', 'orders', 'normalize', true],
      ['normalize->crm', 'normalize', 'crm', false],
    ]);
    expect(edgeId({ from: 'a', to: 'b', route: 'big' })).toBe('a->b#big');
  });
});

describe('editing helpers', () => {
  it('gives fresh ids per kind', () => {
    expect(nextId('python', ['python1', 'python2', 'http1'])).toBe('python3');
    expect(nextId('http', [])).toBe('http1');
  });

  it('refuses connections the engine would reject', () => {
    expect(refuseConnection(doc, categoryOf, 'crm', 'orders')).toMatch(/source takes no input/);
    expect(refuseConnection(doc, categoryOf, 'crm', 'normalize')).toMatch(/destination has no output/);
    expect(refuseConnection(doc, categoryOf, 'normalize', 'normalize')).toMatch(/itself/);
    expect(refuseConnection(doc, categoryOf, 'orders', 'normalize')).toMatch(/already/);
    expect(refuseConnection(doc, categoryOf, 'orders', 'crm')).toBeNull();
    const loop: FlowDoc = { ...doc, nodes: [...doc.nodes, { id: 't2', kind: 'python' }], edges: [...doc.edges, { from: 'normalize', to: 't2' }] };
    expect(refuseConnection(loop, (id) => cats[id] ?? 'transform', 't2', 'normalize')).toMatch(/cycle/);
  });

  it('lays out in columns by depth', () => {
    const pos = autoLayout(doc);
    expect(pos.orders!.x).toBeLessThan(pos.normalize!.x);
    expect(pos.normalize!.x).toBeLessThan(pos.crm!.x);
    expect(pos.orders!.y).toBe(pos.normalize!.y);
  });
});
