// The app's own dialogs (a browser has no native file dialogs for paths on
// the server's machine) and the export result.
import { useRef, useState, type ReactNode } from 'react';
import { useDesigner } from '../store';
import { Shortcuts } from './FlowPanel';
import { TraceView } from './TraceDialog';

export function Dialogs() {
  const dialog = useDesigner((s) => s.dialog);
  if (dialog === 'open') return <OpenDialog />;
  if (dialog === 'saveAs') return <SaveAsDialog />;
  if (dialog === 'export') return <ExportDialog />;
  if (dialog === 'help') return <Modal title="Keyboard shortcuts"><Shortcuts /></Modal>;
  if (dialog === 'trace') return <TraceDialog />;
  return null;
}

function Modal({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const close = () => useDesigner.getState().setDialog(null);
  return (
    <div className="modal-back" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="modal" role="dialog" aria-label={title} data-testid={testId}>
        <header>
          <h2>{title}</h2>
          <button type="button" className="icon" onClick={close} aria-label="close">×</button>
        </header>
        {children}
      </div>
    </div>
  );
}

function OpenDialog() {
  const recent = useDesigner((s) => s.recent);
  const { openPath, importText } = useDesigner.getState();
  const [path, setPath] = useState('');
  const file = useRef<HTMLInputElement>(null);
  return (
    <Modal title="Open a flow" testId="open-dialog">
      <form className="row" onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) void openPath(path.trim());
      }}>
        <input autoFocus data-testid="open-path" placeholder="/path/to/flow.yaml (on the machine running Sluice)" value={path} onChange={(e) => setPath(e.target.value)} />
        <button type="submit" className="primary" disabled={!path.trim()}>Open</button>
      </form>
      <p className="hint">
        Or import a file from this computer:{' '}
        <button type="button" className="small" onClick={() => file.current?.click()}>Choose file…</button>
      </p>
      <input ref={file} type="file" accept=".yaml,.yml,.json" hidden onChange={async (e) => {
        const f = e.target.files?.[0];
        if (f) await importText(await f.text(), f.name);
      }} />
      {recent.length > 0 && (
        <>
          <h4>Recent</h4>
          <ul className="recent">
            {recent.map((p) => (
              <li key={p}><button type="button" className="link" onClick={() => void openPath(p)}>{p}</button></li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}

function SaveAsDialog() {
  const name = useDesigner((s) => s.doc.name);
  const current = useDesigner((s) => s.path);
  const [path, setPath] = useState(current || `${name}.yaml`);
  return (
    <Modal title="Save the flow as" testId="save-dialog">
      <form className="row" onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) void useDesigner.getState().save(path.trim());
      }}>
        <input autoFocus data-testid="save-path" value={path} onChange={(e) => setPath(e.target.value)} />
        <button type="submit" className="primary" data-testid="save-confirm">Save</button>
      </form>
      <p className="hint">A path on the machine running Sluice; relative paths are relative to its working directory.</p>
    </Modal>
  );
}

function ExportDialog() {
  const exported = useDesigner((s) => s.exported);
  const name = useDesigner((s) => s.doc.name);
  const [path, setPath] = useState(exported?.path ?? `${name}.yaml`);
  const { exportTo, notify } = useDesigner.getState();
  if (!exported) return null;
  const download = () => {
    const url = URL.createObjectURL(new Blob([exported.yaml], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${name}.yaml`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <Modal title="Export for a server" testId="export-dialog">
      {exported.warnings.length > 0 && (
        <ul className="problems">{exported.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
      )}
      <p className="hint">The same flow document, with secrets as references. Start it on a server with:</p>
      <pre className="command" data-testid="export-command">{exported.command}</pre>
      <pre className="yaml" data-testid="export-yaml">{exported.yaml}</pre>
      <form className="row" onSubmit={(e) => {
        e.preventDefault();
        void exportTo(path.trim());
      }}>
        <input data-testid="export-path" value={path} onChange={(e) => setPath(e.target.value)} />
        <button type="submit" className="primary" data-testid="export-write">Write file</button>
        <button type="button" onClick={download}>Download</button>
        <button type="button" onClick={() => void navigator.clipboard?.writeText(exported.yaml).then(() => notify('info', 'Copied'))}>Copy</button>
      </form>
      {exported.path && <p className="ok" data-testid="export-written">Written to {exported.path}</p>}
    </Modal>
  );
}

function TraceDialog() {
  const id = useDesigner((s) => s.traceId);
  return (
    <Modal title={`Trace of event ${id ?? ''}`} testId="trace-dialog">
      <TraceView />
    </Modal>
  );
}
