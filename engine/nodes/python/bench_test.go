package python

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/pyrt"
)

// benchCode is a typical 10-field transform: renames, normalizes,
// computes and filters.
const benchCode = `
def transform(event):
    if event.get("status") == "test":
        return None
    out = {
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
    return out
`

func benchBody(i int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"id":%d,"email":"  User%d@Example.COM ","first":"ada","last":"lovelace","amount":%d.5,"currency":"eur","country":"DE","items":[1,2,3],"status":"paid","tags":["a","","b"]}`, i, i, i%200))
}

func benchEvents(n int) []*event.Event {
	evs := make([]*event.Event, n)
	for i := range evs {
		evs[i] = &event.Event{ID: fmt.Sprintf("ev%d", i), Source: "hook", ReceivedAt: time.Now(), Body: benchBody(i)}
	}
	return evs
}

// BenchmarkApply runs the node as the engine does: batches through Apply,
// worker processes included.
func BenchmarkApply(b *testing.B) {
	for _, workers := range []int{1, 2} {
		for _, batch := range []int{16, 100, 1000} {
			b.Run(fmt.Sprintf("workers=%d/batch=%d", workers, batch), func(b *testing.B) {
				tr := newNode(b, benchCode, map[string]any{"workers": workers})
				evs := benchEvents(batch)
				if _, err := tr.Apply(context.Background(), evs); err != nil { // start the workers
					b.Fatal(err)
				}
				b.ResetTimer()
				start := time.Now()
				n := 0
				for n < b.N {
					res, err := tr.Apply(context.Background(), evs)
					if err != nil {
						b.Fatal(err)
					}
					if res[0].Err != nil {
						b.Fatal(res[0].Err)
					}
					n += len(evs)
				}
				el := time.Since(start)
				b.ReportMetric(float64(n)/el.Seconds(), "events/s")
				b.ReportMetric(float64(el.Nanoseconds())/float64(n), "ns/event")
			})
		}
	}
}

// BenchmarkInProcess is the same transform without isolation, to measure
// what the worker processes cost.
func BenchmarkInProcess(b *testing.B) {
	in, err := pyrt.NewInterp(benchCode, "transform")
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([]json.RawMessage, 1000)
	for i := range bodies {
		bodies[i] = benchBody(i)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		out := in.Run(bodies[i%len(bodies)], nil)
		if out.Err != nil {
			b.Fatal(out.Err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
}
