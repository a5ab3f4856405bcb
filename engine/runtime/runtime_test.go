package runtime_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/flow"
	_ "github.com/sluice-etl/sluice/engine/nodes/all"
	"github.com/sluice-etl/sluice/engine/runtime"
	"github.com/sluice-etl/sluice/engine/store"
	"github.com/sluice-etl/sluice/internal/testkit"
)

func run(t *testing.T, yaml, data string) *runtime.Runtime {
	t.Helper()
	return runWith(t, yaml, runtime.Options{DataDir: data, Listen: "127.0.0.1:0", StopTimeout: 5 * time.Second})
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func runWith(t *testing.T, yaml string, opts runtime.Options) *runtime.Runtime {
	t.Helper()
	doc, err := flow.Decode([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rt, err := runtime.New(doc, component.Default, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Stop(context.Background()) })
	return rt
}

func node(rt *runtime.Runtime, id string) runtime.NodeStats {
	for _, n := range rt.Stats().Nodes {
		if n.ID == id {
			return n
		}
	}
	return runtime.NodeStats{}
}

// post sends one JSON event to the flow's /in webhook, fails the test
// unless it is accepted, and returns the event's id.
func post(t *testing.T, rt *runtime.Runtime, body string) string {
	t.Helper()
	resp, err := http.Post("http://"+rt.Addr()+"/in", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&v)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("post %s: %s", body, resp.Status)
	}
	return v.ID
}

func TestPollDedupesAcrossRestarts(t *testing.T) {
	var page atomic.Int32
	api := testkit.NewSink(t) // reused as a plain server below
	api.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if page.Load() == 0 {
			fmt.Fprint(w, `{"data":{"items":[{"id":1,"v":"a"},{"id":2,"v":"b"}]}}`)
		} else {
			fmt.Fprint(w, `{"data":{"items":[{"id":2,"v":"b"},{"id":3,"v":"c"}]}}`)
		}
	})
	sink := testkit.NewSink(t)
	data := t.TempDir()
	yaml := fmt.Sprintf(`
version: 1
name: polltest
nodes:
  - {id: p, kind: poll, config: {url: "%s", schedule: "@every 200ms", items: data.items, dedupe_key: id}}
  - {id: out, kind: http, config: {url: "%s"}}
edges: [{from: p, to: out}]
`, api.URL, sink.URL)
	rt := run(t, yaml, data)
	testkit.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		if n := len(sink.Delivered()); n != 2 {
			return fmt.Errorf("%d delivered", n)
		}
		return nil
	})
	time.Sleep(500 * time.Millisecond) // several more polls of the same page
	if err := rt.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	page.Store(1)
	run(t, yaml, data)
	testkit.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		if n := len(sink.Delivered()); n != 3 {
			return fmt.Errorf("%d delivered", n)
		}
		return nil
	})
	time.Sleep(500 * time.Millisecond)
	var got []string
	for _, d := range sink.Requests() {
		got = append(got, string(d.Body))
	}
	joined := strings.Join(got, " ")
	if len(got) != 3 || !strings.Contains(joined, `{"id":1,"v":"a"}`) || !strings.Contains(joined, `{"id":2,"v":"b"}`) || !strings.Contains(joined, `{"id":3,"v":"c"}`) {
		t.Errorf("deliveries: %v", got)
	}
}

func TestGenerateCountIsNotRepeatedAfterRestart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out", "events.jsonl")
	data := t.TempDir()
	yaml := fmt.Sprintf(`
version: 1
name: gentest
nodes:
  - {id: g, kind: generate, config: {count: 1200, template: {k: v}}}
  - {id: f, kind: file, config: {path: "%s"}}
edges: [{from: g, to: f}]
`, out)
	rt := run(t, yaml, data)
	lines := func() int {
		f, err := os.Open(out)
		if err != nil {
			return 0
		}
		defer f.Close()
		n := 0
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var v map[string]any
			if json.Unmarshal(sc.Bytes(), &v) != nil || v["k"] != "v" {
				t.Errorf("bad line %q", sc.Text())
			}
			n++
		}
		return n
	}
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if n := lines(); n != 1200 {
			return fmt.Errorf("%d lines", n)
		}
		return nil
	})
	rt.Stop(context.Background())
	run(t, yaml, data)
	time.Sleep(300 * time.Millisecond)
	if n := lines(); n != 1200 {
		t.Errorf("after restart %d lines, want 1200", n)
	}
}

func TestRejectedAndExhaustedGoToDeadLetters(t *testing.T) {
	sink := testkit.NewSink(t)
	sink.SetStatus(func(r *http.Request, n int) int {
		if strings.Contains(r.URL.Path, "bad") {
			return http.StatusUnprocessableEntity
		}
		return http.StatusBadGateway
	})
	yaml := fmt.Sprintf(`
version: 1
name: dlqtest
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - id: bad
    kind: http
    config: {url: "%s/bad"}
    delivery: {retry: {initial: 10ms, max: 20ms}}
  - id: flaky
    kind: http
    config: {url: "%s/flaky"}
    delivery: {retry: {initial: 10ms, max: 20ms, max_attempts: 3}}
edges: [{from: in, to: bad}, {from: in, to: flaky}]
`, sink.URL, sink.URL)
	rt := run(t, yaml, t.TempDir())
	id := post(t, rt, `{"x":1}`)
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if node(rt, "bad").DeadLettered != 1 || node(rt, "flaky").DeadLettered != 1 {
			return fmt.Errorf("bad %+v flaky %+v", node(rt, "bad"), node(rt, "flaky"))
		}
		return nil
	})
	if n := len(sink.Attempts(id)); n != 4 {
		t.Errorf("%d attempts in all, want 1 (rejected at once) + 3 (max_attempts)", n)
	}
	st := rt.Store()
	dl, err := st.DeadLetter("flaky", id)
	if err != nil {
		t.Fatal(err)
	}
	if len(dl.Attempts) != 3 || dl.Attempts[2].Status != 502 || !strings.Contains(dl.Reason, "gave up after 3 attempts") {
		t.Errorf("dead letter: %+v", dl)
	}
	bad, _ := st.DeadLetter("bad", id)
	if bad == nil || !strings.Contains(bad.Reason, "rejected") || !strings.Contains(bad.Reason, "422") {
		t.Errorf("dead letter of bad: %+v", bad)
	}
	// Replay delivers once the destination is healthy.
	sink.SetStatus(nil)
	if n, err := rt.ReplayDead("flaky"); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if sink.Delivered()[id] != 1 {
			return fmt.Errorf("replayed event not delivered")
		}
		return nil
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	sink := testkit.NewSink(t)
	var first, second atomic.Int64
	sink.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UnixNano()
		if first.CompareAndSwap(0, now) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		second.CompareAndSwap(0, now)
	})
	yaml := fmt.Sprintf(`
version: 1
name: ratest
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - id: out
    kind: http
    config: {url: "%s"}
    delivery: {retry: {initial: 10ms, max: 20ms}}
edges: [{from: in, to: out}]
`, sink.URL)
	rt := run(t, yaml, t.TempDir())
	post(t, rt, `{}`)
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if second.Load() == 0 {
			return fmt.Errorf("no second attempt")
		}
		return nil
	})
	if gap := time.Duration(second.Load() - first.Load()); gap < 990*time.Millisecond {
		t.Errorf("retried after %v despite Retry-After: 1", gap)
	}
}

func TestOrderedDeliveryHoldsTheRest(t *testing.T) {
	sink := testkit.NewSink(t)
	var fails atomic.Int32
	sink.SetStatus(func(r *http.Request, n int) int {
		if fails.Add(1) <= 3 {
			return 503
		}
		return 200
	})
	yaml := fmt.Sprintf(`
version: 1
name: ordtest
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - id: out
    kind: http
    config: {url: "%s"}
    delivery: {ordered: true, concurrency: 8, retry: {initial: 20ms, max: 40ms}}
edges: [{from: in, to: out}]
`, sink.URL)
	rt := run(t, yaml, t.TempDir())
	for i := range 30 {
		post(t, rt, fmt.Sprintf(`{"i":%d}`, i))
	}
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if n := len(sink.Delivered()); n != 30 {
			return fmt.Errorf("%d delivered", n)
		}
		return nil
	})
	var order []int
	for _, d := range sink.Requests() {
		if d.Status == 200 {
			var v struct{ I int }
			json.Unmarshal(d.Body, &v)
			order = append(order, v.I)
		}
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("delivery order %v", order)
		}
	}
}

func TestMissingSecretIsAClearError(t *testing.T) {
	doc, err := flow.Decode([]byte(`
version: 1
name: sec
nodes:
  - {id: in, kind: webhook, config: {path: /in, token: "${env:SLUICE_TEST_NOT_SET}"}}
  - {id: out, kind: log}
edges: [{from: in, to: out}]
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = runtime.New(doc, component.Default, runtime.Options{DataDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), `node "in": config.token: environment variable SLUICE_TEST_NOT_SET is not set`) {
		t.Fatalf("got %v", err)
	}
}

func TestPortInUseIsAClearError(t *testing.T) {
	first := run(t, `
version: 1
name: a
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - {id: out, kind: log}
edges: [{from: in, to: out}]
`, t.TempDir())
	doc, _ := flow.Decode([]byte(`
version: 1
name: b
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - {id: out, kind: log}
edges: [{from: in, to: out}]
`), "b.yaml")
	rt, err := runtime.New(doc, component.Default, runtime.Options{DataDir: t.TempDir(), Listen: first.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	err = rt.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "listen on "+first.Addr()) || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("got %v", err)
	}
}

func TestRoutedOutputsFollowTheirEdges(t *testing.T) {
	big, small := testkit.NewSink(t), testkit.NewSink(t)
	rt := run(t, fmt.Sprintf(`
version: 1
name: routes
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - id: py
    kind: python
    config:
      code: |
        def transform(event):
            if event["amount"] > 100:
                return ("big", event)
            return ("small", event)
  - {id: bigs, kind: http, config: {url: "%s"}}
  - {id: smalls, kind: http, config: {url: "%s"}}
edges:
  - {from: in, to: py}
  - {from: py, to: bigs, route: big}
  - {from: py, to: smalls, route: small}
`, big.URL, small.URL), t.TempDir())
	for _, amount := range []int{5, 500, 50, 5000} {
		post(t, rt, fmt.Sprintf(`{"amount":%d}`, amount))
	}
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if len(big.Delivered()) != 2 || len(small.Delivered()) != 2 {
			return fmt.Errorf("big %d, small %d", len(big.Delivered()), len(small.Delivered()))
		}
		return nil
	})
	for _, d := range big.Requests() {
		if !strings.Contains(string(d.Body), "00") {
			t.Errorf("small amount routed to big: %s", d.Body)
		}
	}
}

// A transform's dead letters, replayed after its code was fixed, run
// through the fixed transform and reach the destination, once; the other
// branch of the fan-out gets nothing twice. A replay through a node the
// flow no longer has keeps the events as dead letters.
func TestReplayTransformDeadLetters(t *testing.T) {
	sink, other := testkit.NewSink(t), testkit.NewSink(t)
	data := t.TempDir()
	flowWith := func(code string) string {
		return fmt.Sprintf(`
version: 1
name: replay
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - id: py
    kind: python
    config:
      code: |
%s
  - {id: out, kind: http, config: {url: "%s"}}
  - {id: copy, kind: http, config: {url: "%s"}}
edges: [{from: in, to: py}, {from: py, to: out}, {from: in, to: copy}]
`, code, sink.URL, other.URL)
	}
	broken := "        def transform(event):\n            return {\"half\": 1 / event[\"n\"]}"
	fixed := "        def transform(event):\n            return {\"half\": 0 if event[\"n\"] == 0 else 1 / event[\"n\"]}"
	rt := run(t, flowWith(broken), data)
	for _, n := range []int{2, 0, 4, 0} {
		post(t, rt, fmt.Sprintf(`{"n":%d}`, n))
	}
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if len(sink.Delivered()) != 2 || len(other.Delivered()) != 4 || rt.Store().DeadCount("py") != 2 {
			return fmt.Errorf("out %d, copy %d, dead %d", len(sink.Delivered()), len(other.Delivered()), rt.Store().DeadCount("py"))
		}
		return nil
	})
	rt.Stop(context.Background())

	rt = run(t, flowWith(fixed), data)
	if n, err := rt.ReplayDead("py"); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if len(sink.Delivered()) != 4 || rt.Store().DeadCount("py") != 0 {
			return fmt.Errorf("out %d, dead %d", len(sink.Delivered()), rt.Store().DeadCount("py"))
		}
		return nil
	})
	for id, times := range sink.Delivered() {
		if times != 1 {
			t.Errorf("%s delivered %d times", id, times)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if len(other.Delivered()) != 4 {
		t.Errorf("the other branch got %d events, want the 4 it had", len(other.Delivered()))
	}
	if _, err := rt.ReplayDead("in"); err == nil {
		t.Error("replaying a source's dead letters succeeded")
	}
}

// Replayed into the inbox while stopped (as sluice dlq replay does), dead
// letters of a node the flow has since lost stay dead letters, with why.
func TestReplayThroughALostNodeKeepsTheEvents(t *testing.T) {
	data := t.TempDir()
	st, err := store.Open(store.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	ev := &event.Event{ID: event.NewIDs().New(time.Now()), Source: "in", ReceivedAt: time.Now().UTC(), Body: json.RawMessage(`{"n":0}`)}
	if err := st.Ingest(context.Background(), []component.Item{{Event: ev}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Process([]store.Outcome{{InboxID: ev.ID, Dead: []store.DeadLetter{{Node: "gone", Event: ev, Reason: "boom"}}}}); err != nil {
		t.Fatal(err)
	}
	if evs, err := st.ReplayDeadInbox("gone"); err != nil || len(evs) != 1 {
		t.Fatalf("replay: %d %v", len(evs), err)
	}
	st.Close()

	rt := run(t, `
version: 1
name: lost
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - {id: out, kind: log}
edges: [{from: in, to: out}]
`, data)
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if rt.Store().DeadCount("gone") != 1 {
			return fmt.Errorf("%d dead letters at gone", rt.Store().DeadCount("gone"))
		}
		return nil
	})
	d, err := rt.Store().DeadLetter("gone", ev.ID)
	if err != nil || !strings.Contains(d.Reason, "no longer a transform") || string(d.Event.Body) != `{"n":0}` {
		t.Errorf("dead letter: %+v %v", d, err)
	}
}

// Events queued for a destination that the edited flow no longer has are
// kept and shown in the status, by id.
func TestStatusShowsOrphanQueues(t *testing.T) {
	sink := testkit.NewSink(t)
	sink.SetStatus(func(*http.Request, int) int { return http.StatusServiceUnavailable })
	data := t.TempDir()
	flowTo := func(id string) string {
		return fmt.Sprintf(`
version: 1
name: orphans
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - {id: %s, kind: http, config: {url: "%s"}, delivery: {retry: {initial: 1h, max: 1h}}}
edges: [{from: in, to: %s}]
`, id, sink.URL, id)
	}
	rt := run(t, flowTo("crm"), data)
	for range 2 {
		post(t, rt, `{}`)
	}
	if o := rt.Status().Orphans; len(o) != 0 {
		t.Errorf("orphans while crm is in the flow: %+v", o)
	}
	rt.Stop(context.Background())
	rt = run(t, flowTo("crm2"), data)
	if o := rt.Status().Orphans; len(o) != 1 || o[0].ID != "crm" || o[0].Queued != 2 {
		t.Errorf("orphans: %+v, want crm with 2", o)
	}
}

// A python node's batch_wait holds the first event of a batch until the
// wait is over (or the batch is full), so that events arriving meanwhile
// share one round trip to the workers. Only the lower bound is checked:
// a busy machine can make the delivery later, never earlier.
func TestBatchWaitGathersEvents(t *testing.T) {
	sink := testkit.NewSink(t)
	rt := run(t, fmt.Sprintf(`
version: 1
name: batch-wait
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - id: py
    kind: python
    config:
      batch_wait: 600ms
      code: |
        def transform(event):
            return event
  - {id: out, kind: http, config: {url: "%s"}}
edges:
  - {from: in, to: py}
  - {from: py, to: out}
`, sink.URL), t.TempDir())
	post(t, rt, `{"n":1}`)
	first := time.Now()
	time.Sleep(100 * time.Millisecond)
	post(t, rt, `{"n":2}`)
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if n := len(sink.Requests()); n != 2 {
			return fmt.Errorf("%d of 2 delivered", n)
		}
		return nil
	})
	for _, d := range sink.Requests() {
		if held := d.At.Sub(first); held < 500*time.Millisecond {
			t.Errorf("event %s delivered %v after the first was acknowledged: the batch wait of 600ms did not hold it", d.Body, held)
		}
	}
}
