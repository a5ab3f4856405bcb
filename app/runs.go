package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/flow"
	"github.com/sluice-etl/sluice/engine/runtime"
	"github.com/sluice-etl/sluice/engine/store"
)

// Runs runs one flow at a time on the embedded engine: the flow open in the
// designer.
type Runs struct {
	reg     *component.Registry
	dataDir string
	listen  string
	logger  *slog.Logger

	mu  sync.Mutex
	cur *run
}

type run struct {
	rt     *runtime.Runtime
	st     *recorder
	status RunStatus
}

// Endpoint is a URL a source of the running flow receives events on.
type Endpoint struct {
	Node string `json:"node"`
	URL  string `json:"url"`
}

// RunStatus describes the running flow, if any.
type RunStatus struct {
	Running   bool       `json:"running"`
	Flow      string     `json:"flow,omitempty"`
	Addr      string     `json:"addr,omitempty"`
	DataDir   string     `json:"data_dir,omitempty"`
	StartedAt time.Time  `json:"started_at,omitzero"`
	Endpoints []Endpoint `json:"endpoints"`
}

// RunStats are the live counters of the running flow.
type RunStats struct {
	Running bool          `json:"running"`
	At      time.Time     `json:"at"`
	Stats   runtime.Stats `json:"stats"`
}

// stopTimeout bounds a graceful stop.
const stopTimeout = 15 * time.Second

func newRuns(opts Options) *Runs {
	return &Runs{reg: opts.Registry, dataDir: opts.DataDir, listen: opts.Listen, logger: opts.Logger}
}

// Start validates the flow and runs it, stopping the flow that ran before.
// Its data lives under the data directory, in a folder named after the flow.
func (r *Runs) Start(doc *flow.Doc) (*RunStatus, error) {
	if doc == nil {
		return nil, errors.New("run: no flow given")
	}
	if ps := flow.Validate(doc, r.reg); len(ps) > 0 {
		msgs := make([]string, 0, len(ps))
		for _, p := range ps {
			msgs = append(msgs, p.String())
		}
		return nil, fmt.Errorf("the flow has %d problem(s); fix them first: %s", len(ps), strings.Join(msgs, "; "))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.stopLocked(context.Background()); err != nil {
		return nil, err
	}
	dir := filepath.Join(r.dataDir, doc.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("run %s: create data directory: %w", doc.Name, err)
	}
	b, err := store.Open(store.Options{Dir: dir, Logger: r.logger})
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", doc.Name, err)
	}
	rec := newRecorder(b)
	// The runtime keeps the run's traces (DataDir/traces) for the event
	// inspector.
	rt, err := runtime.New(doc, r.reg, runtime.Options{DataDir: dir, Listen: r.listen, Logger: r.logger, Store: rec})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("run %s: %w", doc.Name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := rt.Start(ctx); err != nil {
		stopCtx, stopCancel := context.WithTimeout(context.Background(), stopTimeout)
		defer stopCancel()
		_ = rt.Stop(stopCtx)
		b.Close()
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("run %s: the address %s is already in use (another flow or program listens there); stop it, or start the designer with another listen address: %w", doc.Name, r.listen, err)
		}
		return nil, fmt.Errorf("run %s: %w", doc.Name, err)
	}
	st := RunStatus{Running: true, Flow: doc.Name, Addr: rt.Addr(), DataDir: dir, StartedAt: time.Now(), Endpoints: endpoints(doc, r.reg, rt.Addr())}
	r.cur = &run{rt: rt, st: rec, status: st}
	return &st, nil
}

// Stop stops the running flow gracefully; without one it does nothing.
func (r *Runs) Stop() (*RunStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := r.stopLocked(ctx); err != nil {
		return nil, err
	}
	return &RunStatus{Endpoints: []Endpoint{}}, nil
}

// Status describes the running flow.
func (r *Runs) Status() (*RunStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return &RunStatus{Endpoints: []Endpoint{}}, nil
	}
	st := r.cur.status
	return &st, nil
}

// Stats returns the counters of every node of the running flow.
func (r *Runs) Stats() (*RunStats, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return &RunStats{At: time.Now()}, nil
	}
	return &RunStats{Running: true, At: time.Now(), Stats: r.cur.rt.Stats()}, nil
}

func (r *Runs) stopLocked(ctx context.Context) error {
	if r.cur == nil {
		return nil
	}
	err := r.cur.rt.Stop(ctx)
	if cerr := r.cur.st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	r.cur = nil
	if err != nil {
		return fmt.Errorf("stop flow: %w", err)
	}
	return nil
}

// LastEvents returns up to n event bodies the source node of the running
// flow received last, oldest first, to use as test samples.
func (r *Runs) LastEvents(node string, n int) ([]json.RawMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return nil, errors.New("no flow is running: run it and send it some events first")
	}
	return r.cur.st.lastEvents(node, n), nil
}

func (r *Runs) shutdown(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopLocked(ctx)
}

// endpoints lists the URLs of sources that serve a path on the listener
// (a config field "path" starting with "/").
func endpoints(doc *flow.Doc, reg *component.Registry, addr string) []Endpoint {
	out := []Endpoint{}
	if addr == "" {
		return out
	}
	for _, n := range doc.Nodes {
		spec, ok := reg.Lookup(n.Kind)
		if !ok || spec.Category != component.CategorySource {
			continue
		}
		cfg := spec.Config.ApplyDefaults(n.Config)
		if p, ok := cfg["path"].(string); ok && strings.HasPrefix(p, "/") {
			out = append(out, Endpoint{Node: n.ID, URL: "http://" + addr + p})
		}
	}
	return out
}
