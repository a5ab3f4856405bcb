// Live test of a transform: sample events in, each event's output, drop or
// error out, side by side, with what the code printed.
import { useRef } from 'react';
import { useDesigner } from '../store';
import type { EventResult } from '../types';

const EXAMPLE = '[\n  {"amount": 12, "email": "Ann@Example.com"},\n  {"amount": -1, "email": "bob@example.com"}\n]';

export function TestPane({ id }: { id: string }) {
  const samples = useDesigner((s) => s.samples[id] ?? '');
  const result = useDesigner((s) => s.tests[id]);
  const busy = useDesigner((s) => s.testing === id);
  const running = useDesigner((s) => s.run.running);
  const { setSamples, runTest, takeLastEvents } = useDesigner.getState();
  const file = useRef<HTMLInputElement>(null);
  return (
    <section className="test" data-testid="test-pane">
      <div className="test-head">
        <h4>Live test</h4>
        <div className="row">
          <button type="button" className="small" onClick={() => file.current?.click()}>Load file…</button>
          <button type="button" className="small" disabled={!running} title="the last events the connected source received" onClick={() => void takeLastEvents(id)}>
            Last events
          </button>
          <button type="button" className="primary small" data-testid="run-test" disabled={busy} onClick={() => void runTest(id)} title="Ctrl+Enter">
            {busy ? 'Testing…' : 'Test ▶'}
          </button>
        </div>
        <input ref={file} type="file" accept=".json,.jsonl,.txt" hidden onChange={async (e) => {
          const f = e.target.files?.[0];
          if (f) setSamples(id, await f.text());
          e.target.value = '';
        }} />
      </div>
      <div className="test-grid">
        <textarea
          data-testid="samples"
          spellCheck={false}
          placeholder={`Sample events: a JSON array, one JSON object, or one per line\n${EXAMPLE}`}
          value={samples}
          onChange={(e) => setSamples(id, e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void runTest(id);
            }
          }}
        />
        <div className="results" data-testid="test-results">
          {!result && <p className="muted">Results appear here.</p>}
          {result?.build_error && (
            <div className="result error" data-testid="build-error">
              <b>Does not build{result.build_error.line ? ` (line ${result.build_error.line})` : ''}:</b> {result.build_error.message}
            </div>
          )}
          {result?.results.map((r) => <Result key={r.index} r={r} />)}
          {result && <p className="muted small">{result.millis.toFixed(1)} ms</p>}
        </div>
      </div>
    </section>
  );
}

function Result({ r }: { r: EventResult }) {
  const state = r.error ? 'error' : r.dropped ? 'dropped' : 'ok';
  return (
    <div className={`result ${state}`} data-testid={`result-${r.index}`} data-state={state}>
      <div className="result-head">
        <b>#{r.index + 1}</b>
        <span className="tag">{r.error ? `error${r.error.line ? ` line ${r.error.line}` : ''}` : r.dropped ? 'dropped' : `${r.outputs.length} out`}</span>
      </div>
      {r.error && <pre className="err">{r.error.message}</pre>}
      {r.outputs.map((o, i) => (
        <pre key={i}>{JSON.stringify(o, null, 2)}</pre>
      ))}
      {r.logs.length > 0 && <pre className="logs">{r.logs.join('\n')}</pre>}
    </div>
  );
}
