package observe

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sluice-etl/sluice/engine/component"
)

// scrape gets /metrics over HTTP and parses it with the Prometheus text
// parser.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// value finds the sample of a family with the given labels: counter or
// gauge value, or a histogram's sample count.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		t.Errorf("no metric %s", name)
		return -1
	}
next:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if got[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Errorf("no %s%v", name, labels)
	return -1
}

func TestMetricsParse(t *testing.T) {
	m := NewMetrics(MetricsOptions{Flow: "orders-to-crm", Kinds: map[string]string{"orders": "webhook", "normalize": "python", "crm": "http"}})
	tr := openTraces(t, TraceOptions{})
	m.WatchTraces(tr)
	rec := Multi(m, tr, Nop{}, nil)
	paused := true
	m.WatchDestination("crm", DestinationGauges{
		Depth:     func() int64 { return 7 },
		OldestAge: func() time.Duration { return 90 * time.Second },
		Paused:    func() bool { return paused },
		InWindow:  func() bool { return false },
	})

	// Ten events: six delivered (one after a retry), two dropped, one
	// transform error, one dead-lettered by the destination.
	for i := 0; i < 10; i++ {
		ev := newEvent(`{"i":1}`)
		rec.Received(ev)
		switch i {
		case 0, 1:
			rec.Transformed("normalize", ev, nil, nil, time.Millisecond, nil)
			continue
		case 2:
			rec.Transformed("normalize", ev, nil, errors.New("boom"), time.Millisecond, nil)
			rec.DeadLettered("normalize", ev, "boom")
			continue
		}
		rec.Transformed("normalize", ev, []component.Output{{Body: json.RawMessage(`{}`)}}, nil, 2*time.Millisecond, nil)
		rec.Enqueued("crm", ev)
		switch i {
		case 3:
			rec.Attempted("crm", ev, 1, component.Receipt{Status: 503}, errors.New("503"), 10*time.Millisecond, time.Now().Add(time.Second))
			rec.Attempted("crm", ev, 2, component.Receipt{Status: 200}, nil, 5*time.Millisecond, time.Time{})
		case 4:
			rec.Attempted("crm", ev, 1, component.Receipt{Status: 400}, errors.New("400"), 5*time.Millisecond, time.Time{})
			rec.DeadLettered("crm", ev, "rejected")
		default:
			rec.Attempted("crm", ev, 1, component.Receipt{Status: 200}, nil, 5*time.Millisecond, time.Time{})
		}
	}
	flush(t, tr)

	fams := scrape(t, m.Handler())
	node := func(n, kind string) map[string]string {
		return map[string]string{"flow": "orders-to-crm", "node": n, "kind": kind}
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"sluice_node_events_in_total", node("orders", "webhook"), 10},
		{"sluice_node_events_out_total", node("orders", "webhook"), 10},
		{"sluice_node_events_in_total", node("normalize", "python"), 10},
		{"sluice_node_events_out_total", node("normalize", "python"), 7},
		{"sluice_node_events_dropped_total", node("normalize", "python"), 2},
		{"sluice_node_errors_total", node("normalize", "python"), 1},
		{"sluice_node_events_in_total", node("crm", "http"), 7},
		{"sluice_node_events_out_total", node("crm", "http"), 6},
		{"sluice_node_errors_total", node("crm", "http"), 2},
		{"sluice_delivery_attempts_total", map[string]string{"node": "crm", "outcome": "delivered"}, 6},
		{"sluice_delivery_attempts_total", map[string]string{"node": "crm", "outcome": "retry"}, 1},
		{"sluice_delivery_attempts_total", map[string]string{"node": "crm", "outcome": "dead"}, 1},
		{"sluice_dead_letters_total", map[string]string{"node": "crm"}, 1},
		{"sluice_dead_letters_total", map[string]string{"node": "normalize"}, 1},
		{"sluice_delivery_duration_seconds", map[string]string{"node": "crm"}, 8},
		{"sluice_transform_duration_seconds", map[string]string{"node": "normalize"}, 10},
		{"sluice_queue_depth", map[string]string{"flow": "orders-to-crm", "node": "crm"}, 7},
		{"sluice_queue_oldest_age_seconds", map[string]string{"node": "crm"}, 90},
		{"sluice_destination_paused", map[string]string{"node": "crm"}, 1},
		{"sluice_destination_in_window", map[string]string{"node": "crm"}, 0},
		{"sluice_trace_records_total", nil, 10 + 10 + 2 + 7 + 8}, // received, transformed, dead letters, enqueued, attempts
		{"sluice_trace_dropped_total", nil, 0},
	} {
		if got := value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if f := fams["sluice_delivery_duration_seconds"]; f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("delivery duration is not a histogram")
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_resident_memory_bytes"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if value(t, fams, "sluice_trace_bytes", nil) <= 0 {
		t.Errorf("trace bytes not counted")
	}

	// Gauges follow their callbacks.
	paused = false
	if got := value(t, scrape(t, m.Handler()), "sluice_destination_paused", map[string]string{"node": "crm"}); got != 0 {
		t.Errorf("paused after resume = %v", got)
	}
}

func TestMulti(t *testing.T) {
	if _, ok := Multi().(Nop); !ok {
		t.Error("Multi() is not Nop")
	}
	m := NewMetrics(MetricsOptions{})
	if Multi(nil, m, Nop{}) != Recorder(m) {
		t.Error("Multi of one recorder is not that recorder")
	}
}

func BenchmarkMetrics(b *testing.B) {
	m := NewMetrics(MetricsOptions{Flow: "f", Kinds: map[string]string{"orders": "webhook", "normalize": "python", "crm": "http"}})
	ev := newEvent(`{}`)
	outs := []component.Output{{Body: json.RawMessage(`{}`)}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Received(ev)
			m.Transformed("normalize", ev, outs, nil, time.Millisecond, nil)
			m.Enqueued("crm", ev)
			m.Attempted("crm", ev, 1, component.Receipt{Status: 200}, nil, time.Millisecond, time.Time{})
		}
	})
	b.ReportMetric(float64(4*b.N)/b.Elapsed().Seconds(), "calls/s")
}
