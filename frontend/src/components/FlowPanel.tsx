// The side panel when no node is selected: the flow's name, its problems
// and, while it runs, the URLs its sources listen on, live charts and the
// recent events.
import { useDesigner } from '../store';
import { LOG_LEVELS, type LogLevel } from '../types';
import { EventsPanel } from './EventsPanel';
import { RunCharts } from './RunCharts';

export function FlowPanel() {
  const name = useDesigner((s) => s.doc.name);
  const problems = useDesigner((s) => s.problems);
  const run = useDesigner((s) => s.run);
  const path = useDesigner((s) => s.path);
  const description = useDesigner((s) => s.doc.description ?? '');
  const logLevel = useDesigner((s) => s.doc.log_level ?? 'info');
  const recent = useDesigner((s) => s.recent);
  const dirty = useDesigner((s) => s.dirty);
  const { setName, setDescription, setLogLevel, selectNode, notify, openPath } = useDesigner.getState();
  return (
    <div className="panel">
      <header className="panel-head">
        <span className="pill">flow</span>
        <h2>{name}</h2>
      </header>
      <label className="field">
        <span className="label">Name</span>
        <input data-testid="flow-name" value={name} onChange={(e) => setName(e.target.value)} spellCheck={false} />
        <span className="hint">Names the flow and its data directory.</span>
      </label>
      <label className="field">
        <span className="label">Description</span>
        <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What this flow is for" />
      </label>
      <label className="field">
        <span className="label">Log level</span>
        <select data-testid="flow-log-level" value={logLevel} onChange={(e) => setLogLevel(e.target.value as LogLevel)}>
          {LOG_LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
        </select>
        <span className="hint">What the runner logs for this flow (sluice run --log-level overrides it).</span>
      </label>
      <p className="hint">{path ? `File: ${path}` : 'Not saved yet.'}</p>
      {run.running && (
        <section className="endpoints" data-testid="endpoints">
          <h4>Running on {run.addr}</h4>
          {run.endpoints.length === 0 && <p className="muted">No source of this flow listens on HTTP.</p>}
          {run.endpoints.map((e) => (
            <div key={e.node} className="endpoint">
              <span className="muted">{e.node}</span>
              <code data-testid={`url-${e.node}`}>{e.url}</code>
              <button type="button" className="small" onClick={() => {
                void navigator.clipboard?.writeText(e.url).then(() => notify('info', 'URL copied'), () => notify('error', 'Copy failed'));
              }}>Copy</button>
            </div>
          ))}
          {run.data_dir && <p className="hint">Data: {run.data_dir}</p>}
        </section>
      )}
      {run.running && <RunCharts />}
      {run.running && <EventsPanel />}
      <h4>Problems {problems.length > 0 && <span className="count">{problems.length}</span>}</h4>
      {problems.length === 0 ? (
        <p className="ok" data-testid="no-problems">✓ The flow is valid and can run.</p>
      ) : (
        <ul className="problems" data-testid="problem-list">
          {problems.map((p, i) => (
            <li key={i} className={p.node ? 'link' : ''} onClick={() => p.node && selectNode(p.node)}>
              {p.node && <b>{p.node}</b>} {p.field && <code>{p.field}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
      {recent.length > 0 && (
        <details className="group">
          <summary>Recent flows</summary>
          <ul className="recent">
            {recent.map((p) => (
              <li key={p}>
                <button type="button" className="link" onClick={() => {
                  if (!dirty || window.confirm('The flow has unsaved changes. Discard them?')) void openPath(p);
                }}>{p}</button>
              </li>
            ))}
          </ul>
        </details>
      )}
      <details className="group">
        <summary>Keyboard shortcuts</summary>
        <Shortcuts />
      </details>
    </div>
  );
}

export const SHORTCUTS: [string, string][] = [
  ['Ctrl+N', 'new flow'],
  ['Ctrl+O', 'open'],
  ['Ctrl+S', 'save'],
  ['Ctrl+Shift+S', 'save as'],
  ['Ctrl+E', 'export'],
  ['Ctrl+Z / Ctrl+Shift+Z', 'undo / redo'],
  ['Ctrl+C / Ctrl+V', 'copy / paste nodes'],
  ['Delete', 'delete selection'],
  ['F', 'zoom to fit'],
  ['L', 'auto-layout'],
  ['Ctrl+Enter', 'run the live test (in the code or the samples)'],
  ['Ctrl+R', 'run / stop the flow'],
  ['Esc', 'close dialog, clear selection'],
];

export function Shortcuts() {
  return (
    <table className="keys">
      <tbody>
        {SHORTCUTS.map(([k, what]) => (
          <tr key={k}>
            <td><kbd>{k}</kbd></td>
            <td>{what}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
