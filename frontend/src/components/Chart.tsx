// A small live line chart (uPlot) of one value per node over time. The
// chart is built once per set of series and theme, then only fed data.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useDesigner } from '../store';

/** Line colours that read on both themes, one per node in turn. */
const COLORS = ['#2f6fed', '#e07a16', '#0e9f8e', '#d93f3f', '#7a5af8', '#b8940a', '#1f9d55', '#c2418f'];

interface Props {
  title: string;
  t: number[];
  series: [string, (number | null)[]][];
  /** Decimals on the y axis and in the legend. */
  decimals?: number;
  testId?: string;
}

/** Axis and grid colours of each theme (--muted and a light --border). */
const INK = { light: { text: '#6b7385', grid: '#e8ebf0' }, dark: { text: '#949bab', grid: '#2c3240' } };

/** The x axis spans at least this many seconds, so a new run does not zoom to milliseconds. */
const MIN_SPAN = 60;

/** The x range for samples from min to max (seconds): at least MIN_SPAN wide, ending at the last one. */
function span(min: number | null, max: number | null): [number, number] {
  const end = max ?? Date.now() / 1000;
  return [Math.min(min ?? end, end - MIN_SPAN), end];
}

const clock = (s: number) => new Date(s * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function Chart({ title, t, series, decimals = 1, testId }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useDesigner((s) => s.theme);
  const names = series.map(([n]) => n).join('\u0000');

  // Build (again) when the nodes or the theme change.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const { text, grid } = INK[theme];
    const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(decimals));
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '10px sans-serif' };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: 110,
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: (_u, min, max) => span(min, max) },
        y: { range: (_u, _min, max) => [0, Math.max(decimals ? 1 : 2, max * 1.1)] },
      },
      axes: [{ ...axis, space: 70, values: (_u, vals) => vals.map(clock) }, { ...axis, size: 36, values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(decimals))) }],
      series: [{ label: 'time', value: (_u: uPlot, v: number | null) => (v === null ? '–' : clock(v)) }, ...series.map(([label], i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, value: (_u: uPlot, v: number | null) => fmt(v) }))],
    };
    const u = new uPlot(opts, [[], ...series.map(() => [])], el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 110 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [names, theme, decimals]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData([t, ...series.map(([, v]) => v)] as uPlot.AlignedData);
    // uPlot does not range x itself for a single sample.
    if (t.length > 0) {
      const [min, max] = span(t[0]!, t[t.length - 1]!);
      u.setScale('x', { min, max });
    }
  }, [t, series, names, theme]);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="small">{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}
