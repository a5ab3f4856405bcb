// The frontend's only door to Go. In the desktop app the services are Wails
// bindings (window.go.app.SERVICE.METHOD); in a browser they are the same
// methods served by `sluice serve` as POST /api/SERVICE/METHOD with a JSON
// array of arguments. Both reject with the Go error's message.
import type {
  Catalog, Config, DeadItem, EventSummary, Exported, FlowDoc, Opened, Problem, Queue, RunStats, RunStatus, Saved, Step, StepInput,
  TestResult,
} from './types';

type Bound = (...args: unknown[]) => Promise<unknown>;
type Bindings = Record<string, Record<string, Bound> | undefined>;

declare global {
  interface Window {
    go?: { app?: Bindings; main?: Bindings };
  }
}

export class ApiError extends Error {}

const TOKEN_KEY = 'sluice.token';

/** The access token of `sluice serve`, passed once as #token=... in the URL. */
function token(): string {
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

async function call<T>(service: string, method: string, ...args: unknown[]): Promise<T> {
  const bound = window.go?.app?.[service]?.[method];
  if (bound) {
    try {
      return (await bound(...args)) as T;
    } catch (e) {
      throw new ApiError(message(e));
    }
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const t = token();
  if (t) headers['X-Sluice-Token'] = t;
  let res: Response;
  try {
    res = await fetch(`/api/${service}/${method}`, { method: 'POST', headers, body: JSON.stringify(args) });
  } catch (e) {
    throw new ApiError(`cannot reach the Sluice server: ${message(e)}`);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (body as { error?: string } | null)?.error;
    throw new ApiError(err ?? `${res.status} ${res.statusText}`);
  }
  return body as T;
}

function desktop(method: string): Bound | undefined {
  return window.go?.main?.Desktop?.[method];
}

export const api = {
  catalog: () => call<Catalog>('Kinds', 'Catalog'),
  newFlow: (name: string) => call<FlowDoc>('Flows', 'New', name),
  open: (path: string) => call<Opened>('Flows', 'Open', path),
  parse: (text: string, name: string) => call<Opened>('Flows', 'Parse', text, name),
  save: (path: string, doc: FlowDoc) => call<Saved>('Flows', 'Save', path, doc),
  validate: (doc: FlowDoc) => call<Problem[]>('Flows', 'Validate', doc),
  exportFlow: (doc: FlowDoc, path: string) => call<Exported>('Flows', 'Export', doc, path),
  recent: () => call<string[]>('Flows', 'Recent'),
  test: (kind: string, config: Config, events: unknown[]) =>
    call<TestResult>('Tester', 'Run', { kind, config, events }),
  start: (doc: FlowDoc) => call<RunStatus>('Runs', 'Start', doc),
  stop: () => call<RunStatus>('Runs', 'Stop'),
  status: () => call<RunStatus>('Runs', 'Status'),
  stats: () => call<RunStats>('Runs', 'Stats'),
  lastEvents: (node: string, n: number) => call<unknown[]>('Runs', 'LastEvents', node, n),
  queue: (node: string) => call<Queue>('Runs', 'Queue', node),
  pause: (node: string) => call<Queue>('Runs', 'Pause', node),
  resume: (node: string) => call<Queue>('Runs', 'Resume', node),
  replayDead: (node: string) => call<Queue>('Runs', 'ReplayDead', node),
  events: (node: string, status: string, limit: number) => call<EventSummary[]>('Runs', 'Events', node, status, limit),
  trace: (id: string) => call<Step[]>('Runs', 'Trace', id),
  /** The body that entered a transform (node; empty: the last one) in an event's trace. */
  transformInput: (event: string, node: string) => call<StepInput>('Runs', 'TransformInput', event, node),
  /** The dead letters of any node: a destination's, or the events a transform failed on. */
  deadLetters: (node: string) => call<DeadItem[]>('Runs', 'DeadLetters', node),

  /** Native dialogs and the window title exist only in the desktop app. */
  isDesktop: () => desktop('OpenFileDialog') !== undefined,
  openDialog: async (): Promise<string> => {
    const f = desktop('OpenFileDialog');
    return f ? String(await f()) : '';
  },
  saveDialog: async (name: string): Promise<string> => {
    const f = desktop('SaveFileDialog');
    return f ? String(await f(name)) : '';
  },
  /** Lets the desktop app ask before a window with unsaved changes closes. */
  setDirty: async (dirty: boolean): Promise<void> => {
    const f = desktop('SetDirty');
    if (f) await f(dirty);
  },
  setTitle: async (title: string): Promise<void> => {
    const f = desktop('SetTitle');
    if (f) await f(title);
    else document.title = title;
  },
};
