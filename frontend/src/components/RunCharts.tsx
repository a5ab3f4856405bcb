// The run view's charts: events per second in and out of each node and the
// queue depth of each destination over the last minutes, fed by the stats
// poll (one sample a second, kept in the store).
import { Component, lazy, Suspense, useMemo, type ComponentProps, type ReactNode } from 'react';
import { useDesigner } from '../store';
import { group, WINDOW_SECONDS } from '../series';

// uPlot is loaded on first use, in a chunk of its own: in the desktop
// webview (WebKitGTK 2.50 under Xvfb) the designer stayed blank when uPlot
// was part of the main bundle, and a chart must never take the designer
// down with it. A chart that cannot load says so in its place.
const LazyChart = lazy(() => import('./Chart').then((m) => ({ default: m.Chart })));

class ChartBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    return this.state.failed ? <p className="muted small">Charts are not available here.</p> : this.props.children;
  }
}

function Chart(props: ComponentProps<typeof LazyChart>) {
  return (
    <ChartBoundary>
      <Suspense fallback={<p className="muted small">Loading chart…</p>}>
        <LazyChart {...props} />
      </Suspense>
    </ChartBoundary>
  );
}

export function RunCharts() {
  const h = useDesigner((s) => s.history);
  const groups = useMemo(() => ({ in: group(h, 'in'), out: group(h, 'out'), queue: group(h, 'queue') }), [h]);
  return (
    <section className="charts" data-testid="run-charts">
      <h4>Last {WINDOW_SECONDS / 60} minutes</h4>
      {h.t.length === 0 && <p className="muted small">Collecting…</p>}
      {groups.in.length > 0 && <Chart title="events/s in" t={h.t} series={groups.in} testId="chart-in" />}
      {groups.out.length > 0 && <Chart title="events/s out" t={h.t} series={groups.out} testId="chart-out" />}
      {groups.queue.length > 0 && <Chart title="queue depth" t={h.t} series={groups.queue} decimals={0} testId="chart-queue" />}
    </section>
  );
}

/** One node's own charts: its events/s in and out, and its queue depth. */
export function NodeCharts({ id }: { id: string }) {
  const h = useDesigner((s) => s.history);
  const { rates, queue } = useMemo(() => {
    const pick = (key: string, label: string): [string, (number | null)[]][] => (h.series[key] ? [[label, h.series[key]]] : []);
    return { rates: [...pick(`in:${id}`, 'in'), ...pick(`out:${id}`, 'out')], queue: pick(`queue:${id}`, 'queued') };
  }, [h, id]);
  if (rates.length === 0 && queue.length === 0) return null;
  return (
    <section className="charts" data-testid="node-charts">
      {rates.length > 0 && <Chart title="events/s" t={h.t} series={rates} testId="chart-node-rates" />}
      {queue.length > 0 && <Chart title="queue depth" t={h.t} series={queue} decimals={0} testId="chart-node-queue" />}
    </section>
  );
}
