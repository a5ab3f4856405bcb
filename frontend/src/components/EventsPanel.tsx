// Recent events of the running flow (at one node, or anywhere), newest
// first; a click opens the event's trace.
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useDesigner } from '../store';
import type { EventSummary } from '../types';

const FILTERS: [string, string][] = [
  ['', 'all'],
  ['delivered', 'delivered'],
  ['dropped', 'dropped'],
  ['failed', 'failed'],
  ['dead', 'dead'],
];

export function EventsPanel({ node = '' }: { node?: string }) {
  const [status, setStatus] = useState('');
  const [events, setEvents] = useState<EventSummary[]>([]);
  const counters = useDesigner((s) => s.counters);
  const showTrace = useDesigner((s) => s.showTrace);

  // Reload whenever the counters move (they are polled while running).
  useEffect(() => {
    let live = true;
    api.events(node, status, 20).then(
      (evs) => live && setEvents(evs),
      () => live && setEvents([]),
    );
    return () => {
      live = false;
    };
  }, [node, status, counters]);

  return (
    <section className="events" data-testid="events">
      <div className="test-head">
        <h4>Recent events{node ? ` at ${node}` : ''}</h4>
        <select value={status} onChange={(e) => setStatus(e.target.value)} aria-label="filter events" className="compact">
          {FILTERS.map(([v, label]) => (
            <option key={v} value={v}>{label}</option>
          ))}
        </select>
      </div>
      {events.length === 0 && <p className="muted small">No events yet.</p>}
      <ul className="event-list">
        {events.map((e) => {
          const st = node ? e.status : e.last_status;
          return (
            <li key={`${e.id}-${e.node}`}>
              <button type="button" className="event" onClick={() => showTrace(e.root)} data-testid="event" title="show the trace">
                <span className={`state state-${st}`}>{st}</span>
                <code>{e.root.slice(-8)}</code>
                <span className="muted small">{node ? '' : `${e.last_node} · `}{new Date(e.last_at).toLocaleTimeString()}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
