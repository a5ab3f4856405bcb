package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sluice-etl/sluice/engine/event"
)

// Delivered events a destination keeps for replay by time range: keyed by
// delivery time so a range is one prefix scan; age is enforced by Badger's
// TTL, size by trimLoop deleting the oldest.

func histKey(dest string, at time.Time, seq uint64) []byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(at.UnixNano()))
	binary.BigEndian.PutUint64(b[8:], seq)
	return key(pHist, dest, b[:])
}

func (s *Badger) historyOf(dest string) *history {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hist[dest]
}

// SetHistory implements Store.
func (s *Badger) SetHistory(dest string, keep time.Duration, maxBytes int64) {
	if keep <= 0 {
		s.mu.Lock()
		delete(s.hist, dest)
		s.mu.Unlock()
		return
	}
	h := &history{keep: keep, maxBytes: maxBytes}
	s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: key(pHist, dest, nil)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			h.bytes.Add(it.Item().ValueSize())
		}
		return nil
	})
	s.mu.Lock()
	s.hist[dest] = h
	s.mu.Unlock()
	s.trim(dest, h)
}

// trim deletes the oldest history entries of dest until it fits maxBytes.
func (s *Badger) trim(dest string, h *history) {
	if h.maxBytes <= 0 || h.bytes.Load() <= h.maxBytes {
		return
	}
	excess := h.bytes.Load() - h.maxBytes*9/10 // trim to 90%, not one by one
	var keys [][]byte
	var freed int64
	s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: key(pHist, dest, nil)})
		defer it.Close()
		for it.Rewind(); it.Valid() && freed < excess; it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
			freed += it.Item().ValueSize()
		}
		return nil
	})
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, k := range keys {
		wb.Delete(k)
	}
	if err := wb.Flush(); err != nil {
		s.log.Error("trim history", "dest", dest, "err", err)
		return
	}
	h.bytes.Add(-freed)
}

func (s *Badger) trimAll() {
	s.mu.Lock()
	hs := make(map[string]*history, len(s.hist))
	for d, h := range s.hist {
		hs[d] = h
	}
	s.mu.Unlock()
	for d, h := range hs {
		s.trim(d, h)
	}
}

// ReplayHistory implements Store.
func (s *Badger) ReplayHistory(dest string, from, to time.Time) ([]*event.Event, error) {
	s.enqMu.Lock()
	defer s.enqMu.Unlock()
	var appended []tailItem
	var evs []*event.Event
	err := s.db.Update(func(txn *badger.Txn) error {
		appended, evs = appended[:0], evs[:0]
		it := txn.NewIterator(badger.IteratorOptions{Prefix: key(pHist, dest, nil), PrefetchValues: true})
		defer it.Close()
		end := histKey(dest, to, ^uint64(0))
		for it.Seek(histKey(dest, from, 0)); it.Valid(); it.Next() {
			if string(it.Item().Key()) > string(end) {
				break
			}
			var ev *event.Event
			if err := it.Item().Value(func(v []byte) (err error) { ev, err = decodeEvent(v); return err }); err != nil {
				return err
			}
			evs = append(evs, ev)
		}
		for _, ev := range evs {
			ti, err := s.enqueue(txn.Set, dest, ev)
			if err != nil {
				return err
			}
			appended = append(appended, ti)
		}
		return nil
	})
	s.appendTails(appended, err)
	if err != nil {
		return nil, fmt.Errorf("replay history of %s: %w", dest, err)
	}
	return evs, s.db.Sync()
}
