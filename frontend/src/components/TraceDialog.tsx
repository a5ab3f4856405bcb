// The trace of one event: every step from receipt through each transform
// to each delivery attempt, with bodies, logs, requests and responses. A
// transform step shows its input and each output side by side with the
// changed fields highlighted, and can run its input through the current
// code.
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useDesigner } from '../store';
import type { Payload, Step } from '../types';
import { DiffView } from './DiffView';
import { RerunPane } from './RerunPane';

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
          {s.kind === 'transformed' ? <TransformStep s={s} /> : <Body label="input" p={s.input} />}
          {s.kind !== 'transformed' && <Logs logs={s.logs} />}
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

/** The diff of the input and each output, the raw bodies, and a re-run. */
function TransformStep({ s }: { s: Step }) {
  const input = s.input;
  const outs = s.outputs ?? [];
  return (
    <>
      {input && !input.truncated && outs.map((o) =>
        o.body && !o.body.truncated ? (
          <div key={o.id} className="diff-out">
            {outs.length > 1 && <p className="small muted">output {o.id}{o.route ? ` (${o.route})` : ''}</p>}
            <DiffView before={input.data} after={o.body.data} beforeLabel="input" afterLabel="output" />
          </div>
        ) : null,
      )}
      <Body label="input" p={input} open={outs.length === 0} />
      {outs.map((o) => <Body key={o.id} label={`output ${o.id}${o.route ? ` (${o.route})` : ''}`} p={o.body} />)}
      <Logs logs={s.logs} />
      {input && <RerunPane event={s.event} node={s.node} />}
    </>
  );
}

function Logs({ logs }: { logs?: string[] }) {
  return logs && logs.length > 0 ? <pre className="logs">{logs.join('\n')}</pre> : null;
}

function Body({ label, p, open = false }: { label: string; p?: Payload; open?: boolean }) {
  if (!p) return null;
  return (
    <details open={open}>
      <summary className="small">{label} ({p.size} bytes{p.truncated ? ', cut' : ''})</summary>
      <pre>{JSON.stringify(p.data, null, 2)}</pre>
    </details>
  );
}
