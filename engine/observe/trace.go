package observe

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/klauspost/compress/s2"
	"github.com/oklog/ulid/v2"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/internal/badgerlog"
)

// Sentinel errors.
var (
	// ErrNotFound is returned by Trace when no step of an event is kept.
	ErrNotFound = errors.New("no trace")
	// ErrLocked is returned by OpenTraces when another process (a running
	// runner) holds the trace directory.
	ErrLocked = errors.New("trace directory in use by another process")
	// ErrClosed is returned by queries after Close.
	ErrClosed = errors.New("traces closed")
)

// Key layout of the trace database: one key per event per write batch,
// holding the steps of that event the batch wrote (usually several: a
// batch gathers 20 ms). Event and node ids never contain a zero byte, so
// it ends a name; <at> is the first step's time in Unix nanoseconds and
// <n> a counter, both big-endian; then each step's status and node.
//
//	e/<event id>\x00<at><n>(<status><kind><node>\x00)...  the Steps as a JSON array
//
// A value is the JSON array itself, or 0x01 and the array compressed with
// S2 (Snappy's successor) when that saves a tenth or more.
//
// Event ids are ULIDs, which sort by receipt time, and a fan-out output's
// id <id>-<n> sorts right after its origin's: the keys of an event and of
// its descendants are contiguous and "oldest first" is a prefix scan of
// e/. Statuses and nodes in the key let Events and retention read keys
// only.
const pEvent = "e/"

// keyTN is the length of <at><n> after the zero byte.
const keyTN = 8 + 8

// TraceOptions configure a trace store. Zero values take the defaults.
type TraceOptions struct {
	// MaxBody bounds each body kept in a step (default 64 KiB, at most
	// 4 MiB); longer bodies are cut and flagged Truncated.
	MaxBody int
	// MaxResponse bounds the response excerpt of a delivery attempt
	// (default 4 KiB).
	MaxResponse int
	// MaxAge: steps older than this are deleted (default 7 days).
	MaxAge time.Duration
	// MaxBytes bounds the total size of the kept records, counted as
	// key and value bytes (default 1 GiB); the oldest go first.
	MaxBytes int64
	// Buffer is the number of records waiting for the writer (default
	// 16384); when it is full, records are dropped and counted.
	Buffer int
	// SweepEvery is how often retention runs (default 30s); negative
	// turns the background loop off (tools that only read).
	SweepEvery time.Duration
	Logger     *slog.Logger
}

func (o *TraceOptions) defaults() {
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	// A step holds up to three bodies and must fit a value-log file.
	o.MaxBody = min(o.MaxBody, 4<<20)
	if o.MaxResponse <= 0 {
		o.MaxResponse = 4 << 10
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 7 * 24 * time.Hour
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 1 << 30
	}
	if o.Buffer <= 0 {
		o.Buffer = 16384
	}
	if o.SweepEvery == 0 {
		o.SweepEvery = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Traces keeps every event's steps in a Badger database of its own, apart
// from the queue store, so that retention can never touch a queued event.
// It implements Recorder: calls hand a record to a bounded buffer that one
// writer goroutine commits in batches (not synced: traces are diagnostics).
type Traces struct {
	db   *badger.DB
	opts TraceOptions
	log  *slog.Logger

	in     chan *rec
	quit   chan struct{}
	closed atomic.Bool
	wg     sync.WaitGroup
	// sweepMu serialises retention runs; sweepFrom is where the last one
	// stopped deleting, so the next does not walk over its tombstones.
	sweepMu   sync.Mutex
	sweepFrom []byte
	sweeps    int
	// lastBody maps an event id to the body its last written step left
	// (writer goroutine only), to store a transform's input once.
	lastBody  map[string]json.RawMessage
	lastBytes int
	// lastAt is the writer's last key time: keys only grow, even when
	// the wall clock steps back, so retention can resume from sweepFrom.
	lastAt uint64

	n        atomic.Uint64 // the <n> of the next key
	bytes    atomic.Int64  // size of the kept records
	records  atomic.Int64  // records written since open
	dropped  atomic.Int64  // records dropped: buffer full or encode failed
	deleted  atomic.Int64  // records removed by retention since open
	failures atomic.Int64  // failed batch commits
}

var _ Recorder = (*Traces)(nil)

// OpenTraces opens (or creates) the trace store in dir and starts its
// writer and, unless opts.SweepEvery is negative, its retention loop.
func OpenTraces(dir string, opts TraceOptions) (*Traces, error) {
	opts.defaults()
	bo := badger.DefaultOptions(dir).
		WithSyncWrites(false).
		WithLogger(badgerlog.Logger{L: opts.Logger, Prefix: "badger traces: "}).
		// Small: traces must not cost the runner much memory.
		WithMemTableSize(4 << 20).
		// Records with a body go to the value log and only their keys
		// to the LSM tree. With bodies in the tree, compaction rewrote
		// every body again and again: traces cost 22-24 µs of CPU per
		// event against 12-13 µs now (BenchmarkTraceStory). Retention
		// deletes the oldest first, so whole value-log files turn to
		// garbage and the GC in sweepLoop drops them; disk use stayed
		// as flat as before under a million records at 32 MiB MaxBytes.
		WithValueThreshold(256).
		WithNumMemtables(2).
		WithBlockCacheSize(8 << 20).
		WithIndexCacheSize(4 << 20).
		WithValueLogFileSize(64 << 20).
		WithNumCompactors(2).
		// Values are compressed by the writer (see compressed), before
		// they reach the write-ahead log.
		WithCompression(options.None).
		WithNumVersionsToKeep(1).
		// Only the writer and retention write, never the same keys.
		WithDetectConflicts(false).
		WithCompactL0OnClose(false)
	db, err := badger.Open(bo)
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("open traces %s: %w", dir, ErrLocked)
		}
		return nil, fmt.Errorf("open traces %s: %w", dir, err)
	}
	t := &Traces{db: db, opts: opts, log: opts.Logger, in: make(chan *rec, opts.Buffer), quit: make(chan struct{}),
		lastBody: map[string]json.RawMessage{}}
	if err := t.count(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open traces %s: %w", dir, err)
	}
	t.wg.Add(1)
	go t.writeLoop()
	if opts.SweepEvery > 0 {
		t.wg.Add(1)
		go t.sweepLoop()
	}
	return t, nil
}

// count sums the sizes of the kept steps, from keys alone.
func (t *Traces) count() error {
	var total int64
	err := t.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pEvent)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			total += int64(len(it.Item().Key())) + it.Item().ValueSize()
		}
		return nil
	})
	t.bytes.Store(total)
	return err
}

// Close writes what is buffered, stops the background loops and closes
// the database. Recorder calls after Close are ignored.
func (t *Traces) Close() error {
	if t.closed.Swap(true) {
		return nil
	}
	close(t.quit)
	t.wg.Wait()
	if err := t.db.Close(); err != nil {
		return fmt.Errorf("close traces: %w", err)
	}
	return nil
}

// TraceStats are the counters of a trace store.
type TraceStats struct {
	Records int64 `json:"records"` // written since open
	Dropped int64 `json:"dropped"` // dropped since open (buffer full)
	Deleted int64 `json:"deleted"` // removed by retention since open
	Bytes   int64 `json:"bytes"`   // size of the kept records
	Pending int   `json:"pending"` // waiting for the writer
}

// Stats returns the store's counters.
func (t *Traces) Stats() TraceStats {
	return TraceStats{Records: t.records.Load(), Dropped: t.dropped.Load(), Deleted: t.deleted.Load(),
		Bytes: t.bytes.Load(), Pending: len(t.in)}
}

// put hands a record to the writer without ever blocking.
func (t *Traces) put(r *rec) {
	if t.closed.Load() {
		return
	}
	r.at = time.Now()
	select {
	case t.in <- r:
	default:
		t.dropped.Add(1)
	}
}

// Received implements Recorder.
func (t *Traces) Received(ev *event.Event) {
	t.put(&rec{kind: KindReceived, node: ev.Source, ev: *ev})
}

// Transformed implements Recorder.
func (t *Traces) Transformed(node string, in *event.Event, outputs []component.Output, err error, took time.Duration, logs []string) {
	t.put(&rec{kind: KindTransformed, node: node, ev: *in, outputs: outputs, err: err, took: took, logs: logs})
}

// Enqueued implements Recorder.
func (t *Traces) Enqueued(dest string, ev *event.Event) {
	t.put(&rec{kind: KindEnqueued, node: dest, ev: event.Event{ID: ev.ID}})
}

// Attempted implements Recorder.
func (t *Traces) Attempted(dest string, ev *event.Event, attempt int, r component.Receipt, err error, took time.Duration, next time.Time) {
	t.put(&rec{kind: KindAttempted, node: dest, ev: event.Event{ID: ev.ID}, attempt: attempt, receipt: r, err: err, took: took, next: next})
}

// DeadLettered implements Recorder.
func (t *Traces) DeadLettered(node string, ev *event.Event, reason string) {
	t.put(&rec{kind: KindDeadLettered, node: node, ev: event.Event{ID: ev.ID}, reason: reason})
}

// Replayed implements Recorder.
func (t *Traces) Replayed(dest string, ev *event.Event, why string) {
	t.put(&rec{kind: KindReplayed, node: dest, ev: event.Event{ID: ev.ID}, reason: why})
}

// Flush returns once every record handed over before the call is written,
// or when ctx ends.
func (t *Traces) Flush(ctx context.Context) error {
	if t.closed.Load() {
		return ErrClosed
	}
	done := make(chan struct{})
	select {
	case t.in <- &rec{flush: done}:
	case <-ctx.Done():
		return ctx.Err()
	case <-t.quit:
		return ErrClosed
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.quit:
		return ErrClosed
	}
}

// maxWriteBatch caps the records one commit writes.
const maxWriteBatch = 2048

// writeWindow is how long the writer lets records gather after the first
// of a batch: one commit (and one wake-up) per window instead of one per
// record when the flow is busy. Traces lag the flow by at most this.
const writeWindow = 20 * time.Millisecond

func (t *Traces) writeLoop() {
	defer t.wg.Done()
	batch := make([]*rec, 0, maxWriteBatch)
	var buf []byte
	timer := time.NewTimer(writeWindow)
	timer.Stop()
	for {
		batch = batch[:0]
		select {
		case r := <-t.in:
			batch = append(batch, r)
		case <-t.quit:
			// Write what was handed over before Close.
			for {
				select {
				case r := <-t.in:
					batch = append(batch, r)
					if len(batch) == maxWriteBatch {
						t.write(batch, &buf)
						batch = batch[:0]
					}
				default:
					t.write(batch, &buf)
					return
				}
			}
		}
		if batch[0].flush == nil && len(t.in) < maxWriteBatch/2 {
			timer.Reset(writeWindow)
			select {
			case <-timer.C:
			case <-t.quit:
				timer.Stop()
			}
		}
	collect:
		for len(batch) < maxWriteBatch {
			select {
			case r := <-t.in:
				batch = append(batch, r)
			default:
				break collect
			}
		}
		t.write(batch, &buf)
	}
}

// maxGroupSteps bounds the steps in one key (Badger keys are small).
const maxGroupSteps = 256

// group is the steps of one event in a batch: one key, one value.
type group struct {
	key, val []byte
	steps    int
}

// write commits a batch of records in one WriteBatch, one key per event.
func (t *Traces) write(batch []*rec, buf *[]byte) {
	if len(batch) == 0 {
		return
	}
	wb := t.db.NewWriteBatch()
	defer wb.Cancel()
	var size, n int64
	var flushes []chan struct{}
	s := new(Step)
	groups := map[string]*group{}
	var order []*group
	for _, r := range batch {
		if r.flush != nil {
			flushes = append(flushes, r.flush)
			continue
		}
		r.fill(s, t.opts.MaxBody, t.opts.MaxResponse)
		t.dedupe(r, s)
		g := groups[s.Event]
		if g == nil || g.steps >= maxGroupSteps {
			g = &group{key: t.newKey(s), val: []byte{'['}}
			groups[s.Event] = g
			order = append(order, g)
		} else {
			g.val = append(g.val, ',')
		}
		g.key = append(append(append(g.key, statusCode(s.Status), kindCode(s.Kind)), s.Node...), 0)
		g.val = appendStep(g.val, s, false)
		g.steps++
	}
	var err error
	for _, g := range order {
		g.val = compressed(append(g.val, ']'))
		if err = wb.Set(g.key, g.val); err != nil {
			break
		}
		size += int64(len(g.key) + len(g.val))
		n += int64(g.steps)
	}
	if err == nil {
		err = wb.Flush()
	}
	if err != nil {
		if t.failures.Add(1) == 1 || t.failures.Load()%1000 == 0 {
			t.log.Warn("trace commit failed; steps are lost", "err", err, "failures", t.failures.Load())
		}
		t.dropped.Add(n)
	} else {
		t.bytes.Add(size)
		t.records.Add(n)
	}
	for _, f := range flushes {
		close(f)
	}
}

// maxLastBodies and maxLastBytes bound what the writer remembers for
// dedupe.
const (
	maxLastBodies = 8192
	maxLastBytes  = 16 << 20
)

// dedupe leaves out a transform's input when it is the body the event
// had at its previous step (as received, or as the transform before
// emitted it), which is the usual case, and remembers the bodies the
// step leaves for the next. Only the writer goroutine calls it.
func (t *Traces) dedupe(r *rec, s *Step) {
	switch r.kind {
	case KindReceived:
	case KindTransformed:
		if last, ok := t.lastBody[r.ev.ID]; ok {
			if s.Input != nil && bytes.Equal(last, r.ev.Body) {
				s.Input, s.SameInput = nil, true
			}
			t.lastBytes -= len(last)
			delete(t.lastBody, r.ev.ID)
		}
	default:
		return
	}
	if len(t.lastBody) >= maxLastBodies || t.lastBytes >= maxLastBytes {
		clear(t.lastBody)
		t.lastBytes = 0
	}
	keep := func(id string, body json.RawMessage) {
		if len(body) > t.opts.MaxBody {
			return // not kept whole, so not the same
		}
		if old, ok := t.lastBody[id]; ok {
			t.lastBytes -= len(old)
		}
		t.lastBody[id] = body
		t.lastBytes += len(body)
	}
	switch r.kind {
	case KindReceived:
		keep(r.ev.ID, r.ev.Body)
	case KindTransformed:
		for i, o := range r.outputs {
			keep(OutputID(r.ev.ID, i, len(r.outputs)), o.Body)
		}
	}
}

// compressedMark starts a compressed value.
const compressedMark = 0x01

// compressed returns v compressed when that is worth it. Bodies are the
// bulk of a trace and compress well; compressing before Badger writes its
// write-ahead log halves the bytes the trace store puts on the disk.
func compressed(v []byte) []byte {
	if len(v) < 128 {
		return v
	}
	buf := make([]byte, 1+s2.MaxEncodedLen(len(v)))
	c := s2.Encode(buf[1:], v) // in buf: it is large enough
	if len(c) > len(v)-len(v)/10 {
		return v
	}
	buf[0] = compressedMark
	return buf[:1+len(c)]
}

// decompressed undoes compressed.
func decompressed(v []byte) ([]byte, error) {
	if len(v) > 0 && v[0] == compressedMark {
		return s2.Decode(nil, v[1:])
	}
	return v, nil
}

// newKey starts the key of a group with s, its first step.
func (t *Traces) newKey(s *Step) []byte {
	at := uint64(s.At.UnixNano())
	if at < t.lastAt {
		at = t.lastAt
	}
	t.lastAt = at
	k := make([]byte, 0, len(pEvent)+len(s.Event)+1+keyTN+4*(2+len(s.Node)))
	k = append(append(append(k, pEvent...), s.Event...), 0)
	k = binary.BigEndian.AppendUint64(k, at)
	return binary.BigEndian.AppendUint64(k, t.n.Add(1))
}

// keyStep is one step as its key tells it.
type keyStep struct {
	status Status
	kind   Kind
	node   string
}

// stepKey is a parsed key.
type stepKey struct {
	id    string
	at    uint64
	tn    []byte // <at><n>, for ordering
	steps []keyStep
}

func parseKey(k []byte) (stepKey, bool) {
	if !bytes.HasPrefix(k, []byte(pEvent)) {
		return stepKey{}, false
	}
	k = k[len(pEvent):]
	i := bytes.IndexByte(k, 0)
	if i < 0 || len(k) < i+1+keyTN+3 {
		return stepKey{}, false
	}
	rest := k[i+1:]
	sk := stepKey{id: string(k[:i]), at: binary.BigEndian.Uint64(rest), tn: rest[:keyTN]}
	for rest = rest[keyTN:]; len(rest) > 0; {
		j := bytes.IndexByte(rest[min(2, len(rest)):], 0) + 2
		if j < 2 {
			return stepKey{}, false
		}
		sk.steps = append(sk.steps, keyStep{status: statusOf(rest[0]), kind: kindOf(rest[1]), node: string(rest[2:j])})
		rest = rest[j+1:]
	}
	return sk, len(sk.steps) > 0
}

// root is the id of the event an id descends from: the part before the
// first "-".
func root(id string) string {
	if i := strings.IndexByte(id, '-'); i >= 0 {
		return id[:i]
	}
	return id
}

// receivedAt is the receipt time in an event id (a ULID), or false.
func receivedAt(id string) (time.Time, bool) {
	u, err := ulid.ParseStrict(root(id))
	if err != nil {
		return time.Time{}, false
	}
	return ulid.Time(u.Time()), true
}

func (t *Traces) sweepLoop() {
	defer t.wg.Done()
	tick := time.NewTicker(t.opts.SweepEvery)
	defer tick.Stop()
	for {
		select {
		case <-t.quit:
			return
		case <-tick.C:
			if _, err := t.Sweep(time.Now()); err != nil && !errors.Is(err, ErrClosed) {
				t.log.Warn("trace retention failed", "err", err)
			}
			// Reclaim the value-log space of what retention deleted.
			for t.db.RunValueLogGC(0.5) == nil {
			}
		}
	}
}

// sweepChunk is how many steps one retention transaction deletes.
const sweepChunk = 8192

// rescanEvery: every so many runs, retention starts from the first key
// again instead of where it stopped, to catch steps added since to old
// events (a retry of an event received long ago).
const rescanEvery = 20

// Sweep enforces retention as of now: events received more than MaxAge
// ago go, then the oldest events until the kept size is at most 90% of
// MaxBytes. Whole events go, with all their steps, oldest first (event
// ids sort by receipt time). It returns how many steps it deleted.
// Writers go on meanwhile.
func (t *Traces) Sweep(now time.Time) (int, error) {
	if t.closed.Load() {
		return 0, ErrClosed
	}
	t.sweepMu.Lock()
	defer t.sweepMu.Unlock()
	t.sweeps++
	if t.sweeps%rescanEvery == 0 {
		t.sweepFrom = nil
	}
	cutoff := now.Add(-t.opts.MaxAge)
	target := t.opts.MaxBytes / 10 * 9
	overSize := t.bytes.Load() > t.opts.MaxBytes
	total := 0
	for {
		var dels [][]byte
		steps := 0
		var freed int64
		var last []byte
		done := false
		err := t.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pEvent)})
			defer it.Close()
			left := t.bytes.Load()
			start := t.sweepFrom
			if start == nil {
				start = []byte(pEvent)
			}
			cur, old := "", false
			for it.Seek(start); it.Valid(); it.Next() {
				item := it.Item()
				k, ok := parseKey(item.Key())
				if !ok {
					continue
				}
				if r := root(k.id); r != cur {
					// A new event: stop between events only.
					if len(dels) >= sweepChunk {
						return nil
					}
					cur = r
					rcv, isULID := receivedAt(r)
					if !isULID {
						rcv = time.Unix(0, int64(k.at))
					}
					old = rcv.Before(cutoff) || overSize && left-freed > target
					if !old {
						done = true
						return nil
					}
				}
				steps += len(k.steps)
				dels = append(dels, item.KeyCopy(nil))
				last = dels[len(dels)-1]
				freed += int64(len(last)) + item.ValueSize()
			}
			done = true
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("trace retention: %w", err)
		}
		if len(dels) > 0 {
			wb := t.db.NewWriteBatch()
			for _, k := range dels {
				if err := wb.Delete(k); err != nil {
					wb.Cancel()
					return total, fmt.Errorf("trace retention: %w", err)
				}
			}
			if err := wb.Flush(); err != nil {
				return total, fmt.Errorf("trace retention: %w", err)
			}
			t.bytes.Add(-freed)
			t.sweepFrom = last
			t.deleted.Add(int64(steps))
			total += steps
		}
		if done {
			return total, nil
		}
	}
}

// Trace returns the steps of an event and of its fan-out descendants
// (<id>-<n>...), and, for a descendant, the steps of its ancestors, in
// the order they happened. It returns ErrNotFound when none is kept.
func (t *Traces) Trace(eventID string) ([]Step, error) {
	if t.closed.Load() {
		return nil, ErrClosed
	}
	if eventID == "" || strings.IndexByte(eventID, 0) >= 0 {
		return nil, fmt.Errorf("trace %q: %w", eventID, ErrNotFound)
	}
	type keyed struct {
		tn   []byte
		i    int
		step Step
	}
	var all []keyed
	err := t.db.View(func(txn *badger.Txn) error {
		scan := func(id string, descendants bool) error {
			prefix := []byte(pEvent + id)
			if !descendants {
				prefix = append(prefix, 0)
			}
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				k, ok := parseKey(it.Item().Key())
				if !ok || k.id != id && !strings.HasPrefix(k.id, id+"-") {
					continue // another id that merely starts with this one
				}
				var steps []Step
				err := it.Item().Value(func(v []byte) error {
					v, err := decompressed(v)
					if err != nil {
						return err
					}
					return json.Unmarshal(v, &steps)
				})
				if err != nil || len(steps) != len(k.steps) {
					// Not readable (a body that was not JSON after
					// all): keep what the key says.
					steps = make([]Step, len(k.steps))
					for i := range steps {
						steps[i].Kind = k.steps[i].kind
						steps[i].Error = fmt.Sprintf("trace step unreadable: %v", err)
					}
				}
				tn := bytes.Clone(k.tn)
				for i := range steps {
					s := &steps[i]
					// The key holds these; the value leaves them out.
					s.Event, s.Node, s.Status = k.id, k.steps[i].node, k.steps[i].status
					if s.At.IsZero() {
						s.At = time.Unix(0, int64(k.at)).UTC()
					}
					all = append(all, keyed{tn: tn, i: i, step: *s})
				}
			}
			return nil
		}
		for i := 0; i < len(eventID); i++ {
			if eventID[i] == '-' {
				if err := scan(eventID[:i], false); err != nil {
					return err
				}
			}
		}
		return scan(eventID, true)
	})
	if err != nil {
		return nil, fmt.Errorf("trace %s: %w", eventID, err)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("trace %s: %w", eventID, ErrNotFound)
	}
	// In the order they happened: by time, then as written (a batch
	// holds one key per event, so steps of fan-out siblings interleave).
	slices.SortStableFunc(all, func(a, b keyed) int {
		if c := a.step.At.Compare(b.step.At); c != 0 {
			return c
		}
		if c := bytes.Compare(a.tn, b.tn); c != 0 {
			return c
		}
		return a.i - b.i
	})
	out := make([]Step, len(all))
	bodies := map[string]*Payload{} // event id -> its body after the last step
	for i := range all {
		s := &all[i].step
		switch s.Kind {
		case KindReceived:
			bodies[s.Event] = s.Body
		case KindTransformed:
			if s.SameInput {
				if b := bodies[s.Event]; b != nil {
					s.Input, s.SameInput = b, false
				}
			}
			for _, o := range s.Outputs {
				bodies[o.ID] = o.Body
			}
		}
		out[i] = *s
	}
	return out, nil
}

// Query selects events for Events.
type Query struct {
	// Node: only events that passed this node; empty means any node.
	Node string
	// Since: only events received at or after this time; zero means any.
	Since time.Time
	// Status filters on the event's latest status at Node or its latest
	// status anywhere: "failed" matches failed and dead; "dead",
	// "delivered", "dropped" and the other Status values match
	// themselves; empty matches all.
	Status string
	// Limit caps the events returned (default 100).
	Limit int
}

// EventSummary is one event in the answer of Events: an event as
// received, with its fan-out descendants.
type EventSummary struct {
	// ID is the id the event had at the queried node (a fan-out output
	// has its own); Root is the id it was received with.
	ID         string    `json:"id"`
	Root       string    `json:"root"`
	ReceivedAt time.Time `json:"received_at,omitzero"`
	// Node, At and Status: the event's latest step at the queried node
	// (at any node when the query names none).
	Node   string    `json:"node"`
	At     time.Time `json:"at"`
	Status Status    `json:"status"`
	// Last* is the latest step of the event or its descendants, wherever
	// it happened.
	LastNode   string    `json:"last_node"`
	LastAt     time.Time `json:"last_at"`
	LastStatus Status    `json:"last_status"`
	// Steps counts the steps kept for the event and its descendants.
	Steps int `json:"steps"`
}

// maxScan bounds the keys one Events call reads.
const maxScan = 500000

// Events returns recent events, newest first, that match q. It reads
// keys only, newest event first, until Limit events match, the events
// are older than Since, or it has read a bounded number of keys.
func (t *Traces) Events(q Query) ([]EventSummary, error) {
	if t.closed.Load() {
		return nil, ErrClosed
	}
	if q.Limit <= 0 {
		q.Limit = 100
	}
	out := []EventSummary{}
	err := t.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pEvent), Reverse: true})
		defer it.Close()
		var cur *EventSummary
		var curTN, nodeTN []byte
		finish := func() bool {
			if cur == nil {
				return false
			}
			ok := (q.Node == "" || nodeTN != nil) &&
				(matchStatus(q.Status, cur.Status) || matchStatus(q.Status, cur.LastStatus))
			if ok {
				if q.Node == "" {
					cur.ID, cur.Node, cur.At, cur.Status = cur.Root, cur.LastNode, cur.LastAt, cur.LastStatus
				}
				out = append(out, *cur)
			}
			cur, curTN, nodeTN = nil, nil, nil
			return len(out) >= q.Limit
		}
		scanned := 0
		for it.Seek([]byte(pEvent + "\xff")); it.Valid() && scanned < maxScan; it.Next() {
			scanned++
			k, ok := parseKey(it.Item().Key())
			if !ok {
				continue
			}
			r := root(k.id)
			if cur == nil || cur.Root != r {
				if finish() {
					return nil
				}
				cur = &EventSummary{Root: r}
				if rcv, ok := receivedAt(r); ok {
					cur.ReceivedAt = rcv.UTC()
					if rcv.Before(q.Since) {
						return nil // every event further on is older
					}
				}
			}
			cur.Steps += len(k.steps)
			// Steps of one key happened within a write window: the
			// key's time stands for them all.
			at := time.Unix(0, int64(k.at)).UTC()
			if curTN == nil || bytes.Compare(k.tn, curTN) > 0 {
				curTN = bytes.Clone(k.tn)
				last := k.steps[len(k.steps)-1]
				cur.LastNode, cur.LastAt, cur.LastStatus = last.node, at, last.status
			}
			if q.Node != "" && (nodeTN == nil || bytes.Compare(k.tn, nodeTN) > 0) {
				for i := len(k.steps) - 1; i >= 0; i-- {
					if k.steps[i].node == q.Node {
						nodeTN = bytes.Clone(k.tn)
						cur.ID, cur.Node, cur.At, cur.Status = k.id, q.Node, at, k.steps[i].status
						break
					}
				}
			}
		}
		finish()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return out, nil
}

func matchStatus(want string, st Status) bool {
	switch want {
	case "":
		return true
	case string(StatusFailed):
		return st == StatusFailed || st == StatusDead
	}
	return string(st) == want
}
