// The trace of one event: every step from receipt through each transform
// to each delivery attempt, with bodies, logs, requests and responses.
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useDesigner } from '../store';
import type { Payload, Step } from '../types';

export function TraceView() {
  const id = useDesigner((s) => s.traceId);
  const [steps, setSteps] = useState<Step[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!id) return;
    api.trace(id).then(setSteps, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [id]);
  if (error) return <p className="problem">{error}</p>;
  if (!steps) return <p className="muted">Loading…</p>;
  return (
    <ol className="trace" data-testid="trace">
      {steps.map((s, i) => (
        <li key={i} className={`step state-border-${s.status}`}>
          <div className="step-head">
            <b>{s.kind.replace('_', ' ')}</b> at <b>{s.node}</b>
            <span className={`state state-${s.status}`}>{s.status}</span>
            <span className="muted small">{new Date(s.at).toLocaleTimeString()}{s.took ? ` · ${s.took}` : ''}</span>
          </div>
          {s.error && <pre className="err">{s.error}</pre>}
          {s.reason && <p className="small">{s.reason}</p>}
          <Body label="body" p={s.body} />
          <Body label="input" p={s.input} />
          {s.outputs?.map((o) => <Body key={o.id} label={`output ${o.id}${o.route ? ` (${o.route})` : ''}`} p={o.body} />)}
          {s.logs && s.logs.length > 0 && <pre className="logs">{s.logs.join('\n')}</pre>}
          {s.request && (
            <p className="small">
              <code>{s.request}</code> {s.code ? `→ ${s.code}` : ''} {s.attempt ? `(attempt ${s.attempt})` : ''}
              {s.next && ` · next try ${new Date(s.next).toLocaleTimeString()}`}
            </p>
          )}
          {s.response && <pre className="logs">{s.response}</pre>}
        </li>
      ))}
    </ol>
  );
}

function Body({ label, p }: { label: string; p?: Payload }) {
  if (!p) return null;
  return (
    <details>
      <summary className="small">{label} ({p.size} bytes{p.truncated ? ', cut' : ''})</summary>
      <pre>{JSON.stringify(p.data, null, 2)}</pre>
    </details>
  );
}
