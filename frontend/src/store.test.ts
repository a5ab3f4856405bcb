import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Catalog } from './types';

vi.mock('./api', () => ({
  api: {
    validate: vi.fn(async () => []),
    catalog: vi.fn(),
  },
}));

const { useDesigner } = await import('./store');

const catalog: Catalog = {
  kinds: [
    { kind: 'webhook', category: 'source', title: 'Webhook', summary: '', config: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
    { kind: 'python', category: 'transform', title: 'Python', summary: '', config: { type: 'object', properties: { code: { type: 'string', 'x-widget': 'code', examples: ['def transform(event):\n    return event\n'] } }, required: ['code'] } },
    { kind: 'http', category: 'destination', title: 'HTTP', summary: '', config: { type: 'object', properties: { url: { type: 'string' } } } },
  ],
  delivery: { type: 'object' },
};

const s = () => useDesigner.getState();

beforeEach(() => {
  useDesigner.setState({ catalog, specs: Object.fromEntries(catalog.kinds.map((k) => [k.kind, k])), notice: null });
  s().load({ version: 1, name: 't', nodes: [], edges: [] }, '');
});

describe('designer store', () => {
  it('sets the log level, leaves the default out of the file, and undoes it', () => {
    s().setLogLevel('debug');
    expect(s().doc.log_level).toBe('debug');
    expect(s().dirty).toBe(true);
    s().setLogLevel('info');
    expect('log_level' in s().doc).toBe(false);
    s().undo();
    expect(s().doc.log_level).toBe('debug');
  });

  it('adds nodes with fresh ids and code templates, and connects them', () => {
    const a = s().addNode('webhook', { x: 0, y: 0 });
    const b = s().addNode('python', { x: 300, y: 0 });
    expect([a, b]).toEqual(['webhook1', 'python1']);
    expect(s().doc.nodes[1]!.config).toEqual({ code: 'def transform(event):\n    return event\n' });
    s().connect('webhook1', 'python1');
    expect(s().doc.edges).toEqual([{ from: 'webhook1', to: 'python1' }]);
    expect(s().dirty).toBe(true);
    expect(s().current().layout).toEqual({ webhook1: { x: 0, y: 0 }, python1: { x: 300, y: 0 } });
  });

  it('refuses an edge into a source with a message', () => {
    s().addNode('webhook');
    s().addNode('python');
    s().connect('python1', 'webhook1');
    expect(s().doc.edges).toEqual([]);
    expect(s().notice?.text).toMatch(/source takes no input/);
  });

  it('undoes and redoes whole documents', () => {
    s().addNode('webhook');
    s().addNode('http');
    s().connect('webhook1', 'http1');
    s().undo();
    expect(s().doc.edges).toEqual([]);
    s().undo();
    expect(s().doc.nodes.map((n) => n.id)).toEqual(['webhook1']);
    expect(s().nodes.map((n) => n.id)).toEqual(['webhook1']);
    s().redo();
    s().redo();
    expect(s().doc.edges).toEqual([{ from: 'webhook1', to: 'http1' }]);
  });

  it('copies and pastes the selection with new ids and its inner edges', () => {
    s().addNode('python');
    s().addNode('http');
    s().connect('python1', 'http1');
    useDesigner.setState({ nodes: s().nodes.map((n) => ({ ...n, selected: true })) });
    s().copy();
    s().paste();
    expect(s().doc.nodes.map((n) => n.id)).toEqual(['python1', 'http1', 'python2', 'http2']);
    expect(s().doc.edges).toContainEqual({ from: 'python2', to: 'http2' });
  });

  it('renames a node everywhere and deletes with its edges', () => {
    s().addNode('webhook');
    s().addNode('http');
    s().connect('webhook1', 'http1');
    s().renameNode('http1', 'crm');
    expect(s().doc.edges).toEqual([{ from: 'webhook1', to: 'crm' }]);
    expect(s().nodes.map((n) => n.id)).toContain('crm');
    s().removeNodes(['crm']);
    expect(s().doc.edges).toEqual([]);
    expect(s().doc.nodes.map((n) => n.id)).toEqual(['webhook1']);
  });

  it('sets and clears routes on edges', () => {
    s().addNode('python');
    s().addNode('http');
    s().connect('python1', 'http1');
    s().setRoute('python1->http1', 'big');
    expect(s().doc.edges).toEqual([{ from: 'python1', to: 'http1', route: 'big' }]);
    expect(s().selectedEdge).toBe('python1->http1#big');
    s().setRoute('python1->http1#big', '');
    expect(s().doc.edges).toEqual([{ from: 'python1', to: 'http1' }]);
  });
});
