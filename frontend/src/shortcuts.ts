// Keyboard shortcuts for the common actions.
import { useEffect } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useDesigner } from './store';
import { fileActions } from './files';

function typing(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || !!el.closest?.('.cm-editor'));
}

export function useShortcuts() {
  const flow = useReactFlow();
  useEffect(() => {
    const files = fileActions();
    const onKey = (e: KeyboardEvent) => {
      const s = useDesigner.getState();
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      const run = (f: () => void) => {
        e.preventDefault();
        f();
      };
      if (e.key === 'Escape') return run(() => (s.dialog ? s.setDialog(null) : s.selectNode(null)));
      if (mod && k === 's') return run(() => void (e.shiftKey ? files.saveAs() : files.save()));
      if (mod && k === 'o') return run(() => void files.open());
      if (mod && k === 'n') return run(files.newFlow);
      if (mod && k === 'e') return run(() => void files.exportFlow());
      if (mod && k === 'r') return run(() => void (s.run.running ? s.stop() : s.start()));
      if (typing(e.target)) return;
      if (mod && k === 'z') return run(e.shiftKey ? s.redo : s.undo);
      if (mod && k === 'y') return run(s.redo);
      if (mod && k === 'c') return run(s.copy);
      if (mod && k === 'v') return run(s.paste);
      if (mod) return;
      if (k === 'f') return run(() => void flow.fitView({ duration: 200, maxZoom: 1 }));
      if (k === 'l') return run(s.layout);
      if (k === '?') return run(() => s.setDialog('help'));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [flow]);
}
