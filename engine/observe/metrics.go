package observe

import (
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

// MetricsOptions configure Metrics.
type MetricsOptions struct {
	// Flow is the flow's name, the "flow" label of every metric.
	Flow string
	// Kinds maps node ids to their kinds, the "kind" label of the
	// per-node counters.
	Kinds map[string]string
	// TransformBuckets and DeliveryBuckets are the histogram buckets in
	// seconds (defaults: 100µs to 10s, 1ms to 60s).
	TransformBuckets []float64
	DeliveryBuckets  []float64
}

// Metrics keeps a flow's Prometheus metrics in a registry of its own. It
// implements Recorder, so the runtime feeds it with the same calls as the
// trace store (see Multi); queue depth, age and destination state are
// read at scrape time from callbacks given to WatchDestination.
type Metrics struct {
	flow  string
	kinds map[string]string
	reg   *prometheus.Registry

	in, out, dropped, errs *prometheus.CounterVec
	attempts               *prometheus.CounterVec
	dead, replayed         *prometheus.CounterVec
	deliveryDur            *prometheus.HistogramVec
	transformDur           *prometheus.HistogramVec

	nodes sync.Map // node id -> *nodeCounters
	dests *destCollector
}

type nodeCounters struct {
	in, out, dropped, errs prometheus.Counter
}

var _ Recorder = (*Metrics)(nil)

// NewMetrics returns the metrics of a flow, with the Go runtime and
// process collectors registered beside them.
func NewMetrics(opts MetricsOptions) *Metrics {
	if opts.TransformBuckets == nil {
		opts.TransformBuckets = prometheus.ExponentialBucketsRange(0.0001, 10, 12)
	}
	if opts.DeliveryBuckets == nil {
		opts.DeliveryBuckets = prometheus.ExponentialBucketsRange(0.001, 60, 12)
	}
	node := []string{"flow", "node", "kind"}
	dest := []string{"flow", "node"}
	m := &Metrics{
		flow:  opts.Flow,
		kinds: opts.Kinds,
		reg:   prometheus.NewRegistry(),
		in: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_node_events_in_total",
			Help: "Events that reached a node: received by a source, passed into a transform, enqueued for a destination."}, node),
		out: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_node_events_out_total",
			Help: "Events a node passed on: received by a source, emitted by a transform, delivered by a destination."}, node),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_node_events_dropped_total",
			Help: "Events a transform dropped (returned None)."}, node),
		errs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_node_errors_total",
			Help: "Transform errors and failed delivery attempts."}, node),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_delivery_attempts_total",
			Help: "Delivery attempts by outcome: delivered, retry (failed, tried again later) or dead (failed, given up)."}, []string{"flow", "node", "outcome"}),
		dead: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_dead_letters_total",
			Help: "Events a node gave up on and kept as dead letters."}, dest),
		replayed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_replayed_total",
			Help: "Events put back into a destination's queue (dead-letter or history replay)."}, dest),
		deliveryDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sluice_delivery_duration_seconds",
			Help: "Duration of delivery attempts, successful or not.", Buckets: opts.DeliveryBuckets}, dest),
		transformDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sluice_transform_duration_seconds",
			Help: "Time a transform spent on one event.", Buckets: opts.TransformBuckets}, dest),
		dests: &destCollector{flow: opts.Flow, dests: map[string]DestinationGauges{}},
	}
	m.reg.MustRegister(m.in, m.out, m.dropped, m.errs, m.attempts, m.dead, m.replayed, m.deliveryDur, m.transformDur, m.dests,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the registry the metrics live in, for callers that add
// their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format; the runner
// mounts it at /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// DestinationGauges are the callbacks the gauges of a destination read at
// scrape time. Any may be nil (that gauge is then not exported). They
// must be cheap and safe to call from any goroutine.
type DestinationGauges struct {
	// Depth is the number of events in the queue.
	Depth func() int64
	// OldestAge is the age of the oldest queued event (0 when empty).
	OldestAge func() time.Duration
	// Paused reports whether the destination is paused by an operator.
	Paused func() bool
	// InWindow reports whether a maintenance window holds it now.
	InWindow func() bool
}

// WatchDestination exports sluice_queue_depth,
// sluice_queue_oldest_age_seconds, sluice_destination_paused and
// sluice_destination_in_window for dest from g. Calling it again for the
// same dest replaces the callbacks.
func (m *Metrics) WatchDestination(dest string, g DestinationGauges) {
	m.dests.mu.Lock()
	defer m.dests.mu.Unlock()
	m.dests.dests[dest] = g
}

// WatchTraces exports the counters of a trace store:
// sluice_trace_records_total, sluice_trace_dropped_total and
// sluice_trace_bytes.
func (m *Metrics) WatchTraces(t *Traces) {
	labels := prometheus.Labels{"flow": m.flow}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "sluice_trace_records_total", ConstLabels: labels,
			Help: "Trace steps written since the runner started."}, func() float64 { return float64(t.records.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "sluice_trace_dropped_total", ConstLabels: labels,
			Help: "Trace steps dropped because the trace writer could not keep up."}, func() float64 { return float64(t.dropped.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sluice_trace_bytes", ConstLabels: labels,
			Help: "Size of the kept trace steps (keys and values), which retention bounds."}, func() float64 { return float64(t.bytes.Load()) }),
	)
}

func (m *Metrics) node(id string) *nodeCounters {
	if c, ok := m.nodes.Load(id); ok {
		return c.(*nodeCounters)
	}
	kind := m.kinds[id]
	c := &nodeCounters{
		in:      m.in.WithLabelValues(m.flow, id, kind),
		out:     m.out.WithLabelValues(m.flow, id, kind),
		dropped: m.dropped.WithLabelValues(m.flow, id, kind),
		errs:    m.errs.WithLabelValues(m.flow, id, kind),
	}
	got, _ := m.nodes.LoadOrStore(id, c)
	return got.(*nodeCounters)
}

// Received implements Recorder: the source took an event in and passes
// it on.
func (m *Metrics) Received(ev *event.Event) {
	c := m.node(ev.Source)
	c.in.Inc()
	c.out.Inc()
}

// Transformed implements Recorder.
func (m *Metrics) Transformed(node string, _ *event.Event, outputs []component.Output, err error, took time.Duration, _ []string) {
	c := m.node(node)
	c.in.Inc()
	switch {
	case err != nil:
		c.errs.Inc()
	case len(outputs) == 0:
		c.dropped.Inc()
	default:
		c.out.Add(float64(len(outputs)))
	}
	m.transformDur.WithLabelValues(m.flow, node).Observe(took.Seconds())
}

// Enqueued implements Recorder.
func (m *Metrics) Enqueued(dest string, _ *event.Event) {
	m.node(dest).in.Inc()
}

// Attempted implements Recorder: an attempt that failed with no next
// attempt counts as outcome "dead".
func (m *Metrics) Attempted(dest string, _ *event.Event, _ int, _ component.Receipt, err error, took time.Duration, next time.Time) {
	c := m.node(dest)
	outcome := "delivered"
	switch {
	case err == nil:
		c.out.Inc()
	case next.IsZero():
		c.errs.Inc()
		outcome = "dead"
	default:
		c.errs.Inc()
		outcome = "retry"
	}
	m.attempts.WithLabelValues(m.flow, dest, outcome).Inc()
	m.deliveryDur.WithLabelValues(m.flow, dest).Observe(took.Seconds())
}

// DeadLettered implements Recorder.
func (m *Metrics) DeadLettered(node string, _ *event.Event, _ string) {
	m.dead.WithLabelValues(m.flow, node).Inc()
}

// Replayed implements Recorder.
func (m *Metrics) Replayed(dest string, _ *event.Event, _ string) {
	m.replayed.WithLabelValues(m.flow, dest).Inc()
}

// destCollector reads the destination gauges at scrape time.
type destCollector struct {
	flow  string
	mu    sync.Mutex
	dests map[string]DestinationGauges
}

var (
	descDepth = prometheus.NewDesc("sluice_queue_depth",
		"Events waiting in a destination's queue.", []string{"flow", "node"}, nil)
	descOldest = prometheus.NewDesc("sluice_queue_oldest_age_seconds",
		"Age of the oldest event in a destination's queue (0 when empty).", []string{"flow", "node"}, nil)
	descPaused = prometheus.NewDesc("sluice_destination_paused",
		"1 while an operator holds the destination paused.", []string{"flow", "node"}, nil)
	descInWindow = prometheus.NewDesc("sluice_destination_in_window",
		"1 while a maintenance window holds the destination.", []string{"flow", "node"}, nil)
)

func (d *destCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descDepth
	ch <- descOldest
	ch <- descPaused
	ch <- descInWindow
}

func (d *destCollector) Collect(ch chan<- prometheus.Metric) {
	d.mu.Lock()
	names := make([]string, 0, len(d.dests))
	for n := range d.dests {
		names = append(names, n)
	}
	gs := make([]DestinationGauges, 0, len(names))
	sort.Strings(names)
	for _, n := range names {
		gs = append(gs, d.dests[n])
	}
	d.mu.Unlock()
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	for i, n := range names {
		g := gs[i]
		if g.Depth != nil {
			ch <- prometheus.MustNewConstMetric(descDepth, prometheus.GaugeValue, float64(g.Depth()), d.flow, n)
		}
		if g.OldestAge != nil {
			ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, g.OldestAge().Seconds(), d.flow, n)
		}
		if g.Paused != nil {
			ch <- prometheus.MustNewConstMetric(descPaused, prometheus.GaugeValue, b2f(g.Paused()), d.flow, n)
		}
		if g.InWindow != nil {
			ch <- prometheus.MustNewConstMetric(descInWindow, prometheus.GaugeValue, b2f(g.InWindow()), d.flow, n)
		}
	}
}

// Multi returns a Recorder that tells every one of rs, in order (nil and
// Nop recorders left out).
func Multi(rs ...Recorder) Recorder {
	var keep multi
	for _, r := range rs {
		if r == nil {
			continue
		}
		if _, nop := r.(Nop); nop {
			continue
		}
		keep = append(keep, r)
	}
	switch len(keep) {
	case 0:
		return Nop{}
	case 1:
		return keep[0]
	}
	return keep
}

type multi []Recorder

func (m multi) Received(ev *event.Event) {
	for _, r := range m {
		r.Received(ev)
	}
}

func (m multi) Transformed(node string, in *event.Event, outputs []component.Output, err error, took time.Duration, logs []string) {
	for _, r := range m {
		r.Transformed(node, in, outputs, err, took, logs)
	}
}

func (m multi) Enqueued(dest string, ev *event.Event) {
	for _, r := range m {
		r.Enqueued(dest, ev)
	}
}

func (m multi) Attempted(dest string, ev *event.Event, attempt int, rc component.Receipt, err error, took time.Duration, next time.Time) {
	for _, r := range m {
		r.Attempted(dest, ev, attempt, rc, err, took, next)
	}
}

func (m multi) DeadLettered(node string, ev *event.Event, reason string) {
	for _, r := range m {
		r.DeadLettered(node, ev, reason)
	}
}

func (m multi) Replayed(dest string, ev *event.Event, why string) {
	for _, r := range m {
		r.Replayed(dest, ev, why)
	}
}
