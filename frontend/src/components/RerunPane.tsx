// "Re-run this event through the current transform": the body that entered
// the transform (from the event's trace) goes through the transform's code
// as it is now in the designer (the live tester), and the new result shows
// beside the recorded one, before the user replays the dead letter.
import { useState } from 'react';
import { api } from '../api';
import { useDesigner } from '../store';
import type { EventResult, StepInput, TestError } from '../types';
import { DiffView } from './DiffView';

interface Props {
  /** The event: a dead letter's id or a traced event. */
  event: string;
  /** The transform node; empty: the last transform the event went through. */
  node?: string;
  /** The body to use when the trace has none (a transform's dead letter is its input). */
  fallback?: { body: unknown; reason: string };
  /** Offered once the new result shows (replaying the dead letters). */
  replay?: { label: string; run: () => Promise<void> };
}

interface Outcome {
  input: StepInput;
  now?: EventResult;
  buildError?: TestError;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function inputOf(event: string, node: string, fallback: Props['fallback']): Promise<StepInput> {
  try {
    return await api.transformInput(event, node);
  } catch (e) {
    if (!fallback || !node) throw e;
    return { event, node, input: fallback.body, status: 'failed', outputs: [], error: fallback.reason };
  }
}

export function RerunPane({ event, node = '', fallback, replay }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [out, setOut] = useState<Outcome | null>(null);

  const run = async () => {
    setBusy(true);
    setError('');
    try {
      const input = await inputOf(event, node, fallback);
      const s = useDesigner.getState();
      const n = s.doc.nodes.find((x) => x.id === input.node);
      if (!n || s.specs[n.kind]?.category !== 'transform') throw new Error(`${input.node} is no longer a transform of this flow`);
      const r = await api.test(n.kind, n.config ?? {}, [input.input]);
      setOut({ input, now: r.results[0], buildError: r.build_error });
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="rerun" data-testid="rerun-pane">
      <button type="button" className="small" disabled={busy} onClick={() => void run()} data-testid="rerun"
        title="run the body that entered the transform through its current code (nothing is sent)">
        {busy ? 'Running…' : out ? 'Re-run again' : 'Re-run through current code'}
      </button>
      {error && <p className="small problem">{error}</p>}
      {out && <Compare o={out} replay={replay} />}
    </div>
  );
}

function Compare({ o, replay }: { o: Outcome; replay: Props['replay'] }) {
  const old = o.input;
  const now = o.now;
  const oldOut = old.outputs[0];
  const newOut = now?.outputs[0];
  return (
    <div data-testid="rerun-result">
      <p className="small muted">Input at <b>{old.node}</b>: <code>{JSON.stringify(old.input)}</code></p>
      <div className="rerun-grid">
        <Side title="recorded" state={old.error ? 'error' : old.status === 'dropped' ? 'dropped' : 'ok'} error={old.error} outputs={old.outputs} />
        {o.buildError ? (
          <Side title="current code" state="error" error={`does not build${o.buildError.line ? ` (line ${o.buildError.line})` : ''}: ${o.buildError.message}`} outputs={[]} />
        ) : (
          <Side title="current code" state={now?.error ? 'error' : now?.dropped ? 'dropped' : 'ok'} error={now?.error?.message} outputs={now?.outputs ?? []} logs={now?.logs} testId="rerun-now" />
        )}
      </div>
      {newOut !== undefined && (
        <DiffView before={oldOut !== undefined ? oldOut : old.input} after={newOut} beforeLabel={oldOut !== undefined ? 'recorded' : 'input'} afterLabel="now" all={false} />
      )}
      {replay && (
        <p className="hint">Replay sends the recorded bodies again; the running flow keeps the code it started with (Stop and Run to use the edited code).</p>
      )}
      {replay && (
        <button type="button" className="small primary" data-testid="rerun-replay" onClick={() => void replay.run()}>{replay.label}</button>
      )}
    </div>
  );
}

interface SideProps {
  title: string;
  state: 'ok' | 'dropped' | 'error';
  error?: string;
  outputs: unknown[];
  logs?: string[];
  testId?: string;
}

function Side({ title, state, error, outputs, logs, testId }: SideProps) {
  return (
    <div className={`result ${state}`} data-testid={testId} data-state={state}>
      <div className="result-head">
        <b>{title}</b>
        <span className="tag">{state === 'error' ? 'error' : state === 'dropped' ? 'dropped' : `${outputs.length} out`}</span>
      </div>
      {error && <pre className="err">{error}</pre>}
      {outputs.map((x, i) => (
        <pre key={i}>{JSON.stringify(x, null, 2)}</pre>
      ))}
      {logs && logs.length > 0 && <pre className="logs">{logs.join('\n')}</pre>}
    </div>
  );
}
