import { useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { useDesigner } from './store';
import { api } from './api';
import { useShortcuts } from './shortcuts';
import { Toolbar } from './components/Toolbar';
import { Palette } from './components/Palette';
import { Canvas } from './components/Canvas';
import { Inspector } from './components/Inspector';
import { Dialogs } from './components/Dialogs';
import { Notice } from './components/Notice';
import { ErrorBoundary } from './components/ErrorBoundary';

function Shell() {
  useShortcuts();
  const theme = useDesigner((s) => s.theme);
  const name = useDesigner((s) => s.doc.name);
  const dirty = useDesigner((s) => s.dirty);
  const problems = useDesigner((s) => s.problems.length);
  const nodes = useDesigner((s) => s.doc.nodes.length);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  // The title carries what Go's validation said, so a test driving the
  // desktop window can read a round trip to Go back from the title bar.
  useEffect(() => {
    const state = problems ? `${problems} problem${problems > 1 ? 's' : ''}` : 'valid';
    void api.setTitle(`Sluice — ${name}${dirty ? ' •' : ''} — ${nodes} node${nodes === 1 ? '' : 's'}, ${state}`);
  }, [name, dirty, problems, nodes]);

  useEffect(() => {
    void api.setDirty(dirty);
  }, [dirty]);

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (useDesigner.getState().dirty) e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  return (
    <div className="app">
      <Toolbar />
      <main className="work">
        <Palette />
        <Canvas />
        <Inspector />
      </main>
      <Dialogs />
      <Notice />
    </div>
  );
}

export function App() {
  useEffect(() => {
    void useDesigner.getState().init();
  }, []);
  return (
    <ErrorBoundary>
      <ReactFlowProvider>
        <Shell />
      </ReactFlowProvider>
    </ErrorBoundary>
  );
}
