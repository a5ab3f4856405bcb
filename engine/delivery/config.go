// Package delivery is the managed queue in front of every destination: it
// reads the destination's durable queue, delivers with bounded concurrency
// and an optional rate limit, retries with backoff per error class, holds
// events during maintenance windows and moves events it gives up on to dead
// letters.
package delivery

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/schedule"
)

// Config is a destination's `delivery` section.
type Config struct {
	Concurrency int                `json:"concurrency"`
	Ordered     bool               `json:"ordered"`
	Retry       Retry              `json:"retry"`
	Rate        Rate               `json:"rate"`
	Maintenance []Window           `json:"maintenance"`
	DeadLetter  bool               `json:"dead_letter"`
	Alert       *Alert             `json:"alert,omitempty"`
	Timeout     component.Duration `json:"timeout"`
	Breaker     Breaker            `json:"breaker"`
	History     History            `json:"history"`
}

// Breaker is the circuit breaker: after Failures consecutive failed
// attempts the destination is held and probed with one event at a time at
// the backoff's pace, until a probe succeeds.
type Breaker struct {
	Failures int `json:"failures"`
}

// History keeps delivered events for replay by time range.
type History struct {
	Keep     component.Duration `json:"keep"`
	MaxBytes int64              `json:"max_bytes"`
}

// Retry is the retry schedule.
type Retry struct {
	Backoff     string             `json:"backoff"` // exponential, linear, fixed
	Initial     component.Duration `json:"initial"`
	Max         component.Duration `json:"max"`
	Multiplier  float64            `json:"multiplier"`
	Jitter      bool               `json:"jitter"`
	MaxAttempts int                `json:"max_attempts"`
	GiveUpAfter component.Duration `json:"give_up_after"`
}

// Rate limits deliveries; zero PerSecond means unlimited.
type Rate struct {
	PerSecond   float64 `json:"per_second"`
	Burst       int     `json:"burst"`
	BacklogRate float64 `json:"backlog_rate"`
}

// Window is a recurring maintenance window during which delivery is held.
type Window struct {
	Cron     string             `json:"cron"`
	Duration component.Duration `json:"duration"`
	Timezone string             `json:"timezone"`
}

// Alert says when a failing destination raises an alert, and where to.
type Alert struct {
	AfterFailures int                `json:"after_failures"`
	OldestAge     component.Duration `json:"oldest_age"`
	OnDeadLetter  bool               `json:"on_dead_letter"`
	To            string             `json:"to"`
}

func dur(desc, def string, examples ...any) *component.Schema {
	s := &component.Schema{Type: "string", Format: "duration", Description: desc, Examples: examples}
	if def != "" {
		s.Default = def
	}
	return s
}

// Schema is the JSON Schema of the delivery section, shared by every
// destination kind.
var Schema = component.Object(
	component.Field{Name: "concurrency", Schema: &component.Schema{Type: "integer", Default: 4, Minimum: component.Float(1), Maximum: component.Float(256),
		Description: "Deliveries in flight at once."}},
	component.Field{Name: "ordered", Schema: &component.Schema{Type: "boolean", Default: false,
		Description: "Deliver strictly in order: one in flight, a failing event holds the ones behind it."}},
	component.Field{Name: "retry", Schema: component.Object(
		component.Field{Name: "backoff", Schema: &component.Schema{Type: "string", Enum: []any{"exponential", "linear", "fixed"}, Default: "exponential",
			Description: "How the wait between attempts grows."}},
		component.Field{Name: "initial", Schema: dur("Wait before the first retry.", "1s", "500ms", "5s")},
		component.Field{Name: "max", Schema: dur("Longest wait between attempts.", "5m", "10m")},
		component.Field{Name: "multiplier", Schema: &component.Schema{Type: "number", Default: 2.0, Minimum: component.Float(1),
			Description: "Growth factor of exponential backoff (linear adds initial each time)."}},
		component.Field{Name: "jitter", Schema: &component.Schema{Type: "boolean", Default: true,
			Description: "Randomise each wait by up to ±20% so retries of many events spread out."}},
		component.Field{Name: "max_attempts", Schema: &component.Schema{Type: "integer", Default: 0, Minimum: component.Float(0),
			Description: "Give up after this many attempts (0: no limit; give_up_after still applies)."}},
		component.Field{Name: "give_up_after", Schema: dur("Give up on an event this long after its first attempt.", "72h", "24h")},
	)},
	component.Field{Name: "rate", Schema: component.Object(
		component.Field{Name: "per_second", Schema: &component.Schema{Type: "number", Minimum: component.Float(0), Default: 0,
			Description: "Deliveries per second (0: unlimited)."}},
		component.Field{Name: "burst", Schema: &component.Schema{Type: "integer", Minimum: component.Float(1), Default: 1,
			Description: "Deliveries allowed at once above the rate."}},
		component.Field{Name: "backlog_rate", Schema: &component.Schema{Type: "number", Minimum: component.Float(0), Default: 0,
			Description: "Rate while draining a backlog after an outage or a maintenance window (0: per_second)."}},
	)},
	component.Field{Name: "maintenance", Schema: &component.Schema{Type: "array",
		Description: "Recurring windows during which delivery is held; events wait durably.",
		Items: component.Object(
			component.Field{Name: "cron", Required: true, Schema: &component.Schema{Type: "string", Format: "cron", Examples: []any{"0 2 * * SUN"},
				Description: "When the window opens (cron, optional seconds field)."}},
			component.Field{Name: "duration", Required: true, Schema: dur("How long the window stays open.", "", "2h")},
			component.Field{Name: "timezone", Schema: &component.Schema{Type: "string", Format: "timezone", Examples: []any{"Europe/Berlin"},
				Description: "Time zone of the cron expression (default: the runner's)."}},
		)}},
	component.Field{Name: "dead_letter", Schema: &component.Schema{Type: "boolean", Default: true,
		Description: "Keep events that fail for good as dead letters (false: log and discard them)."}},
	component.Field{Name: "alert", Schema: component.Object(
		component.Field{Name: "after_failures", Schema: &component.Schema{Type: "integer", Minimum: component.Float(1),
			Description: "Alert after this many consecutive failed attempts."}},
		component.Field{Name: "oldest_age", Schema: dur("Alert when the oldest queued event is older than this.", "", "15m")},
		component.Field{Name: "on_dead_letter", Schema: &component.Schema{Type: "boolean",
			Description: "Alert when an event is dead-lettered."}},
		component.Field{Name: "to", Required: true, Schema: &component.Schema{Type: "string",
			Description: "The destination node that receives alert events."}},
	)},
	component.Field{Name: "timeout", Schema: dur("Longest time one delivery attempt may take.", "30s")},
	component.Field{Name: "breaker", Schema: component.Object(
		component.Field{Name: "failures", Schema: &component.Schema{Type: "integer", Default: 5, Minimum: component.Float(0),
			Description: "After this many consecutive failures, hold the destination and probe it with one event at the backoff's pace (0: never)."}},
	)},
	component.Field{Name: "history", Schema: component.Object(
		component.Field{Name: "keep", Schema: dur("Keep delivered events this long for replay by time range (0: keep none).", "", "24h")},
		component.Field{Name: "max_bytes", Schema: &component.Schema{Type: "integer", Minimum: component.Float(0), Default: 268435456,
			Description: "Upper bound of the kept history; the oldest go first."}},
	)},
)

// Check finds problems the schema cannot express.
func Check(raw map[string]any) []component.Problem {
	var ps []component.Problem
	c, err := Parse(raw)
	if err != nil {
		return []component.Problem{{Message: err.Error()}}
	}
	if c.Retry.Max < c.Retry.Initial {
		ps = append(ps, component.Problem{Field: "retry.max", Message: "must not be shorter than retry.initial"})
	}
	for i, w := range c.Maintenance {
		if w.Duration <= 0 {
			ps = append(ps, component.Problem{Field: fmt.Sprintf("maintenance[%d].duration", i), Message: "must be longer than 0"})
		}
	}
	return ps
}

// Parse applies defaults to a raw delivery section and decodes it.
func Parse(raw map[string]any) (Config, error) {
	var c Config
	b, err := json.Marshal(Schema.ApplyDefaults(raw))
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("delivery: %w", err)
	}
	if c.Ordered {
		c.Concurrency = 1
	}
	return c, nil
}

// Delay returns the wait before attempt n+1 after n failed attempts (n >= 1).
func (r Retry) Delay(n int, rnd *rand.Rand) time.Duration {
	initial, maxD := float64(r.Initial), float64(r.Max)
	var d float64
	switch r.Backoff {
	case "fixed":
		d = initial
	case "linear":
		d = initial * float64(n)
	default:
		m := r.Multiplier
		if m < 1 {
			m = 2
		}
		d = initial * math.Pow(m, float64(n-1))
	}
	if maxD > 0 && d > maxD {
		d = maxD
	}
	if r.Jitter && rnd != nil {
		d *= 0.8 + 0.4*rnd.Float64()
	}
	return time.Duration(d)
}

// windows are parsed maintenance windows.
type windows []parsedWindow

type parsedWindow struct {
	s schedule.Schedule
	d time.Duration
}

func parseWindows(ws []Window) (windows, error) {
	var out windows
	for i, w := range ws {
		s, err := schedule.ParseIn(w.Cron, w.Timezone)
		if err != nil {
			return nil, fmt.Errorf("maintenance[%d]: %w", i, err)
		}
		out = append(out, parsedWindow{s: s, d: w.Duration.D()})
	}
	return out, nil
}

// active reports whether t is inside a window and, if so, when it ends.
func (ws windows) active(t time.Time) (bool, time.Time) {
	var end time.Time
	for _, w := range ws {
		a := w.s.Next(t.Add(-w.d))
		if a.IsZero() || a.After(t) {
			continue
		}
		// Chain activations that start before this one ends.
		e := a.Add(w.d)
		for n := w.s.Next(a); !n.IsZero() && !n.After(e) && n.Before(t.Add(24*time.Hour)); n = w.s.Next(n) {
			e = n.Add(w.d)
		}
		if e.After(end) {
			end = e
		}
	}
	return !end.IsZero(), end
}

// next returns the start of the next window after t.
func (ws windows) next(t time.Time) time.Time {
	var best time.Time
	for _, w := range ws {
		if n := w.s.Next(t); !n.IsZero() && (best.IsZero() || n.Before(best)) {
			best = n
		}
	}
	return best
}
