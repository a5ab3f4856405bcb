// A form generated from a JSON Schema of the registry. It knows JSON Schema
// types and the x- hints (x-order, x-secret, x-widget), never a node kind.
import { useState } from 'react';
import type { Config, Schema } from '../types';
import { fieldsOf, isObject, join, mapValues, problemsUnder, show, withKey } from '../schema';
import { CodeEditor } from './CodeEditor';

interface FormProps {
  schema: Schema;
  value: Config | undefined;
  onChange: (v: Config) => void;
  problems: Map<string, string[]>;
  /** Field path prefix, for nested objects and test ids. */
  path?: string;
  /** Top-level fields another component shows (the python editor). */
  skip?: string[];
}

export function SchemaForm({ schema, value, onChange, problems, path = '', skip = [] }: FormProps) {
  const vals = value ?? {};
  const values = mapValues(schema);
  return (
    <div className="form">
      {fieldsOf(schema)
        .filter((f) => !skip.includes(f.name))
        .map((f) => (
          <Field
            key={f.name}
            name={f.name}
            schema={f.schema}
            required={f.required}
            path={join(path, f.name)}
            value={vals[f.name]}
            onChange={(v) => onChange(withKey(vals, f.name, v))}
            problems={problems}
          />
        ))}
      {values && !schema.properties && (
        <MapEditor schema={values} path={path} value={vals} onChange={onChange} problems={problems} />
      )}
    </div>
  );
}

interface FieldProps {
  name: string;
  schema: Schema;
  required: boolean;
  path: string;
  value: unknown;
  onChange: (v: unknown) => void;
  problems: Map<string, string[]>;
}

function Field({ name, schema, required, path, value, onChange, problems }: FieldProps) {
  const own = problems.get(path) ?? [];
  const label = schema.title ?? name;
  if (schema.type === 'object') {
    const nested = problemsUnder(problems, path).length > 0;
    return (
      <details className={`group${nested ? ' has-problem' : ''}`} open={required || nested || value !== undefined}>
        <summary>
          {label}
          {required && <span className="req" title="required">*</span>}
        </summary>
        {schema.description && <p className="hint">{schema.description}</p>}
        <SchemaForm
          schema={schema}
          value={isObject(value) ? value : undefined}
          onChange={(v) => onChange(v)}
          problems={problems}
          path={path}
        />
        <Messages list={own} />
      </details>
    );
  }
  return (
    <label className={`field${own.length ? ' has-problem' : ''}`} data-field={path}>
      <span className="label">
        {label}
        {required && <span className="req" title="required">*</span>}
        {schema['x-secret'] && <span className="badge" title="may hold a secret reference">secret</span>}
      </span>
      <Input schema={schema} path={path} value={value} onChange={onChange} />
      {schema.description && <span className="hint">{schema.description}</span>}
      <Messages list={own} />
    </label>
  );
}

function Messages({ list }: { list: string[] }) {
  if (!list.length) return null;
  return (
    <span className="problem" role="alert">
      {list.join('; ')}
    </span>
  );
}

interface InputProps {
  schema: Schema;
  path: string;
  value: unknown;
  onChange: (v: unknown) => void;
}

function placeholder(schema: Schema): string {
  if (schema.default !== undefined) return `default: ${show(schema.default)}`;
  if (schema['x-secret']) return '${env:NAME}';
  if (schema.examples?.length) return `e.g. ${show(schema.examples[0])}`;
  return '';
}

function Input({ schema, path, value, onChange }: InputProps) {
  const testId = `field-${path}`;
  if (schema.enum) {
    return (
      <select data-testid={testId} value={value === undefined ? '' : show(value)} onChange={(e) => {
        const picked = schema.enum!.find((x) => show(x) === e.target.value);
        onChange(picked);
      }}>
        <option value="">{schema.default !== undefined ? `default (${show(schema.default)})` : '—'}</option>
        {schema.enum.map((x) => (
          <option key={show(x)} value={show(x)}>{show(x)}</option>
        ))}
      </select>
    );
  }
  switch (schema.type) {
    case 'boolean':
      return (
        <input
          type="checkbox"
          data-testid={testId}
          checked={typeof value === 'boolean' ? value : schema.default === true}
          onChange={(e) => onChange(e.target.checked === (schema.default === true) ? undefined : e.target.checked)}
        />
      );
    case 'integer':
    case 'number':
      return (
        <input
          type="number"
          data-testid={testId}
          min={schema.minimum}
          max={schema.maximum}
          step={schema.type === 'integer' ? 1 : 'any'}
          placeholder={placeholder(schema)}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        />
      );
    case 'string':
      if (schema['x-widget'] === 'code') {
        return <CodeEditor value={typeof value === 'string' ? value : ''} onChange={(v) => onChange(v || undefined)} testId={testId} />;
      }
      return (
        <input
          type="text"
          data-testid={testId}
          spellCheck={false}
          placeholder={placeholder(schema)}
          value={typeof value === 'string' ? value : value === undefined ? '' : show(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        />
      );
    case 'array':
      return <ListEditor schema={schema} path={path} value={Array.isArray(value) ? value : []} onChange={onChange} />;
    default:
      return <JsonInput testId={testId} value={value} onChange={onChange} />;
  }
}

/** A list of scalars or of objects. */
function ListEditor({ schema, path, value, onChange }: InputProps & { value: unknown[] }) {
  const item = schema.items ?? {};
  const set = (i: number, v: unknown) => {
    const next = [...value];
    next[i] = v;
    onChange(next);
  };
  const remove = (i: number) => {
    const next = value.filter((_, j) => j !== i);
    onChange(next.length ? next : undefined);
  };
  const fresh = item.type === 'object' ? {} : item.type === 'number' || item.type === 'integer' ? 0 : '';
  return (
    <div className="list" data-testid={`field-${path}`}>
      {value.map((v, i) => (
        <div className="list-row" key={i}>
          {item.type === 'object' ? (
            <SchemaForm schema={item} value={isObject(v) ? v : {}} onChange={(x) => set(i, x)} problems={new Map()} path={`${path}[${i}]`} />
          ) : (
            <Input schema={item} path={`${path}[${i}]`} value={v} onChange={(x) => set(i, x ?? '')} />
          )}
          <button type="button" className="icon" title="remove" onClick={() => remove(i)}>×</button>
        </div>
      ))}
      {value.length === 0 && Array.isArray(schema.default) && (
        <span className="hint">default: {schema.default.map(show).join(', ') || 'none'}</span>
      )}
      <button type="button" className="small" onClick={() => onChange([...value, fresh])}>+ add</button>
    </div>
  );
}

/** A free-form map: key/value rows. */
function MapEditor({ schema, path, value, onChange, problems }: { schema: Schema; path: string; value: Config; onChange: (v: Config) => void; problems: Map<string, string[]> }) {
  const [draft, setDraft] = useState('');
  const entries = Object.entries(value);
  const rename = (from: string, to: string) => {
    if (!to || to === from || to in value) return;
    onChange(Object.fromEntries(entries.map(([k, v]) => [k === from ? to : k, v])));
  };
  return (
    <div className="map" data-testid={`map-${path}`}>
      {entries.map(([k, v]) => (
        <div className="map-row" key={k}>
          <input className="key" defaultValue={k} onBlur={(e) => rename(k, e.target.value.trim())} aria-label="name" />
          <Input schema={schema} path={join(path, k)} value={v} onChange={(x) => onChange(withKey(value, k, x ?? ''))} />
          <button type="button" className="icon" title="remove" onClick={() => {
            const next = { ...value };
            delete next[k];
            onChange(next);
          }}>×</button>
          <Messages list={problems.get(join(path, k)) ?? []} />
        </div>
      ))}
      <div className="map-row">
        <input className="key" placeholder="new name" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="button" className="small" disabled={!draft.trim() || draft.trim() in value} onClick={() => {
          onChange({ ...value, [draft.trim()]: schema.type === 'string' || !schema.type ? '' : schema.default ?? '' });
          setDraft('');
        }}>+ add</button>
      </div>
    </div>
  );
}

/** Any JSON value, for fields without a type. */
function JsonInput({ testId, value, onChange }: { testId: string; value: unknown; onChange: (v: unknown) => void }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value));
  const [bad, setBad] = useState(false);
  return (
    <input
      type="text"
      data-testid={testId}
      className={bad ? 'bad' : ''}
      placeholder="JSON value"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        if (e.target.value.trim() === '') {
          setBad(false);
          onChange(undefined);
          return;
        }
        try {
          onChange(JSON.parse(e.target.value));
          setBad(false);
        } catch {
          setBad(true);
        }
      }}
    />
  );
}
