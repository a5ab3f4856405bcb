package pyrt

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/internal/procstat"
)

const benchCode = `
def transform(event):
    if event.get("status") == "test":
        return None
    return {
        "id": event["id"],
        "email": event["email"].strip().lower(),
        "name": event["first"].title() + " " + event["last"].title(),
        "amount_cents": int(round(event["amount"] * 100)),
        "currency": event.get("currency", "EUR").upper(),
        "country": event["country"],
        "items": len(event["items"]),
        "vip": event["amount"] > 100,
        "tags": [t for t in event["tags"] if t],
        "source": "shop",
    }
`

func benchEvents(n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		out[i] = json.RawMessage(fmt.Sprintf(`{"id":%d,"email":"  User%d@Example.COM ","first":"ada","last":"lovelace","amount":%d.5,"currency":"eur","country":"DE","items":[1,2,3],"status":"paid","tags":["a","","b"]}`, i, i, i%200))
	}
	return out
}

// BenchmarkLiveTest is `sluice test` style batch execution: Test() on
// 10,000 events, worker start included.
//
// Besides events/s (wall clock, which on a busy machine says little) it
// reports the CPU time all processes spent per event, supervisor and
// workers together, and what that gives on two idle cores.
func BenchmarkLiveTest(b *testing.B) {
	evs := benchEvents(10000)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			cpu0 := cpuTime()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				rep, err := Test(context.Background(), TestRequest{Code: benchCode, Events: evs, Workers: workers})
				if err != nil || rep.CompileError != nil || rep.Results[0].Error != nil {
					b.Fatal(err, rep.CompileError)
				}
			}
			n := float64(b.N * len(evs))
			b.ReportMetric(n/time.Since(start).Seconds(), "events/s")
			perEvent := (cpuTime() - cpu0).Seconds() / n
			b.ReportMetric(perEvent*1e6, "cpu-µs/event")
			b.ReportMetric(2/perEvent, "events/s-on-2-cores")
		})
	}
}

// cpuTime is the CPU time of this process and its ended children.
func cpuTime() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// BenchmarkPoolRun is the steady state: workers already running, batches
// of 1,000 as the engine hands them over.
func BenchmarkPoolRun(b *testing.B) {
	evs := benchEvents(1000)
	items := make([]Item, len(evs))
	for i, e := range evs {
		items[i] = Item{Body: e}
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			p, err := NewPool(context.Background(), Config{Code: benchCode, Workers: workers})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			b.ResetTimer()
			start := time.Now()
			n := 0
			for n < b.N {
				if _, err := p.Run(context.Background(), items); err != nil {
					b.Fatal(err)
				}
				n += len(items)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
		})
	}
}

// BenchmarkInterp is the interpreter alone, in process: no pipes, no
// processes. Against BenchmarkPoolRun/workers=1 it gives the isolation
// cost.
func BenchmarkInterp(b *testing.B) {
	in, err := NewInterp(benchCode, "transform")
	if err != nil {
		b.Fatal(err)
	}
	evs := benchEvents(1000)
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if out := in.Run(evs[i%len(evs)], nil); out.Err != nil {
			b.Fatal(out.Err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(b.N), "cpu-µs/event")
}

// BenchmarkPoolTrickle is the pool as a steady flow of 4,000 events/s
// uses it: small batches with pauses between them, the shape of the
// webhook -> python -> http benchmark. Here what a worker and its
// supervisor cost per batch counts: it reports the CPU per event of the
// workers and of this (supervisor) process, for batches of 10 every
// 2.5 ms and of 40 every 10 ms.
func BenchmarkPoolTrickle(b *testing.B) {
	for _, size := range []int{10, 40} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) { poolTrickle(b, size) })
	}
}

func poolTrickle(b *testing.B, size int) {
	items := make([]Item, size)
	for i, e := range benchEvents(len(items)) {
		items[i] = Item{Body: e}
	}
	p, err := NewPool(context.Background(), Config{Code: benchCode, Workers: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Run(context.Background(), items); err != nil { // start the workers
		b.Fatal(err)
	}
	var self0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self0)
	kids0 := procstat.Children(os.Getpid())
	b.ResetTimer()
	tick := time.NewTicker(time.Duration(size) * 250 * time.Microsecond)
	defer tick.Stop()
	n := 0
	for ; n < b.N; n += size {
		<-tick.C
		if _, err := p.Run(context.Background(), items); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var self1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	self := tv(self1.Utime) + tv(self1.Stime) - tv(self0.Utime) - tv(self0.Stime)
	b.ReportMetric((procstat.Children(os.Getpid())-kids0).Seconds()*1e6/float64(n), "worker-cpu-µs/event")
	b.ReportMetric(self.Seconds()*1e6/float64(n), "supervisor-cpu-µs/event")
}
