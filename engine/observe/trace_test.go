package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

func openTraces(t testing.TB, opts TraceOptions) *Traces {
	t.Helper()
	if opts.SweepEvery == 0 {
		opts.SweepEvery = -1
	}
	tr, err := OpenTraces(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func flush(t testing.TB, tr *Traces) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tr.Flush(ctx); err != nil {
		t.Fatalf("flush: %v (%+v)", err, tr.Stats())
	}
}

var ids = event.NewIDs()

func newEvent(body string) *event.Event {
	now := time.Now().UTC()
	return &event.Event{ID: ids.New(now), Source: "orders", ReceivedAt: now,
		Meta: event.Meta{Path: "/hooks/orders", Headers: map[string]string{"Content-Type": "application/json"}},
		Body: json.RawMessage(body)}
}

// out is what the runtime passes on after a transform.
func out(ev *event.Event, body string) *event.Event {
	o := *ev
	o.Body = json.RawMessage(body)
	return &o
}

type wantStep struct {
	kind   Kind
	node   string
	status Status
	event  string // when not the traced id
}

func checkSteps(t *testing.T, got []Step, id string, want []wantStep) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d steps, want %d:\n%s", len(got), len(want), dump(got))
	}
	for i, w := range want {
		g := got[i]
		ev := w.event
		if ev == "" {
			ev = id
		}
		if g.Kind != w.kind || g.Node != w.node || g.Status != w.status || g.Event != ev {
			t.Errorf("step %d: got %s %s %s %s, want %s %s %s %s", i, g.Kind, g.Node, g.Status, g.Event, w.kind, w.node, w.status, ev)
		}
		if i > 0 && g.At.Before(got[i-1].At) {
			t.Errorf("step %d at %v is before step %d at %v", i, g.At, i-1, got[i-1].At)
		}
	}
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestTraceStories(t *testing.T) {
	tr := openTraces(t, TraceOptions{})
	receipt := func(code int) component.Receipt {
		return component.Receipt{Request: "POST http://127.0.0.1:9/orders", Status: code, Response: fmt.Sprintf(`{"code":%d}`, code)}
	}

	// Delivered.
	delivered := newEvent(`{"amount":5,"email":"A@X.ORG"}`)
	tr.Received(delivered)
	tr.Transformed("normalize", delivered, []component.Output{{Body: json.RawMessage(`{"amount":5,"email":"a@x.org"}`)}}, nil, 2*time.Millisecond, []string{"lower-cased"})
	d2 := out(delivered, `{"amount":5,"email":"a@x.org"}`)
	tr.Enqueued("crm", d2)
	tr.Attempted("crm", d2, 1, receipt(200), nil, 3*time.Millisecond, time.Time{})

	// Dropped.
	dropped := newEvent(`{"amount":-1}`)
	tr.Received(dropped)
	tr.Transformed("normalize", dropped, nil, nil, time.Millisecond, nil)

	// Failed, then delivered.
	retried := newEvent(`{"amount":7}`)
	tr.Received(retried)
	tr.Transformed("normalize", retried, []component.Output{{Body: json.RawMessage(`{"amount":7}`)}}, nil, time.Millisecond, nil)
	tr.Enqueued("crm", retried)
	next := time.Now().Add(time.Second).UTC()
	tr.Attempted("crm", retried, 1, receipt(503), &component.Failure{Class: component.FailServer, Status: 503, Err: errors.New("service unavailable")}, 4*time.Millisecond, next)
	tr.Attempted("crm", retried, 2, receipt(200), nil, 3*time.Millisecond, time.Time{})

	// Dead-lettered by the destination.
	dead := newEvent(`{"amount":9}`)
	tr.Received(dead)
	tr.Transformed("normalize", dead, []component.Output{{Body: json.RawMessage(`{"amount":9}`)}}, nil, time.Millisecond, nil)
	tr.Enqueued("crm", dead)
	tr.Attempted("crm", dead, 1, receipt(400), &component.Failure{Class: component.FailRejected, Status: 400, Err: errors.New("bad request")}, 2*time.Millisecond, time.Time{})
	tr.DeadLettered("crm", dead, "rejected (status 400): bad request")

	// Failed in the transform, dead-lettered there.
	broken := newEvent(`{"amount":"x"}`)
	tr.Received(broken)
	tr.Transformed("normalize", broken, nil, errors.New(`line 3: TypeError: '<' not supported`), time.Millisecond, []string{"before"})
	tr.DeadLettered("normalize", broken, `line 3: TypeError: '<' not supported`)
	flush(t, tr)

	t.Run("delivered", func(t *testing.T) {
		got, err := tr.Trace(delivered.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, got, delivered.ID, []wantStep{
			{KindReceived, "orders", StatusReceived, ""},
			{KindTransformed, "normalize", StatusTransformed, ""},
			{KindEnqueued, "crm", StatusQueued, ""},
			{KindAttempted, "crm", StatusDelivered, ""},
		})
		rcv, trf, att := got[0], got[1], got[3]
		if rcv.Source != "orders" || rcv.Meta == nil || rcv.Meta.Path != "/hooks/orders" || string(rcv.Body.Data) != `{"amount":5,"email":"A@X.ORG"}` || rcv.Body.Truncated {
			t.Errorf("received step: %s", dump(rcv))
		}
		if string(trf.Input.Data) != `{"amount":5,"email":"A@X.ORG"}` || len(trf.Outputs) != 1 ||
			string(trf.Outputs[0].Body.Data) != `{"amount":5,"email":"a@x.org"}` || trf.Outputs[0].ID != delivered.ID ||
			trf.Took.D() != 2*time.Millisecond || len(trf.Logs) != 1 || trf.Logs[0] != "lower-cased" {
			t.Errorf("transform step: %s", dump(trf))
		}
		if att.Attempt != 1 || att.Code != 200 || att.Request == "" || att.Response != `{"code":200}` || att.Error != "" || !att.Next.IsZero() {
			t.Errorf("attempt step: %s", dump(att))
		}
	})
	t.Run("dropped", func(t *testing.T) {
		got, err := tr.Trace(dropped.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, got, dropped.ID, []wantStep{
			{KindReceived, "orders", StatusReceived, ""},
			{KindTransformed, "normalize", StatusDropped, ""},
		})
	})
	t.Run("failed then delivered", func(t *testing.T) {
		got, err := tr.Trace(retried.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, got, retried.ID, []wantStep{
			{KindReceived, "orders", StatusReceived, ""},
			{KindTransformed, "normalize", StatusTransformed, ""},
			{KindEnqueued, "crm", StatusQueued, ""},
			{KindAttempted, "crm", StatusFailed, ""},
			{KindAttempted, "crm", StatusDelivered, ""},
		})
		f := got[3]
		if f.Code != 503 || !strings.Contains(f.Error, "service unavailable") || !f.Next.Equal(next) || f.Attempt != 1 {
			t.Errorf("failed attempt: %s", dump(f))
		}
		if got[4].Attempt != 2 {
			t.Errorf("second attempt: %s", dump(got[4]))
		}
	})
	t.Run("dead-lettered", func(t *testing.T) {
		got, err := tr.Trace(dead.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, got, dead.ID, []wantStep{
			{KindReceived, "orders", StatusReceived, ""},
			{KindTransformed, "normalize", StatusTransformed, ""},
			{KindEnqueued, "crm", StatusQueued, ""},
			{KindAttempted, "crm", StatusFailed, ""},
			{KindDeadLettered, "crm", StatusDead, ""},
		})
		if got[4].Reason == "" {
			t.Errorf("dead letter without reason: %s", dump(got[4]))
		}
	})
	t.Run("transform error", func(t *testing.T) {
		got, err := tr.Trace(broken.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkSteps(t, got, broken.ID, []wantStep{
			{KindReceived, "orders", StatusReceived, ""},
			{KindTransformed, "normalize", StatusFailed, ""},
			{KindDeadLettered, "normalize", StatusDead, ""},
		})
		if !strings.Contains(got[1].Error, "line 3") || got[1].Logs[0] != "before" {
			t.Errorf("transform error step: %s", dump(got[1]))
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if _, err := tr.Trace(ids.New(time.Now())); !errors.Is(err, ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
		// An id that is a prefix of a kept one is not that one.
		if _, err := tr.Trace(delivered.ID[:20]); !errors.Is(err, ErrNotFound) {
			t.Errorf("prefix id: got %v, want ErrNotFound", err)
		}
	})

	t.Run("events", func(t *testing.T) {
		for _, c := range []struct {
			q    Query
			want []string // newest first
		}{
			{Query{Node: "crm"}, []string{dead.ID, retried.ID, delivered.ID}},
			{Query{Node: "crm", Status: "failed"}, []string{dead.ID}},
			{Query{Node: "crm", Status: "dead"}, []string{dead.ID}},
			{Query{Node: "crm", Status: "delivered"}, []string{retried.ID, delivered.ID}},
			{Query{Node: "normalize", Status: "dropped"}, []string{dropped.ID}},
			{Query{Node: "normalize", Status: "failed"}, []string{broken.ID, dead.ID}},
			// At the source, the status is what became of the event.
			{Query{Node: "orders", Status: "delivered"}, []string{retried.ID, delivered.ID}},
			{Query{Node: "orders", Limit: 2}, []string{broken.ID, dead.ID}},
			{Query{Status: "dead"}, []string{broken.ID, dead.ID}},
			{Query{Node: "crm", Since: time.Now().Add(time.Minute)}, nil},
			{Query{Node: "nowhere"}, nil},
		} {
			got, err := tr.Events(c.q)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []string
			for _, s := range got {
				gotIDs = append(gotIDs, s.ID)
			}
			if fmt.Sprint(gotIDs) != fmt.Sprint(c.want) {
				t.Errorf("%+v: got %v, want %v", c.q, gotIDs, c.want)
			}
		}
		got, err := tr.Events(Query{Node: "crm", Status: "dead"})
		if err != nil || len(got) != 1 {
			t.Fatal(got, err)
		}
		if s := got[0]; s.Node != "crm" || s.Status != StatusDead || s.LastStatus != StatusDead || s.LastNode != "crm" || s.Steps != 5 {
			t.Errorf("summary: %s", dump(s))
		}
	})
}

func TestTraceFanOut(t *testing.T) {
	tr := openTraces(t, TraceOptions{})
	ev := newEvent(`{"items":[1,2]}`)
	tr.Received(ev)
	tr.Transformed("split", ev, []component.Output{{Body: json.RawMessage(`1`)}, {Body: json.RawMessage(`2`)}}, nil, time.Millisecond, nil)
	c0, c1 := out(ev, `1`), out(ev, `2`)
	c0.ID, c1.ID = ev.ID+"-0", ev.ID+"-1"
	tr.Enqueued("crm", c0)
	tr.Enqueued("crm", c1)
	tr.Attempted("crm", c1, 1, component.Receipt{Status: 200}, nil, time.Millisecond, time.Time{})
	tr.Attempted("crm", c0, 1, component.Receipt{Status: 200}, nil, time.Millisecond, time.Time{})
	flush(t, tr)

	got, err := tr.Trace(ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkSteps(t, got, ev.ID, []wantStep{
		{KindReceived, "orders", StatusReceived, ""},
		{KindTransformed, "split", StatusTransformed, ""},
		{KindEnqueued, "crm", StatusQueued, c0.ID},
		{KindEnqueued, "crm", StatusQueued, c1.ID},
		{KindAttempted, "crm", StatusDelivered, c1.ID},
		{KindAttempted, "crm", StatusDelivered, c0.ID},
	})
	if o := got[1].Outputs; len(o) != 2 || o[0].ID != c0.ID || o[1].ID != c1.ID {
		t.Errorf("outputs: %s", dump(o))
	}
	// A descendant's trace shows its ancestors' steps and its own, not
	// its siblings'.
	got, err = tr.Trace(c1.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkSteps(t, got, ev.ID, []wantStep{
		{KindReceived, "orders", StatusReceived, ""},
		{KindTransformed, "split", StatusTransformed, ""},
		{KindEnqueued, "crm", StatusQueued, c1.ID},
		{KindAttempted, "crm", StatusDelivered, c1.ID},
	})
}

func TestTraceTruncatesBodies(t *testing.T) {
	tr := openTraces(t, TraceOptions{MaxBody: 16, MaxResponse: 8})
	ev := newEvent(`{"text":"ééééééééééééééééééééé"}`)
	tr.Received(ev)
	tr.Attempted("crm", ev, 1, component.Receipt{Status: 500, Response: strings.Repeat("x", 100)}, errors.New("boom"), time.Millisecond, time.Time{})
	flush(t, tr)
	got, err := tr.Trace(ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := got[0].Body
	var s string
	if !b.Truncated || b.Size != len(ev.Body) || json.Unmarshal(b.Data, &s) != nil || len(s) > 16 || !strings.HasPrefix(string(ev.Body), s) {
		t.Errorf("truncated body: %s", dump(b))
	}
	if got[1].Response != "xxxxxxxx" {
		t.Errorf("response excerpt %q", got[1].Response)
	}
}

// Retention runs in the trace database only. The queue store is another
// Badger database in another directory (DATA/traces beside the store's
// files), so no retention run can ever reach a queued event.
func TestRetentionWhileWriting(t *testing.T) {
	const maxBytes = 256 << 10
	tr := openTraces(t, TraceOptions{MaxBytes: maxBytes, SweepEvery: 10 * time.Millisecond, Buffer: 4096})
	first := newEvent(`{"n":0}`)
	tr.Received(first)
	flush(t, tr)
	if _, err := tr.Trace(first.ID); err != nil {
		t.Fatal(err)
	}

	var written atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				ev := newEvent(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("p", 1000)))
				tr.Received(ev)
				tr.Enqueued("crm", ev)
				tr.Attempted("crm", ev, 1, component.Receipt{Status: 200}, nil, time.Millisecond, time.Time{})
				written.Add(3)
				if i%16 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	// Writes go on while the background loop deletes.
	deadline := time.Now().Add(5 * time.Second)
	for tr.Stats().Deleted == 0 || written.Load() < 3000 {
		if time.Now().After(deadline) {
			t.Fatalf("retention deleted nothing: %+v after %d records", tr.Stats(), written.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	flush(t, tr)
	final := newEvent(`{"final":true}`)
	tr.Received(final)
	tr.Enqueued("crm", final)
	tr.Attempted("crm", final, 1, component.Receipt{Status: 200}, nil, time.Millisecond, time.Time{})
	flush(t, tr)
	if _, err := tr.Sweep(time.Now()); err != nil {
		t.Fatal(err)
	}
	st := tr.Stats()
	if st.Bytes > maxBytes {
		t.Errorf("kept %d bytes, max %d: %+v", st.Bytes, maxBytes, st)
	}
	if _, err := tr.Trace(first.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("oldest trace still kept: %v", err)
	}
	if steps, err := tr.Trace(final.ID); err != nil || len(steps) != 3 {
		t.Errorf("newest trace: %d steps, %v", len(steps), err)
	}
	t.Logf("written %d records, %+v", written.Load(), st)

	// The size count survives a reopen.
	dir := tr.db.Opts().Dir
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	tr2, err := OpenTraces(dir, TraceOptions{SweepEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.Close()
	if got := tr2.Stats().Bytes; got != st.Bytes {
		t.Errorf("after reopen: %d bytes, before %d", got, st.Bytes)
	}
}

func TestRetentionByAge(t *testing.T) {
	tr := openTraces(t, TraceOptions{MaxAge: time.Hour})
	old := newEvent(`{"old":true}`)
	tr.Received(old)
	young := newEvent(`{"old":false}`)
	tr.Received(young)
	flush(t, tr)
	if n, err := tr.Sweep(time.Now()); err != nil || n != 0 {
		t.Fatalf("swept %d young records, %v", n, err)
	}
	if _, err := tr.Trace(old.ID); err != nil {
		t.Fatalf("swept too early: %v", err)
	}
	// As seen from an hour and a minute on, both are too old.
	n, err := tr.Sweep(time.Now().Add(time.Hour + time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("swept %d, %v; want 2", n, err)
	}
	for _, id := range []string{old.ID, young.ID} {
		if _, err := tr.Trace(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v", id, err)
		}
	}
	if got, _ := tr.Events(Query{}); len(got) != 0 {
		t.Errorf("events left: %v", got)
	}
	if b := tr.Stats().Bytes; b != 0 {
		t.Errorf("bytes left: %d", b)
	}
}

func TestTracesLocked(t *testing.T) {
	dir := t.TempDir()
	tr, err := OpenTraces(dir, TraceOptions{SweepEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := OpenTraces(dir, TraceOptions{SweepEvery: -1}); !errors.Is(err, ErrLocked) {
		t.Errorf("second open: %v, want ErrLocked", err)
	}
}

func TestRecorderAfterClose(t *testing.T) {
	tr := openTraces(t, TraceOptions{})
	tr.Close()
	ev := newEvent(`{}`)
	tr.Received(ev) // ignored, no panic
	if _, err := tr.Trace(ev.ID); !errors.Is(err, ErrClosed) {
		t.Errorf("got %v", err)
	}
}

// BenchmarkRecorder measures the calls per second the runtime can make:
// each op is one event's story of four calls, from several goroutines.
// dropped/op shows when the writer could not keep up.
func BenchmarkRecorder(b *testing.B) {
	tr := openTraces(b, TraceOptions{Buffer: 1 << 16})
	ev := newEvent(`{"amount":5,"email":"someone@example.org","items":[1,2,3],"note":"a typical small order"}`)
	outs := []component.Output{{Body: json.RawMessage(`{"amount":5,"email":"someone@example.org"}`)}}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tr.Received(ev)
			tr.Transformed("normalize", ev, outs, nil, time.Millisecond, nil)
			tr.Enqueued("crm", ev)
			tr.Attempted("crm", ev, 1, component.Receipt{Request: "POST http://127.0.0.1/x", Status: 200}, nil, time.Millisecond, time.Time{})
		}
	})
	flush(b, tr)
	took := time.Since(start)
	b.StopTimer()
	st := tr.Stats()
	b.ReportMetric(float64(4*b.N)/took.Seconds(), "calls/s")
	b.ReportMetric(float64(st.Records)/took.Seconds(), "written/s")
	b.ReportMetric(float64(st.Dropped)/float64(b.N), "dropped/op")
}

// BenchmarkTraceWriter measures what the writer goroutine alone can
// commit: steps per second of distinct events' typical four steps.
func BenchmarkTraceWriter(b *testing.B) {
	tr := openTraces(b, TraceOptions{})
	outs := []component.Output{{Body: json.RawMessage(`{"amount":5,"email":"someone@example.org"}`)}}
	now := time.Now()
	batch := make([]*rec, 0, maxWriteBatch)
	for len(batch) < maxWriteBatch {
		ev := newEvent(`{"amount":5,"email":"someone@example.org","items":[1,2,3],"note":"a typical small order"}`)
		batch = append(batch,
			&rec{kind: KindReceived, node: "orders", ev: *ev, at: now},
			&rec{kind: KindTransformed, node: "normalize", ev: *ev, outputs: outs, took: time.Millisecond, at: now},
			&rec{kind: KindEnqueued, node: "crm", ev: event.Event{ID: ev.ID}, at: now},
			&rec{kind: KindAttempted, node: "crm", ev: event.Event{ID: ev.ID}, attempt: 1, receipt: component.Receipt{Request: "POST http://127.0.0.1/x", Status: 200}, took: time.Millisecond, at: now})
	}
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.write(batch, &buf)
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "records/s")
}

// A transform's input is stored once when it is the body the event had
// before, and still shows in the trace; a different input is kept as is.
func TestTraceInputs(t *testing.T) {
	tr := openTraces(t, TraceOptions{})
	ev := newEvent(`{"a":1}`)
	tr.Received(ev)
	tr.Transformed("first", ev, []component.Output{{Body: json.RawMessage(`{"a":2}`)}}, nil, time.Millisecond, nil)
	tr.Transformed("second", out(ev, `{"a":2}`), []component.Output{{Body: json.RawMessage(`{"a":3}`)}}, nil, time.Millisecond, nil)
	tr.Transformed("third", out(ev, `{"other":true}`), nil, nil, time.Millisecond, nil)
	flush(t, tr)
	got, err := tr.Trace(ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{1: `{"a":1}`, 2: `{"a":2}`, 3: `{"other":true}`} {
		if i == 0 {
			continue
		}
		if s := got[i]; s.Input == nil || string(s.Input.Data) != want || s.SameInput {
			t.Errorf("step %d input: %s", i, dump(s))
		}
	}
}

// A body that is not JSON after all does not break its trace.
func TestTraceOddBodies(t *testing.T) {
	tr := openTraces(t, TraceOptions{})
	text := newEvent(`plain text`)
	broken := newEvent(`{"a" 1}`)
	tr.Received(text)
	tr.Received(broken)
	tr.Enqueued("crm", broken)
	flush(t, tr)
	got, err := tr.Trace(text.ID)
	if err != nil || len(got) != 1 || string(got[0].Body.Data) != `"plain text"` {
		t.Errorf("text body: %v %s", err, dump(got))
	}
	got, err = tr.Trace(broken.ID)
	if err != nil || len(got) != 2 || !strings.Contains(got[0].Error, "unreadable") || got[0].Node != "orders" || got[1].Kind != KindEnqueued {
		t.Errorf("broken body: %v %s", err, dump(got))
	}
}

// BenchmarkQueries measures lookups in a store of 20,000 events' stories:
// one event's trace, and the newest failed events at a node (one in a
// hundred failed), the questions an operator asks.
func BenchmarkQueries(b *testing.B) {
	tr := openTraces(b, TraceOptions{Buffer: 1 << 17})
	var evs []*event.Event
	for i := 0; i < 20000; i++ {
		ev := newEvent(fmt.Sprintf(`{"n":%d}`, i))
		evs = append(evs, ev)
		tr.Received(ev)
		tr.Transformed("normalize", ev, []component.Output{{Body: ev.Body}}, nil, time.Millisecond, nil)
		tr.Enqueued("crm", ev)
		var err error
		if i%100 == 0 {
			err = errors.New("503")
		}
		tr.Attempted("crm", ev, 1, component.Receipt{Status: 200}, err, time.Millisecond, time.Time{})
		if i%1000 == 0 {
			flush(b, tr)
		}
	}
	flush(b, tr)
	b.Run("trace", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if steps, err := tr.Trace(evs[i*7919%len(evs)].ID); err != nil || len(steps) != 4 {
				b.Fatal(len(steps), err)
			}
		}
	})
	b.Run("events", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			got, err := tr.Events(Query{Node: "crm", Status: "failed", Limit: 50})
			if err != nil || len(got) != 50 {
				b.Fatal(len(got), err)
			}
		}
	})
}

// An event with more steps in one batch than a key holds gets more keys.
func TestTraceManySteps(t *testing.T) {
	tr := openTraces(t, TraceOptions{Buffer: 4096})
	ev := newEvent(`{}`)
	tr.Received(ev)
	for i := 1; i <= 2*maxGroupSteps; i++ {
		tr.Attempted("crm", ev, i, component.Receipt{Status: 503}, errors.New("503"), time.Microsecond, time.Now())
	}
	flush(t, tr)
	got, err := tr.Trace(ev.ID)
	if err != nil || len(got) != 2*maxGroupSteps+1 {
		t.Fatalf("%d steps, %v", len(got), err)
	}
	for i, s := range got[1:] {
		if s.Attempt != i+1 {
			t.Fatalf("step %d is attempt %d", i+1, s.Attempt)
		}
	}
}

// BenchmarkTraceStory is what traces cost the runner per event of the
// webhook -> http bench: the four calls of a delivered event with a
// 512-byte body, and the writer's and Badger's background work (flushes,
// compaction), as CPU time of the process per event.
func BenchmarkTraceStory(b *testing.B) {
	tr := openTraces(b, TraceOptions{})
	bodies := make([]string, 64)
	for i := range bodies {
		// Order-like JSON that compresses about as well as real events.
		var sb strings.Builder
		fmt.Fprintf(&sb, `{"order":%d,"customer":"c-%d","email":"user%d@example.org","items":[`, i*7919, i*31, i*17)
		for j := 0; sb.Len() < 470; j++ {
			fmt.Fprintf(&sb, `{"sku":"SKU-%05d","qty":%d},`, (i*131+j*977)%99991, j%7+1)
		}
		sb.WriteString(`{"sku":"END","qty":0}]}`)
		bodies[i] = sb.String()
	}
	receipt := component.Receipt{Request: "POST http://127.0.0.1/x", Status: 200}
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev := newEvent(bodies[i%len(bodies)])
		tr.Received(ev)
		tr.Enqueued("crm", ev)
		tr.Attempted("crm", ev, 1, receipt, nil, time.Millisecond, time.Time{})
		if i%1024 == 1023 {
			flush(b, tr) // the writer keeps up, as in a runner
		}
	}
	flush(b, tr)
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/event")
	b.ReportMetric(float64(tr.Stats().Dropped), "dropped")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
