package runtime

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/observe"
)

// startObserving opens the trace store (in its own Badger under
// DataDir/traces, so its retention can never touch a queue) and the
// metrics, and makes them hear every event.
func (rt *Runtime) startObserving() error {
	kinds := map[string]string{}
	for _, n := range rt.order {
		kinds[n.id] = n.kind
	}
	rt.metrics = observe.NewMetrics(observe.MetricsOptions{Flow: rt.doc.Name, Kinds: kinds})
	recs := []observe.Recorder{rt.metrics}
	if !rt.opts.NoTraces && rt.opts.DataDir != "" {
		topts := rt.opts.Traces
		if topts.Logger == nil {
			topts.Logger = rt.log
		}
		t, err := observe.OpenTraces(filepath.Join(rt.opts.DataDir, "traces"), topts)
		if err != nil {
			return fmt.Errorf("open trace store: %w", err)
		}
		rt.traces = t
		rt.metrics.WatchTraces(t)
		recs = append(recs, t)
		h := t.AdminHandler()
		rt.Mount("/admin/v1/trace/", h)
		rt.Mount("/admin/v1/events", h)
	}
	if _, isNop := rt.opts.Recorder.(observe.Nop); !isNop {
		recs = append(recs, rt.opts.Recorder)
	}
	rt.opts.Recorder = observe.Multi(recs...)
	rt.Mount("/metrics", rt.metrics.Handler())
	for _, n := range rt.order {
		if n.cat != component.CategoryDestination {
			continue
		}
		n := n
		rt.metrics.WatchDestination(n.id, observe.DestinationGauges{
			Depth: func() int64 { return rt.st.QueueDepth(n.id) },
			OldestAge: func() time.Duration {
				if n.wk == nil || rt.st.QueueDepth(n.id) == 0 {
					return 0
				}
				if o := n.wk.Stats().Oldest; !o.IsZero() {
					return time.Since(o)
				}
				return 0
			},
			Paused: func() bool { return n.wk != nil && n.wk.Stats().Paused },
			InWindow: func() bool {
				return n.wk != nil && n.wk.Stats().InWindow
			},
		})
	}
	return nil
}

// Traces returns the flow's trace store (nil when traces are off).
func (rt *Runtime) Traces() *observe.Traces { return rt.traces }
