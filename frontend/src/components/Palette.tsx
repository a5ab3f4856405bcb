// The node kinds of the registry, grouped by category, with search. Drag
// one onto the canvas, or click it to add it.
import { useState } from 'react';
import { useDesigner } from '../store';
import type { Category } from '../types';
import { KIND_MIME } from './Canvas';

const GROUPS: [Category, string][] = [
  ['source', 'Sources'],
  ['transform', 'Transforms'],
  ['destination', 'Destinations'],
];

export function Palette() {
  const catalog = useDesigner((s) => s.catalog);
  const addNode = useDesigner((s) => s.addNode);
  const [q, setQ] = useState('');
  const needle = q.trim().toLowerCase();
  const kinds = (catalog?.kinds ?? []).filter(
    (k) => !needle || `${k.kind} ${k.title} ${k.summary}`.toLowerCase().includes(needle),
  );
  return (
    <aside className="palette" data-testid="palette">
      <input
        className="search"
        type="search"
        placeholder="Search kinds…"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        aria-label="search node kinds"
      />
      {!catalog && <p className="muted">Loading kinds…</p>}
      {GROUPS.map(([cat, title]) => {
        const list = kinds.filter((k) => k.category === cat);
        if (!list.length) return null;
        return (
          <section key={cat}>
            <h3>{title}</h3>
            {list.map((k) => (
              <div
                key={k.kind}
                className={`kind cat-${cat}`}
                data-testid={`palette-${k.kind}`}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData(KIND_MIME, k.kind);
                  e.dataTransfer.setData('text/plain', k.kind);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onDoubleClick={() => addNode(k.kind)}
                onKeyDown={(e) => e.key === 'Enter' && addNode(k.kind)}
                tabIndex={0}
                title={`${k.summary}\n(drag onto the canvas, or double-click)`}
              >
                <span className="kind-title">{k.title}</span>
                <span className="kind-summary">{k.summary}</span>
              </div>
            ))}
          </section>
        );
      })}
    </aside>
  );
}
