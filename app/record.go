package app

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/store"
)

// keepEvents is how many of the last events each source keeps for tests.
const keepEvents = 20

// recorder is the run's store, remembering the last bodies each source
// ingested so that a live test can take real events as samples.
type recorder struct {
	store.Store
	mu   sync.Mutex
	last map[string][]json.RawMessage
}

func newRecorder(st store.Store) *recorder {
	return &recorder{Store: st, last: map[string][]json.RawMessage{}}
}

func (r *recorder) Ingest(ctx context.Context, items []component.Item, direct []string) error {
	if err := r.Store.Ingest(ctx, items, direct); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, it := range items {
		if !it.Accepted || it.Event == nil {
			continue
		}
		l := append(r.last[it.Event.Source], append(json.RawMessage(nil), it.Event.Body...))
		if len(l) > keepEvents {
			l = l[len(l)-keepEvents:]
		}
		r.last[it.Event.Source] = l
	}
	return nil
}

// lastEvents returns up to n bodies a source ingested, oldest first.
func (r *recorder) lastEvents(source string, n int) []json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.last[source]
	if n > 0 && len(l) > n {
		l = l[len(l)-n:]
	}
	return append([]json.RawMessage{}, l...)
}
