package store

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

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/internal/badgerlog"
)

// Key layout. Node ids never contain a zero byte, so it ends a name.
//
//	i/<event id>                inbox
//	i/<event id>\x00<node>      inbox: a dead letter of transform <node> replayed
//	q/<dest>\x00<seq>           destination queue, seq big-endian
//	d/<node>\x00<seq>           dead letters
//	s/<node>\x00<key>           node state
//	u/<node>\x00<dedupe key>    dedupe marks (with TTL)
//	h/<dest>\x00<at><seq>       delivered events kept for replay (with TTL)
//	m/seq                       the sequence behind every seq
const (
	pInbox = "i/"
	pQueue = "q/"
	pDead  = "d/"
	pState = "s/"
	pDedup = "u/"
	pHist  = "h/"
)

// maxAttemptsKept bounds the attempt history kept per queue item.
const maxAttemptsKept = 20

// Options configure a Badger store.
type Options struct {
	Dir    string
	Logger *slog.Logger
	// MaxBatch caps the events one group commit writes.
	MaxBatch int
}

// Badger is the Store on a local Badger database.
type Badger struct {
	db     *badger.DB
	log    *slog.Logger
	seq    *badger.Sequence
	enqMu  sync.Mutex // serialises seq assignment and commit of new queue keys
	ingest chan *ingestReq
	acks   chan ack
	max    int

	// tails and seqFloor are guarded by enqMu.
	tails    map[string]*tail
	seqFloor uint64

	mu      sync.Mutex
	depth   map[string]*atomic.Int64
	dead    map[string]*atomic.Int64
	hist    map[string]*history
	notify  map[string]chan struct{}
	closed  atomic.Bool
	closing chan struct{}
	// committed is closed when the commit loop has exited.
	committed chan struct{}
	wg        sync.WaitGroup
}

type ingestReq struct {
	items  []component.Item
	direct []string
	done   chan error
}

type ack struct {
	dest  string
	items []*QueueItem
	at    time.Time
}

type history struct {
	keep     time.Duration
	maxBytes int64
	bytes    atomic.Int64
}

var _ Store = (*Badger)(nil)

// Open opens (or creates) the store in dir.
func Open(opts Options) (*Badger, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1024
	}
	bo := badger.DefaultOptions(opts.Dir).
		// Durability comes from the explicit Sync after each group
		// commit, so one fsync covers many concurrent ingests.
		WithSyncWrites(false).
		WithLogger(badgerlog.Logger{L: opts.Logger, Prefix: "badger: "}).
		// Bounded memory: a backlog of millions of events must not grow
		// the process. Badger's defaults (64 MB x 5 memtables, 256 MB
		// block cache) are sized for a database server.
		WithMemTableSize(32 << 20).
		WithNumMemtables(3).
		WithBlockCacheSize(16 << 20).
		WithIndexCacheSize(8 << 20).
		// Values (events) go to the value log and only keys to the LSM
		// tree, so a backlog of millions does not make compaction rewrite
		// every body over and over. Value log files stay small because
		// Badger syncs them with msync over the whole mapping.
		WithValueThreshold(256).
		WithValueLogFileSize(32 << 20).
		WithNumCompactors(2).
		WithCompactL0OnClose(false)
	db, err := badger.Open(bo)
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("open store %s: %w", opts.Dir, ErrLocked)
		}
		return nil, fmt.Errorf("open store %s: %w", opts.Dir, err)
	}
	seq, err := db.GetSequence([]byte("m/seq"), 10000)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store sequence: %w", err)
	}
	s := &Badger{
		db:        db,
		log:       opts.Logger,
		seq:       seq,
		ingest:    make(chan *ingestReq, 1024),
		acks:      make(chan ack, 4096),
		max:       opts.MaxBatch,
		depth:     map[string]*atomic.Int64{},
		tails:     map[string]*tail{},
		dead:      map[string]*atomic.Int64{},
		hist:      map[string]*history{},
		notify:    map[string]chan struct{}{},
		closing:   make(chan struct{}),
		committed: make(chan struct{}),
	}
	// Every seq handed out from now on is above seqFloor: items at or
	// below it are only on disk.
	if s.seqFloor, err = s.nextSeq(); err != nil {
		seq.Release()
		db.Close()
		return nil, fmt.Errorf("open store sequence: %w", err)
	}
	if err := s.countQueues(); err != nil {
		seq.Release()
		db.Close()
		return nil, err
	}
	s.wg.Add(3)
	go s.commitLoop()
	go s.ackLoop()
	go s.gcLoop()
	return s, nil
}

// countQueues counts queue items and dead letters with a key-only scan.
func (s *Badger) countQueues() error {
	return s.db.View(func(txn *badger.Txn) error {
		for _, p := range []string{pQueue, pDead} {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(p)})
			for it.Rewind(); it.Valid(); it.Next() {
				name, _ := splitKey(it.Item().Key(), p)
				if p == pQueue {
					s.depthOf(name).Add(1)
				} else {
					s.deadOf(name).Add(1)
				}
			}
			it.Close()
		}
		return nil
	})
}

func (s *Badger) deadOf(node string) *atomic.Int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.dead[node]
	if !ok {
		d = new(atomic.Int64)
		s.dead[node] = d
	}
	return d
}

// DeadCount implements Store.
func (s *Badger) DeadCount(node string) int64 { return s.deadOf(node).Load() }

func (s *Badger) depthOf(dest string) *atomic.Int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.depth[dest]
	if !ok {
		d = new(atomic.Int64)
		s.depth[dest] = d
	}
	return d
}

// Notify implements Store.
func (s *Badger) Notify(dest string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notifyLocked(dest)
}

func (s *Badger) notifyLocked(dest string) chan struct{} {
	c, ok := s.notify[dest]
	if !ok {
		c = make(chan struct{}, 1)
		s.notify[dest] = c
	}
	return c
}

func (s *Badger) wake(dests map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for d := range dests {
		select {
		case s.notifyLocked(d) <- struct{}{}:
		default:
		}
	}
}

func key(prefix, name string, rest []byte) []byte {
	k := make([]byte, 0, len(prefix)+len(name)+1+len(rest))
	k = append(k, prefix...)
	k = append(k, name...)
	k = append(k, 0)
	return append(k, rest...)
}

func seqKey(prefix, name string, seq uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return key(prefix, name, b[:])
}

func splitKey(k []byte, prefix string) (string, []byte) {
	k = k[len(prefix):]
	i := bytes.IndexByte(k, 0)
	if i < 0 {
		return string(k), nil
	}
	return string(k[:i]), k[i+1:]
}

// Ingest implements Store: the request joins the next group commit.
func (s *Badger) Ingest(ctx context.Context, items []component.Item, direct []string) error {
	if s.closed.Load() {
		return fmt.Errorf("ingest: %w: %w", component.ErrUnavailable, ErrClosed)
	}
	req := &ingestReq{items: items, direct: direct, done: make(chan error, 1)}
	select {
	case s.ingest <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return fmt.Errorf("ingest: %w: %w", component.ErrUnavailable, ErrClosed)
	}
	// Once handed over, wait for the outcome even if ctx ends: the caller
	// must not be told "failed" for events that became durable.
	select {
	case err := <-req.done:
		return err
	case <-s.committed:
		select {
		case err := <-req.done:
			return err
		default:
			return fmt.Errorf("ingest: %w: %w", component.ErrUnavailable, ErrClosed)
		}
	}
}

func (s *Badger) commitLoop() {
	defer s.wg.Done()
	defer close(s.committed)
	for {
		var first *ingestReq
		select {
		case first = <-s.ingest:
		case <-s.closing:
			// Drain what was handed over before Close.
			for {
				select {
				case r := <-s.ingest:
					s.commit([]*ingestReq{r})
				default:
					return
				}
			}
		}
		// The group is whatever arrived while the last sync ran. Waiting
		// longer for more (a linger of 0.2 to 1 ms) made the groups twice
		// as large but saved no CPU per event and added latency: the cost
		// of a sync grows with the bytes it writes more than per call.
		batch := []*ingestReq{first}
		n := len(first.items)
	collect:
		for n < s.max {
			select {
			case r := <-s.ingest:
				batch = append(batch, r)
				n += len(r.items)
			default:
				break collect
			}
		}
		s.commit(batch)
	}
}

// commit writes a group of ingest requests in as few transactions as
// Badger allows and syncs once.
func (s *Badger) commit(batch []*ingestReq) {
	err := s.writeIngest(batch)
	if err == nil {
		err = s.db.Sync()
		if err != nil {
			err = fmt.Errorf("sync: %w", err)
		}
	}
	if err != nil {
		s.log.Error("ingest commit failed", "err", err, "requests", len(batch))
		err = fmt.Errorf("ingest: %w: %w", component.ErrUnavailable, err)
	}
	for _, r := range batch {
		r.done <- err
	}
}

func (s *Badger) writeIngest(batch []*ingestReq) error {
	// Queue keys created here (direct ingest) need seq assignment and
	// commit serialised with Process; inbox-only batches do not.
	direct := false
	for _, r := range batch {
		if len(r.direct) > 0 {
			direct = true
			s.enqMu.Lock()
			defer s.enqMu.Unlock()
			break
		}
	}
	var appended []tailItem
	txn := s.db.NewTransaction(true)
	defer func() { txn.Discard() }()
	now := time.Now()
	put := func(e *badger.Entry) error {
		err := txn.SetEntry(e)
		if errors.Is(err, badger.ErrTxnTooBig) {
			if err := txn.Commit(); err != nil {
				return err
			}
			txn = s.db.NewTransaction(true)
			err = txn.SetEntry(e)
		}
		return err
	}
	err := func() error {
		for _, r := range batch {
			for i := range r.items {
				it := &r.items[i]
				it.Accepted = false
				if it.State != nil {
					if err := put(badger.NewEntry(key(pState, it.Event.Source, []byte(it.State.Key)), it.State.Value)); err != nil {
						return err
					}
				}
				if it.DedupeKey != "" {
					k := key(pDedup, it.Event.Source, []byte(it.DedupeKey))
					_, err := txn.Get(k)
					if err == nil {
						continue // seen before
					}
					if !errors.Is(err, badger.ErrKeyNotFound) {
						return err
					}
					e := badger.NewEntry(k, []byte(now.UTC().Format(time.RFC3339)))
					if it.DedupeTTL > 0 {
						e = e.WithTTL(it.DedupeTTL)
					}
					if err := put(e); err != nil {
						return err
					}
				}
				if len(r.direct) == 0 {
					v, err := encodeEvent(it.Event)
					if err != nil {
						return err
					}
					if err := put(badger.NewEntry([]byte(pInbox+it.Event.ID), v)); err != nil {
						return err
					}
				}
				for _, dest := range r.direct {
					ti, err := s.enqueue(func(k, v []byte) error { return put(badger.NewEntry(k, v)) }, dest, it.Event)
					if err != nil {
						return err
					}
					appended = append(appended, ti)
				}
				it.Accepted = true
			}
		}
		return txn.Commit()
	}()
	if direct {
		s.appendTails(appended, err)
	}
	return err
}

// gcLoop reclaims value-log space of delivered events. Badger rewrites a
// value log file once more than half of it is garbage; one file per
// round, until none qualifies.
func (s *Badger) gcLoop() {
	defer s.wg.Done()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
		}
		s.trimAll()
		for s.db.RunValueLogGC(0.5) == nil {
			select {
			case <-s.closing:
				return
			default:
			}
		}
	}
}

// Inbox implements Store.
func (s *Badger) Inbox(fn func(InboxEntry) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(pInbox), PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			e := InboxEntry{ID: string(it.Item().Key()[len(pInbox):])}
			if _, node, ok := strings.Cut(e.ID, "\x00"); ok {
				e.Resume = node
			}
			if err := it.Item().Value(func(v []byte) (err error) { e.Event, err = decodeEvent(v); return err }); err != nil {
				return fmt.Errorf("inbox %s: %w", it.Item().Key(), err)
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// replayInboxID is the inbox id of a dead letter of node replayed through
// it: the event's id first, so that it sorts with the event's receipt.
func replayInboxID(eventID, node string) string { return eventID + "\x00" + node }

// ReplayDeadInbox implements Store: the dead letters go into the inbox
// marked to resume at node, in the transaction that deletes them.
func (s *Badger) ReplayDeadInbox(node string, ids ...string) ([]*event.Event, error) {
	dead, err := s.selectDead(node, ids)
	if err != nil {
		return nil, err
	}
	// Each dead letter moves whole; chunks keep transactions under
	// Badger's size limit however many there are.
	for chunk := range slices.Chunk(dead, 1000) {
		if err := s.moveToInbox(node, chunk); err != nil {
			return nil, fmt.Errorf("replay dead letters of %s: %w", node, err)
		}
		s.deadOf(node).Add(-int64(len(chunk)))
	}
	evs := make([]*event.Event, len(dead))
	for i, d := range dead {
		evs[i] = d.Event
	}
	return evs, s.db.Sync()
}

func (s *Badger) moveToInbox(node string, dead []*DeadLetter) error {
	return s.db.Update(func(txn *badger.Txn) error {
		for _, d := range dead {
			v, err := encodeEvent(d.Event)
			if err != nil {
				return err
			}
			if err := txn.Delete(seqKey(pDead, node, d.Seq)); err != nil {
				return err
			}
			if err := txn.Set([]byte(pInbox+replayInboxID(d.Event.ID, node)), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Process implements Store.
func (s *Badger) Process(outs []Outcome) error {
	if s.closed.Load() {
		return ErrClosed
	}
	s.enqMu.Lock()
	defer s.enqMu.Unlock()
	var appended []tailItem
	deadAdded := map[string]int64{}
	err := s.db.Update(func(txn *badger.Txn) error {
		appended = appended[:0]
		clear(deadAdded)
		for _, o := range outs {
			k := []byte(pInbox + o.InboxID)
			if _, err := txn.Get(k); errors.Is(err, badger.ErrKeyNotFound) {
				continue // processed before
			} else if err != nil {
				return err
			}
			if err := txn.Delete(k); err != nil {
				return err
			}
			for _, e := range o.Enqueue {
				ti, err := s.enqueue(txn.Set, e.Dest, e.Event)
				if err != nil {
					return err
				}
				appended = append(appended, ti)
			}
			for i := range o.Dead {
				if err := s.putDead(txn, &o.Dead[i]); err != nil {
					return err
				}
				deadAdded[o.Dead[i].Node]++
			}
		}
		return nil
	})
	s.appendTails(appended, err)
	if err != nil {
		return fmt.Errorf("process batch: %w", err)
	}
	for node, n := range deadAdded {
		s.deadOf(node).Add(n)
	}
	return nil
}

func (s *Badger) putDead(txn *badger.Txn, d *DeadLetter) error {
	n, err := s.nextSeq()
	if err != nil {
		return err
	}
	d.Seq = n
	if d.DeadAt.IsZero() {
		d.DeadAt = time.Now().UTC()
	}
	v, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return txn.Set(seqKey(pDead, d.Node, n), v)
}

// enqueue writes ev as a new item at the end of dest's queue through set
// (a transaction's). The caller holds enqMu, so seqs commit in order, and
// hands the returned item to appendTails once the transaction committed.
func (s *Badger) enqueue(set func(k, v []byte) error, dest string, ev *event.Event) (tailItem, error) {
	n, err := s.nextSeq()
	if err != nil {
		return tailItem{}, err
	}
	q := &QueueItem{Seq: n, Event: ev}
	v, err := encodeItem(q)
	if err != nil {
		return tailItem{}, err
	}
	if err := set(seqKey(pQueue, dest, n), v); err != nil {
		return tailItem{}, err
	}
	return tailItem{dest, q}, nil
}

// nextSeq returns the next sequence number; it starts at 1 so that 0 can
// mean "before the first item" (Badger's Sequence starts at 0).
func (s *Badger) nextSeq() (uint64, error) {
	n, err := s.seq.Next()
	return n + 1, err
}

// QueueRead implements Store.
func (s *Badger) QueueRead(dest string, after uint64, limit int) ([]*QueueItem, error) {
	if out, ok := s.readTail(dest, after, limit); ok {
		return out, nil
	}
	var out []*QueueItem
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := key(pQueue, dest, nil)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: min(limit, 256)})
		defer it.Close()
		for it.Seek(seqKey(pQueue, dest, after+1)); it.Valid() && len(out) < limit; it.Next() {
			_, rest := splitKey(it.Item().Key(), pQueue)
			if len(rest) != 8 {
				continue
			}
			q := &QueueItem{Seq: binary.BigEndian.Uint64(rest)}
			if err := it.Item().Value(func(v []byte) error { return decodeItem(v, q) }); err != nil {
				return fmt.Errorf("queue %s item %d: %w", dest, q.Seq, err)
			}
			out = append(out, q)
		}
		return nil
	})
	return out, err
}

// QueueDone implements Store. Deletes are batched by a background loop;
// depth drops at once.
func (s *Badger) QueueDone(dest string, items ...*QueueItem) error {
	if s.closed.Load() {
		return ErrClosed
	}
	s.depthOf(dest).Add(-int64(len(items)))
	select {
	case s.acks <- ack{dest: dest, items: items, at: time.Now()}:
		return nil
	case <-s.closing:
		return ErrClosed
	}
}

func (s *Badger) ackLoop() {
	defer s.wg.Done()
	for {
		var batch []ack
		select {
		case a := <-s.acks:
			batch = append(batch, a)
		case <-s.closing:
			for {
				select {
				case a := <-s.acks:
					batch = append(batch, a)
				default:
					s.writeAcks(batch)
					return
				}
			}
		}
	collect:
		for len(batch) < 4096 {
			select {
			case a := <-s.acks:
				batch = append(batch, a)
			default:
				break collect
			}
		}
		s.writeAcks(batch)
	}
}

func (s *Badger) writeAcks(batch []ack) {
	if len(batch) == 0 {
		return
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, a := range batch {
		h := s.historyOf(a.dest)
		for _, it := range a.items {
			if err := wb.Delete(seqKey(pQueue, a.dest, it.Seq)); err != nil {
				s.log.Error("queue ack failed", "dest", a.dest, "err", err)
			}
			if h == nil {
				continue
			}
			v, err := encodeEvent(it.Event)
			if err != nil {
				continue
			}
			e := badger.NewEntry(histKey(a.dest, a.at, it.Seq), v).WithTTL(h.keep)
			if err := wb.SetEntry(e); err != nil {
				s.log.Error("keep history", "dest", a.dest, "err", err)
			}
			h.bytes.Add(int64(len(v)))
		}
	}
	if err := wb.Flush(); err != nil {
		s.log.Error("queue ack flush failed: the events will be delivered again after a restart", "err", err)
	}
}

// QueueUpdate implements Store.
func (s *Badger) QueueUpdate(dest string, it *QueueItem) error {
	if len(it.Errors) > maxAttemptsKept {
		it.Errors = it.Errors[len(it.Errors)-maxAttemptsKept:]
	}
	v, err := encodeItem(it)
	if err != nil {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error {
		k := seqKey(pQueue, dest, it.Seq)
		if _, err := txn.Get(k); err != nil {
			return fmt.Errorf("queue %s item %d: %w", dest, it.Seq, ErrNotFound)
		}
		return txn.Set(k, v)
	})
}

// QueueKill implements Store.
func (s *Badger) QueueKill(dest string, it *QueueItem, reason string) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete(seqKey(pQueue, dest, it.Seq)); err != nil {
			return err
		}
		return s.putDead(txn, &DeadLetter{Node: dest, Event: it.Event, Reason: reason, Attempts: it.Errors})
	})
	if err != nil {
		return fmt.Errorf("dead-letter %s in %s: %w", it.Event.ID, dest, err)
	}
	s.depthOf(dest).Add(-1)
	s.deadOf(dest).Add(1)
	return nil
}

// Queues implements Store.
func (s *Badger) Queues() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.depth))
	for d, n := range s.depth {
		out[d] = n.Load()
	}
	return out
}

// QueueDepth implements Store.
func (s *Badger) QueueDepth(dest string) int64 { return s.depthOf(dest).Load() }

// DeadLetters implements Store.
func (s *Badger) DeadLetters(node string, after uint64, limit int) ([]*DeadLetter, error) {
	var out []*DeadLetter
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: key(pDead, node, nil), PrefetchValues: true})
		defer it.Close()
		for it.Seek(seqKey(pDead, node, after+1)); it.Valid() && (limit <= 0 || len(out) < limit); it.Next() {
			d := &DeadLetter{}
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, d) }); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// DeadLetter implements Store.
func (s *Badger) DeadLetter(node, eventID string) (*DeadLetter, error) {
	var found *DeadLetter
	err := s.eachDead(node, func(_ *badger.Txn, d *DeadLetter) (bool, error) {
		if d.Event.ID == eventID {
			found = d
			return false, nil
		}
		return true, nil
	}, false)
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fmt.Errorf("dead letter %s of %s: %w", eventID, node, ErrNotFound)
	}
	return found, nil
}

func (s *Badger) eachDead(node string, fn func(*badger.Txn, *DeadLetter) (bool, error), write bool) error {
	body := func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: key(pDead, node, nil), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			d := &DeadLetter{}
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, d) }); err != nil {
				return err
			}
			more, err := fn(txn, d)
			if err != nil || !more {
				return err
			}
		}
		return nil
	}
	if write {
		return s.db.Update(body)
	}
	return s.db.View(body)
}

func wanted(ids []string) func(string) bool {
	if len(ids) == 0 {
		return func(string) bool { return true }
	}
	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}
	return func(id string) bool { return set[id] }
}

// PurgeDead implements Store.
func (s *Badger) PurgeDead(node string, ids ...string) (int, error) {
	want := wanted(ids)
	var keys [][]byte
	err := s.eachDead(node, func(_ *badger.Txn, d *DeadLetter) (bool, error) {
		if want(d.Event.ID) {
			keys = append(keys, seqKey(pDead, node, d.Seq))
		}
		return true, nil
	}, false)
	if err != nil {
		return 0, err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			return 0, err
		}
	}
	if err := wb.Flush(); err != nil {
		return 0, err
	}
	s.deadOf(node).Add(-int64(len(keys)))
	return len(keys), s.db.Sync()
}

// selectDead returns node's dead letters with the given event ids (all
// when ids is empty).
func (s *Badger) selectDead(node string, ids []string) ([]*DeadLetter, error) {
	want := wanted(ids)
	var dead []*DeadLetter
	err := s.eachDead(node, func(_ *badger.Txn, d *DeadLetter) (bool, error) {
		if want(d.Event.ID) {
			dead = append(dead, d)
		}
		return true, nil
	}, false)
	return dead, err
}

// ReplayDead implements Store: the dead letters go back to the end of
// dest's queue with a fresh attempt count.
func (s *Badger) ReplayDead(node, dest string, ids ...string) ([]*event.Event, error) {
	dead, err := s.selectDead(node, ids)
	if err != nil {
		return nil, err
	}
	s.enqMu.Lock()
	defer s.enqMu.Unlock()
	var appended []tailItem
	err = s.db.Update(func(txn *badger.Txn) error {
		appended = appended[:0]
		for _, d := range dead {
			if err := txn.Delete(seqKey(pDead, node, d.Seq)); err != nil {
				return err
			}
			ti, err := s.enqueue(txn.Set, dest, d.Event)
			if err != nil {
				return err
			}
			appended = append(appended, ti)
		}
		return nil
	})
	s.appendTails(appended, err)
	if err != nil {
		return nil, fmt.Errorf("replay dead letters of %s: %w", node, err)
	}
	s.deadOf(node).Add(-int64(len(dead)))
	evs := make([]*event.Event, len(dead))
	for i, d := range dead {
		evs[i] = d.Event
	}
	return evs, s.db.Sync()
}

// State implements Store.
func (s *Badger) State(node string) component.State { return nodeState{s: s, node: node} }

type nodeState struct {
	s    *Badger
	node string
}

func (n nodeState) Get(k string) ([]byte, bool, error) {
	var out []byte
	err := n.s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(key(pState, n.node, []byte(k)))
		if err != nil {
			return err
		}
		out, err = it.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	return out, err == nil, err
}

func (n nodeState) Set(k string, v []byte) error {
	if err := n.s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(key(pState, n.node, []byte(k)), v)
	}); err != nil {
		return err
	}
	return n.s.db.Sync()
}

func (n nodeState) Delete(k string) error {
	return n.s.db.Update(func(txn *badger.Txn) error {
		return txn.Delete(key(pState, n.node, []byte(k)))
	})
}

// Close implements Store: pending acks are written, then Badger is closed
// cleanly.
func (s *Badger) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.closing)
	s.wg.Wait()
	var errs []error
	if err := s.seq.Release(); err != nil {
		errs = append(errs, err)
	}
	if err := s.db.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
