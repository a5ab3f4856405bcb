// Helpers for forms generated from the registry's JSON Schemas. They know
// JSON Schema, never a particular node kind.
import type { Config, Problem, Schema } from './types';

export interface FieldDef {
  name: string;
  schema: Schema;
  required: boolean;
}

/** The properties of an object schema in x-order, then the rest by name. */
export function fieldsOf(schema: Schema): FieldDef[] {
  const props = schema.properties ?? {};
  const order = schema['x-order'] ?? [];
  const names = [...order.filter((n) => n in props), ...Object.keys(props).filter((n) => !order.includes(n)).sort()];
  const req = new Set(schema.required ?? []);
  return names.map((name) => ({ name, schema: props[name]!, required: req.has(name) }));
}

/** The schema of a free-form map's values, if the object is a map. */
export function mapValues(schema: Schema): Schema | undefined {
  const ap = schema.additionalProperties;
  return typeof ap === 'object' ? ap : undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value with key set (or removed when value is undefined). A config
 * keeps only what the person set: defaults stay implicit, so the file
 * stays small and a default that changes upstream still applies.
 */
export function withKey(obj: Config | undefined, key: string, value: unknown): Config {
  const out: Config = { ...(obj ?? {}) };
  const empty = value === undefined || (isObject(value) && Object.keys(value).length === 0);
  if (empty) delete out[key];
  else out[key] = value;
  return out;
}

/**
 * A new node's config: a required code field without a default starts from
 * its first example (a template to edit). Other fields start empty, so the
 * engine's validation asks for them rather than an example being used.
 */
export function initialConfig(schema: Schema): Config {
  const cfg: Config = {};
  for (const f of fieldsOf(schema)) {
    if (f.required && f.schema['x-widget'] === 'code' && f.schema.default === undefined && f.schema.examples?.length) {
      cfg[f.name] = f.schema.examples[0];
    }
  }
  return cfg;
}

/**
 * Problems of one node under a prefix ("config" or "delivery"), by field
 * path as the engine names it ("config.url", "delivery.retry.initial").
 */
export function fieldProblems(problems: Problem[], node: string, prefix: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const p of problems) {
    if (p.node !== node || !p.field) continue;
    if (p.field !== prefix && !p.field.startsWith(`${prefix}.`)) continue;
    m.set(p.field, [...(m.get(p.field) ?? []), p.message]);
  }
  return m;
}

/** Problems whose field is path or lies under it (for collapsed groups). */
export function problemsUnder(problems: Map<string, string[]>, path: string): string[] {
  const out: string[] = [];
  for (const [k, v] of problems) {
    if (k === path || k.startsWith(`${path}.`) || k.startsWith(`${path}[`)) out.push(...v);
  }
  return out;
}

export function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** A short text for a default or example value. */
export function show(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Whether any field of the schema is a code editor. */
export function codeField(schema: Schema): string | undefined {
  return fieldsOf(schema).find((f) => f.schema['x-widget'] === 'code')?.name;
}
