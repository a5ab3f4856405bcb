package delivery

import (
	"container/heap"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
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
	stopOnce sync.Once
	// dctx is the context of deliveries; it is cancelled when a graceful
	// stop runs out of time.
	dctx    context.Context
	dcancel context.CancelFunc

	mu    sync.Mutex
	stats Stats
}

// Stats is a snapshot of a worker.
type Stats struct {
	Delivered   int64     `json:"delivered"`
	Failed      int64     `json:"failed_attempts"`
	Dead        int64     `json:"dead_lettered"`
	InFlight    int       `json:"in_flight"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	InWindow    bool      `json:"in_window"`
	NextWindow  time.Time `json:"next_window,omitzero"`
}

// NewWorker builds a worker; Run starts it.
func NewWorker(dest string, d component.Destination, st store.Store, cfg Config, log *slog.Logger, obs Observer) (*Worker, error) {
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
	}
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
	s.InWindow, _ = w.win.active(now)
	s.NextWindow = w.win.next(now)
	return s
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
	it      *store.QueueItem
	readyAt time.Time
	index   int
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
		inWindow  = map[uint64]*slot{} // fetched, not finished
		ready     readyHeap
		inflight  int
		exhausted bool
		draining  bool
		wasHeld   bool
		timer     = time.NewTimer(time.Hour)
		notify    = w.st.Notify(w.dest)
		stopping  bool
	)
	defer timer.Stop()

	for {
		if stopping {
			if inflight == 0 {
				return
			}
			r := <-results
			inflight--
			w.finish(r, inWindow, &ready, &draining)
			continue
		}
		// Fill the in-memory window from the durable queue.
		if !exhausted && len(inWindow) < w.window {
			items, err := w.st.QueueRead(w.dest, cursor, w.window-len(inWindow))
			if err != nil {
				w.log.Error("read queue", "err", err)
				exhausted = true
			} else {
				now := time.Now()
				for _, it := range items {
					cursor = it.Seq
					s := &slot{it: it, readyAt: now}
					inWindow[it.Seq] = s
					ready.add(s)
				}
				exhausted = len(items) == 0
			}
		}
		now := time.Now()
		held, windowEnd := w.win.active(now)
		if held {
			wasHeld = true
		} else if wasHeld {
			wasHeld = false
			draining = true
		}
		if draining && exhausted && len(inWindow) == 0 {
			draining = false
		}
		w.setRate(draining)

		// Dispatch what is ready, within concurrency, order and rate.
		var wake time.Time
		for !held && inflight < w.cfg.Concurrency && !ready.empty() {
			s := ready.peek()
			if w.cfg.Ordered {
				// Only the oldest event may go; the rest wait behind it.
				s = inWindow[minSeq(inWindow)]
			}
			if s.readyAt.After(now) {
				wake = s.readyAt
				break
			}
			if w.lim != nil {
				r := w.lim.ReserveN(now, 1)
				if d := r.DelayFrom(now); d > 0 {
					r.CancelAt(now)
					wake = now.Add(d)
					break
				}
			}
			ready.remove(s)
			inflight++
			w.mu.Lock()
			w.stats.InFlight = inflight
			w.mu.Unlock()
			work <- s
		}
		if held {
			wake = windowEnd
		}
		if !exhausted && len(inWindow) < w.window {
			continue // keep filling
		}
		var tc <-chan time.Time
		if !wake.IsZero() {
			timer.Reset(max(time.Until(wake), time.Millisecond))
			tc = timer.C
		}
		select {
		case r := <-results:
			inflight--
			w.finish(r, inWindow, &ready, &draining)
		case <-notify:
			exhausted = false
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
		w.mu.Lock()
		w.stats.InFlight = inflight
		w.mu.Unlock()
	}
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

func minSeq(m map[uint64]*slot) uint64 {
	first := true
	var min uint64
	for k := range m {
		if first || k < min {
			min, first = k, false
		}
	}
	return min
}

func (w *Worker) attempt(s *slot) result {
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

func (w *Worker) finish(r result, inWindow map[uint64]*slot, ready *readyHeap, draining *bool) {
	it := r.s.it
	now := time.Now()
	if r.err == nil {
		delete(inWindow, it.Seq)
		if err := w.st.QueueDone(w.dest, it.Seq); err != nil {
			w.log.Error("mark delivered", "event_id", it.Event.ID, "err", err)
		}
		w.mu.Lock()
		w.stats.Delivered++
		w.mu.Unlock()
		if w.obs != nil {
			w.obs.Delivered(w.dest, it, r.receipt, r.took)
		}
		return
	}
	if w.dctx.Err() != nil {
		// Cancelled by a stop that ran out of time: not a failure of the
		// destination; the event stays queued for the next start.
		delete(inWindow, it.Seq)
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
		delete(inWindow, it.Seq)
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
	if err := w.st.QueueUpdate(w.dest, it); err != nil {
		w.log.Warn("record failed attempt", "event_id", it.Event.ID, "err", err)
	}
	if w.obs != nil {
		w.obs.Failed(w.dest, it, r.receipt, r.err, r.s.readyAt)
	}
	*draining = true
	ready.add(r.s)
}

func (w *Worker) kill(it *store.QueueItem, reason string) {
	if !w.cfg.DeadLetter {
		w.log.Warn("event discarded (dead_letter: false)", "event_id", it.Event.ID, "reason", reason)
		if err := w.st.QueueDone(w.dest, it.Seq); err != nil {
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
