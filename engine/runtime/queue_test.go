package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/delivery"
	"github.com/sluice-etl/sluice/engine/runtime"
	"github.com/sluice-etl/sluice/internal/testkit"
)

func postN(t *testing.T, rt *runtime.Runtime, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		ids = append(ids, post(t, rt, fmt.Sprintf(`{"i":%d}`, i)))
	}
	return ids
}

func hookTo(url, delivery string) string {
	return fmt.Sprintf(`
version: 1
name: q
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - id: out
    kind: http
    config: {url: "%s"}
    delivery: %s
edges: [{from: in, to: out}]
`, url, delivery)
}

func delivered(sink *testkit.Sink, n int) func() error {
	return func() error {
		if got := len(sink.Delivered()); got < n {
			return fmt.Errorf("%d of %d delivered", got, n)
		}
		return nil
	}
}

func okTimes(sink *testkit.Sink) []time.Time {
	var out []time.Time
	for _, d := range sink.Requests() {
		if d.Status == 200 {
			out = append(out, d.At)
		}
	}
	return out
}

func TestRateLimit(t *testing.T) {
	sink := testkit.NewSink(t)
	rt := run(t, hookTo(sink.URL, `{concurrency: 8, rate: {per_second: 40, burst: 1}}`), t.TempDir())
	rt.Pause("out") // queue everything first, so the rate is the only limit
	postN(t, rt, 121)
	rt.Resume("out")
	testkit.CheckFor(t, 30*time.Second, 20*time.Millisecond, delivered(sink, 121))
	at := okTimes(sink)
	got := 120 / at[len(at)-1].Sub(at[0]).Seconds()
	t.Logf("measured %.1f deliveries/s for a limit of 40/s", got)
	if got < 36 || got > 44 {
		t.Errorf("rate %.1f/s, want 40/s within 10%%", got)
	}
}

func TestPauseHoldsAndSurvivesRestart(t *testing.T) {
	sink := testkit.NewSink(t)
	data := t.TempDir()
	yaml := hookTo(sink.URL, `{concurrency: 4}`)
	rt := run(t, yaml, data)
	if err := rt.Pause("out"); err != nil {
		t.Fatal(err)
	}
	if err := rt.Pause("in"); err == nil {
		t.Error("pausing a source succeeded")
	}
	ids := postN(t, rt, 20)
	time.Sleep(300 * time.Millisecond)
	if n := len(sink.Requests()); n != 0 {
		t.Fatalf("%d deliveries while paused", n)
	}
	if st := rt.Status().Destinations[0]; st.State != delivery.StatePaused || st.Queued != 20 {
		t.Errorf("status while paused: %+v", st)
	}
	rt.Stop(context.Background())

	rt = run(t, yaml, data)
	time.Sleep(300 * time.Millisecond)
	if n := len(sink.Requests()); n != 0 {
		t.Fatalf("%d deliveries after restart while paused", n)
	}
	if st := rt.Status().Destinations[0]; st.State != delivery.StatePaused {
		t.Errorf("pause lost across restart: %+v", st)
	}
	if err := rt.Resume("out"); err != nil {
		t.Fatal(err)
	}
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, delivered(sink, 20))
	got := sink.Delivered()
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("event %s delivered %d times", id, got[id])
		}
	}
}

func TestMaintenanceWindowHoldsThenDrainsAtBacklogRate(t *testing.T) {
	sink := testkit.NewSink(t)
	// A window that opens two seconds from now (cron with seconds) for 2s.
	start := time.Now().Truncate(time.Second).Add(2 * time.Second)
	cron := fmt.Sprintf("%d %d %d * * *", start.Second(), start.Minute(), start.Hour())
	rt := run(t, hookTo(sink.URL, fmt.Sprintf(`{concurrency: 4, rate: {per_second: 1000, burst: 10, backlog_rate: 25}, maintenance: [{cron: "%s", duration: 2s}]}`, cron)), t.TempDir())
	for time.Now().Before(start.Add(200 * time.Millisecond)) {
		time.Sleep(20 * time.Millisecond)
	}
	if st := rt.Status().Destinations[0]; st.State != delivery.StateWindow {
		t.Fatalf("state %s, want maintenance", st.State)
	}
	postN(t, rt, 50)
	end := start.Add(2 * time.Second)
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, delivered(sink, 50))
	at := okTimes(sink)
	for _, a := range at {
		if !a.Before(start) && a.Before(end) {
			t.Fatalf("delivered at %v inside the window [%v, %v)", a, start, end)
		}
	}
	// The limiter's burst (10) goes at once; the rest at the backlog rate.
	rate := 39 / at[len(at)-1].Sub(at[10]).Seconds()
	t.Logf("drained 50 held events at %.1f/s after the window (backlog_rate 25, burst 10)", rate)
	if rate > 25*1.15 || rate < 25*0.85 {
		t.Errorf("drain rate %.1f/s, want about 25/s", rate)
	}
}

func TestBackoffStrategies(t *testing.T) {
	for _, c := range []struct {
		backoff string
		want    []time.Duration
	}{
		{"fixed", []time.Duration{200, 200, 200}},
		{"linear", []time.Duration{150, 300, 450}},
		{"exponential", []time.Duration{100, 300, 900}},
	} {
		t.Run(c.backoff, func(t *testing.T) {
			sink := testkit.NewSink(t)
			sink.SetStatus(func(r *http.Request, n int) int {
				if n < 3 {
					return 503
				}
				return 200
			})
			initial := map[string]string{"fixed": "200ms", "linear": "150ms", "exponential": "100ms"}[c.backoff]
			rt := run(t, hookTo(sink.URL, fmt.Sprintf(`{retry: {backoff: %s, initial: %s, multiplier: 3, max: 5s, jitter: false}}`, c.backoff, initial)), t.TempDir())
			id := postN(t, rt, 1)[0]
			testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, delivered(sink, 1))
			at := sink.Attempts(id)
			for i, w := range c.want {
				w *= time.Millisecond
				gap := at[i+1].Sub(at[i])
				if gap < w-10*time.Millisecond || gap > w+time.Second {
					t.Errorf("gap %d = %v, want about %v", i+1, gap, w)
				}
			}
		})
	}
}

func TestJitterSpreadsRetries(t *testing.T) {
	r := delivery.Retry{Backoff: "exponential", Initial: 1e9, Max: 60e9, Multiplier: 2, Jitter: true}
	rnd := newRand()
	seen := map[time.Duration]bool{}
	for range 50 {
		d := r.Delay(3, rnd)
		if d < 3200*time.Millisecond || d > 4800*time.Millisecond {
			t.Fatalf("jittered delay %v outside 4s ±20%%", d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Errorf("jitter gave only %d distinct delays", len(seen))
	}
}

func TestCircuitBreakerProbesOneAtATime(t *testing.T) {
	sink := testkit.NewSink(t)
	var down atomic.Bool
	down.Store(true)
	sink.SetStatus(func(r *http.Request, n int) int {
		if down.Load() {
			return 503
		}
		return 200
	})
	rt := run(t, hookTo(sink.URL, `{concurrency: 8, breaker: {failures: 5}, retry: {initial: 100ms, max: 200ms, jitter: false}}`), t.TempDir())
	postN(t, rt, 40)
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if st := rt.Status().Destinations[0]; st.State != delivery.StateHolding {
			return fmt.Errorf("state %s", st.State)
		}
		return nil
	})
	before := len(sink.Requests())
	time.Sleep(time.Second)
	probes := len(sink.Requests()) - before
	// Held: about one probe per backoff step (100ms, then 200ms), never
	// eight at a time every 100ms.
	if probes > 10 {
		t.Errorf("%d attempts in 1s while holding: the destination is hammered", probes)
	}
	t.Logf("%d probes in 1s while holding", probes)
	down.Store(false)
	testkit.CheckFor(t, 20*time.Second, 10*time.Millisecond, delivered(sink, 40))
	if st := rt.Status().Destinations[0]; st.State != delivery.StateRunning {
		t.Errorf("state after recovery %s", st.State)
	}
}

func TestAlertOncePerIncidentAndRecovery(t *testing.T) {
	sink := testkit.NewSink(t)
	alerts := testkit.NewSink(t)
	var down atomic.Bool
	down.Store(true)
	sink.SetStatus(func(r *http.Request, n int) int {
		if down.Load() {
			return 500
		}
		return 200
	})
	yaml := fmt.Sprintf(`
version: 1
name: alerting
nodes:
  - {id: in, kind: webhook, config: {path: /in}}
  - id: out
    kind: http
    config: {url: "%s"}
    delivery: {retry: {initial: 20ms, max: 50ms}, alert: {after_failures: 3, to: ops}}
  - {id: ops, kind: http, config: {url: "%s"}}
edges: [{from: in, to: out}]
`, sink.URL, alerts.URL)
	rt := run(t, yaml, t.TempDir())
	postN(t, rt, 5)
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if len(alerts.Requests()) < 1 {
			return fmt.Errorf("no alert yet")
		}
		return nil
	})
	time.Sleep(time.Second) // failures go on: still one alert
	if n := len(alerts.Requests()); n != 1 {
		t.Fatalf("%d alerts during one incident", n)
	}
	down.Store(false)
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		if len(alerts.Requests()) < 2 {
			return fmt.Errorf("no recovery notice yet")
		}
		return nil
	})
	time.Sleep(700 * time.Millisecond)
	reqs := alerts.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d alert requests, want one alert and one recovery", len(reqs))
	}
	var a, r map[string]any
	json.Unmarshal(reqs[0].Body, &a)
	json.Unmarshal(reqs[1].Body, &r)
	if a["alert"] != "destination_failing" || a["destination"] != "out" || !strings.Contains(fmt.Sprint(a["reason"]), "consecutive failed attempts") {
		t.Errorf("alert: %v", a)
	}
	if r["alert"] != "destination_recovered" {
		t.Errorf("recovery: %v", r)
	}
}

func TestReplayHistoryByTimeRange(t *testing.T) {
	sink := testkit.NewSink(t)
	rt := run(t, hookTo(sink.URL, `{history: {keep: 1h}}`), t.TempDir())
	batch := func() []string {
		ids := postN(t, rt, 5)
		testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
			got := sink.Delivered()
			for _, id := range ids {
				if got[id] == 0 {
					return fmt.Errorf("not yet")
				}
			}
			return nil
		})
		time.Sleep(300 * time.Millisecond)
		return ids
	}
	batch()
	from := time.Now()
	middle := batch()
	to := time.Now()
	batch()
	// Wait for the acks (with their history) to be written.
	time.Sleep(200 * time.Millisecond)
	n, err := rt.ReplayHistory("out", from, to)
	if err != nil || n != 5 {
		t.Fatalf("replayed %d, %v; want 5", n, err)
	}
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, delivered(sink, 15))
	testkit.CheckFor(t, 10*time.Second, 10*time.Millisecond, func() error {
		twice := 0
		for _, c := range sink.Delivered() {
			if c == 2 {
				twice++
			}
		}
		if twice != 5 {
			return fmt.Errorf("%d events delivered twice", twice)
		}
		return nil
	})
	got := sink.Delivered()
	for _, id := range middle {
		if got[id] != 2 {
			t.Errorf("event %s of the range delivered %d times", id, got[id])
		}
	}
}

func TestAdminAPI(t *testing.T) {
	sink := testkit.NewSink(t)
	rt := run(t, hookTo(sink.URL, `{}`), t.TempDir())
	base := "http://" + rt.Addr()
	call := func(method, path string) (int, map[string]any) {
		req, _ := http.NewRequest(method, base+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}
	if code, v := call("POST", "/admin/v1/destinations/out/pause"); code != 200 || v["state"] != "paused" {
		t.Errorf("pause: %d %v", code, v)
	}
	if code, v := call("GET", "/admin/v1/status"); code != 200 || !strings.Contains(fmt.Sprint(v["destinations"]), "paused") {
		t.Errorf("status: %d %v", code, v)
	}
	if code, _ := call("POST", "/admin/v1/destinations/nope/pause"); code != 404 {
		t.Errorf("pause of unknown destination: %d", code)
	}
	if code, v := call("POST", "/admin/v1/destinations/out/replay"); code != 400 {
		t.Errorf("replay without a range: %d %v", code, v)
	}
}

func TestAdminNeedsTokenBeyondLoopback(t *testing.T) {
	doc := hookTo("http://127.0.0.1:1/x", `{}`)
	rt := runWith(t, doc, runtime.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0", AdminToken: "s3cret"})
	get := func(path, tok string) int {
		req, _ := http.NewRequest("GET", "http://"+rt.Addr()+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("/admin/v1/status", ""); c != 401 {
		t.Errorf("no token: %d", c)
	}
	if c := get("/admin/v1/status", "wrong"); c != 401 {
		t.Errorf("wrong token: %d", c)
	}
	if c := get("/admin/v1/status", "s3cret"); c != 200 {
		t.Errorf("right token: %d", c)
	}
	// Webhooks stay reachable without it.
	resp, err := http.Post("http://"+rt.Addr()+"/in", "application/json", strings.NewReader(`{}`))
	if err != nil || resp.StatusCode != 202 {
		t.Errorf("webhook: %v %v", resp, err)
	}
	// Bound beyond loopback with no token set, one is generated.
	rt2 := runWith(t, doc, runtime.Options{DataDir: t.TempDir(), Listen: "0.0.0.0:0"})
	if rt2.AdminToken() == "" {
		t.Error("no admin token generated for a non-loopback listener")
	}
}
