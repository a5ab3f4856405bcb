package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sluice-etl/sluice/internal/procstat"
)

// The benchmark runs the real runner (this binary, as a child process) on
// loopback: senders POST events to its webhook, it makes each durable,
// answers 202 and delivers to an in-process sink. It prints throughput,
// latency, loss, duplicates and the runner's peak RSS. With --forwarder it
// first measures a plain Go forwarder (no persistence) for the ratio.
func cmdBench(args []string) int {
	if len(args) > 0 && args[0] == "forwarder" {
		return benchForwarder(args[1:])
	}
	fs := newFlags("bench", "bench [--events N] [--senders N] [--size BYTES] [--python] [--forwarder | --compare-traces | --compare-python] [--rounds N] | --backlog N")
	events := fs.Int("events", 100000, "events to send")
	senders := fs.Int("senders", 32, "concurrent senders, one event per request")
	size := fs.Int("size", 512, "bytes per event body")
	forwarder := fs.Bool("forwarder", false, "also measure a plain Go forwarder (no persistence) for the ratio")
	rounds := fs.Int("rounds", 1, "with --forwarder or --compare-*: alternate the two this many times and print the median ratio")
	backlog := fs.Int("backlog", 0, "instead: with the destination down, queue this many events and compare ingest at the start and the end")
	python := fs.Bool("python", false, "put a python transform between webhook and http")
	keep := fs.Bool("keep", false, "keep the temporary data directory")
	profile := fs.String("cpuprofile", "", "write the runner's CPU profile to this file")
	traces := fs.Bool("traces", true, "keep per-event traces in the runner (as by default)")
	compareTraces := fs.Bool("compare-traces", false, "run without and with traces, and print the ratio")
	comparePython := fs.Bool("compare-python", false, "run without and with a python node between webhook and http, and print the ratio")
	if _, err := parse(fs, args); err != nil {
		return flagError(err)
	}
	b := &bench{mode: "sluice", events: *events, senders: *senders, size: *size, python: *python, profile: *profile, noTraces: !*traces}
	dir, err := os.MkdirTemp("", "sluice-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice bench:", err)
		return 1
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	b.dir = dir
	if *backlog > 0 {
		return b.runBacklog(*backlog)
	}
	what := "sluice webhook -> http, every event synced before its 202"
	if b.python {
		what = "sluice webhook -> python -> http, every event synced before its 202"
	}
	switch {
	case *compareTraces:
		return b.pairs(*rounds, "with traces / without",
			variant{"without traces", func(b *bench) { b.noTraces = true }},
			variant{"with traces", func(b *bench) { b.noTraces = false }})
	case *comparePython:
		return b.pairs(*rounds, "with a python node / without",
			variant{"webhook -> http", func(b *bench) { b.python = false }},
			variant{"webhook -> python -> http", func(b *bench) { b.python = true }})
	case *forwarder:
		return b.pairs(*rounds, "sluice/forwarder",
			variant{"plain Go forwarder (no persistence)", func(b *bench) { b.mode = "forwarder" }},
			variant{what, func(b *bench) { b.mode = "sluice" }})
	}
	r, err := b.run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice bench:", err)
		return 1
	}
	r.print(what)
	return r.exitCode()
}

// variant is one side of a comparison: how it sets the bench up.
type variant struct {
	what string
	set  func(*bench)
}

// pairs runs base and other in turn, round after round, and prints the
// ratio other/base of each round and their median: on a shared machine
// the load of the moment moves both alike, and the median is the figure
// to quote.
func (b *bench) pairs(rounds int, ratio string, base, other variant) int {
	var acked, e2e []float64
	code := 0
	for round := 1; round <= rounds; round++ {
		suffix := ""
		if rounds > 1 {
			suffix = fmt.Sprintf(" (round %d of %d)", round, rounds)
		}
		var rs [2]*result
		for i, v := range []variant{base, other} {
			v.set(b)
			r, err := b.run()
			if err != nil {
				fmt.Fprintln(os.Stderr, "sluice bench:", err)
				return 1
			}
			r.print(v.what + suffix)
			code = max(code, r.exitCode())
			rs[i] = r
		}
		acked = append(acked, rs[1].ackedPerSec/rs[0].ackedPerSec)
		e2e = append(e2e, rs[1].e2ePerSec/rs[0].e2ePerSec)
		fmt.Printf("\nratio %s: acked %.0f%%, end-to-end %.0f%%\n", ratio, 100*acked[len(acked)-1], 100*e2e[len(e2e)-1])
	}
	if rounds > 1 {
		fmt.Printf("\nmedian ratio %s over %d rounds: acked %.0f%%, end-to-end %.0f%% (end-to-end per round:", ratio, rounds, 100*median(acked), 100*median(e2e))
		for _, a := range e2e {
			fmt.Printf(" %.0f%%", 100*a)
		}
		fmt.Println(")")
	}
	return code
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// exitCode fails the bench when an acknowledged event was lost.
func (r *result) exitCode() int {
	if r.lost > 0 {
		return 1
	}
	return 0
}

type bench struct {
	mode                  string // "sluice" or "forwarder"
	events, senders, size int
	python                bool
	noTraces              bool
	dir                   string
	profile               string
}

type result struct {
	n                     int
	ackedPerSec           float64
	e2ePerSec             float64
	ackP50, ackP99        time.Duration
	e2eP50, e2eP99        time.Duration
	lost, dup, failedAcks int
	peakRSS               int64 // KiB
	// CPU time per acknowledged event while the load ran and drained: the
	// runner's own, and the whole machine's (senders, sink, kernel).
	runnerCPU, machineCPU time.Duration
	cpuKnown              bool
}

func (r *result) print(what string) {
	fmt.Printf("\n== %s\n", what)
	fmt.Printf("events            %d\n", r.n)
	fmt.Printf("acked events/s    %.0f\n", r.ackedPerSec)
	fmt.Printf("end-to-end ev/s   %.0f\n", r.e2ePerSec)
	fmt.Printf("ack latency       p50 %v  p99 %v\n", r.ackP50.Round(10*time.Microsecond), r.ackP99.Round(10*time.Microsecond))
	fmt.Printf("e2e latency       p50 %v  p99 %v\n", r.e2eP50.Round(10*time.Microsecond), r.e2eP99.Round(10*time.Microsecond))
	fmt.Printf("lost %d  duplicated %d  failed requests %d\n", r.lost, r.dup, r.failedAcks)
	fmt.Printf("peak RSS          %.1f MiB\n", float64(r.peakRSS)/1024)
	if r.cpuKnown {
		fmt.Printf("CPU per event     runner %v  machine %v (senders, sink and kernel included)\n",
			r.runnerCPU.Round(time.Microsecond), r.machineCPU.Round(time.Microsecond))
	}
}

// sink receives deliveries and remembers when each event id arrived.
type sink struct {
	mu      sync.Mutex
	arrived map[string]time.Time
	dup     int
	total   atomic.Int64
	status  atomic.Int32
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	if st := int(s.status.Load()); st != 0 && st != http.StatusOK {
		w.WriteHeader(st)
		return
	}
	id := r.Header.Get("Sluice-Event-Id")
	if id == "" {
		id = r.Header.Get("X-Bench-Id")
	}
	now := time.Now()
	s.mu.Lock()
	if _, seen := s.arrived[id]; seen {
		s.dup++
	} else {
		s.arrived[id] = now
	}
	s.mu.Unlock()
	s.total.Add(1)
	w.WriteHeader(http.StatusOK)
}

func startSink() (*sink, string, func(), error) {
	s := &sink{arrived: map[string]time.Time{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	srv := &http.Server{Handler: s}
	go srv.Serve(ln)
	return s, "http://" + ln.Addr().String() + "/sink", func() { srv.Close() }, nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

const benchPython = `def transform(event):
    event["seen"] = True
    return event
`

func (b *bench) flowFile(sinkURL string, downRetry bool) (string, error) {
	doc := map[string]any{
		"version": 1, "name": "bench",
		"nodes": []any{
			map[string]any{"id": "in", "kind": "webhook", "config": map[string]any{"path": "/in"}},
			map[string]any{"id": "out", "kind": "http", "config": map[string]any{"url": sinkURL},
				"delivery": map[string]any{"concurrency": 32, "retry": map[string]any{"initial": "1s", "max": "10s"}}},
		},
		"edges": []any{map[string]any{"from": "in", "to": "out"}},
	}
	if b.python {
		doc["nodes"] = append(doc["nodes"].([]any), map[string]any{"id": "py", "kind": "python", "config": map[string]any{"code": benchPython, "workers": 2}})
		doc["edges"] = []any{map[string]any{"from": "in", "to": "py"}, map[string]any{"from": "py", "to": "out"}}
	}
	raw, _ := json.MarshalIndent(doc, "", "  ")
	path := filepath.Join(b.dir, "bench.json")
	return path, os.WriteFile(path, raw, 0o644)
}

// child starts this binary with args and waits for /healthz.
func child(addr string, args ...string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, fmt.Errorf("%s did not become ready on %s", strings.Join(args, " "), addr)
}

// stopChild stops the child gracefully and returns its peak RSS in KiB.
func stopChild(cmd *exec.Cmd) int64 {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)); err == nil {
		var parts []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "RssAnon") || strings.HasPrefix(l, "RssFile") || strings.HasPrefix(l, "VmRSS") {
				parts = append(parts, strings.Join(strings.Fields(l), " "))
			}
		}
		fmt.Fprintf(os.Stderr, "runner before stop: %s\n", strings.Join(parts, ", "))
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

func (b *bench) body(seq int) []byte {
	head := fmt.Sprintf(`{"seq":%d,"customer":"c-%d","amount":%d.5,"pad":"`, seq, seq%977, seq%1000)
	padLen := max(b.size-len(head)-2, 0)
	return []byte(head + strings.Repeat("x", padLen) + `"}`)
}

type sent struct {
	id      string
	start   time.Time
	latency time.Duration
}

// load sends b.events events from b.senders goroutines and returns what was
// acknowledged.
func (b *bench) load(url string, n int, first int, idFrom func(*http.Response, []byte) string) ([]sent, int, time.Duration) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: b.senders * 2, MaxIdleConns: b.senders * 2}, Timeout: 30 * time.Second}
	var next atomic.Int64
	next.Store(int64(first))
	var failed atomic.Int64
	out := make([][]sent, b.senders)
	var wg sync.WaitGroup
	start := time.Now()
	for s := range b.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				seq := int(next.Add(1)) - 1
				if seq >= first+n {
					return
				}
				t0 := time.Now()
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b.body(seq)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Bench-Id", strconv.Itoa(seq))
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				rb, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
					failed.Add(1)
					continue
				}
				out[s] = append(out[s], sent{id: idFrom(resp, rb), start: t0, latency: time.Since(t0)})
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	var all []sent
	for _, o := range out {
		all = append(all, o...)
	}
	return all, int(failed.Load()), took
}

func sluiceID(_ *http.Response, body []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	json.Unmarshal(body, &v)
	return v.ID
}

func (b *bench) run() (*result, error) {
	sk, sinkURL, stopSink, err := startSink()
	if err != nil {
		return nil, err
	}
	defer stopSink()
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	var cmd *exec.Cmd
	idFrom := sluiceID
	if b.mode == "forwarder" {
		args := []string{"bench", "forwarder", "--listen", addr, "--to", sinkURL}
		if b.profile != "" {
			args = append(args, "--cpuprofile", b.profile+".forwarder")
		}
		cmd, err = child(addr, args...)
		idFrom = func(r *http.Response, _ []byte) string { return r.Request.Header.Get("X-Bench-Id") }
	} else {
		flowPath, ferr := b.flowFile(sinkURL, false)
		if ferr != nil {
			return nil, ferr
		}
		data := filepath.Join(b.dir, "data-"+strconv.FormatInt(time.Now().UnixNano(), 36))
		args := []string{"run", flowPath, "--data", data, "--listen", addr, "--log-level", "warn"}
		if b.noTraces {
			args = append(args, "--no-traces")
		}
		if b.profile != "" {
			args = append(args, "--cpuprofile", b.profile, "--memprofile", b.profile+".heap")
		}
		cmd, err = child(addr, args...)
	}
	if err != nil {
		return nil, err
	}
	cpu0, mach0 := procstat.WithChildren(cmd.Process.Pid), procstat.Machine()
	acks, failed, took := b.load("http://"+addr+"/in", b.events, 0, idFrom)
	// Wait for every acknowledged event to arrive (or a quiet minute).
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		sk.mu.Lock()
		n := len(sk.arrived)
		sk.mu.Unlock()
		if n >= len(acks) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cpu1, mach1 := procstat.WithChildren(cmd.Process.Pid), procstat.Machine()
	rss := stopChild(cmd)
	r := summarize(acks, failed, took, sk, rss)
	if n := len(acks); n > 0 && cpu1 > 0 {
		r.cpuKnown = true
		r.runnerCPU = (cpu1 - cpu0) / time.Duration(n)
		r.machineCPU = (mach1 - mach0) / time.Duration(n)
	}
	return r, nil
}

func summarize(acks []sent, failed int, took time.Duration, sk *sink, rss int64) *result {
	r := &result{n: len(acks), failedAcks: failed, peakRSS: rss}
	r.ackedPerSec = float64(len(acks)) / took.Seconds()
	sk.mu.Lock()
	defer sk.mu.Unlock()
	r.dup = sk.dup
	var ackLat, e2eLat []time.Duration
	var first, last time.Time
	for _, a := range acks {
		ackLat = append(ackLat, a.latency)
		if first.IsZero() || a.start.Before(first) {
			first = a.start
		}
		at, ok := sk.arrived[a.id]
		if !ok {
			r.lost++
			continue
		}
		e2eLat = append(e2eLat, at.Sub(a.start))
		if at.After(last) {
			last = at
		}
	}
	if !last.IsZero() {
		r.e2ePerSec = float64(len(e2eLat)) / last.Sub(first).Seconds()
	}
	r.ackP50, r.ackP99 = pct(ackLat, 50), pct(ackLat, 99)
	r.e2eP50, r.e2eP99 = pct(e2eLat, 50), pct(e2eLat, 99)
	return r
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, len(d)*p/100)]
}

// runBacklog keeps the destination down, queues n events and compares
// the ingest rate of the first and the last 10% of them.
func (b *bench) runBacklog(n int) int {
	sk, sinkURL, stopSink, err := startSink()
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice bench:", err)
		return 1
	}
	defer stopSink()
	sk.status.Store(http.StatusServiceUnavailable)
	addr, _ := freePort()
	flowPath, err := b.flowFile(sinkURL, true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice bench:", err)
		return 1
	}
	args := []string{"run", flowPath, "--data", filepath.Join(b.dir, "data"), "--listen", addr, "--log-level", "error"}
	if b.profile != "" {
		args = append(args, "--cpuprofile", b.profile, "--memprofile", b.profile+".heap")
	}
	if b.noTraces {
		args = append(args, "--no-traces")
	}
	cmd, err := child(addr, args...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice bench:", err)
		return 1
	}
	chunk := max(n/10, 1)
	fmt.Printf("\n== backlog: destination down (503), %d events queued in chunks of %d\n", n, chunk)
	var rates []float64
	var rssNow []int64
	failedAll := 0
	for i := 0; i < n; i += chunk {
		acks, failed, took := b.load("http://"+addr+"/in", min(chunk, n-i), i, sluiceID)
		failedAll += failed
		rate := float64(len(acks)) / took.Seconds()
		rates = append(rates, rate)
		rssNow = append(rssNow, procStatus(cmd.Process.Pid, "VmRSS:"))
		fmt.Printf("queued %8d  acked events/s %7.0f  runner RSS %6.1f MiB (anonymous %6.1f MiB)\n", i+len(acks), rate,
			float64(rssNow[len(rssNow)-1])/1024, float64(procStatus(cmd.Process.Pid, "RssAnon:"))/1024)
	}
	rss := stopChild(cmd)
	firstRate, lastRate := rates[0], rates[len(rates)-1]
	fmt.Printf("\nacked events/s at an empty queue %.0f, with %d queued %.0f (%.0f%%)\n", firstRate, n, lastRate, 100*lastRate/firstRate)
	fmt.Printf("failed requests %d, peak RSS %.1f MiB\n", failedAll, float64(rss)/1024)
	return 0
}

// procStatus reads a size in KiB from /proc/PID/status ("VmRSS:").
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// benchForwarder is the baseline: read each POST and POST it on, with no
// persistence, answering once the onward request succeeded.
func benchForwarder(args []string) int {
	fs := newFlags("bench forwarder", "bench forwarder --listen ADDR --to URL")
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	to := fs.String("to", "", "where to forward")
	profile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if _, err := parse(fs, args); err != nil {
		return flagError(err)
	}
	stopProfile, err := startCPUProfile(*profile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice bench forwarder:", err)
		return 1
	}
	defer stopProfile()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 256}}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, _ := http.NewRequest(http.MethodPost, *to, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Bench-Id", r.Header.Get("X-Bench-Id"))
		resp, err := client.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		w.WriteHeader(http.StatusAccepted)
	})
	srv := &http.Server{Addr: *listen, Handler: mux}
	ctx, stop := signalContext()
	defer stop()
	go func() { <-ctx.Done(); srv.Shutdown(context.Background()) }()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "sluice bench forwarder:", err)
		return 1
	}
	return 0
}
