// Package log is the log destination: it prints each event to the runner's
// log. Handy while building a flow.
package log

import (
	"context"
	"log/slog"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

func init() { component.Default.MustRegister(Spec) }

// Spec is the log destination kind.
var Spec = component.Spec{
	Kind:     "log",
	Category: component.CategoryDestination,
	Title:    "Log",
	Summary:  "Print each event to the runner's log.",
	Config: component.Object(
		component.Field{Name: "level", Schema: &component.Schema{Type: "string", Enum: []any{"debug", "info", "warn", "error"}, Default: "info",
			Description: "Log level of the lines."}},
		component.Field{Name: "envelope", Schema: &component.Schema{Type: "boolean", Default: false,
			Description: "Print the whole envelope instead of the body."}},
	),
	NewDestination: New,
}

type dest struct {
	log      *slog.Logger
	level    slog.Level
	envelope bool
}

var _ component.Destination = (*dest)(nil)

// New builds a log destination.
func New(p component.Params) (component.Destination, error) {
	var c struct {
		Level    string `json:"level"`
		Envelope bool   `json:"envelope"`
	}
	if err := p.Decode(&c); err != nil {
		return nil, err
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.Level)); err != nil {
		return nil, err
	}
	l := p.Logger
	if l == nil {
		l = slog.Default()
	}
	return &dest{log: l, level: lvl, envelope: c.Envelope}, nil
}

func (d *dest) Deliver(ctx context.Context, ev *event.Event) (component.Receipt, error) {
	payload, err := ev.Payload(d.envelope)
	if err != nil {
		return component.Receipt{}, &component.Failure{Class: component.FailRejected, Err: err}
	}
	d.log.Log(ctx, d.level, "event", "event_id", ev.ID, "source", ev.Source, "body", string(payload))
	return component.Receipt{Request: "log"}, nil
}

func (d *dest) Close(context.Context) error { return nil }
