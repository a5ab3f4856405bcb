// The designer's state, read through selectors. The flow document (doc) and
// the canvas (nodes: positions, selection, sizes) are kept apart; mapping.ts
// converts. History holds whole documents, so undo restores both.
import { create } from 'zustand';
import { applyNodeChanges, type NodeChange, type XYPosition } from '@xyflow/react';
import { api } from './api';
import { autoLayout, edgeId, nextId, refuseConnection, toCanvas, toDoc, type BoxNode } from './mapping';
import { initialConfig } from './schema';
import { countersByNode, ratesBetween } from './counters';
import { addSample, emptyHistory, sampleOf, type History } from './series';
import type { Catalog, Config, Counters, Exported, FlowDoc, FlowNode, LogLevel, Problem, RunStatus, Spec, TestResult } from './types';

export type Dialog = null | 'open' | 'saveAs' | 'export' | 'help' | 'trace';
export type Theme = 'light' | 'dark';

interface Notice {
  kind: 'error' | 'info';
  text: string;
}

interface Clip {
  nodes: FlowNode[];
  edges: FlowDoc['edges'];
  layout: Record<string, XYPosition>;
}

export interface DesignerState {
  catalog: Catalog | null;
  specs: Record<string, Spec>;
  doc: FlowDoc;
  nodes: BoxNode[];
  selectedEdge: string | null;
  path: string;
  dirty: boolean;
  problems: Problem[];
  past: FlowDoc[];
  future: FlowDoc[];
  clip: Clip | null;
  run: RunStatus;
  counters: Record<string, Counters>;
  /** Output events per second of each node, from the last two polls. */
  rates: Record<string, number>;
  /** The run view's chart samples (events/s in and out, queue depths), the last minutes. */
  history: History;
  samples: Record<string, string>;
  tests: Record<string, TestResult | undefined>;
  testing: string | null;
  notice: Notice | null;
  dialog: Dialog;
  exported: Exported | null;
  theme: Theme;
  recent: string[];
  /** The event whose trace the trace dialog shows. */
  traceId: string | null;
  /** Counts documents loaded, so the canvas fits each new one in view. */
  loads: number;

  init: () => Promise<void>;
  current: () => FlowDoc;
  selectedNode: () => string | null;
  load: (doc: FlowDoc, path: string, problems?: Problem[]) => void;
  newFlow: () => Promise<void>;
  openPath: (path: string) => Promise<void>;
  importText: (text: string, name: string) => Promise<void>;
  save: (path?: string) => Promise<boolean>;
  exportTo: (path: string) => Promise<void>;
  validate: () => Promise<void>;
  addNode: (kind: string, at?: XYPosition) => string | null;
  removeNodes: (ids: string[]) => void;
  removeEdge: (id: string) => void;
  connect: (from: string, to: string) => void;
  setRoute: (id: string, route: string) => void;
  selectEdge: (id: string | null) => void;
  selectNode: (id: string | null) => void;
  onNodesChange: (changes: NodeChange<BoxNode>[]) => void;
  setSection: (id: string, section: 'config' | 'delivery', v: Config) => void;
  renameNode: (from: string, to: string) => void;
  setName: (name: string) => void;
  setDescription: (text: string) => void;
  /** Sets the flow's log level; info, the default, is left out of the file. */
  setLogLevel: (level: LogLevel) => void;
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: () => void;
  layout: () => void;
  setSamples: (id: string, text: string) => void;
  runTest: (id: string) => Promise<void>;
  takeLastEvents: (id: string) => Promise<void>;
  start: () => Promise<void>;
  stop: () => Promise<void>;
  notify: (kind: Notice['kind'], text: string) => void;
  setDialog: (d: Dialog) => void;
  showTrace: (id: string) => void;
  toggleTheme: () => void;
}

const emptyDoc = (): FlowDoc => ({ version: 1, name: 'untitled', nodes: [], edges: [], layout: {} });
const stopped = (): RunStatus => ({ running: false, endpoints: [] });

function initialTheme(): Theme {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('sluice.theme') : null;
  if (saved === 'light' || saved === 'dark') return saved;
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// Sample events are kept per flow name in the browser's storage, so a
// reopened flow finds its test data again (they are not part of the flow).
const samplesKey = (flow: string) => `sluice.samples.${flow}`;

function loadSamples(flow: string): Record<string, string> {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(samplesKey(flow)) ?? '{}');
    return typeof v === 'object' && v !== null ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function saveSamples(flow: string, samples: Record<string, string>) {
  try {
    localStorage.setItem(samplesKey(flow), JSON.stringify(samples));
  } catch {
    /* storage full or off: samples stay in memory */
  }
}

/** Sample events as typed: a JSON array, one JSON value, or JSON lines. */
export function parseSamples(text: string): unknown[] {
  const t = text.trim();
  if (!t) return [];
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) ? v : [v];
  } catch {
    return t
      .split('\n')
      .filter((l) => l.trim())
      .map((l, i) => {
        try {
          return JSON.parse(l) as unknown;
        } catch {
          throw new Error(`sample line ${i + 1} is not valid JSON`);
        }
      });
  }
}

export const useDesigner = create<DesignerState>()((set, get) => {
  let validateTimer: ReturnType<typeof setTimeout> | undefined;
  let statsTimer: ReturnType<typeof setInterval> | undefined;
  let lastEdit = { key: '', at: 0 };

  const scheduleValidate = () => {
    clearTimeout(validateTimer);
    validateTimer = setTimeout(() => void get().validate(), 250);
  };

  /** Records the document before a change, for undo. */
  const checkpoint = (key = '') => {
    const now = Date.now();
    const coalesce = key !== '' && key === lastEdit.key && now - lastEdit.at < 1500;
    lastEdit = { key, at: now };
    if (!coalesce) set((s) => ({ past: [...s.past.slice(-99), s.current()], future: [] }));
    set({ dirty: true });
    scheduleValidate();
  };

  const categoryOf = (id: string) => {
    const s = get();
    const n = s.doc.nodes.find((x) => x.id === id);
    return n ? s.specs[n.kind]?.category : undefined;
  };

  const pollStats = () => {
    clearInterval(statsTimer);
    let last = { at: 0, counters: {} as Record<string, Counters> };
    const tick = async () => {
      try {
        const st = await api.stats();
        const counters = countersByNode(st.stats);
        const at = Date.now();
        const seconds = (at - last.at) / 1000;
        const rates = last.at ? ratesBetween(last.counters, counters, seconds) : {};
        const history = last.at ? addSample(get().history, at / 1000, sampleOf(last.counters, counters, seconds, categoryOf)) : get().history;
        last = { at, counters };
        set({ counters, rates, history });
        if (!st.running) {
          clearInterval(statsTimer);
          set({ run: stopped() });
        }
      } catch {
        /* a missed tick is not worth a message */
      }
    };
    void tick();
    statsTimer = setInterval(() => void tick(), 1000);
  };

  return {
    catalog: null,
    specs: {},
    doc: emptyDoc(),
    nodes: [],
    selectedEdge: null,
    path: '',
    dirty: false,
    problems: [],
    past: [],
    future: [],
    clip: null,
    run: stopped(),
    counters: {},
    rates: {},
    history: emptyHistory(),
    samples: {},
    tests: {},
    testing: null,
    notice: null,
    dialog: null,
    exported: null,
    theme: initialTheme(),
    recent: [],
    traceId: null,
    loads: 0,

    init: async () => {
      try {
        const catalog = await api.catalog();
        const specs = Object.fromEntries(catalog.kinds.map((k) => [k.kind, k]));
        set({ catalog, specs });
        const run = await api.status();
        if (run.running) {
          set({ run });
          pollStats();
        }
        set({ recent: await api.recent() });
        scheduleValidate();
      } catch (e) {
        get().notify('error', `Cannot load the node kinds: ${errText(e)}`);
      }
    },

    current: () => toDoc(get().doc, get().nodes),
    selectedNode: () => {
      const sel = get().nodes.filter((n) => n.selected);
      return sel.length === 1 ? sel[0]!.id : null;
    },

    load: (doc, path, problems = []) => {
      const clean: FlowDoc = { ...doc, nodes: doc.nodes ?? [], edges: doc.edges ?? [], layout: doc.layout ?? {} };
      set((s) => ({
        doc: clean, nodes: toCanvas(clean), path, dirty: false, problems, past: [], future: [],
        selectedEdge: null, tests: {}, samples: loadSamples(clean.name), loads: s.loads + 1,
      }));
      scheduleValidate();
    },

    newFlow: async () => {
      try {
        get().load(await api.newFlow('untitled'), '');
      } catch (e) {
        get().notify('error', errText(e));
      }
    },

    openPath: async (path) => {
      try {
        const o = await api.open(path);
        get().load(o.doc, o.path, o.problems);
        set({ dialog: null, recent: await api.recent() });
        get().notify('info', `Opened ${o.path}`);
      } catch (e) {
        get().notify('error', `Cannot open the flow: ${errText(e)}`);
      }
    },

    importText: async (text, name) => {
      try {
        const o = await api.parse(text, name);
        get().load(o.doc, '', o.problems);
        set({ dialog: null, dirty: true });
        get().notify('info', `Imported ${name}; save it to keep it`);
      } catch (e) {
        get().notify('error', `Cannot import ${name}: ${errText(e)}`);
      }
    },

    save: async (path) => {
      const target = path ?? get().path;
      if (!target) {
        set({ dialog: 'saveAs' });
        return false;
      }
      try {
        const r = await api.save(target, get().current());
        set({ path: r.path, dirty: false, problems: r.problems, dialog: null, recent: await api.recent() });
        const n = r.problems.length;
        get().notify('info', `Saved ${r.path}${n ? ` (${n} problem${n > 1 ? 's' : ''} left)` : ''}`);
        return true;
      } catch (e) {
        get().notify('error', `Not saved: ${errText(e)}`);
        return false;
      }
    },

    exportTo: async (path) => {
      try {
        set({ exported: await api.exportFlow(get().current(), path), dialog: 'export' });
      } catch (e) {
        get().notify('error', `Export failed: ${errText(e)}`);
      }
    },

    validate: async () => {
      try {
        set({ problems: await api.validate(get().current()) });
      } catch (e) {
        get().notify('error', `Validation failed: ${errText(e)}`);
      }
    },

    addNode: (kind, at) => {
      const spec = get().specs[kind];
      if (!spec) return null;
      checkpoint();
      const s = get();
      const id = nextId(kind, s.doc.nodes.map((n) => n.id));
      const cfg = initialConfig(spec.config);
      const node: FlowNode = Object.keys(cfg).length ? { id, kind, config: cfg } : { id, kind };
      const position = at ?? { x: 80 + (s.nodes.length % 4) * 280, y: 80 + Math.floor(s.nodes.length / 4) * 140 };
      set({
        doc: { ...s.doc, nodes: [...s.doc.nodes, node] },
        nodes: [...s.nodes.map((n) => ({ ...n, selected: false })), { id, type: 'box', position, data: { kind }, selected: true }],
        selectedEdge: null,
      });
      return id;
    },

    removeNodes: (ids) => {
      if (!ids.length) return;
      checkpoint();
      const gone = new Set(ids);
      const s = get();
      set({
        doc: {
          ...s.doc,
          nodes: s.doc.nodes.filter((n) => !gone.has(n.id)),
          edges: s.doc.edges.filter((e) => !gone.has(e.from) && !gone.has(e.to)),
        },
        nodes: s.nodes.filter((n) => !gone.has(n.id)),
      });
    },

    removeEdge: (id) => {
      if (!get().doc.edges.some((e) => edgeId(e) === id)) return;
      checkpoint();
      set((s) => ({ doc: { ...s.doc, edges: s.doc.edges.filter((e) => edgeId(e) !== id) }, selectedEdge: null }));
    },

    connect: (from, to) => {
      const why = refuseConnection(get().doc, categoryOf, from, to);
      if (why) {
        get().notify('error', `Cannot connect ${from} to ${to}: ${why}`);
        return;
      }
      checkpoint();
      set((s) => ({ doc: { ...s.doc, edges: [...s.doc.edges, { from, to }] } }));
    },

    setRoute: (id, route) => {
      const old = get().doc.edges.find((e) => edgeId(e) === id);
      if (!old || (old.route ?? '') === route) return;
      checkpoint();
      const next = route ? { from: old.from, to: old.to, route } : { from: old.from, to: old.to };
      set((s) => ({ doc: { ...s.doc, edges: s.doc.edges.map((e) => (e === old ? next : e)) }, selectedEdge: edgeId(next) }));
    },

    selectEdge: (id) => set((s) => ({ selectedEdge: id, nodes: id ? s.nodes.map((n) => ({ ...n, selected: false })) : s.nodes })),
    selectNode: (id) => set((s) => ({ nodes: s.nodes.map((n) => ({ ...n, selected: n.id === id })), selectedEdge: null })),

    onNodesChange: (changes) => {
      const kept = changes.filter((c) => c.type !== 'remove');
      const moveEnded = kept.some((c) => c.type === 'position' && c.dragging === false);
      const moving = kept.some((c) => c.type === 'position' && c.dragging);
      if (moving && !get().nodes.some((n) => n.dragging)) checkpoint();
      set((s) => ({ nodes: applyNodeChanges(kept, s.nodes) }));
      if (moveEnded) set({ dirty: true });
    },

    setSection: (id, section, v) => {
      checkpoint(`${id}.${section}`);
      set((s) => ({
        doc: {
          ...s.doc,
          nodes: s.doc.nodes.map((n) => {
            if (n.id !== id) return n;
            const next = { ...n };
            if (Object.keys(v).length) next[section] = v;
            else delete next[section];
            return next;
          }),
        },
      }));
    },

    renameNode: (from, to) => {
      const s = get();
      if (!to || from === to) return;
      if (s.doc.nodes.some((n) => n.id === to)) {
        get().notify('error', `There is already a node ${to}`);
        return;
      }
      checkpoint();
      const r = (id: string) => (id === from ? to : id);
      set({
        doc: {
          ...s.doc,
          nodes: s.doc.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)),
          edges: s.doc.edges.map((e) => ({ ...e, from: r(e.from), to: r(e.to) })),
        },
        nodes: s.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)),
        samples: Object.fromEntries(Object.entries(s.samples).map(([k, v]) => [r(k), v])),
      });
    },

    setName: (name) => {
      checkpoint('name');
      set((s) => ({ doc: { ...s.doc, name } }));
    },

    setDescription: (text) => {
      checkpoint('description');
      set((s) => {
        const doc: FlowDoc = { ...s.doc, description: text };
        if (!text) delete doc.description;
        return { doc };
      });
    },

    setLogLevel: (level) => {
      checkpoint();
      set((s) => {
        const doc: FlowDoc = { ...s.doc, log_level: level };
        if (level === 'info') delete doc.log_level;
        return { doc };
      });
    },

    undo: () => {
      const s = get();
      const prev = s.past[s.past.length - 1];
      if (!prev) return;
      lastEdit = { key: '', at: 0 };
      set({ past: s.past.slice(0, -1), future: [s.current(), ...s.future], doc: prev, nodes: toCanvas(prev), dirty: true });
      scheduleValidate();
    },

    redo: () => {
      const s = get();
      const next = s.future[0];
      if (!next) return;
      lastEdit = { key: '', at: 0 };
      set({ future: s.future.slice(1), past: [...s.past, s.current()], doc: next, nodes: toCanvas(next), dirty: true });
      scheduleValidate();
    },

    copy: () => {
      const s = get();
      const ids = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      if (!ids.size) return;
      const cur = s.current();
      set({
        clip: {
          nodes: cur.nodes.filter((n) => ids.has(n.id)),
          edges: cur.edges.filter((e) => ids.has(e.from) && ids.has(e.to)),
          layout: Object.fromEntries(Object.entries(cur.layout ?? {}).filter(([id]) => ids.has(id))),
        },
      });
    },

    paste: () => {
      const clip = get().clip;
      if (!clip) return;
      checkpoint();
      const s = get();
      const taken = s.doc.nodes.map((n) => n.id);
      const rename = new Map<string, string>();
      for (const n of clip.nodes) {
        const id = nextId(n.kind, [...taken, ...rename.values()]);
        rename.set(n.id, id);
      }
      const newNodes = clip.nodes.map((n) => ({ ...structuredClone(n), id: rename.get(n.id)! }));
      const newEdges = clip.edges.map((e) => ({ ...e, from: rename.get(e.from)!, to: rename.get(e.to)! }));
      const boxes: BoxNode[] = clip.nodes.map((n) => {
        const p = clip.layout[n.id] ?? { x: 80, y: 80 };
        return { id: rename.get(n.id)!, type: 'box', position: { x: p.x + 40, y: p.y + 40 }, data: { kind: n.kind }, selected: true };
      });
      set({
        doc: { ...s.doc, nodes: [...s.doc.nodes, ...newNodes], edges: [...s.doc.edges, ...newEdges] },
        nodes: [...s.nodes.map((n) => ({ ...n, selected: false })), ...boxes],
      });
    },

    layout: () => {
      checkpoint();
      const pos = autoLayout(get().doc);
      set((s) => ({ nodes: s.nodes.map((n) => ({ ...n, position: pos[n.id] ?? n.position })) }));
    },

    setSamples: (id, text) => {
      set((s) => ({ samples: { ...s.samples, [id]: text } }));
      saveSamples(get().doc.name, get().samples);
    },

    runTest: async (id) => {
      const s = get();
      const node = s.doc.nodes.find((n) => n.id === id);
      if (!node) return;
      let events: unknown[];
      try {
        events = parseSamples(s.samples[id] ?? '');
      } catch (e) {
        get().notify('error', errText(e));
        return;
      }
      if (!events.length) {
        get().notify('error', 'Add at least one sample event (JSON) to test with');
        return;
      }
      set({ testing: id });
      try {
        const r = await api.test(node.kind, node.config ?? {}, events);
        set((st) => ({ tests: { ...st.tests, [id]: r } }));
      } catch (e) {
        get().notify('error', `Test failed: ${errText(e)}`);
      } finally {
        set({ testing: null });
      }
    },

    takeLastEvents: async (id) => {
      const s = get();
      const src = s.doc.edges.find((e) => e.to === id)?.from;
      if (!src) {
        get().notify('error', 'Connect a source to this node first');
        return;
      }
      try {
        const evs = await api.lastEvents(src, 10);
        if (!evs.length) {
          get().notify('info', `${src} has received no events yet`);
          return;
        }
        get().setSamples(id, JSON.stringify(evs, null, 2));
      } catch (e) {
        get().notify('error', errText(e));
      }
    },

    start: async () => {
      try {
        const run = await api.start(get().current());
        set({ run, counters: {}, rates: {}, history: emptyHistory() });
        pollStats();
        get().notify('info', `Running ${run.flow}`);
      } catch (e) {
        get().notify('error', `Cannot run: ${errText(e)}`);
      }
    },

    stop: async () => {
      try {
        await api.stop();
        clearInterval(statsTimer);
        set({ run: stopped() });
        get().notify('info', 'Stopped');
      } catch (e) {
        get().notify('error', `Cannot stop: ${errText(e)}`);
      }
    },

    notify: (kind, text) => set({ notice: { kind, text } }),
    setDialog: (dialog) => set({ dialog }),
    showTrace: (traceId) => set({ traceId, dialog: 'trace' }),
    toggleTheme: () => {
      const theme: Theme = get().theme === 'dark' ? 'light' : 'dark';
      localStorage.setItem('sluice.theme', theme);
      set({ theme });
    },
  };
});
