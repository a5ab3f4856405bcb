package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/observe"
	"github.com/sluice-etl/sluice/internal/testkit"
)

const traceFlow = `version: 1
name: traced
nodes:
  - id: in
    kind: webhook
    config: {path: /in}
  - id: out
    kind: http
    config: {url: "http://127.0.0.1:9/x"}
edges:
  - {from: in, to: out}
`

// traceStories writes two events' stories into the trace store of a data
// directory, as a runner would: one delivered after a retry, one
// dead-lettered. The store stays open (a runner holds it) until closed.
func traceStories(t *testing.T, data string) (*observe.Traces, string, string) {
	t.Helper()
	tr, err := observe.OpenTraces(tracesDir(data), observe.TraceOptions{SweepEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	ids := event.NewIDs()
	story := func(body string, final error) string {
		ev := &event.Event{ID: ids.New(time.Now()), Source: "in", ReceivedAt: time.Now().UTC(),
			Meta: event.Meta{Path: "/in", Remote: "127.0.0.1:40000"}, Body: json.RawMessage(body)}
		tr.Received(ev)
		tr.Enqueued("out", ev)
		tr.Attempted("out", ev, 1, component.Receipt{Request: "POST http://127.0.0.1:9/x", Status: 503, Response: "busy"},
			&component.Failure{Class: component.FailServer, Status: 503, Err: errors.New("busy")}, 3*time.Millisecond, time.Now().Add(time.Second))
		if final == nil {
			tr.Attempted("out", ev, 2, component.Receipt{Request: "POST http://127.0.0.1:9/x", Status: 200}, nil, 2*time.Millisecond, time.Time{})
		} else {
			tr.Attempted("out", ev, 2, component.Receipt{Request: "POST http://127.0.0.1:9/x", Status: 400, Response: `{"error":"bad"}`}, final, 2*time.Millisecond, time.Time{})
			tr.DeadLettered("out", ev, final.Error())
		}
		return ev.ID
	}
	ok := story(`{"order":1}`, nil)
	dead := story(`{"order":2}`, &component.Failure{Class: component.FailRejected, Status: 400, Err: errors.New("bad")})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tr.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return tr, ok, dead
}

func TestTraceAndEventsCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	flowPath := writeFlow(t, dir, traceFlow)
	tr, ok, dead := traceStories(t, data)

	check := func(t *testing.T, extra ...string) {
		t.Helper()
		out, code := sluice(t, append([]string{"trace", ok, flowPath, "--data", data}, extra...)...)
		if code != 0 {
			t.Fatalf("trace: exit %d: %s", code, out)
		}
		for _, want := range []string{"event " + ok, "received from in", "body:", `{"order":1}`, "queued for delivery",
			"attempt 1 FAILED (503) in 3ms, next try at", "response: busy", "attempt 2 delivered (200)"} {
			if !strings.Contains(out, want) {
				t.Errorf("timeline lacks %q:\n%s", want, out)
			}
		}
		if strings.Index(out, "attempt 1") > strings.Index(out, "attempt 2") {
			t.Errorf("attempts out of order:\n%s", out)
		}

		out, code = sluice(t, append([]string{"trace", dead, flowPath, "--data", data, "--json"}, extra...)...)
		var steps []observe.Step
		if code != 0 || json.Unmarshal([]byte(out), &steps) != nil {
			t.Fatalf("trace --json: exit %d: %s", code, out)
		}
		var kinds []string
		for _, s := range steps {
			kinds = append(kinds, string(s.Kind)+"/"+string(s.Status))
		}
		if got := strings.Join(kinds, " "); got != "received/received enqueued/queued attempted/failed attempted/failed dead_lettered/dead" {
			t.Errorf("dead-lettered story: %s", got)
		}

		out, code = sluice(t, append([]string{"events", flowPath, "--data", data, "--node", "out", "--since", "10m", "--status", "failed", "--json"}, extra...)...)
		var evs []observe.EventSummary
		if code != 0 || json.Unmarshal([]byte(out), &evs) != nil {
			t.Fatalf("events --json: exit %d: %s", code, out)
		}
		if len(evs) != 1 || evs[0].ID != dead || evs[0].Status != observe.StatusDead {
			t.Errorf("failed events: %s", out)
		}

		out, code = sluice(t, append([]string{"events", flowPath, "--data", data, "--node", "out"}, extra...)...)
		if code != 0 || !strings.Contains(out, "2 event(s) at out") || strings.Index(out, dead) > strings.Index(out, ok) {
			t.Errorf("events table (newest first): exit %d:\n%s", code, out)
		}

		out, code = sluice(t, append([]string{"trace", "01KAAAAAAAAAAAAAAAAAAAAAAA", flowPath, "--data", data}, extra...)...)
		if code != 1 || !strings.Contains(out, "no trace of event") {
			t.Errorf("unknown id: exit %d: %s", code, out)
		}
	}

	// A runner holds the traces: the commands ask its admin API.
	t.Run("running", func(t *testing.T) {
		srv := httptest.NewServer(tr.AdminHandler())
		defer srv.Close()
		check(t, "--admin", strings.TrimPrefix(srv.URL, "http://"))
	})
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	// Stopped: the commands read the data directory.
	t.Run("stopped", func(t *testing.T) { check(t) })

	t.Run("usage", func(t *testing.T) {
		if out, code := sluice(t, "events", flowPath, "--data", data, "--node", "nope"); code != 1 || !strings.Contains(out, `no node "nope"`) {
			t.Errorf("unknown node: exit %d: %s", code, out)
		}
		if out, code := sluice(t, "events", flowPath, "--data", data, "--status", "odd"); code != 2 || !strings.Contains(out, "status") {
			t.Errorf("bad status: exit %d: %s", code, out)
		}
		if out, code := sluice(t, "trace", ok, flowPath, "--data", filepath.Join(dir, "none")); code != 1 || !strings.Contains(out, "no data directory") {
			t.Errorf("missing data: exit %d: %s", code, out)
		}
	})
}

const tracedPython = `version: 1
name: traced-e2e
nodes:
  - id: in
    kind: webhook
    config: {path: /in}
  - id: py
    kind: python
    config:
      code: |
        def transform(event):
            if event.get("drop"):
                return None
            print("seen", event["n"])
            event["seen"] = True
            return event
  - id: out
    kind: http
    config: {url: "%s"}
    delivery:
      retry: {backoff: exponential, initial: 50ms, max: 50ms, jitter: false}
edges:
  - {from: in, to: py}
  - {from: py, to: out}
`

// The real runner records every step; the commands read them from the
// running runner and then from its stopped data directory, and /metrics
// counts what was sent.
func TestTraceRealRunner(t *testing.T) {
	sink := testkit.NewSink(t)
	sink.SetStatus(func(r *http.Request, n int) int {
		if n == 0 {
			return 503 // the first attempt fails, the retry delivers
		}
		return 200
	})
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	flowPath := writeFlow(t, dir, fmt.Sprintf(tracedPython, sink.URL))
	r := startRunner(t, flowPath, data, freeAddr(t))
	_, kept, err := post("http://"+r.addr+"/in", "application/json", `{"n":1}`)
	if err != nil {
		t.Fatal(err)
	}
	_, dropped, err := post("http://"+r.addr+"/in", "application/json", `{"n":2,"drop":true}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"received from in", "transformed into 1 event", `print:    seen 1`, `"seen":true`,
		"queued for delivery", "attempt 1 FAILED (503)", "attempt 2 delivered (200)"}
	check := func(args ...string) error {
		out, code := sluice(t, append([]string{"trace", kept, flowPath, "--data", data}, args...)...)
		if code != 0 {
			return fmt.Errorf("exit %d: %s", code, out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				return fmt.Errorf("timeline lacks %q:\n%s", w, out)
			}
		}
		return nil
	}
	// Traces lag the flow a little: poll.
	testkit.CheckFor(t, 15*time.Second, 100*time.Millisecond, func() error { return check("--admin", r.addr) })
	// Without a flow file or data directory: straight to the runner.
	if out, code := sluice(t, "trace", kept, "--admin", r.addr); code != 0 || !strings.Contains(out, "attempt 2 delivered (200)") {
		t.Errorf("trace by admin only: exit %d: %s", code, out)
	}
	out, code := sluice(t, "events", "--node", "py", "--status", "dropped", "--json", "--admin", r.addr)
	var evs []observe.EventSummary
	if code != 0 || json.Unmarshal([]byte(out), &evs) != nil || len(evs) != 1 || evs[0].ID != dropped {
		t.Errorf("dropped events at py: exit %d: %s", code, out)
	}

	resp, err := http.Get("http://" + r.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	counter := func(name, node string, extra ...string) float64 {
		for _, m := range fams[name].GetMetric() {
			ok := false
			for _, l := range m.GetLabel() {
				if l.GetName() == "node" && l.GetValue() == node {
					ok = true
				}
			}
			for i := 0; i+1 < len(extra); i += 2 {
				found := false
				for _, l := range m.GetLabel() {
					found = found || l.GetName() == extra[i] && l.GetValue() == extra[i+1]
				}
				ok = ok && found
			}
			if ok {
				return m.GetCounter().GetValue()
			}
		}
		return -1
	}
	for _, c := range []struct {
		name, node string
		extra      []string
		want       float64
	}{
		{"sluice_node_events_in_total", "in", nil, 2},
		{"sluice_node_events_in_total", "py", nil, 2},
		{"sluice_node_events_dropped_total", "py", nil, 1},
		{"sluice_node_events_out_total", "out", nil, 1},
		{"sluice_delivery_attempts_total", "out", []string{"outcome", "retry"}, 1},
		{"sluice_delivery_attempts_total", "out", []string{"outcome", "delivered"}, 1},
	} {
		if got := counter(c.name, c.node, c.extra...); got != c.want {
			t.Errorf("%s{node=%q %v} = %v, want %v", c.name, c.node, c.extra, got, c.want)
		}
	}

	r.stop(syscall.SIGTERM)
	// Stopped: the same story from the data directory.
	if err := check(); err != nil {
		t.Error(err)
	}
}
