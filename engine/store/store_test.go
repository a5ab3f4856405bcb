package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

func open(t *testing.T, dir string) *Badger {
	t.Helper()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ev(id, src, body string) *event.Event {
	return &event.Event{ID: id, Source: src, ReceivedAt: time.Now().UTC(),
		Meta: event.Meta{Headers: map[string]string{"X-A": "1"}, Query: map[string]string{"q": "2"}, Extra: map[string]any{"k": "v"}},
		Body: json.RawMessage(body)}
}

func inbox(t *testing.T, s *Badger) []string {
	var ids []string
	if err := s.Inbox(func(e InboxEntry) error { ids = append(ids, e.Event.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestIngestProcessDeliverAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ids := event.NewIDs()
	var items []component.Item
	for i := range 10 {
		items = append(items, component.Item{Event: ev(ids.New(time.Now()), "src", fmt.Sprintf(`{"i":%d}`, i))})
	}
	if err := s.Ingest(context.Background(), items, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The inbox survives a restart, in id order, with every field.
	s = open(t, dir)
	got := inbox(t, s)
	if len(got) != 10 || got[0] != items[0].Event.ID {
		t.Fatalf("inbox after restart: %v", got)
	}
	var first *event.Event
	s.Inbox(func(e InboxEntry) error {
		if first == nil {
			first = e.Event
		}
		return nil
	})
	if first.Meta.Headers["X-A"] != "1" || first.Meta.Extra["k"] != "v" || string(first.Body) != `{"i":0}` || first.Source != "src" {
		t.Errorf("event round trip: %+v", first)
	}

	// Process: consume 6, enqueue them for two destinations; one dead letter.
	var outs []Outcome
	for _, it := range items[:6] {
		outs = append(outs, Outcome{InboxID: it.Event.ID, Enqueue: []Enqueue{{Dest: "a", Event: it.Event}, {Dest: "b", Event: it.Event}}})
	}
	outs = append(outs, Outcome{InboxID: items[6].Event.ID, Dead: []DeadLetter{{Node: "py", Event: items[6].Event, Reason: "boom at line 3"}}})
	if err := s.Process(outs); err != nil {
		t.Fatal(err)
	}
	// Processing again is a no-op: nothing enqueued twice.
	if err := s.Process(outs); err != nil {
		t.Fatal(err)
	}
	if d := s.QueueDepth("a"); d != 6 {
		t.Errorf("depth a = %d", d)
	}
	if n := len(inbox(t, s)); n != 3 {
		t.Errorf("inbox holds %d, want 3", n)
	}
	q, err := s.QueueRead("a", 0, 100)
	if err != nil || len(q) != 6 {
		t.Fatalf("queue a: %d %v", len(q), err)
	}
	if err := s.QueueDone("a", q[0], q[1]); err != nil {
		t.Fatal(err)
	}
	q[2].Attempts = 3
	q[2].Errors = []Attempt{{At: time.Now(), Error: "503", Status: 503}}
	if err := s.QueueUpdate("a", q[2]); err != nil {
		t.Fatal(err)
	}
	if err := s.QueueKill("a", q[3], "rejected: 400"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Everything above survives a restart.
	s = open(t, dir)
	defer s.Close()
	if d := s.QueueDepth("a"); d != 3 {
		t.Errorf("depth a after restart = %d, want 3", d)
	}
	if d := s.QueueDepth("b"); d != 6 {
		t.Errorf("depth b after restart = %d, want 6", d)
	}
	q2, _ := s.QueueRead("a", 0, 100)
	if len(q2) != 3 || q2[0].Seq != q[2].Seq || q2[0].Attempts != 3 || len(q2[0].Errors) != 1 {
		t.Fatalf("queue a after restart: %+v", q2)
	}
	dl, _ := s.DeadLetters("a", 0, 0)
	if len(dl) != 1 || dl[0].Reason != "rejected: 400" || dl[0].Event.ID != q[3].Event.ID {
		t.Errorf("dead letters of a: %+v", dl)
	}
	pyDead, _ := s.DeadLetter("py", items[6].Event.ID)
	if pyDead == nil || pyDead.Reason != "boom at line 3" {
		t.Errorf("dead letter of py: %+v", pyDead)
	}
	// Replay puts the dead letter back at the end of the queue.
	if evs, err := s.ReplayDead("a", "a"); err != nil || len(evs) != 1 {
		t.Fatalf("replay: %d %v", len(evs), err)
	}
	q3, _ := s.QueueRead("a", q2[len(q2)-1].Seq, 10)
	if len(q3) != 1 || q3[0].Event.ID != q[3].Event.ID || q3[0].Attempts != 0 {
		t.Errorf("replayed item: %+v", q3)
	}
	if n, _ := s.PurgeDead("py"); n != 1 {
		t.Errorf("purged %d", n)
	}
}

// TestTailMatchesDisk reads a queue while it is written, through the
// in-memory tail, and checks the reader sees exactly what is on disk.
func TestTailMatchesDisk(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ids := event.NewIDs()
	const n = 20000 // more than the tail holds, so reads switch between memory and disk
	done := make(chan struct{})
	var seen []uint64
	go func() {
		defer close(done)
		var cursor uint64
		for len(seen) < n {
			items, err := s.QueueRead("d", cursor, 100)
			if err != nil {
				t.Error(err)
				return
			}
			for _, it := range items {
				seen = append(seen, it.Seq)
				cursor = it.Seq
			}
			if len(items) == 0 {
				select {
				case <-s.Notify("d"):
				case <-time.After(time.Second):
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n/4; i += 50 {
				var items []component.Item
				for j := range 50 {
					items = append(items, component.Item{Event: ev(ids.New(time.Now()), "s", fmt.Sprintf(`{"w":%d,"i":%d}`, w, i+j))})
				}
				if err := s.Ingest(context.Background(), items, []string{"d"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("reader saw %d of %d", len(seen), n)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("seq out of order at %d: %d after %d", i, seen[i], seen[i-1])
		}
	}
	s.Close()
	s = open(t, dir)
	defer s.Close()
	disk, err := s.QueueRead("d", 0, n+10)
	if err != nil {
		t.Fatal(err)
	}
	if len(disk) != n || len(seen) != n {
		t.Fatalf("disk has %d, reader saw %d, want %d", len(disk), len(seen), n)
	}
	for i := range disk {
		if disk[i].Seq != seen[i] {
			t.Fatalf("item %d: disk seq %d, reader saw %d", i, disk[i].Seq, seen[i])
		}
	}
}

func TestDedupe(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ids := event.NewIDs()
	mk := func(key string) component.Item {
		return component.Item{Event: ev(ids.New(time.Now()), "poller", `{}`), DedupeKey: key, DedupeTTL: time.Hour}
	}
	batch := []component.Item{mk("a"), mk("b"), mk("a")}
	if err := s.Ingest(context.Background(), batch, nil); err != nil {
		t.Fatal(err)
	}
	if !batch[0].Accepted || !batch[1].Accepted || batch[2].Accepted {
		t.Errorf("accepted %v %v %v", batch[0].Accepted, batch[1].Accepted, batch[2].Accepted)
	}
	s.Close()
	s = open(t, dir)
	defer s.Close()
	again := []component.Item{mk("a"), mk("c")}
	s.Ingest(context.Background(), again, nil)
	if again[0].Accepted || !again[1].Accepted {
		t.Errorf("after restart accepted %v %v", again[0].Accepted, again[1].Accepted)
	}
	if n := len(inbox(t, s)); n != 3 {
		t.Errorf("inbox %d, want 3", n)
	}
}

// A state write that rides on an ingest lands with its events, on the
// direct path as through the inbox, and survives a restart; after Close
// neither is stored.
func TestIngestCarriesState(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	ids := event.NewIDs()
	item := func(pos string) component.Item {
		return component.Item{Event: ev(ids.New(time.Now()), "gen", `{}`), State: &component.StateWrite{Key: "pos", Value: []byte(pos)}}
	}
	if err := s.Ingest(context.Background(), []component.Item{item("1")}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Ingest(context.Background(), []component.Item{item("2")}, []string{"out"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Ingest(context.Background(), []component.Item{item("3")}, nil); err == nil {
		t.Error("ingest after close succeeded")
	}
	s = open(t, dir)
	defer s.Close()
	v, ok, err := s.State("gen").Get("pos")
	if err != nil || !ok || string(v) != "2" {
		t.Errorf("state after restart: %q %v %v, want 2", v, ok, err)
	}
	if n := len(inbox(t, s)); n != 1 || s.QueueDepth("out") != 1 {
		t.Errorf("inbox %d, queue %d; want 1 and 1", n, s.QueueDepth("out"))
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	defer s.Close()
	if _, err := Open(Options{Dir: dir}); err == nil {
		t.Fatal("second open of a held directory succeeded")
	}
}

func TestIngestAfterCloseIsUnavailable(t *testing.T) {
	s := open(t, t.TempDir())
	s.Close()
	err := s.Ingest(context.Background(), []component.Item{{Event: ev("x", "s", `{}`)}}, nil)
	if err == nil || !errors.Is(err, component.ErrUnavailable) {
		t.Fatalf("got %v", err)
	}
}

func TestCodecRoundTrip(t *testing.T) {
	in := &QueueItem{Attempts: 2, FirstAttempt: time.Unix(100, 5).UTC(), LastError: "x",
		Errors: []Attempt{{At: time.Unix(1, 0).UTC(), Error: "e", Status: 503}}, Event: ev("id", "src", `{"a":[1,2]}`)}
	b, err := encodeItem(in)
	if err != nil {
		t.Fatal(err)
	}
	var out QueueItem
	if err := decodeItem(b, &out); err != nil {
		t.Fatal(err)
	}
	j1, _ := json.Marshal(in)
	j2, _ := json.Marshal(&out)
	if string(j1) != string(j2) {
		t.Errorf("round trip:\n%s\n%s", j1, j2)
	}
	for i := range b {
		var x QueueItem
		_ = decodeItem(b[:i], &x) // truncated records fail, never panic
	}
}

// benchBody is a 512-byte JSON event, as in sluice bench.
var benchBody = json.RawMessage(`{"pad":"` + strings.Repeat("x", 500) + `"}`)

// benchStore opens a store in a temporary directory for a benchmark.
func benchStore(b *testing.B) *Badger {
	b.Helper()
	s, err := Open(Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkIngest measures group-committed, synced ingest from many
// goroutines (one event per call, like webhook requests).
func BenchmarkIngest(b *testing.B) {
	s := benchStore(b)
	ids := event.NewIDs()
	body := json.RawMessage(`{"pad":"` + string(make([]byte, 0)) + `xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`)
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e := &event.Event{ID: ids.New(time.Now()), Source: "s", Body: body}
			if err := s.Ingest(context.Background(), []component.Item{{Event: e}}, []string{"d"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDirectPath is the store's share of the webhook -> http hot path:
// 32 senders ingest 512-byte events straight into a destination queue,
// one consumer reads them from the queue and acknowledges them. It prints
// the process's CPU time per event besides the rate: on a shared machine
// the CPU figure is the steadier of the two.
func BenchmarkDirectPath(b *testing.B) {
	s := benchStore(b)
	ids := event.NewIDs()
	body := benchBody
	done := drain(b, s, "d")
	cpu0 := cpuTime()
	b.SetParallelism(16) // 32 senders on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e := &event.Event{ID: ids.New(time.Now()), Source: "s", Body: body}
			if err := s.Ingest(context.Background(), []component.Item{{Event: e}}, []string{"d"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	<-done
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/event")
}

// drain reads b.N items from dest's queue and acknowledges them, as a
// delivery worker does; the channel closes when it has.
func drain(b *testing.B, s *Badger, dest string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var after uint64
		got := 0
		for got < b.N {
			items, err := s.QueueRead(dest, after, 256)
			if err != nil {
				b.Error(err)
				return
			}
			if len(items) == 0 {
				select {
				case <-s.Notify(dest):
				case <-time.After(10 * time.Millisecond):
				}
				continue
			}
			after = items[len(items)-1].Seq
			got += len(items)
			s.QueueDone(dest, items...)
		}
	}()
	return done
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkInboxPath is the store's share of webhook -> transform -> http:
// events go to the inbox, a processor moves each batch into the queue in
// one Process transaction, and a consumer acknowledges them. Compare its
// CPU per event with BenchmarkDirectPath.
func BenchmarkInboxPath(b *testing.B) {
	s := benchStore(b)
	ids := event.NewIDs()
	body := benchBody
	in := make(chan *event.Event, 8192)
	processed := make(chan struct{})
	go func() {
		defer close(processed)
		got := 0
		for got < b.N {
			batch := []*event.Event{<-in}
		more:
			for len(batch) < 512 {
				select {
				case e := <-in:
					batch = append(batch, e)
				default:
					break more
				}
			}
			outs := make([]Outcome, len(batch))
			for i, e := range batch {
				out := *e
				outs[i] = Outcome{InboxID: e.ID, Enqueue: []Enqueue{{Dest: "d", Event: &out}}}
			}
			if err := s.Process(outs); err != nil {
				b.Error(err)
				return
			}
			got += len(batch)
		}
	}()
	done := drain(b, s, "d")
	cpu0 := cpuTime()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e := &event.Event{ID: ids.New(time.Now()), Source: "s", Body: body}
			if err := s.Ingest(context.Background(), []component.Item{{Event: e}}, nil); err != nil {
				b.Error(err)
				return
			}
			in <- e
		}
	})
	<-processed
	<-done
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/event")
}

// BenchmarkGroupSync is what one group commit's sync costs on this
// machine, alone: a group of 10 events of 512 bytes written, then made
// durable. "badger" is the store's way (a write transaction, then
// Badger's Sync: msync of the value log and of the write-ahead log);
// "fdatasync" is the floor any write-ahead journal would pay: the same
// bytes written with pwrite into a file written once before, then one
// fdatasync. Each reports wall time and CPU time per sync.
func BenchmarkGroupSync(b *testing.B) {
	body := benchBody
	report := func(b *testing.B, cpu0 time.Duration) {
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "wall-µs/sync")
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/sync")
	}
	b.Run("badger", func(b *testing.B) {
		s := benchStore(b)
		ids := event.NewIDs()
		items := make([]component.Item, 10)
		cpu0 := cpuTime()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for j := range items {
				items[j] = component.Item{Event: &event.Event{ID: ids.New(time.Now()), Source: "s", Body: body}}
			}
			// One Ingest call is one group: one transaction, one sync.
			if err := s.Ingest(context.Background(), items, []string{"d"}); err != nil {
				b.Fatal(err)
			}
		}
		report(b, cpu0)
	})
	b.Run("fdatasync", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "journal"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		const size = 64 << 20
		// Written once (not fallocated): overwriting written blocks needs
		// no metadata update, so fdatasync flushes data only.
		if _, err := f.Write(make([]byte, size)); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		group := make([]byte, 10*(len(body)+100))
		cpu0 := cpuTime()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := f.WriteAt(group, int64(i*len(group))%(size-int64(len(group)))); err != nil {
				b.Fatal(err)
			}
			if err := syscall.Fdatasync(int(f.Fd())); err != nil {
				b.Fatal(err)
			}
		}
		report(b, cpu0)
	})
}
