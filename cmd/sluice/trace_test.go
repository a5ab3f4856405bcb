package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/observe"
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
