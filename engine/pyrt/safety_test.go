package pyrt

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func items(bodies ...string) []Item {
	out := make([]Item, len(bodies))
	for i, b := range bodies {
		out[i] = Item{Body: json.RawMessage(b)}
	}
	return out
}

func newTestPool(t *testing.T, code string, cfg Config) *Pool {
	t.Helper()
	cfg.Code = code
	p, err := NewPool(context.Background(), cfg)
	if err != nil {
		t.Fatalf("new pool: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// The events that blow up fail alone; the ones around them still work.
func TestSafetyBombsFailOnlyTheirEvent(t *testing.T) {
	code := `
def rec(n):
    return rec(n + 1) + 1

def transform(event):
    kind = event["kind"]
    if kind == "loop":
        while True:
            pass
    if kind == "recursion":
        return {"r": rec(0)}
    if kind == "memory":
        return {"s": len([0] * 10**9)}
    if kind == "strbomb":
        return {"s": len("a" * 10**10)}
    if kind == "biglist":
        x = []
        while True:
            x.append("x" * 1000000)
    return {"ok": event["n"]}
`
	p := newTestPool(t, code, Config{Timeout: 500 * time.Millisecond, MemoryLimit: 256 << 20})
	start := time.Now()
	res, err := p.Run(context.Background(), items(
		`{"kind":"ok","n":1}`, `{"kind":"loop"}`, `{"kind":"ok","n":2}`,
		`{"kind":"recursion"}`, `{"kind":"ok","n":3}`, `{"kind":"memory"}`,
		`{"kind":"ok","n":4}`, `{"kind":"biglist"}`, `{"kind":"ok","n":5}`,
		`{"kind":"strbomb"}`, `{"kind":"ok","n":6}`,
	))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("11 events with 5 bombs took %v", time.Since(start))
	// A bomb that allocates step by step may hit the timeout before the
	// memory limit: either way only its event fails.
	want := []string{"", KindTimeout, "", KindCrash, "", KindCrash, "", "", "", "", ""}
	if raceEnabled {
		// The race detector slows allocation down so much that the
		// timeout may come first; without it the memory limit does.
		want[5] = ""
	}
	for i, r := range res {
		kind := ""
		if r.Err != nil {
			kind = r.Err.Kind
			t.Logf("event %d: %v", i, r.Err)
		}
		if i%2 == 0 {
			if r.Err != nil || len(r.Outputs) != 1 || !strings.Contains(string(r.Outputs[0]), `"ok"`) {
				t.Errorf("event %d: got %s %v, want a result", i, r.Outputs, r.Err)
			}
			continue
		}
		if r.Err == nil {
			t.Errorf("event %d: no error, want %s", i, want[i])
			continue
		}
		if want[i] != "" && kind != want[i] {
			t.Errorf("event %d: error kind %s, want %s (%v)", i, kind, want[i], r.Err)
		}
	}
	if !strings.Contains(res[3].Err.Error(), "recursion") {
		t.Errorf("recursion error: %v", res[3].Err)
	}
	if !strings.Contains(res[1].Err.Error(), "did not finish within 500ms") {
		t.Errorf("timeout error: %v", res[1].Err)
	}
}

// A transform that keeps what it sees grows the heap a little per event,
// each event fast: the heap guard, which looks between events as well as
// during one, ends the worker at the limit, and the events after it run
// on a fresh worker.
func TestSafetyLeakAcrossEvents(t *testing.T) {
	code := `
kept = []

def transform(event):
    if event.get("leak"):
        kept.append("x" * 4000000)
    return {"n": len(kept)}
`
	p := newTestPool(t, code, Config{Timeout: 5 * time.Second, MemoryLimit: 64 << 20})
	var evs []string
	for range 40 {
		evs = append(evs, `{"leak":true}`)
	}
	evs = append(evs, `{}`)
	res, err := p.Run(context.Background(), items(evs...))
	if err != nil {
		t.Fatal(err)
	}
	crashed := -1
	for i, r := range res[:40] {
		if r.Err != nil {
			if !strings.Contains(r.Err.Error(), "MemoryError") {
				t.Fatalf("event %d: %v, want an out-of-memory crash", i, r.Err)
			}
			crashed = i
			break
		}
	}
	// Each kept string grows the heap by about 2 MB (the guard passes
	// 64 MiB at event 28-30): 40 events hold well over the limit.
	if crashed < 0 {
		t.Fatalf("no event failed: the heap grew to %s without the guard noticing", res[39].Outputs)
	}
	t.Logf("event %d hit the limit: %v", crashed, res[crashed].Err)
	last := res[40]
	if last.Err != nil || len(last.Outputs) != 1 {
		t.Fatalf("event after the leak: %s %v, want a result from a fresh worker", last.Outputs, last.Err)
	}
}

func TestSafetyNoHostAccess(t *testing.T) {
	cases := map[string]string{
		"open":            `open("/etc/passwd").read()`,
		"import os":       `__import__("os").system("true")`,
		"import sys path": `__import__("subprocess")`,
		"file import":     `__import__("main_test")`,
		"glob":            `__import__("glob")`,
		"tempfile":        `__import__("tempfile")`,
		"marshal":         `__import__("marshal")`,
		"relative":        `__import__("x", None, None, (), 1)`,
		"exec import":     `exec("import os")`,
		"eval open":       `eval("open('/etc/passwd')")`,
		"builtins open":   `__import__("builtins").open("/etc/passwd")`,
	}
	for name, expr := range cases {
		t.Run(name, func(t *testing.T) {
			in, err := NewInterp("def transform(e):\n    return {'x': "+expr+"}\n", "transform")
			if err != nil {
				t.Fatal(err)
			}
			out := in.Run([]byte(`{}`), nil)
			if out.Err == nil {
				t.Fatalf("%s worked: %s", expr, out.Outputs)
			}
			if out.Err.Line != 2 {
				t.Errorf("error line %d, want 2: %v", out.Err.Line, out.Err)
			}
		})
	}
	_, err := NewInterp("import os\ndef transform(e):\n    return e\n", "transform")
	if err == nil || !strings.Contains(err.Error(), "No module named 'os'") {
		t.Errorf("import os: %v", err)
	}
	in, err := NewInterp("import sys\ndef transform(e):\n    return {'a': hasattr(sys, 'stdout'), 'b': hasattr(sys, 'stdin')}\n", "transform")
	if err != nil {
		t.Fatal(err)
	}
	if out := in.Run([]byte(`{}`), nil); out.Err != nil || string(out.Outputs[0]) != `{"a":false,"b":false}` {
		t.Errorf("sys: %s %v", out.Outputs, out.Err)
	}
}

// The timeout is per event: a batch may take far longer than the timeout
// as long as no single event does.
func TestTimeoutIsPerEvent(t *testing.T) {
	p := newTestPool(t, "import time\ndef transform(e):\n    time.sleep(e['s'])\n    return e\n", Config{Timeout: 300 * time.Millisecond})
	evs := make([]string, 8)
	for i := range evs {
		evs[i] = `{"s": 0.06}`
	}
	evs[5] = `{"s": 5}`
	res, err := p.Run(context.Background(), items(evs...))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if i == 5 {
			if r.Err == nil || r.Err.Kind != KindTimeout {
				t.Errorf("event 5: %v, want a timeout", r.Err)
			}
			continue
		}
		if r.Err != nil {
			t.Errorf("event %d: %v", i, r.Err)
		}
	}
}

// A cancelled context ends Run with the context's error and leaves the
// pool usable.
func TestRunCancel(t *testing.T) {
	p := newTestPool(t, "def transform(e):\n    while e['loop']:\n        pass\n    return e\n", Config{Timeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := p.Run(ctx, items(`{"loop": true}`)); err == nil {
		t.Fatal("no error from a cancelled run")
	}
	res, err := p.Run(context.Background(), items(`{"loop": false}`))
	if err != nil || res[0].Err != nil {
		t.Fatalf("after cancel: %v %v", err, res[0].Err)
	}
}
