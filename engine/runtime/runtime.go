// Package runtime runs a compiled flow: it opens the store, starts the
// listener, the sources, the processor that runs transforms and fills the
// destination queues, and one delivery worker per destination; and it stops
// them all gracefully.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/delivery"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/flow"
	"github.com/sluice-etl/sluice/engine/observe"
	"github.com/sluice-etl/sluice/engine/secret"
	"github.com/sluice-etl/sluice/engine/store"
)

// Options configure a Runtime.
type Options struct {
	// DataDir holds the flow's Badger store.
	DataDir string
	// Listen is the address of the HTTP listener (webhooks, /healthz);
	// default 127.0.0.1:8080. Use port 0 for any free port.
	Listen string
	// Logger receives every log line; default slog.Default().
	Logger *slog.Logger
	// StopTimeout bounds a graceful stop (default 10s).
	StopTimeout time.Duration
	// Secrets resolves ${env:...} and ${file:...}; the zero value reads the
	// environment and the file system.
	Secrets secret.Resolver
	// Store, when set, is used instead of opening Badger in DataDir. The
	// runtime does not close a store it was given.
	Store store.Store
	// AdminToken, when set, is required (Authorization: Bearer) on every
	// admin API call. When the listener is not on loopback and no token
	// is set, one is generated and logged at start.
	AdminToken string
	// Recorder, optional, hears every step of every event besides the
	// runtime's own trace store and metrics.
	Recorder observe.Recorder
	// NoTraces turns the per-event trace store (DataDir/traces) off.
	NoTraces bool
	// Traces tunes the trace store (body size, retention).
	Traces observe.TraceOptions
}

// DefaultDataDir returns the per-user data directory of a flow:
// $XDG_DATA_HOME/sluice/NAME, or ~/.local/share/sluice/NAME.
func DefaultDataDir(flowName string) string {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "sluice", flowName)
}

// ProblemsError is returned by New when the flow does not validate.
type ProblemsError struct{ Problems []flow.Problem }

func (e *ProblemsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the flow has %d problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

type node struct {
	id    string
	kind  string
	cat   component.Category
	out   []flow.Edge
	src   component.Source
	tr    component.Transform
	dst   component.Destination
	dcfg  delivery.Config
	wk    *delivery.Worker
	log   *slog.Logger
	count counters
	// direct lists the destinations of a source whose every edge leads to
	// a destination: its events skip the inbox.
	direct []string
}

type counters struct {
	received, out, dropped, errors, delivered, dead atomic.Int64
}

// Runtime runs one flow.
type Runtime struct {
	doc   *flow.Doc
	opts  Options
	log   *slog.Logger
	nodes map[string]*node
	order []*node // document order
	ids   *event.IDs

	st      store.Store
	ownsSt  bool
	ln      net.Listener
	srv     *http.Server
	routes  sync.Map // path -> http.Handler
	proc    *processor
	traces  *observe.Traces
	metrics *observe.Metrics
	admin   http.Handler
	extra   sync.Map // admin path prefix -> http.Handler (Mount)
	quit    chan struct{}
	ready   atomic.Bool
	started bool
	stopped atomic.Bool
	bg      sync.WaitGroup
}

// New validates the flow and builds its nodes (no side effects yet: no
// file, port or goroutine is taken before Start).
func New(doc *flow.Doc, reg *component.Registry, opts Options) (*Runtime, error) {
	ps := flow.Validate(doc, reg)
	if errs := flow.Errors(ps); len(errs) > 0 {
		return nil, &ProblemsError{Problems: errs}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	for _, p := range ps {
		opts.Logger.Warn(p.String(), "flow", doc.Name)
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:8080"
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 10 * time.Second
	}
	if opts.DataDir == "" && opts.Store == nil {
		opts.DataDir = DefaultDataDir(doc.Name)
	}
	if opts.Recorder == nil {
		opts.Recorder = observe.Nop{}
	}
	log := opts.Logger.With("flow", doc.Name)
	rt := &Runtime{doc: doc, opts: opts, log: log, nodes: map[string]*node{}, ids: event.NewIDs(), quit: make(chan struct{})}
	for _, fn := range doc.Nodes {
		spec, _ := reg.Lookup(fn.Kind)
		n := &node{id: fn.ID, kind: fn.Kind, cat: spec.Category, log: log.With("node", fn.ID)}
		rt.nodes[fn.ID] = n
		rt.order = append(rt.order, n)
	}
	for _, e := range doc.Edges {
		rt.nodes[e.From].out = append(rt.nodes[e.From].out, e)
	}
	for _, n := range rt.order {
		if n.cat != component.CategorySource {
			continue
		}
		for _, e := range n.out {
			if rt.nodes[e.To].cat != component.CategoryDestination {
				n.direct = nil
				break
			}
			n.direct = append(n.direct, e.To)
		}
	}
	var errs []error
	for _, fn := range doc.Nodes {
		if err := rt.build(reg, fn); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		rt.closeNodes(context.Background())
		return nil, errors.Join(errs...)
	}
	return rt, nil
}

func (rt *Runtime) build(reg *component.Registry, fn flow.Node) error {
	n := rt.nodes[fn.ID]
	spec, _ := reg.Lookup(fn.Kind)
	cfg := fn.Config
	if cfg == nil {
		cfg = map[string]any{}
	}
	resolved, err := rt.opts.Secrets.ResolveAll(spec.Config.ApplyDefaults(cfg))
	if err != nil {
		return fmt.Errorf("node %q: config.%w", fn.ID, err)
	}
	p := component.Params{Flow: rt.doc.Name, NodeID: fn.ID, Config: resolved.(map[string]any), Logger: n.log}
	switch spec.Category {
	case component.CategorySource:
		n.src, err = spec.NewSource(p)
	case component.CategoryTransform:
		n.tr, err = spec.NewTransform(p)
	case component.CategoryDestination:
		n.dst, err = spec.NewDestination(p)
		if err == nil {
			n.dcfg, err = delivery.Parse(fn.Delivery)
		}
	}
	if err != nil {
		return fmt.Errorf("node %q (%s): %w", fn.ID, fn.Kind, err)
	}
	return nil
}

// batchWait is the longest batch wait of the flow's transforms.
func (rt *Runtime) batchWait() time.Duration {
	var wait time.Duration
	for _, n := range rt.order {
		if bw, ok := n.tr.(component.BatchWaiter); ok {
			wait = max(wait, bw.BatchWait())
		}
	}
	return wait
}

// Addr returns the listener's address once started ("127.0.0.1:8080").
func (rt *Runtime) Addr() string {
	if rt.ln == nil {
		return ""
	}
	return rt.ln.Addr().String()
}

// Ready reports whether the flow accepts events.
func (rt *Runtime) Ready() bool { return rt.ready.Load() }

// Store returns the runtime's store (for inspection tools).
func (rt *Runtime) Store() store.Store { return rt.st }

// Start opens the store, the listener, the workers, the processor and the
// sources, in that order, and marks the flow ready. On error everything
// started so far is stopped again.
func (rt *Runtime) Start(ctx context.Context) (err error) {
	if rt.started {
		return errors.New("runtime already started")
	}
	rt.started = true
	defer func() {
		if err != nil {
			rt.shutdown(context.Background())
		}
	}()
	rt.st = rt.opts.Store
	if rt.st == nil {
		if err := os.MkdirAll(rt.opts.DataDir, 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
		b, err := store.Open(store.Options{Dir: rt.opts.DataDir, Logger: rt.log})
		if err != nil {
			return err
		}
		rt.st, rt.ownsSt = b, true
	}
	if err := rt.startObserving(); err != nil {
		return err
	}
	rt.ln, err = net.Listen("tcp", rt.opts.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", rt.opts.Listen, err)
	}
	for _, n := range rt.order {
		if n.cat != component.CategoryDestination {
			continue
		}
		paused, _, err := rt.st.State(n.id).Get(pausedKey)
		if err != nil {
			return fmt.Errorf("node %q: read pause state: %w", n.id, err)
		}
		n.wk, err = delivery.NewWorker(n.id, n.dst, rt.st, n.dcfg, n.log, observer{rt}, string(paused) == "true")
		if err != nil {
			return err
		}
		rt.st.SetHistory(n.id, n.dcfg.History.Keep.D(), n.dcfg.History.MaxBytes)
		if string(paused) == "true" {
			n.log.Warn("destination is paused (sluice resume to deliver)")
		}
		rt.goBG(n.wk.Run)
	}
	rt.warnOrphans()
	rt.proc = newProcessor(rt, rt.batchWait())
	if err := rt.proc.recover(); err != nil {
		return fmt.Errorf("recover inbox: %w", err)
	}
	rt.goBG(rt.proc.run)
	for _, n := range rt.order {
		if n.cat != component.CategorySource {
			continue
		}
		if err := n.src.Open(ctx, &host{rt: rt, n: n}); err != nil {
			return fmt.Errorf("node %q: open %s source: %w", n.id, n.kind, err)
		}
	}
	rt.admin = rt.newAdmin()
	rt.goBG(rt.alertLoop)
	rt.srv = &http.Server{Handler: rt, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(rt.log.Handler(), slog.LevelWarn)}
	rt.goBG(func() {
		if err := rt.srv.Serve(rt.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			rt.log.Error("listener stopped", "err", err)
		}
	})
	rt.ready.Store(true)
	rt.log.Info("flow running", "listen", rt.Addr(), "data", rt.opts.DataDir, "nodes", len(rt.order))
	return nil
}

// warnOrphans tells about queues left by destinations no longer in the
// flow: their events are kept, waiting for the destination to come back.
func (rt *Runtime) warnOrphans() {
	for _, o := range rt.orphans() {
		rt.log.Warn("a queue holds events for a destination that is not in the flow; they are kept until it comes back",
			"queue", o.ID, "events", o.Queued)
	}
}

// orphans lists the queues with events for destinations not in the flow,
// by id.
func (rt *Runtime) orphans() []OrphanQueue {
	var out []OrphanQueue
	for name, n := range rt.st.Queues() {
		if d := rt.nodes[name]; (d == nil || d.cat != component.CategoryDestination) && n > 0 {
			out = append(out, OrphanQueue{ID: name, Queued: n})
		}
	}
	slices.SortFunc(out, func(a, b OrphanQueue) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (rt *Runtime) goBG(fn func()) {
	rt.bg.Add(1)
	go func() {
		defer rt.bg.Done()
		fn()
	}()
}

// ServeHTTP routes the listener: /healthz, then the paths sources
// registered.
func (rt *Runtime) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		w.Header().Set("Content-Type", "application/json")
		if !rt.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"status":"stopping","flow":%q}`+"\n", rt.doc.Name)
			return
		}
		fmt.Fprintf(w, `{"status":"ok","flow":%q}`+"\n", rt.doc.Name)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/admin/") || r.URL.Path == "/metrics" {
		rt.admin.ServeHTTP(w, r)
		return
	}
	if h, ok := rt.routes.Load(r.URL.Path); ok {
		h.(http.Handler).ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, `{"error":"no webhook at %s"}`+"\n", strings.ReplaceAll(r.URL.Path, `"`, ""))
}

// Stop stops accepting, lets in-flight work finish within the stop timeout
// (or ctx, whichever ends first) and closes the store.
func (rt *Runtime) Stop(ctx context.Context) error {
	if rt.stopped.Swap(true) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, rt.opts.StopTimeout)
	defer cancel()
	return rt.shutdown(ctx)
}

func (rt *Runtime) shutdown(ctx context.Context) error {
	rt.ready.Store(false)
	select {
	case <-rt.quit:
	default:
		close(rt.quit)
	}
	var errs []error
	// 1. Stop accepting: sources first, then the listener (in-flight
	// requests finish their ingest).
	for _, n := range rt.order {
		if n.src != nil {
			if err := n.src.Close(ctx); err != nil {
				errs = append(errs, fmt.Errorf("close %s: %w", n.id, err))
			}
		}
	}
	if rt.srv != nil {
		if err := rt.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop listener: %w", err))
			rt.srv.Close()
		}
	} else if rt.ln != nil {
		rt.ln.Close()
	}
	// 2. Finish the batch being processed; the rest stays in the inbox.
	if rt.proc != nil {
		rt.proc.stop()
	}
	// 3. Let deliveries in flight finish within the deadline.
	var wg sync.WaitGroup
	for _, n := range rt.order {
		if n.wk != nil {
			wg.Add(1)
			go func(w *delivery.Worker) {
				defer wg.Done()
				w.Stop(ctx)
			}(n.wk)
		}
	}
	wg.Wait()
	rt.bg.Wait()
	rt.closeNodes(ctx)
	if rt.ownsSt && rt.st != nil {
		if err := rt.st.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
	}
	if rt.traces != nil {
		if err := rt.traces.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close traces: %w", err))
		}
	}
	rt.log.Info("flow stopped")
	return errors.Join(errs...)
}

func (rt *Runtime) closeNodes(ctx context.Context) {
	for _, n := range rt.order {
		if n.tr != nil {
			if err := n.tr.Close(); err != nil {
				n.log.Warn("close transform", "err", err)
			}
		}
		if n.dst != nil {
			if err := n.dst.Close(ctx); err != nil {
				n.log.Warn("close destination", "err", err)
			}
		}
	}
}

// host is the runtime as one source sees it.
type host struct {
	rt *Runtime
	n  *node
}

func (h *host) Ingest(ctx context.Context, items []component.Item) error {
	now := time.Now().UTC()
	for i := range items {
		ev := items[i].Event
		if ev.ReceivedAt.IsZero() {
			ev.ReceivedAt = now
		}
		if ev.ID == "" {
			ev.ID = h.rt.ids.New(ev.ReceivedAt)
		}
		if ev.Source == "" {
			ev.Source = h.n.id
		}
	}
	if !h.rt.ready.Load() && h.rt.stopped.Load() {
		return fmt.Errorf("ingest: %w: the flow is stopping", component.ErrUnavailable)
	}
	if err := h.rt.st.Ingest(ctx, items, h.n.direct); err != nil {
		return err
	}
	var accepted int64
	rec := h.rt.opts.Recorder
	for i := range items {
		if !items[i].Accepted {
			continue
		}
		accepted++
		ev := items[i].Event
		rec.Received(ev)
		if h.n.direct == nil {
			h.rt.proc.offer(ev)
		}
		for _, d := range h.n.direct {
			rec.Enqueued(d, ev)
		}
	}
	h.n.count.received.Add(accepted)
	h.n.count.out.Add(accepted)
	for _, d := range h.n.direct {
		h.rt.nodes[d].count.received.Add(accepted)
	}
	return nil
}

func (h *host) Handle(path string, hd http.Handler) error {
	if path == "/healthz" || path == "/metrics" || strings.HasPrefix(path, "/admin/") {
		return fmt.Errorf("path %s is reserved for the runner (/healthz, /metrics, /admin/...)", path)
	}
	if _, dup := h.rt.routes.LoadOrStore(path, hd); dup {
		return fmt.Errorf("path %s is already taken by another source", path)
	}
	return nil
}

func (h *host) State() component.State { return h.rt.st.State(h.n.id) }
func (h *host) Logger() *slog.Logger   { return h.n.log }
