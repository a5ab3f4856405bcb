package store

// The tail of each queue is kept in memory as well as on disk: the delivery
// worker reads what was just enqueued without decoding it from Badger. A
// tail holds every item of its queue with seq > floor (up to tailCap, the
// oldest dropped first, which raises floor); a read that starts below the
// floor goes to Badger. A worker far behind (a backlog) reads from disk and
// meets the tail when it catches up. Guarded by Badger.enqMu.

const tailCap = 8192

type tail struct {
	floor uint64
	items []*QueueItem
}

type tailItem struct {
	dest string
	it   *QueueItem
}

// appendTails records committed items, counts them into the queue depths
// and wakes the queues' workers. After a failed commit (parts of which may
// have landed) the tails are reset so reads go to disk, and the workers
// are woken to look.
func (s *Badger) appendTails(items []tailItem, err error) {
	wake := map[string]bool{}
	for _, ti := range items {
		wake[ti.dest] = true
	}
	defer s.wake(wake)
	if err != nil {
		for _, t := range s.tails {
			t.items = nil
		}
		for _, ti := range items {
			s.seqFloor = max(s.seqFloor, ti.it.Seq)
		}
		for _, t := range s.tails {
			t.floor = s.seqFloor
		}
		return
	}
	for _, ti := range items {
		s.depthOf(ti.dest).Add(1)
		t := s.tails[ti.dest]
		if t == nil {
			t = &tail{floor: s.seqFloor}
			s.tails[ti.dest] = t
		}
		if len(t.items) >= tailCap {
			t.floor = t.items[0].Seq
			t.items[0] = nil
			t.items = t.items[1:]
		}
		t.items = append(t.items, ti.it)
	}
}

// readTail serves a cursor read from memory when the tail covers it. The
// items up to after are then released: the queue's consumer has them.
func (s *Badger) readTail(dest string, after uint64, limit int) ([]*QueueItem, bool) {
	s.enqMu.Lock()
	defer s.enqMu.Unlock()
	t := s.tails[dest]
	if t == nil {
		// No item was enqueued since open: everything is on disk, and a
		// reader past the floor has seen it all.
		return nil, after >= s.seqFloor
	}
	if after < t.floor {
		return nil, false
	}
	i := 0
	for i < len(t.items) && t.items[i].Seq <= after {
		i++
	}
	if i > 0 {
		clear(t.items[:i])
		t.items = t.items[i:]
		t.floor = after
	}
	n := min(limit, len(t.items))
	out := make([]*QueueItem, n)
	copy(out, t.items[:n])
	return out, true
}
