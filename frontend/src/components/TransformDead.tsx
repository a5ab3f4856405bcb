// The events a transform failed on while the flow runs (its dead letters:
// the body as it entered the transform), each with a re-run through the
// current code.
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useDesigner } from '../store';
import type { DeadItem } from '../types';
import { RerunPane } from './RerunPane';

export function TransformDead({ id }: { id: string }) {
  const [dead, setDead] = useState<DeadItem[]>([]);
  const tick = useDesigner((s) => s.counters[id]);

  // Reload whenever the counters of this node move (they are polled).
  useEffect(() => {
    let live = true;
    api.deadLetters(id).then(
      (d) => live && setDead(d),
      () => live && setDead([]),
    );
    return () => {
      live = false;
    };
  }, [id, tick]);

  if (dead.length === 0) return null;
  return (
    <section className="queue" data-testid="transform-dead">
      <h4>Failed events <span className="count-plain">{dead.length}</span></h4>
      {dead.map((d) => (
        <details key={d.id} className="dead">
          <summary>
            <span className="small">{new Date(d.dead_at).toLocaleTimeString()}</span> {d.reason}
          </summary>
          <pre>{JSON.stringify(d.body, null, 2)}</pre>
          <span className="small muted">{d.id}</span>
          <RerunPane event={d.id} node={id} fallback={{ body: d.body, reason: d.reason }} />
        </details>
      ))}
    </section>
  );
}
