package pyrt

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Environment of a worker process.
const (
	workerEnv      = "SLUICE_PYWORKER"       // "1" makes the binary a worker
	workerMemEnv   = "SLUICE_PYWORKER_MEM"   // address-space limit in bytes
	workerStackEnv = "SLUICE_PYWORKER_STACK" // goroutine stack limit in bytes
)

// The pipes of a worker: the pool passes them as extra files, so the
// worker's own stdout (which gpython's sys module could reach) is not the
// protocol.
const (
	workerInFD  = 3
	workerOutFD = 4
)

// MaybeRunWorker turns the process into a Python worker when it was
// started as one by a Pool (environment SLUICE_PYWORKER=1), and never
// returns then. Every binary that runs python nodes must call it first
// thing in main(), and test binaries in TestMain:
//
//	func TestMain(m *testing.M) {
//		pyrt.MaybeRunWorker()
//		os.Exit(m.Run())
//	}
//
// Otherwise it returns at once.
func MaybeRunWorker() {
	if os.Getenv(workerEnv) != "1" {
		return
	}
	os.Exit(runWorker())
}

func runWorker() int {
	guard = applyLimits()
	go watchParent(os.Getppid())
	in := os.NewFile(workerInFD, "pyworker-in")
	out := os.NewFile(workerOutFD, "pyworker-out")
	if in == nil || out == nil {
		fmt.Fprintln(os.Stderr, "pyworker: missing protocol pipes")
		return 2
	}
	if err := serve(in, out); err != nil && err != io.EOF {
		fmt.Fprintln(os.Stderr, "pyworker:", err)
		return 1
	}
	return 0
}

// applyLimits bounds the stack, so runaway recursion dies in milliseconds
// with a Go "stack exceeds limit" fatal error instead of growing to 1 GB,
// and memory in two ways: a watchdog ends the worker when the heap passes
// the limit, and (except in race builds) the address space is capped so a
// single huge allocation fails at once (a fatal "out of memory" of this
// process only) instead of waking the kernel's OOM killer. The Go runtime
// itself needs about 1.5 GiB of address space, hence the headroom.
func applyLimits() *heapGuard {
	stack := int64(16 << 20)
	if v, err := strconv.ParseInt(os.Getenv(workerStackEnv), 10, 64); err == nil && v > 0 {
		stack = v
	}
	debug.SetMaxStack(int(stack))
	limit, err := strconv.ParseInt(os.Getenv(workerMemEnv), 10, 64)
	if err != nil || limit <= 0 {
		return nil
	}
	debug.SetMemoryLimit(limit * 3 / 4)
	if !raceEnabled {
		as := uint64(limit)*2 + 2<<30
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: as, Max: as}); err != nil {
			fmt.Fprintln(os.Stderr, "pyworker: cannot limit address space:", err)
		}
	}
	return newHeapGuard(uint64(limit))
}

// watchParent ends the worker when the process that started it is gone:
// a worker stuck in an endless loop would never see its input close.
func watchParent(ppid int) {
	for {
		time.Sleep(100 * time.Millisecond)
		if os.Getppid() != ppid {
			os.Exit(4)
		}
	}
}

// guard is the worker's heap guard (nil without a memory limit).
var guard *heapGuard

// heapGuard ends the process when the heap grows past the limit. gpython
// cannot be interrupted, but the Go scheduler still runs the guard's timer
// while an event runs. The heap only grows while events run, so it looks
// only then: before an event when 5 ms have passed since the last look
// (growth across events), and every 5 ms that one event runs (growth
// within one). An idle worker never wakes up: on these virtual machines a
// wake-up of an idle process costs as much as running several events, and
// a watchdog polling every 5 ms cost the workers a quarter of their CPU
// in the webhook -> python -> http benchmark.
type heapGuard struct {
	limit   uint64
	last    time.Time
	running atomic.Bool
	timer   *time.Timer
}

const (
	heapLook   = 5 * time.Millisecond
	heapMetric = "/memory/classes/heap/objects:bytes"
)

func newHeapGuard(limit uint64) *heapGuard {
	g := &heapGuard{limit: limit}
	g.timer = time.AfterFunc(time.Hour, g.tick)
	g.timer.Stop()
	return g
}

// look reads the heap and ends the process past the limit. It runs on the
// worker's goroutine and on the timer's, each with its own sample.
func (g *heapGuard) look() {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() > g.limit {
		fmt.Fprintf(os.Stderr, "fatal error: out of memory: heap of %d bytes passed the limit of %d\n", s[0].Value.Uint64(), g.limit)
		os.Exit(3)
	}
}

func (g *heapGuard) tick() {
	if !g.running.Load() {
		return
	}
	g.look()
	if g.running.Load() {
		g.timer.Reset(heapLook)
	}
}

// start is called before each event, end after it.
func (g *heapGuard) start() {
	if g == nil {
		return
	}
	if now := time.Now(); now.Sub(g.last) >= heapLook {
		g.last = now
		g.look()
	}
	g.running.Store(true)
	g.timer.Reset(heapLook)
}

func (g *heapGuard) end() {
	if g == nil {
		return
	}
	g.running.Store(false)
	g.timer.Stop()
}

// serve runs the worker loop: one init, then events until EOF.
func serve(r io.Reader, w io.Writer) error {
	fr := &frameReader{r: bufio.NewReaderSize(r, 256<<10)}
	fw := &frameWriter{w: bufio.NewWriterSize(w, 64<<10)}
	t, err := fr.byte1()
	if err != nil {
		return err
	}
	if t != frameInit {
		return fmt.Errorf("%w: expected init, got %q", errProtocol, t)
	}
	b, err := fr.bytes()
	if err != nil {
		return err
	}
	var msg initMsg
	if err := json.Unmarshal(b, &msg); err != nil {
		return fmt.Errorf("decode init: %w", err)
	}
	interp, ierr := NewInterp(msg.Code, msg.Function)
	// ready: a flags byte (1: the function takes meta), then the error
	// of the code as JSON, if any.
	ready := []byte{0}
	if ierr != nil {
		pe, ok := ierr.(*Error)
		if !ok {
			pe = &Error{Kind: KindException, Type: "Error", Message: ierr.Error()}
		}
		b, _ := json.Marshal(pe)
		ready = append(ready, b...)
	} else if interp.wantsMeta {
		ready[0] = 1
	}
	if err := fw.byte1(frameReady); err != nil {
		return err
	}
	if err := fw.bytes(ready); err != nil {
		return err
	}
	if err := fw.w.Flush(); err != nil {
		return err
	}
	if ierr != nil {
		return nil
	}
	// Results are flushed when no further event is waiting in the input
	// buffer, every 128 results, and at the latest a millisecond after
	// they were written. The pool times each event from the previous
	// result, so a result must never wait behind an event that loops
	// forever: the timer fires even then (gpython cannot be interrupted,
	// but the Go scheduler preempts it).
	out := &resultWriter{fw: fw, delay: time.Millisecond}
	for {
		t, err := fr.byte1()
		if err != nil {
			return err
		}
		if t != frameEvent {
			return fmt.Errorf("%w: expected event, got %q", errProtocol, t)
		}
		flags, err := fr.byte1()
		if err != nil {
			return err
		}
		seq, err := fr.u32()
		if err != nil {
			return err
		}
		mb, err := fr.bytes()
		if err != nil {
			return err
		}
		body, err := fr.bytes()
		if err != nil {
			return err
		}
		var meta *Meta
		if interp.wantsMeta && len(mb) > 0 {
			meta = &Meta{}
			if err := json.Unmarshal(mb, meta); err != nil {
				return fmt.Errorf("decode meta: %w", err)
			}
		}
		guard.start()
		start := time.Now()
		res := interp.Run(body, meta)
		guard.end()
		if err := out.write(seq, res, time.Since(start), flags&eventFlush != 0 || fr.r.Buffered() == 0); err != nil {
			return err
		}
	}
}

// resultWriter writes results, flushing at once when asked and otherwise
// within delay: a timer is armed when the first unflushed result is
// written, so an idle worker does not wake up.
type resultWriter struct {
	mu      sync.Mutex
	fw      *frameWriter
	delay   time.Duration
	pending int
	armed   bool
	err     error
}

func (w *resultWriter) write(seq uint32, res Outcome, d time.Duration, flushNow bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if err := w.fw.writeResult(seq, res, d); err != nil {
		w.err = err
		return err
	}
	w.pending++
	if flushNow || w.pending >= 128 {
		w.pending = 0
		w.err = w.fw.w.Flush()
		return w.err
	}
	if !w.armed {
		w.armed = true
		time.AfterFunc(w.delay, w.flushLater)
	}
	return nil
}

func (w *resultWriter) flushLater() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false
	if w.pending > 0 && w.err == nil {
		w.pending = 0
		w.err = w.fw.w.Flush()
	}
}
