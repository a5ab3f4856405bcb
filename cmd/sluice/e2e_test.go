package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/internal/testkit"
)

// buildFlags are the flags the test binary of sluice is built with.
var buildFlags []string

var sluiceBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sluice-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sluiceBin = filepath.Join(dir, "sluice")
	args := append([]string{"build", "-o", sluiceBin}, buildFlags...)
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build sluice:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runner is the real sluice binary running a flow.
type runner struct {
	t      *testing.T
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
}

type lockedWriter struct{ r *runner }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.stderr.Write(p)
}

func (r *runner) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stderr.String()
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func writeFlow(t *testing.T, dir, yaml string) string {
	t.Helper()
	p := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// startRunner starts `sluice run` and waits until /healthz answers.
func startRunner(t *testing.T, flowPath, data, addr string, extra ...string) *runner {
	t.Helper()
	r := &runner{t: t, addr: addr, done: make(chan struct{})}
	args := append([]string{"run", flowPath, "--data", data, "--listen", addr}, extra...)
	r.cmd = exec.Command(sluiceBin, args...)
	r.cmd.Stderr = lockedWriter{r}
	r.cmd.Stdout = lockedWriter{r}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.cmd.Process.Kill()
			<-r.done
		}
		if t.Failed() {
			t.Logf("runner log:\n%s", r.log())
		}
	})
	testkit.CheckFor(t, 30*time.Second, 20*time.Millisecond, func() error {
		select {
		case <-r.done:
			return fmt.Errorf("runner exited: %s", r.log())
		default:
		}
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("healthz %d", resp.StatusCode)
		}
		return nil
	})
	return r
}

func (r *runner) stop(sig syscall.Signal) {
	r.cmd.Process.Signal(sig)
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		r.t.Fatalf("runner did not stop after %v", sig)
	}
}

var client = &http.Client{Timeout: 10 * time.Second}

// post sends one event and returns the id of a 202.
func post(url, contentType, body string, headers ...string) (int, string, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v struct {
		ID string `json:"id"`
	}
	json.Unmarshal(b, &v)
	return resp.StatusCode, v.ID, nil
}

const hookToHTTP = `version: 1
name: e2e
nodes:
  - id: in
    kind: webhook
    config: {path: /in}
  - id: out
    kind: http
    config: {url: "%s"}
    delivery:
      concurrency: 8
      retry: {backoff: exponential, initial: %s, max: %s, multiplier: 2, jitter: false}
edges:
  - {from: in, to: out}
`

func TestEndToEndWebhookToHTTP(t *testing.T) {
	sink := testkit.NewSink(t)
	dir := t.TempDir()
	flowPath := writeFlow(t, dir, fmt.Sprintf(hookToHTTP, sink.URL+"/orders", "100ms", "1s"))
	r := startRunner(t, flowPath, filepath.Join(dir, "data"), freeAddr(t))
	const n = 200
	ids := make([]string, n)
	var wg sync.WaitGroup
	var bad atomic.Int32
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				code, id, err := post("http://"+r.addr+"/in", "application/json", fmt.Sprintf(`{"n":%d,"email":"A@B.C"}`, i))
				if err != nil || code != http.StatusAccepted || id == "" {
					t.Errorf("post %d: %d %v", i, code, err)
					bad.Add(1)
					continue
				}
				ids[i] = id
			}
		}()
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.FailNow()
	}
	testkit.CheckFor(t, 30*time.Second, 20*time.Millisecond, func() error {
		if got := len(sink.Delivered()); got < n {
			return fmt.Errorf("%d of %d events arrived", got, n)
		}
		return nil
	})
	got := sink.Delivered()
	for i, id := range ids {
		if got[id] != 1 {
			t.Errorf("event %d (%s) arrived %d times", i, id, got[id])
		}
	}
	for _, d := range sink.Requests() {
		if d.Header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", d.Header.Get("Content-Type"))
		}
		var body map[string]any
		if err := json.Unmarshal(d.Body, &body); err != nil || body["email"] != "A@B.C" {
			t.Errorf("body %s", d.Body)
		}
	}
	r.stop(syscall.SIGTERM)
	if code := r.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("graceful stop exit code %d", code)
	}
	if !strings.Contains(r.log(), "flow stopped") {
		t.Errorf("no clean stop in the log")
	}
}

const hookPythonHTTP = `version: 1
name: e2e-py
nodes:
  - id: in
    kind: webhook
    config: {path: /in}
  - id: py
    kind: python
    config:
      code: |
        def transform(event):
            event["seen"] = True
            return event
  - id: out
    kind: http
    config: {url: "%s"}
    delivery:
      concurrency: 8
      retry: {backoff: exponential, initial: %s, max: %s, multiplier: 2, jitter: false}
edges:
  - {from: in, to: py}
  - {from: py, to: out}
`

// TestCrashLosesNothing kills the runner with SIGKILL while events flow,
// restarts it on the same data directory and proves that every event that
// got a 202 reaches the sink: straight into the destination's queue, and
// through the inbox and a python transform.
func TestCrashLosesNothing(t *testing.T) {
	t.Run("direct", func(t *testing.T) { crashTest(t, hookToHTTP) })
	t.Run("through python", func(t *testing.T) { crashTest(t, hookPythonHTTP) })
}

func crashTest(t *testing.T, flowTmpl string) {
	sink := testkit.NewSink(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	flowPath := writeFlow(t, dir, fmt.Sprintf(flowTmpl, sink.URL, "50ms", "500ms"))
	// A slow destination keeps a queue building while the runner dies.
	sink.SetStatus(func(r *http.Request, n int) int {
		time.Sleep(2 * time.Millisecond)
		return 200
	})
	addr := freeAddr(t)
	r := startRunner(t, flowPath, data, addr)

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code, id, err := post("http://"+addr+"/in", "application/json", fmt.Sprintf(`{"w":%d,"i":%d}`, w, i))
				if err != nil || code != http.StatusAccepted {
					continue // not acknowledged: the sender would retry
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		}()
	}
	testkit.CheckFor(t, 30*time.Second, 5*time.Millisecond, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(acked) < 1500 {
			return fmt.Errorf("only %d acked", len(acked))
		}
		return nil
	})
	r.stop(syscall.SIGKILL)
	close(stop)
	wg.Wait()
	mu.Lock()
	ackedIDs := append([]string(nil), acked...)
	mu.Unlock()
	before := len(sink.Delivered())
	t.Logf("killed with %d events acked, %d delivered before the crash", len(ackedIDs), before)

	startRunner(t, flowPath, data, addr)
	testkit.CheckFor(t, 60*time.Second, 20*time.Millisecond, func() error {
		got := sink.Delivered()
		missing := 0
		for _, id := range ackedIDs {
			if got[id] == 0 {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%d acknowledged events not delivered", missing)
		}
		return nil
	})
	got := sink.Delivered()
	dups := 0
	for _, n := range got {
		if n > 1 {
			dups += n - 1
		}
	}
	t.Logf("after restart: lost 0 of %d acknowledged, %d duplicated (in flight at the crash)", len(ackedIDs), dups)
}

// TestDowntimeRetriesWithBackoff: the sink answers 503 for the first
// attempts of every event; everything arrives once it recovers, and the
// spacing of the attempts follows the configured backoff.
func TestDowntimeRetriesWithBackoff(t *testing.T) {
	sink := testkit.NewSink(t)
	var down atomic.Bool
	down.Store(true)
	sink.SetStatus(func(r *http.Request, n int) int {
		if down.Load() {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	dir := t.TempDir()
	flowPath := writeFlow(t, dir, fmt.Sprintf(hookToHTTP, sink.URL, "200ms", "800ms"))
	r := startRunner(t, flowPath, filepath.Join(dir, "data"), freeAddr(t))
	var ids []string
	for i := range 20 {
		code, id, err := post("http://"+r.addr+"/in", "application/json", fmt.Sprintf(`{"i":%d}`, i))
		if err != nil || code != http.StatusAccepted {
			t.Fatalf("post: %d %v", code, err)
		}
		ids = append(ids, id)
	}
	// Wait until the first event saw 5 attempts: 0, +200ms, +400ms, +800ms, +800ms.
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		if n := len(sink.Attempts(ids[0])); n < 5 {
			return fmt.Errorf("%d attempts so far", n)
		}
		return nil
	})
	down.Store(false)
	testkit.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		got := sink.Delivered()
		for _, id := range ids {
			if got[id] == 0 {
				return fmt.Errorf("event %s not delivered yet", id)
			}
		}
		return nil
	})
	at := sink.Attempts(ids[0])
	want := []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 800 * time.Millisecond}
	for i, w := range want {
		gap := at[i+1].Sub(at[i])
		// The lower bound is the contract; the upper bound only catches a
		// wrong schedule, loose enough for a busy machine.
		if gap < w-20*time.Millisecond || gap > w+1500*time.Millisecond {
			t.Errorf("gap before attempt %d = %v, want about %v", i+2, gap, w)
		}
	}
	t.Logf("attempt gaps of the first event: %v %v %v %v", at[1].Sub(at[0]), at[2].Sub(at[1]), at[3].Sub(at[2]), at[4].Sub(at[3]))
}
