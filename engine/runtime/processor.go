package runtime

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/store"
)

const (
	processBatch = 512
	handoffSize  = 8192
	// waitBatch is the batch a processor with a batch wait waits for at
	// most: past it a python pool splits a batch over its workers, and
	// the round trips cost little per event.
	waitBatch = 64
)

// processor moves events from the inbox through the transforms into the
// destination queues. Ingested events are handed over in memory; when the
// hand-off is full (or after a restart, or after a failed batch) it reads
// the inbox from the store instead, so nothing depends on memory alone.
type processor struct {
	rt       *Runtime
	in       chan store.InboxEntry
	overflow atomic.Bool
	kick     chan struct{}
	quit     chan struct{}
	done     chan struct{}
	once     sync.Once
	// retryAt delays the next inbox scan after a batch failed.
	retryAt time.Time
	// wait is how long a batch may wait to fill up (component.BatchWaiter).
	wait time.Duration
}

func newProcessor(rt *Runtime, wait time.Duration) *processor {
	return &processor{
		rt:   rt,
		wait: wait,
		in:   make(chan store.InboxEntry, handoffSize),
		kick: make(chan struct{}, 1),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
}

// offer hands an ingested event over; when the hand-off is full the event
// waits in the inbox for the next scan.
func (p *processor) offer(ev *event.Event) {
	select {
	case p.in <- store.InboxEntry{ID: ev.ID, Event: ev}:
	default:
		p.overflow.Store(true)
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
}

// recover schedules a scan of the inbox: events ingested before a crash.
func (p *processor) recover() error {
	p.overflow.Store(true)
	return nil
}

// scanSoon has the processor read the inbox now: entries were put there
// without the hand-off (replayed dead letters).
func (p *processor) scanSoon() {
	p.overflow.Store(true)
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *processor) stop() {
	p.once.Do(func() { close(p.quit) })
	<-p.done
}

func (p *processor) run() {
	defer close(p.done)
	batch := make([]store.InboxEntry, 0, processBatch)
	retry := time.NewTimer(time.Hour)
	defer retry.Stop()
	fill := time.NewTimer(time.Hour)
	fill.Stop()
	defer fill.Stop()
	for {
		batch = batch[:0]
		if p.overflow.Load() && len(p.in) == 0 && !time.Now().Before(p.retryAt) {
			p.overflow.Store(false)
			if err := p.scan(); err != nil {
				p.rt.log.Error("process inbox", "err", err)
				p.failed()
			}
			continue
		}
		var wake <-chan time.Time
		if p.overflow.Load() {
			retry.Reset(max(time.Until(p.retryAt), time.Millisecond))
			wake = retry.C
		}
		select {
		case e := <-p.in:
			batch = append(batch, e)
		case <-p.kick:
			continue
		case <-wake:
			continue
		case <-p.quit:
			return
		}
		waiting := false
	collect:
		for len(batch) < processBatch {
			select {
			case e := <-p.in:
				batch = append(batch, e)
				continue
			default:
			}
			// Nothing more is there: hand over, or with a batch wait wait
			// for more from the first event on, up to waitBatch events.
			if p.wait <= 0 || len(batch) >= waitBatch {
				break
			}
			if !waiting {
				waiting = true
				fill.Reset(p.wait)
			}
			select {
			case e := <-p.in:
				batch = append(batch, e)
			case <-fill.C:
				waiting = false
				break collect
			case <-p.quit:
				break collect
			}
		}
		if waiting {
			fill.Stop() // since Go 1.23 no stale tick stays in fill.C
		}
		if err := p.process(batch); err != nil {
			p.rt.log.Error("process batch; the events stay in the inbox and are tried again", "err", err, "events", len(batch))
			p.failed()
		}
	}
}

func (p *processor) failed() {
	p.retryAt = time.Now().Add(time.Second)
	p.overflow.Store(true)
}

// scan processes every event in the inbox, in batches.
func (p *processor) scan() error {
	batch := make([]store.InboxEntry, 0, processBatch)
	var perr error
	err := p.rt.st.Inbox(func(e store.InboxEntry) error {
		batch = append(batch, e)
		if len(batch) == processBatch {
			if err := p.process(batch); err != nil {
				perr = err
				return err
			}
			batch = batch[:0]
		}
		select {
		case <-p.quit:
			return errStopping
		default:
		}
		return nil
	})
	if errors.Is(err, errStopping) {
		return nil
	}
	if perr != nil {
		return perr
	}
	if err != nil {
		return err
	}
	if len(batch) > 0 {
		return p.process(batch)
	}
	return nil
}

var errStopping = errors.New("stopping")

// work is the events that reached one node for one inbox event.
type work struct {
	origin int // index in the batch
	ev     *event.Event
}

// process runs one batch through the graph and commits the outcome.
func (p *processor) process(batch []store.InboxEntry) error {
	rt := p.rt
	outs := make([]store.Outcome, len(batch))
	at := map[string][]work{}
	for i, e := range batch {
		ev := e.Event
		outs[i].InboxID = e.ID
		if e.Resume != "" {
			// A replayed dead letter of a transform runs through that
			// transform again (with the code the flow has now).
			if n := rt.nodes[e.Resume]; n == nil || n.cat != component.CategoryTransform {
				outs[i].Dead = append(outs[i].Dead, store.DeadLetter{Node: e.Resume, Event: ev,
					Reason: fmt.Sprintf("replayed through %q, which is no longer a transform of the flow", e.Resume)})
			} else {
				at[e.Resume] = append(at[e.Resume], work{origin: i, ev: ev})
			}
			continue
		}
		src := rt.nodes[ev.Source]
		if src == nil {
			// The flow changed since the event was received: its source
			// is gone. Keep the event as a dead letter rather than drop it.
			outs[i].Dead = append(outs[i].Dead, store.DeadLetter{Node: ev.Source, Event: ev,
				Reason: fmt.Sprintf("source %q is no longer in the flow", ev.Source)})
			continue
		}
		for _, e := range src.out {
			at[e.To] = append(at[e.To], work{origin: i, ev: ev})
		}
	}
	// Nodes in document order; transforms feed nodes further on, and the
	// loop repeats until nothing is left (the graph has no cycles).
	for len(at) > 0 {
		next := map[string][]work{}
		for _, n := range rt.order {
			ws := at[n.id]
			if len(ws) == 0 {
				continue
			}
			switch n.cat {
			case component.CategoryDestination:
				n.count.received.Add(int64(len(ws)))
				for _, w := range ws {
					outs[w.origin].Enqueue = append(outs[w.origin].Enqueue, store.Enqueue{Dest: n.id, Event: w.ev})
					rt.opts.Recorder.Enqueued(n.id, w.ev)
				}
			case component.CategoryTransform:
				if err := p.transform(n, ws, outs, next); err != nil {
					return err
				}
			}
		}
		at = next
	}
	if err := rt.st.Process(outs); err != nil {
		return err
	}
	return nil
}

func (p *processor) transform(n *node, ws []work, outs []store.Outcome, next map[string][]work) error {
	evs := make([]*event.Event, len(ws))
	for i, w := range ws {
		evs[i] = w.ev
	}
	n.count.received.Add(int64(len(ws)))
	res, err := n.tr.Apply(context.Background(), evs)
	if err != nil {
		n.count.received.Add(-int64(len(ws)))
		return fmt.Errorf("node %q: %w", n.id, err)
	}
	if len(res) != len(evs) {
		return fmt.Errorf("node %q: transform returned %d results for %d events", n.id, len(res), len(evs))
	}
	rec := p.rt.opts.Recorder
	for i, r := range res {
		w := ws[i]
		for _, l := range r.Logs {
			n.log.Info("print", "event_id", w.ev.ID, "text", l)
		}
		rec.Transformed(n.id, w.ev, r.Outputs, r.Err, r.Duration, r.Logs)
		if r.Err != nil {
			rec.DeadLettered(n.id, w.ev, r.Err.Error())
			n.count.errors.Add(1)
			n.log.Warn("transform failed; event dead-lettered", "event_id", w.ev.ID, "err", r.Err)
			outs[w.origin].Dead = append(outs[w.origin].Dead, store.DeadLetter{Node: n.id, Event: w.ev, Reason: r.Err.Error()})
			continue
		}
		if len(r.Outputs) == 0 {
			n.count.dropped.Add(1)
			continue
		}
		for j, o := range r.Outputs {
			out := *w.ev
			out.Body = o.Body
			if len(r.Outputs) > 1 {
				out.ID = w.ev.ID + "-" + strconv.Itoa(j)
			}
			n.count.out.Add(1)
			for _, e := range n.out {
				// A routed output goes only along edges with its label;
				// an output without a route goes along every edge.
				if o.Route != "" && e.Route != o.Route {
					continue
				}
				next[e.To] = append(next[e.To], work{origin: w.origin, ev: &out})
			}
		}
	}
	return nil
}
