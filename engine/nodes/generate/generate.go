// Package generate is the generate source: it emits a template event on a
// schedule or a fixed number of times. For demos and tests.
package generate

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/schedule"
)

func init() { component.Default.MustRegister(Spec) }

// Spec is the generate kind.
var Spec = component.Spec{
	Kind:     "generate",
	Category: component.CategorySource,
	Title:    "Generator",
	Summary:  "Emit a template event on a schedule, or a fixed number of times (demos and tests).",
	Doc: "With `schedule`, each activation emits one event until `count` events were emitted (0: forever). " +
		"Without it, `count` events are emitted once at start. Progress is kept on disk, so a restart goes on " +
		"where it stopped instead of emitting again. `seq_field` adds a running number to each event.",
	Config: component.Object(
		component.Field{Name: "template", Schema: &component.Schema{Type: "object", Values: &component.Schema{},
			Default:     map[string]any{"message": "hello from sluice"},
			Description: "The event body to emit."}},
		component.Field{Name: "schedule", Schema: &component.Schema{Type: "string", Format: "cron",
			Examples: []any{"@every 1s", "*/10 * * * * *"}, Description: "When to emit (cron with optional seconds, or @every)."}},
		component.Field{Name: "count", Schema: &component.Schema{Type: "integer", Default: 0, Minimum: component.Float(0),
			Description: "How many events to emit in all (0 with a schedule: no limit)."}},
		component.Field{Name: "seq_field", Schema: &component.Schema{Type: "string", Default: "seq",
			Description: "Field that gets the event's running number (empty: none)."}},
	),
	Check: func(cfg map[string]any) []component.Problem {
		if s, _ := cfg["schedule"].(string); s == "" && fmt.Sprint(cfg["count"]) == "0" {
			return []component.Problem{{Field: "count", Message: "without a schedule, set how many events to emit"}}
		}
		return nil
	},
	NewSource: New,
}

// Config is the generate source's config.
type Config struct {
	Template map[string]any `json:"template"`
	Schedule string         `json:"schedule"`
	Count    int64          `json:"count"`
	SeqField string         `json:"seq_field"`
}

type source struct {
	cfg    Config
	sched  schedule.Schedule
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ component.Source = (*source)(nil)

// New builds a generate source.
func New(p component.Params) (component.Source, error) {
	var c Config
	if err := p.Decode(&c); err != nil {
		return nil, err
	}
	s := &source{cfg: c}
	if c.Schedule != "" {
		var err error
		if s.sched, err = schedule.Parse(c.Schedule); err != nil {
			return nil, err
		}
	}
	return s, nil
}

const progressKey = "emitted"

func (s *source) Open(_ context.Context, host component.SourceHost) error {
	emitted, err := progress(host.State())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if s.sched == nil {
			if err := s.emit(ctx, host, &emitted, s.cfg.Count-emitted); err != nil && ctx.Err() == nil {
				host.Logger().Error("generate", "err", err)
			}
			return
		}
		schedule.Run(ctx, s.sched, func(ctx context.Context) {
			if s.cfg.Count > 0 && emitted >= s.cfg.Count {
				cancel()
				return
			}
			if err := s.emit(ctx, host, &emitted, 1); err != nil && ctx.Err() == nil {
				host.Logger().Warn("generate", "err", err)
			}
		})
	}()
	return nil
}

func progress(st component.State) (int64, error) {
	b, ok, err := st.Get(progressKey)
	if err != nil || !ok {
		return 0, err
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read generator progress: %w", err)
	}
	return n, nil
}

// emit ingests n events in batches and records progress after each.
func (s *source) emit(ctx context.Context, host component.SourceHost, emitted *int64, n int64) error {
	const batch = 500
	for n > 0 {
		k := min(n, batch)
		items := make([]component.Item, k)
		for i := range items {
			body := make(map[string]any, len(s.cfg.Template)+1)
			for f, v := range s.cfg.Template {
				body[f] = v
			}
			if s.cfg.SeqField != "" {
				body[s.cfg.SeqField] = *emitted + int64(i) + 1
			}
			b, err := json.Marshal(body)
			if err != nil {
				return err
			}
			items[i].Event = &event.Event{Body: b, ReceivedAt: time.Now().UTC()}
		}
		// The progress is committed with the batch: a crash cannot store
		// the events without it (they would be emitted again).
		items[k-1].State = &component.StateWrite{Key: progressKey, Value: []byte(strconv.FormatInt(*emitted+k, 10))}
		if err := host.Ingest(ctx, items); err != nil {
			return err
		}
		*emitted += k
		n -= k
	}
	return nil
}

func (s *source) Close(context.Context) error {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	return nil
}
