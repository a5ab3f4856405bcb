// Shapes of what Go sends and receives (JSON of app/ and engine/ types).
// Nothing here describes a node kind: kinds come from the registry at run
// time as JSON Schema.

export type Category = 'source' | 'transform' | 'destination';

/** The JSON Schema subset of engine/component.Schema, with x- hints. */
export interface Schema {
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  title?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  'x-order'?: string[];
  'x-secret'?: boolean;
  'x-widget'?: string;
}

export interface Spec {
  kind: string;
  category: Category;
  title: string;
  summary: string;
  doc?: string;
  config: Schema;
}

export interface Catalog {
  kinds: Spec[];
  delivery: Schema;
}

export type Config = Record<string, unknown>;

export interface FlowNode {
  id: string;
  kind: string;
  config?: Config;
  delivery?: Config;
}

export interface FlowEdge {
  from: string;
  to: string;
  route?: string;
}

export interface Position {
  x: number;
  y: number;
}

/** The canonical flow document (engine/flow.Doc). */
export interface FlowDoc {
  version: number;
  name: string;
  description?: string;
  /** The runner's log level for this flow; absent means info. */
  log_level?: LogLevel;
  nodes: FlowNode[];
  edges: FlowEdge[];
  layout?: Record<string, Position>;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Problem {
  node?: string;
  field?: string;
  message: string;
  line?: number;
}

export interface Opened {
  path: string;
  doc: FlowDoc;
  problems: Problem[];
}

export interface Saved {
  path: string;
  problems: Problem[];
}

export interface Exported {
  path?: string;
  yaml: string;
  command: string;
  warnings: string[];
}

export interface TestError {
  message: string;
  line?: number;
  col?: number;
}

export interface EventResult {
  index: number;
  outputs: unknown[];
  dropped: boolean;
  error?: TestError;
  logs: string[];
  millis: number;
}

export interface TestResult {
  build_error?: TestError;
  results: EventResult[];
  millis: number;
}

export interface Endpoint {
  node: string;
  url: string;
}

export interface RunStatus {
  running: boolean;
  flow?: string;
  addr?: string;
  data_dir?: string;
  started_at?: string;
  endpoints: Endpoint[];
}

/** Counters of one node; every field is optional as kinds differ. */
export interface Counters {
  received?: number;
  out?: number;
  dropped?: number;
  errors?: number;
  queued?: number;
  delivered?: number;
  dead_lettered?: number;
}

export interface RunStats {
  running: boolean;
  at: string;
  stats: unknown;
}

export interface DeadItem {
  id: string;
  reason: string;
  dead_at: string;
  attempts: number;
  body: unknown;
}

/** A destination of the running flow (app.Queue). */
export interface Queue {
  id: string;
  kind: string;
  state: string;
  queued: number;
  oldest_age_seconds: number;
  rate_per_second: number;
  delivered: number;
  dead_letters: number;
  consecutive_failures: number;
  last_error?: string;
  in_window: boolean;
  dead: DeadItem[];
}

/** One event in the running flow's traces (observe.EventSummary). */
export interface EventSummary {
  id: string;
  root: string;
  received_at?: string;
  node: string;
  at: string;
  status: string;
  last_node: string;
  last_at: string;
  last_status: string;
  steps: number;
}

export interface Payload {
  data: unknown;
  truncated?: boolean;
  size: number;
}

/** One step of an event's trace (observe.Step). */
export interface Step {
  event: string;
  kind: string;
  node: string;
  at: string;
  status: string;
  took?: string;
  error?: string;
  source?: string;
  body?: Payload;
  input?: Payload;
  outputs?: { id: string; route?: string; body?: Payload }[];
  logs?: string[];
  attempt?: number;
  request?: string;
  code?: number;
  response?: string;
  next?: string;
  reason?: string;
}

/** The body that entered a transform and what it made of it (app.StepInput). */
export interface StepInput {
  event: string;
  node: string;
  input: unknown;
  status: string;
  outputs: unknown[];
  error?: string;
}
