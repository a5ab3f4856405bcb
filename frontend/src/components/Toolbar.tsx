// File, edit, view and run actions.
import { useReactFlow } from '@xyflow/react';
import { useDesigner } from '../store';
import { fileActions } from '../files';

export function Toolbar() {
  const name = useDesigner((s) => s.doc.name);
  const dirty = useDesigner((s) => s.dirty);
  const canUndo = useDesigner((s) => s.past.length > 0);
  const canRedo = useDesigner((s) => s.future.length > 0);
  const running = useDesigner((s) => s.run.running);
  const problems = useDesigner((s) => s.problems.length);
  const theme = useDesigner((s) => s.theme);
  const { undo, redo, layout, start, stop, toggleTheme } = useDesigner.getState();
  const flow = useReactFlow();
  const files = fileActions();
  return (
    <header className="toolbar">
      <span className="brand">Sluice</span>
      <span className="title" data-testid="flow-title">
        {name}
        {dirty && <span className="dirty" title="unsaved changes"> •</span>}
      </span>
      <nav className="group-buttons">
        <button type="button" onClick={files.newFlow} title="New (Ctrl+N)">New</button>
        <button type="button" onClick={files.open} title="Open (Ctrl+O)" data-testid="open">Open</button>
        <button type="button" onClick={() => void files.save()} title="Save (Ctrl+S)" data-testid="save">Save</button>
        <button type="button" onClick={() => void files.saveAs()} title="Save as (Ctrl+Shift+S)">Save as</button>
        <button type="button" onClick={() => void files.exportFlow()} title="Export for a server (Ctrl+E)" data-testid="export">Export</button>
      </nav>
      <nav className="group-buttons">
        <button type="button" onClick={undo} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="undo">↶</button>
        <button type="button" onClick={redo} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" aria-label="redo">↷</button>
        <button type="button" onClick={() => void flow.fitView({ duration: 200, maxZoom: 1 })} title="Zoom to fit (F)">Fit</button>
        <button type="button" onClick={layout} title="Auto-layout (L)">Layout</button>
      </nav>
      <span className="spacer" />
      <span className={`status ${problems ? 'bad' : 'good'}`} data-testid="problem-count" title="problems found by the engine">
        {problems ? `${problems} problem${problems > 1 ? 's' : ''}` : 'valid'}
      </span>
      {running ? (
        <button type="button" className="danger" onClick={() => void stop()} data-testid="stop" title="Stop (Ctrl+R)">■ Stop</button>
      ) : (
        <button type="button" className="primary" onClick={() => void start()} data-testid="run" title="Run on the embedded engine (Ctrl+R)">▶ Run</button>
      )}
      <button type="button" className="icon" onClick={toggleTheme} title="Light / dark theme" aria-label="toggle theme">
        {theme === 'dark' ? '☀' : '☾'}
      </button>
    </header>
  );
}
