// The managed queue of a destination while the flow runs: its state,
// pause and resume, and the dead letters with replay (each can first be
// re-run through the current code of the transform it came through).
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import { useDesigner } from '../store';
import type { Queue } from '../types';
import { RerunPane } from './RerunPane';

export function QueuePanel({ id }: { id: string }) {
  const [q, setQ] = useState<Queue | null>(null);
  const [busy, setBusy] = useState(false);
  const notify = useDesigner((s) => s.notify);
  const tick = useDesigner((s) => s.counters[id]);

  const load = useCallback(async () => {
    try {
      setQ(await api.queue(id));
    } catch {
      setQ(null);
    }
  }, [id]);

  // Reload whenever the counters of this node move (they are polled).
  useEffect(() => {
    void load();
  }, [load, tick]);

  const act = async (what: string, f: () => Promise<Queue>) => {
    setBusy(true);
    try {
      setQ(await f());
      notify('info', what);
    } catch (e) {
      notify('error', e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!q) return null;
  const paused = q.state === 'paused';
  return (
    <section className="queue" data-testid="queue">
      <div className="test-head">
        <h4>
          Queue <span className={`state state-${q.state}`} data-testid="queue-state">{q.state}</span>
        </h4>
        {paused ? (
          <button type="button" className="small" disabled={busy} onClick={() => void act(`Resumed ${id}`, () => api.resume(id))}>Resume</button>
        ) : (
          <button type="button" className="small" disabled={busy} onClick={() => void act(`Paused ${id}`, () => api.pause(id))}>Pause</button>
        )}
      </div>
      <p className="small muted">
        {q.queued} queued · {q.delivered} delivered · {q.rate_per_second.toFixed(1)}/s
        {q.queued > 0 && ` · oldest ${Math.round(q.oldest_age_seconds)} s`}
      </p>
      {q.last_error && <p className="small problem">Last error: {q.last_error}</p>}
      <div className="test-head">
        <h4>Dead letters <span className="count-plain">{q.dead_letters}</span></h4>
        <button type="button" className="small" disabled={busy || q.dead_letters === 0} data-testid="replay-dead"
          onClick={() => void act(`Replaying the dead letters of ${id}`, () => api.replayDead(id))}>Replay all</button>
      </div>
      {q.dead.map((d) => (
        <details key={d.id} className="dead">
          <summary>
            <span className="small">{new Date(d.dead_at).toLocaleTimeString()}</span> {d.reason}
          </summary>
          <pre>{JSON.stringify(d.body, null, 2)}</pre>
          <span className="small muted">{d.id} · {d.attempts} attempt{d.attempts === 1 ? '' : 's'}</span>
          <RerunPane event={d.id} replay={{ label: 'Replay all dead letters', run: () => act(`Replaying the dead letters of ${id}`, () => api.replayDead(id)) }} />
        </details>
      ))}
    </section>
  );
}
