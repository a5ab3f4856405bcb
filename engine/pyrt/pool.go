package pyrt

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config configures a Pool.
type Config struct {
	Code     string
	Function string        // default "transform"
	Timeout  time.Duration // per event; default 1s
	Workers  int           // worker processes; default 1
	// MemoryLimit is the heap of one worker in bytes; default 512 MiB.
	// It bounds what a transform can allocate.
	MemoryLimit int64
	// StackLimit is the Go stack of a worker in bytes; default 16 MiB:
	// over 3,000 nested Python calls (CPython stops at 1,000), and a
	// runaway recursion dies in about 100 ms.
	StackLimit int64
	// StartTimeout bounds the start of a worker, including the top level
	// of the code; default 10s plus Timeout.
	StartTimeout time.Duration
	// Executable is the binary started as a worker; default the running
	// one, which must call MaybeRunWorker first thing in main.
	Executable string
	// Logger, optional, hears about workers killed or dead.
	Logger *slog.Logger
}

func (c *Config) defaults() {
	if c.Function == "" {
		c.Function = "transform"
	}
	if c.Timeout <= 0 {
		c.Timeout = time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.MemoryLimit <= 0 {
		c.MemoryLimit = 512 << 20
	}
	if c.StackLimit <= 0 {
		c.StackLimit = 16 << 20
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = 10*time.Second + c.Timeout
	}
}

// Item is one event handed to a Pool.
type Item struct {
	Body json.RawMessage
	Meta *Meta
}

// Result is an Outcome with the time the event took in the worker.
type Result struct {
	Outcome
	Duration time.Duration
}

// ErrClosed is returned by Run after Close.
var ErrClosed = errors.New("python pool closed")

// Pool runs one transform in supervised worker processes. Run may be
// called from many goroutines; each worker takes one chunk of a batch at
// a time. A worker that exceeds the timeout is killed, its event fails
// with a timeout error, and a fresh worker takes the rest of the chunk;
// a worker that dies (stack or memory limit) fails only its event.
type Pool struct {
	cfg Config
	// free holds a token per idle worker; idle holds the idle workers
	// themselves (nil for a slot whose worker must be started again), the
	// most recently used last. take uses that one: a steady trickle of
	// small batches keeps one worker warm and lets the others sleep,
	// where taking them in turn wakes each from a deeper sleep: in
	// BenchmarkPoolTrickle (batches of 10) the workers used 71-73 CPU-µs
	// per event taken in turn and 50 taken this way.
	free chan struct{}

	mu     sync.Mutex
	idle   []*proc
	closed bool
	procs  map[*proc]bool
}

// NewPool compiles the code and starts the workers. When the code does not
// compile or its top level fails, the error is an *Error.
func NewPool(ctx context.Context, cfg Config) (*Pool, error) {
	cfg.defaults()
	if cfg.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find executable for python workers: %w", err)
		}
		cfg.Executable = exe
	}
	if perr := CheckSyntax(cfg.Code); perr != nil {
		return nil, perr
	}
	p := &Pool{cfg: cfg, free: make(chan struct{}, cfg.Workers), procs: map[*proc]bool{}}
	for i := 0; i < cfg.Workers; i++ {
		w, err := p.spawn(ctx)
		if err != nil {
			p.Close()
			return nil, err
		}
		p.put(w)
	}
	return p, nil
}

// Workers returns the number of worker processes.
func (p *Pool) Workers() int { return p.cfg.Workers }

// Close kills the workers. Runs in progress fail with ErrClosed.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	procs := make([]*proc, 0, len(p.procs))
	for w := range p.procs {
		procs = append(procs, w)
	}
	p.mu.Unlock()
	for _, w := range procs {
		w.kill()
	}
	return nil
}

// Run runs the transform on every item and returns one Result per item,
// in order. The error is for the whole batch (pool closed, context done,
// worker cannot start); failures of single events are in their Result.
func (p *Pool) Run(ctx context.Context, items []Item) ([]Result, error) {
	results := make([]Result, len(items))
	if len(items) == 0 {
		return results, nil
	}
	// Split into contiguous chunks, one per worker, but not below a size
	// where the pipe round trip dominates.
	const minChunk = 64
	n := min(p.cfg.Workers, (len(items)+minChunk-1)/minChunk)
	size := (len(items) + n - 1) / n
	if n == 1 {
		// Small batches (the usual case under a steady trickle): no
		// goroutine hand-off.
		if err := p.runChunk(ctx, items, results); err != nil {
			return nil, err
		}
		return results, nil
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for c := 0; c < n; c++ {
		lo, hi := c*size, min((c+1)*size, len(items))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func(c, lo, hi int) {
			defer wg.Done()
			errs[c] = p.runChunk(ctx, items[lo:hi], results[lo:hi])
		}(c, lo, hi)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return results, nil
}

func (p *Pool) take(ctx context.Context) (*proc, error) {
	select {
	case <-p.free:
		p.mu.Lock()
		defer p.mu.Unlock()
		w := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		return w, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// give returns a worker to the pool, replacing it (lazily) when it died.
func (p *Pool) give(w *proc) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed && w != nil {
		w.kill()
	}
	p.put(w) // nil marks a slot whose worker must be started again
}

func (p *Pool) put(w *proc) {
	p.mu.Lock()
	p.idle = append(p.idle, w)
	p.mu.Unlock()
	p.free <- struct{}{}
}

func (p *Pool) runChunk(ctx context.Context, items []Item, results []Result) error {
	w, err := p.take(ctx)
	if err != nil {
		return err
	}
	defer func() { p.give(w) }()
	i := 0
	careful := false
	for i < len(items) {
		if w == nil || w.dead() {
			if w != nil {
				p.forget(w)
			}
			w = nil
			if w, err = p.spawn(ctx); err != nil {
				return err
			}
		}
		next, crashed, err := p.stream(ctx, w, items, results, i, careful)
		if crashed {
			// The worker died, but results it had not flushed yet died
			// with it, so the event to blame is not known: run the rest
			// again with a flush after every event, which finds it. Events
			// are run twice at most; outputs are taken once.
			careful = true
		}
		if err != nil {
			w.kill()
			p.forget(w)
			w = nil
			return err
		}
		if next < len(items) && !w.dead() {
			return fmt.Errorf("%w: worker stopped answering", errProtocol)
		}
		i = next
	}
	return nil
}

// stream sends items[from:] to w and collects results until all arrived
// or the worker was killed (timeout) or died (crash); then it returns the
// index of the first item still to do. In careful mode the worker flushes
// every result, so a crash is blamed on the event in progress; otherwise
// a crash only reports crashed.
func (p *Pool) stream(ctx context.Context, w *proc, items []Item, results []Result, from int, careful bool) (int, bool, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return from, false, ErrClosed
	}
	go w.send(items, from, careful)
	// Each event has Timeout from the arrival of the previous result. The
	// timer is not reset per result (that costs more than the rest of the
	// bookkeeping); when it fires it checks the time of the last result
	// and sleeps again if that is recent.
	last := time.Now()
	timer := time.NewTimer(p.cfg.Timeout)
	defer timer.Stop()
	for i := from; i < len(items); {
		select {
		case batch, ok := <-w.results:
			if !ok {
				if !careful {
					w.kill()
					return i, true, nil
				}
				// The worker died while on item i.
				results[i] = Result{Outcome: Outcome{Err: w.crashError()}}
				p.log("python worker died on an event", "error", results[i].Err.Message)
				return i + 1, true, nil
			}
			for _, r := range batch {
				if int(r.seq) != i || i >= len(items) {
					return i, false, fmt.Errorf("%w: result %d while expecting %d", errProtocol, r.seq, i)
				}
				results[i] = Result{Outcome: r.out, Duration: r.d}
				i++
			}
			last = time.Now()
		case now := <-timer.C:
			if wait := last.Add(p.cfg.Timeout).Sub(now); wait > 0 {
				timer.Reset(wait)
				continue
			}
			w.kill()
			p.log("python worker killed: an event ran past the timeout", "timeout", p.cfg.Timeout)
			results[i] = Result{
				Outcome:  Outcome{Err: &Error{Kind: KindTimeout, Type: "TimeoutError", Message: fmt.Sprintf("the transform did not finish within %v (an endless loop?)", p.cfg.Timeout)}},
				Duration: p.cfg.Timeout,
			}
			// Drain so the reader goroutine ends.
			for range w.results {
			}
			return i + 1, false, nil
		case <-ctx.Done():
			w.kill()
			for range w.results {
			}
			return i, false, ctx.Err()
		}
	}
	return len(items), false, nil
}

func (p *Pool) log(msg string, args ...any) {
	if p.cfg.Logger != nil {
		p.cfg.Logger.Warn(msg, args...)
	}
}

func (p *Pool) forget(w *proc) {
	p.mu.Lock()
	delete(p.procs, w)
	p.mu.Unlock()
}

// proc is one worker process.
type proc struct {
	cmd     *exec.Cmd
	in      *os.File // our end of the worker's input
	fw      *frameWriter
	results chan []procResult // batches of what was read in one go
	stderr  *tail
	exited  chan struct{}
	killMu  sync.Mutex
	killed  bool
	sendMu  sync.Mutex
	// wantsMeta: the function takes (event, meta); otherwise no meta is
	// sent.
	wantsMeta bool
	metaBuf   []byte
}

type procResult struct {
	seq uint32
	out Outcome
	d   time.Duration
}

func (p *Pool) spawn(ctx context.Context) (*proc, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	p.mu.Unlock()
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start python worker: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("start python worker: %w", err)
	}
	// "-test.run=^$" keeps a test binary without TestMain from running its
	// tests again as a worker; a plain binary treats it as a bad argument.
	cmd := exec.Command(p.cfg.Executable, "-test.run=^$")
	cmd.Env = append(os.Environ(),
		workerEnv+"=1",
		workerMemEnv+"="+strconv.FormatInt(p.cfg.MemoryLimit, 10),
		workerStackEnv+"="+strconv.FormatInt(p.cfg.StackLimit, 10),
		"GOMAXPROCS=2",
		// gpython allocates a lot per call; the heap is bounded by the
		// memory limit, so trade memory for fewer collections.
		"GOGC=400",
		"GOTRACEBACK=single",
	)
	cmd.ExtraFiles = []*os.File{inR, outW}
	st := &tail{max: 4096}
	cmd.Stderr = st
	if err := cmd.Start(); err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("start python worker: %w", err)
	}
	inR.Close()
	outW.Close()
	w := &proc{
		cmd:     cmd,
		in:      inW,
		fw:      &frameWriter{w: bufio.NewWriterSize(inW, 256<<10)},
		results: make(chan []procResult, 64),
		stderr:  st,
		exited:  make(chan struct{}),
	}
	p.mu.Lock()
	p.procs[w] = true
	p.mu.Unlock()
	go func() {
		_ = cmd.Wait()
		close(w.exited)
	}()
	fr := &frameReader{r: bufio.NewReaderSize(outR, 256<<10)}
	// Handshake: init, then wait for ready.
	initErr := make(chan error, 1)
	go func() {
		b, _ := json.Marshal(initMsg{Code: p.cfg.Code, Function: p.cfg.Function})
		w.sendMu.Lock()
		defer w.sendMu.Unlock()
		if err := w.fw.byte1(frameInit); err != nil {
			initErr <- err
			return
		}
		if err := w.fw.bytes(b); err != nil {
			initErr <- err
			return
		}
		initErr <- w.fw.w.Flush()
	}()
	ready := make(chan error, 1)
	var readyErr *Error
	go func() {
		t, err := fr.byte1()
		if err == nil && t != frameReady {
			err = fmt.Errorf("%w: expected ready, got %q", errProtocol, t)
		}
		var b []byte
		if err == nil {
			b, err = fr.bytes()
		}
		if err == nil && len(b) == 0 {
			err = fmt.Errorf("%w: empty ready frame", errProtocol)
		}
		if err == nil {
			w.wantsMeta = b[0]&1 != 0
			if len(b) > 1 {
				readyErr = &Error{}
				err = json.Unmarshal(b[1:], readyErr)
			}
		}
		ready <- err
	}()
	fail := func(err error) (*proc, error) {
		w.kill()
		outR.Close()
		p.forget(w)
		return nil, err
	}
	timer := time.NewTimer(p.cfg.StartTimeout)
	defer timer.Stop()
	select {
	case err := <-ready:
		if err != nil {
			<-w.exited
			msg := strings.TrimSpace(w.stderr.String())
			if msg == "" {
				msg = "no output"
			}
			return fail(fmt.Errorf("python worker did not start (does the binary call pyrt.MaybeRunWorker first in main?): %v: %s", err, msg))
		}
	case <-timer.C:
		return fail(&Error{Kind: KindTimeout, Type: "TimeoutError", Message: fmt.Sprintf("the top level of the code did not finish within %v", p.cfg.StartTimeout)})
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	if err := <-initErr; err != nil {
		return fail(fmt.Errorf("start python worker: %w", err))
	}
	if readyErr != nil {
		return fail(readyErr)
	}
	go w.read(fr, outR)
	return w, nil
}

// send streams items[from:] to the worker. It ends early when the worker
// is killed (the pipe breaks).
func (w *proc) send(items []Item, from int, careful bool) {
	w.sendMu.Lock()
	defer w.sendMu.Unlock()
	for i := from; i < len(items); i++ {
		var mb []byte
		if w.wantsMeta && items[i].Meta != nil {
			w.metaBuf = appendMeta(w.metaBuf[:0], items[i].Meta)
			mb = w.metaBuf
		}
		var flags byte
		if careful {
			flags = eventFlush
		}
		if w.fw.byte1(frameEvent) != nil || w.fw.byte1(flags) != nil || w.fw.u32(uint32(i)) != nil || w.fw.bytes(mb) != nil || w.fw.bytes(items[i].Body) != nil {
			return
		}
	}
	_ = w.fw.w.Flush()
}

// read delivers results until the worker's output ends, in batches of
// those that arrived together.
func (w *proc) read(fr *frameReader, f *os.File) {
	defer f.Close()
	defer close(w.results)
	for {
		var batch []procResult
		for {
			t, err := fr.byte1()
			if err != nil || t != frameResult {
				if len(batch) > 0 {
					w.results <- batch
				}
				return
			}
			seq, out, d, err := fr.readResult()
			if err != nil {
				if len(batch) > 0 {
					w.results <- batch
				}
				return
			}
			batch = append(batch, procResult{seq: seq, out: out, d: d})
			if fr.r.Buffered() == 0 || len(batch) >= 256 {
				break
			}
		}
		w.results <- batch
	}
}

func (w *proc) kill() {
	w.killMu.Lock()
	defer w.killMu.Unlock()
	if w.killed {
		return
	}
	w.killed = true
	if w.cmd.Process != nil {
		_ = w.cmd.Process.Kill()
	}
	w.in.Close()
}

func (w *proc) dead() bool {
	w.killMu.Lock()
	defer w.killMu.Unlock()
	if w.killed {
		return true
	}
	select {
	case <-w.exited:
		return true
	default:
		return false
	}
}

// crashError explains why a worker died, from what it wrote to stderr.
func (w *proc) crashError() *Error {
	select {
	case <-w.exited:
	case <-time.After(2 * time.Second):
	}
	w.kill()
	msg := w.stderr.String()
	e := &Error{Kind: KindCrash, Type: "RuntimeError"}
	switch {
	case strings.Contains(msg, "stack exceeds") || strings.Contains(msg, "stack overflow"):
		e.Type = "RecursionError"
		e.Message = "maximum recursion depth exceeded (the transform recursed too deep and was stopped)"
	case strings.Contains(msg, "out of memory") || strings.Contains(msg, "cannot allocate memory"):
		e.Type = "MemoryError"
		e.Message = "the transform used more memory than allowed and was stopped"
	default:
		first := strings.TrimSpace(msg)
		if i := strings.IndexByte(first, '\n'); i >= 0 {
			first = first[:i]
		}
		if first == "" {
			first = "no output"
		}
		e.Message = "the python worker died: " + first
	}
	return e
}

// tail keeps the last bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
	// head keeps the first bytes too: Go's fatal errors come first.
	head []byte
}

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.head) < t.max {
		t.head = append(t.head, b[:min(len(b), t.max-len(t.head))]...)
	}
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.head)
}

var _ io.Writer = (*tail)(nil)

// appendMeta encodes meta as JSON, as json.Marshal would, without
// reflection: it is on the path of every event.
func appendMeta(b []byte, m *Meta) []byte {
	e := encoder{buf: b}
	e.buf = append(e.buf, `{"id":`...)
	e.str(m.ID)
	e.buf = append(e.buf, `,"source":`...)
	e.str(m.Source)
	b = e.buf
	b = append(b, `,"received_at":"`...)
	b = m.ReceivedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if len(m.Headers) > 0 {
		h, _ := json.Marshal(m.Headers)
		b = append(b, `,"headers":`...)
		b = append(b, h...)
	}
	return append(b, '}')
}
