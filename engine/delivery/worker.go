package delivery

import (
	"container/heap"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/store"
)

// Observer hears what a worker does, for counters, logs and traces. Calls
// come from the worker's own goroutines and must not block.
type Observer interface {
	Delivered(dest string, it *store.QueueItem, r component.Receipt, took time.Duration)
	Failed(dest string, it *store.QueueItem, r component.Receipt, err error, next time.Time)
	Dead(dest string, it *store.QueueItem, reason string)
}

// Worker runs one destination's queue.
type Worker struct {
	dest string
	d    component.Destination
	st   store.Store
	cfg  Config
	win  windows
	log  *slog.Logger
	obs  Observer
	rnd  *rand.Rand
	lim  *rate.Limiter

	window int

	stop     chan struct{}
	done     chan struct{}
	kick     chan struct{}
	stopOnce sync.Once
	paused   atomic.Bool
	// dctx is the context of deliveries; it is cancelled when a graceful
	// stop runs out of time.
	dctx    context.Context
	dcancel context.CancelFunc

	mu    sync.Mutex
	stats Stats
	meter meter
}

// State says what a destination's queue is doing.
type State string

// States of a destination.
const (
	StateRunning  State = "running"  // delivering, or idle with nothing queued
	StateRetrying State = "retrying" // recent attempts failed; retrying with backoff
	StateHolding  State = "holding"  // circuit open: probing one event at a time
	StatePaused   State = "paused"   // paused by an operator
	StateWindow   State = "maintenance"
)

// Stats is a snapshot of a worker.
type Stats struct {
	State       State     `json:"state"`
	Delivered   int64     `json:"delivered"`
	Failed      int64     `json:"failed_attempts"`
	Dead        int64     `json:"dead_lettered"`
	InFlight    int       `json:"in_flight"`
	Consecutive int       `json:"consecutive_failures"`
	Oldest      time.Time `json:"oldest,omitzero"` // receipt time of the oldest queued event
	Rate        float64   `json:"rate"`            // deliveries per second, last 10 s
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	InWindow    bool      `json:"in_window"`
	WindowEnds  time.Time `json:"window_ends,omitzero"`
	NextWindow  time.Time `json:"next_window,omitzero"`
	Paused      bool      `json:"paused"`
	BreakerOpen bool      `json:"breaker_open"`
}

// meter counts deliveries per second over the last ten seconds.
type meter struct {
	sec    [10]int64
	counts [10]int64
}

func (m *meter) add(now time.Time) {
	s := now.Unix()
	i := s % 10
	if m.sec[i] != s {
		m.sec[i], m.counts[i] = s, 0
	}
	m.counts[i]++
}

func (m *meter) rate(now time.Time) float64 {
	var n int64
	s := now.Unix()
	for i := range m.sec {
		if s-m.sec[i] < 10 && s-m.sec[i] >= 1 {
			n += m.counts[i]
		}
	}
	return float64(n) / 9
}

// NewWorker builds a worker; Run starts it. paused is the state the
// destination was left in.
func NewWorker(dest string, d component.Destination, st store.Store, cfg Config, log *slog.Logger, obs Observer, paused bool) (*Worker, error) {
	win, err := parseWindows(cfg.Maintenance)
	if err != nil {
		return nil, fmt.Errorf("destination %q: %w", dest, err)
	}
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	w := &Worker{
		dest: dest, d: d, st: st, cfg: cfg, win: win, log: log, obs: obs,
		rnd:    rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		window: max(cfg.Concurrency*8, 64),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		kick:   make(chan struct{}, 1),
	}
	w.paused.Store(paused)
	if cfg.Rate.PerSecond > 0 {
		w.lim = rate.NewLimiter(rate.Limit(cfg.Rate.PerSecond), max(cfg.Rate.Burst, 1))
	}
	w.dctx, w.dcancel = context.WithCancel(context.Background())
	return w, nil
}

// Stats returns a snapshot of the worker's counters.
func (w *Worker) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	now := time.Now()
	s.Rate = w.meter.rate(now)
	s.InWindow, s.WindowEnds = w.win.active(now)
	s.NextWindow = w.win.next(now)
	s.Paused = w.paused.Load()
	switch {
	case s.Paused:
		s.State = StatePaused
	case s.InWindow:
		s.State = StateWindow
	case s.BreakerOpen:
		s.State = StateHolding
	case s.Consecutive > 0:
		s.State = StateRetrying
	default:
		s.State = StateRunning
	}
	return s
}

// Pause holds delivery: events stay queued, attempts in flight finish.
func (w *Worker) Pause() { w.paused.Store(true); w.wake() }

// Resume lets delivery go on; a backlog drains at the backlog rate.
func (w *Worker) Resume() { w.paused.Store(false); w.wake() }

func (w *Worker) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Stop stops dispatching, waits for deliveries in flight until ctx ends,
// then cancels them (they are delivered again after a restart).
func (w *Worker) Stop(ctx context.Context) {
	w.stopOnce.Do(func() { close(w.stop) })
	select {
	case <-w.done:
	case <-ctx.Done():
		w.dcancel()
		<-w.done
	}
	w.dcancel()
}

type slot struct {
	it        *store.QueueItem
	readyAt   time.Time
	notBefore time.Time // the rate limiter's token is due then
	index     int
}

type readyHeap []*slot

func (h readyHeap) Len() int { return len(h) }
func (h readyHeap) Less(i, j int) bool {
	if h[i].readyAt.Equal(h[j].readyAt) {
		return h[i].it.Seq < h[j].it.Seq
	}
	return h[i].readyAt.Before(h[j].readyAt)
}
func (h readyHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *readyHeap) Push(x any)   { s := x.(*slot); s.index = len(*h); *h = append(*h, s) }
func (h *readyHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	s.index = -1
	*h = old[:len(old)-1]
	return s
}
func (h readyHeap) peek() *slot     { return h[0] }
func (h readyHeap) empty() bool     { return len(h) == 0 }
func (h *readyHeap) add(s *slot)    { heap.Push(h, s) }
func (h *readyHeap) remove(s *slot) { heap.Remove(h, s.index) }

type result struct {
	s       *slot
	receipt component.Receipt
	err     error
	took    time.Duration
}

// loop is the worker's state, owned by the Run goroutine.
type loop struct {
	inWindow map[uint64]*slot // fetched, not finished
	// order holds the seqs of inWindow in the order they were fetched,
	// which is ascending, plus some already finished at its front: the
	// oldest item is found in amortised O(1), not by a walk of the map
	// on every turn of the loop.
	order       []uint64
	ready       readyHeap
	inflight    int
	draining    bool
	consecutive int
	nextProbe   time.Time
}

// Run delivers until Stop is called. It returns when nothing is in flight.
func (w *Worker) Run() {
	defer close(w.done)
	work := make(chan *slot)
	results := make(chan result, w.cfg.Concurrency)
	var senders sync.WaitGroup
	for range w.cfg.Concurrency {
		senders.Add(1)
		go func() {
			defer senders.Done()
			for s := range work {
				results <- w.attempt(s)
			}
		}()
	}
	defer func() {
		close(work)
		senders.Wait()
	}()

	var (
		cursor    uint64
		l         = &loop{inWindow: map[uint64]*slot{}}
		exhausted bool
		wasHeld   bool
		timer     = time.NewTimer(time.Hour)
		notify    = w.st.Notify(w.dest)
		stopping  bool
	)
	defer timer.Stop()

	for {
		if stopping {
			if l.inflight == 0 {
				return
			}
			r := <-results
			l.inflight--
			w.finish(r, l)
			continue
		}
		// Fill the in-memory window from the durable queue.
		if !exhausted && len(l.inWindow) < w.window {
			items, err := w.st.QueueRead(w.dest, cursor, w.window-len(l.inWindow))
			if err != nil {
				w.log.Error("read queue", "err", err)
				exhausted = true
			} else {
				now := time.Now()
				for _, it := range items {
					cursor = it.Seq
					s := &slot{it: it, readyAt: now}
					l.inWindow[it.Seq] = s
					l.order = append(l.order, it.Seq)
					l.ready.add(s)
				}
				exhausted = len(items) == 0
			}
		}
		now := time.Now()
		inWin, windowEnd := w.win.active(now)
		paused := w.paused.Load()
		held := inWin || paused
		if held {
			wasHeld = true
		} else if wasHeld {
			wasHeld = false
			l.draining = true
		}
		if l.draining && exhausted && len(l.inWindow) == 0 {
			l.draining = false
		}
		w.setRate(l.draining)
		breakerOpen := w.cfg.Breaker.Failures > 0 && l.consecutive >= w.cfg.Breaker.Failures

		// Dispatch what is ready, within concurrency, order and rate.
		var wake time.Time
		for !held && l.inflight < w.cfg.Concurrency && !l.ready.empty() {
			s := l.ready.peek()
			if w.cfg.Ordered {
				// Only the oldest event may go; the rest wait behind it.
				s = l.oldest()
			}
			if breakerOpen {
				// Circuit open: one probe at a time, at the backoff's pace,
				// whatever the events' own retry times.
				if l.inflight > 0 {
					break
				}
				if l.nextProbe.After(now) {
					wake = l.nextProbe
					break
				}
			} else if s.readyAt.After(now) {
				wake = s.readyAt
				break
			}
			s.notBefore = time.Time{}
			if w.lim != nil {
				// Reserve the next token. A sender waits for a token due
				// soon, so no time is lost between tokens (with a small
				// burst, a late wake-up would lower the rate); a token due
				// later is given back and the loop looks again then.
				t := time.Now()
				r := w.lim.ReserveN(t, 1)
				if d := r.DelayFrom(t); d > time.Second {
					r.CancelAt(t)
					wake = t.Add(d - time.Second)
					break
				} else if d > 0 {
					s.notBefore = t.Add(d)
				}
			}
			l.ready.remove(s)
			l.inflight++
			work <- s
		}
		if inWin && !paused {
			wake = windowEnd
		}
		w.publish(l)
		if !exhausted && len(l.inWindow) < w.window {
			continue // keep filling
		}
		var tc <-chan time.Time
		if !wake.IsZero() {
			timer.Reset(max(time.Until(wake), time.Millisecond))
			tc = timer.C
		}
		select {
		case r := <-results:
			l.inflight--
			w.finish(r, l)
		case <-notify:
			exhausted = false
		case <-w.kick:
		case <-tc:
		case <-w.stop:
			stopping = true
		}
		if tc != nil && !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// publish copies the loop's state into the stats others read.
func (w *Worker) publish(l *loop) {
	var oldest time.Time
	if s := l.oldest(); s != nil {
		oldest = s.it.Event.ReceivedAt
	}
	w.mu.Lock()
	w.stats.InFlight = l.inflight
	w.stats.Consecutive = l.consecutive
	w.stats.Oldest = oldest
	w.stats.BreakerOpen = w.cfg.Breaker.Failures > 0 && l.consecutive >= w.cfg.Breaker.Failures
	w.mu.Unlock()
}

func (w *Worker) setRate(draining bool) {
	if w.lim == nil && w.cfg.Rate.BacklogRate > 0 && draining {
		w.lim = rate.NewLimiter(rate.Limit(w.cfg.Rate.BacklogRate), max(w.cfg.Rate.Burst, 1))
		return
	}
	if w.lim == nil {
		return
	}
	want := rate.Limit(w.cfg.Rate.PerSecond)
	if draining && w.cfg.Rate.BacklogRate > 0 {
		want = rate.Limit(w.cfg.Rate.BacklogRate)
	}
	if want == 0 {
		w.lim = nil
		return
	}
	if w.lim.Limit() != want {
		w.lim.SetLimit(want)
	}
}

// oldest returns the item with the lowest seq in the window, or nil.
func (l *loop) oldest() *slot {
	for i, seq := range l.order {
		if s := l.inWindow[seq]; s != nil {
			if i > 0 {
				l.order = l.order[i:]
			}
			return s
		}
	}
	l.order = l.order[:0]
	return nil
}

func (w *Worker) attempt(s *slot) result {
	if d := time.Until(s.notBefore); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-w.dctx.Done():
			t.Stop()
			return result{s: s, err: w.dctx.Err()}
		}
	}
	ctx := w.dctx
	if t := w.cfg.Timeout.D(); t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	start := time.Now()
	rc, err := w.d.Deliver(ctx, s.it.Event)
	return result{s: s, receipt: rc, err: err, took: time.Since(start)}
}

func (w *Worker) finish(r result, l *loop) {
	it := r.s.it
	now := time.Now()
	if r.err == nil {
		delete(l.inWindow, it.Seq)
		if l.consecutive > 0 {
			w.log.Info("destination recovered", "after_failures", l.consecutive)
			l.draining = true
		}
		l.consecutive = 0
		if err := w.st.QueueDone(w.dest, it); err != nil {
			w.log.Error("mark delivered", "event_id", it.Event.ID, "err", err)
		}
		w.mu.Lock()
		w.stats.Delivered++
		w.meter.add(now)
		w.mu.Unlock()
		if w.obs != nil {
			w.obs.Delivered(w.dest, it, r.receipt, r.took)
		}
		return
	}
	if w.dctx.Err() != nil {
		// Cancelled by a stop that ran out of time: not a failure of the
		// destination; the event stays queued for the next start.
		delete(l.inWindow, it.Seq)
		return
	}
	f := component.Classify(r.err)
	it.Attempts++
	if it.FirstAttempt.IsZero() {
		it.FirstAttempt = now.Add(-r.took)
	}
	it.LastError = f.Error()
	it.Errors = append(it.Errors, store.Attempt{At: now.UTC(), Error: f.Error(), Status: f.Status})
	w.mu.Lock()
	w.stats.Failed++
	w.stats.LastError = it.LastError
	w.stats.LastErrorAt = now
	w.mu.Unlock()
	if f.Class != component.FailRejected {
		// A rejected event says nothing about the destination's health.
		l.consecutive++
	}

	reason := ""
	switch {
	case f.Class == component.FailRejected:
		reason = "rejected by the destination: " + f.Error()
	case w.cfg.Retry.MaxAttempts > 0 && it.Attempts >= w.cfg.Retry.MaxAttempts:
		reason = fmt.Sprintf("gave up after %d attempts: %s", it.Attempts, f.Error())
	case w.cfg.Retry.GiveUpAfter > 0 && now.Sub(it.FirstAttempt) >= w.cfg.Retry.GiveUpAfter.D():
		reason = fmt.Sprintf("gave up after %s: %s", w.cfg.Retry.GiveUpAfter.D(), f.Error())
	}
	if reason != "" {
		delete(l.inWindow, it.Seq)
		if w.obs != nil {
			w.obs.Failed(w.dest, it, r.receipt, r.err, time.Time{})
		}
		w.kill(it, reason)
		return
	}
	delay := w.cfg.Retry.Delay(it.Attempts, w.rnd)
	if f.Class == component.FailThrottled && f.RetryAfter > 0 {
		delay = f.RetryAfter
	}
	r.s.readyAt = now.Add(delay)
	if n := w.cfg.Breaker.Failures; n > 0 && l.consecutive >= n {
		probe := w.cfg.Retry.Delay(l.consecutive-n+1, w.rnd)
		if f.Class == component.FailThrottled && f.RetryAfter > probe {
			probe = f.RetryAfter
		}
		l.nextProbe = now.Add(probe)
		if l.consecutive == n {
			w.log.Warn("circuit open: holding the destination, probing one event at a time", "consecutive_failures", n, "next_probe_in", probe.Round(time.Millisecond))
		}
		r.s.readyAt = l.nextProbe
	}
	if err := w.st.QueueUpdate(w.dest, it); err != nil {
		w.log.Warn("record failed attempt", "event_id", it.Event.ID, "err", err)
	}
	if w.obs != nil {
		w.obs.Failed(w.dest, it, r.receipt, r.err, r.s.readyAt)
	}
	l.ready.add(r.s)
}

func (w *Worker) kill(it *store.QueueItem, reason string) {
	if !w.cfg.DeadLetter {
		w.log.Warn("event discarded (dead_letter: false)", "event_id", it.Event.ID, "reason", reason)
		if err := w.st.QueueDone(w.dest, it); err != nil {
			w.log.Error("discard", "event_id", it.Event.ID, "err", err)
		}
	} else if err := w.st.QueueKill(w.dest, it, reason); err != nil {
		w.log.Error("dead-letter", "event_id", it.Event.ID, "err", err)
		return
	}
	w.mu.Lock()
	w.stats.Dead++
	w.mu.Unlock()
	if w.obs != nil {
		w.obs.Dead(w.dest, it, reason)
	}
}
