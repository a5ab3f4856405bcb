// Package file is the file destination: it appends each event as one JSON
// line to a file and syncs it to disk before reporting it delivered.
package file

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

func init() { component.Default.MustRegister(Spec) }

// Spec is the file destination kind.
var Spec = component.Spec{
	Kind:     "file",
	Category: component.CategoryDestination,
	Title:    "File (JSON Lines)",
	Summary:  "Append each event as one JSON line to a file, synced to disk.",
	Doc: "Lines are appended and fsynced before the event counts as delivered; concurrent deliveries share one " +
		"fsync. After a crash an event may appear twice (at-least-once), never not at all.",
	Config: component.Object(
		component.Field{Name: "path", Required: true, Schema: &component.Schema{Type: "string", MinLength: component.Int(1),
			Examples: []any{"/var/lib/sluice/orders.jsonl"}, Description: "File to append to (created with its directory if missing)."}},
		component.Field{Name: "envelope", Schema: &component.Schema{Type: "boolean", Default: false,
			Description: "Write the whole envelope (id, source, received_at, meta, body) instead of the body."}},
	),
	NewDestination: New,
}

type dest struct {
	path     string
	envelope bool

	mu      sync.Mutex // guards f, written
	f       *os.File
	written uint64

	syncMu sync.Mutex // one fsync at a time; guards synced
	synced uint64
}

var _ component.Destination = (*dest)(nil)

// New builds a file destination. The file is opened on first delivery, so
// building has no side effects.
func New(p component.Params) (component.Destination, error) {
	var c struct {
		Path     string `json:"path"`
		Envelope bool   `json:"envelope"`
	}
	if err := p.Decode(&c); err != nil {
		return nil, err
	}
	return &dest{path: c.Path, envelope: c.Envelope}, nil
}

func (d *dest) Deliver(_ context.Context, ev *event.Event) (component.Receipt, error) {
	rc := component.Receipt{Request: "append " + d.path}
	payload, err := ev.Payload(d.envelope)
	if err != nil {
		return rc, &component.Failure{Class: component.FailRejected, Err: err}
	}
	line := make([]byte, 0, len(payload)+1)
	line = append(append(line, payload...), '\n')
	d.mu.Lock()
	if d.f == nil {
		if err := os.MkdirAll(filepath.Dir(d.path), 0o755); err != nil {
			d.mu.Unlock()
			return rc, fmt.Errorf("create directory of %s: %w", d.path, err)
		}
		f, err := os.OpenFile(d.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			d.mu.Unlock()
			return rc, fmt.Errorf("open %s: %w", d.path, err)
		}
		d.f = f
	}
	if _, err := d.f.Write(line); err != nil {
		d.mu.Unlock()
		return rc, fmt.Errorf("write %s: %w", d.path, err)
	}
	d.written++
	mine := d.written
	f := d.f
	d.mu.Unlock()
	return rc, d.syncUpTo(f, mine)
}

// syncUpTo returns once write number n is on disk; a sync started after
// it covers every write before, so concurrent deliveries share syncs.
func (d *dest) syncUpTo(f *os.File, n uint64) error {
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	if d.synced >= n {
		return nil
	}
	d.mu.Lock()
	upTo := d.written
	d.mu.Unlock()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", d.path, err)
	}
	d.synced = upTo
	return nil
}

func (d *dest) Close(context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		return nil
	}
	err := d.f.Close()
	d.f = nil
	return err
}
