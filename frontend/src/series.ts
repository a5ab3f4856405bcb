// The run view's chart samples: one sample a second (each stats poll), the
// last few minutes kept, oldest dropped first. A sample holds events per
// second in and out of each node and the queue depth of each destination,
// keyed "in:NODE", "out:NODE", "queue:NODE".
import type { Category, Counters } from './types';

/** How long samples are kept, in seconds. */
export const WINDOW_SECONDS = 300;

export interface History {
  /** Sample times, Unix seconds, oldest first. */
  t: number[];
  /** One value per time for each key; null where the key had none. */
  series: Record<string, (number | null)[]>;
}

export const emptyHistory = (): History => ({ t: [], series: {} });

/**
 * The history with one more sample at time at (seconds), without samples
 * older than window seconds before it, nor more than cap samples.
 */
export function addSample(h: History, at: number, values: Record<string, number>, window = WINDOW_SECONDS, cap = window + 1): History {
  let t = [...h.t, at];
  const series: Record<string, (number | null)[]> = {};
  for (const k of new Set([...Object.keys(h.series), ...Object.keys(values)])) {
    const old = h.series[k] ?? new Array<number | null>(h.t.length).fill(null);
    const v = values[k];
    series[k] = [...old, v === undefined ? null : v];
  }
  let drop = 0;
  while (drop < t.length - 1 && (t.length - drop > cap || t[drop]! < at - window)) drop++;
  if (drop > 0) {
    t = t.slice(drop);
    for (const k of Object.keys(series)) series[k] = series[k]!.slice(drop);
  }
  for (const k of Object.keys(series)) if (series[k]!.every((v) => v === null)) delete series[k];
  return { t, series };
}

const rate = (now: number | undefined, before: number | undefined, seconds: number) =>
  now === undefined ? undefined : Math.max(0, (now - (before ?? now)) / seconds);

/**
 * One sample from two snapshots of the counters taken seconds apart:
 * events/s in (received) and out (out, or delivered for destinations) of
 * each node, and the queue depth of each destination.
 */
export function sampleOf(prev: Record<string, Counters>, next: Record<string, Counters>, seconds: number,
  category: (id: string) => Category | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (seconds <= 0) return out;
  for (const [id, c] of Object.entries(next)) {
    const p = prev[id] ?? {};
    const cat = category(id);
    const rin = rate(c.received, p.received, seconds);
    if (rin !== undefined) out[`in:${id}`] = rin;
    const rout = cat === 'destination' ? rate(c.delivered, p.delivered, seconds) : cat === 'transform' ? rate(c.out, p.out, seconds) : undefined;
    if (rout !== undefined) out[`out:${id}`] = rout;
    if (cat === 'destination' && c.queued !== undefined) out[`queue:${id}`] = c.queued;
  }
  return out;
}

/** The series of one group ("in", "out" or "queue"), by node, in name order. */
export function group(h: History, name: string): [string, (number | null)[]][] {
  const prefix = `${name}:`;
  return Object.keys(h.series)
    .filter((k) => k.startsWith(prefix))
    .sort()
    .map((k) => [k.slice(prefix.length), h.series[k]!]);
}
