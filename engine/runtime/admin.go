package runtime

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/delivery"
	"github.com/sluice-etl/sluice/engine/store"
)

// pausedKey is the node-state key that keeps a destination's pause across
// restarts.
const pausedKey = "paused"

// ErrNoDestination is returned for a node id that is not a destination of
// the flow.
var ErrNoDestination = errors.New("no such destination")

func (rt *Runtime) dest(id string) (*node, error) {
	n := rt.nodes[id]
	if n == nil || n.cat != component.CategoryDestination {
		return nil, fmt.Errorf("%w %q in flow %q", ErrNoDestination, id, rt.doc.Name)
	}
	return n, nil
}

// Pause holds delivery to a destination until Resume, also across
// restarts. Events keep arriving in its queue.
func (rt *Runtime) Pause(id string) error {
	n, err := rt.dest(id)
	if err != nil {
		return err
	}
	if err := rt.st.State(id).Set(pausedKey, []byte("true")); err != nil {
		return fmt.Errorf("pause %s: %w", id, err)
	}
	n.wk.Pause()
	n.log.Info("destination paused")
	return nil
}

// Resume lets a paused destination deliver again.
func (rt *Runtime) Resume(id string) error {
	n, err := rt.dest(id)
	if err != nil {
		return err
	}
	if err := rt.st.State(id).Delete(pausedKey); err != nil {
		return fmt.Errorf("resume %s: %w", id, err)
	}
	n.wk.Resume()
	n.log.Info("destination resumed")
	return nil
}

// ReplayDead moves a node's dead letters (all, or the given ids) back: a
// destination's into its queue, a transform's into the inbox, to run
// through that transform again with the code the flow has now.
func (rt *Runtime) ReplayDead(id string, ids ...string) (int, error) {
	if n := rt.nodes[id]; n != nil && n.cat == component.CategoryTransform {
		evs, err := rt.st.ReplayDeadInbox(id, ids...)
		for _, ev := range evs {
			rt.opts.Recorder.Replayed(id, ev, "dead letter replayed through the transform")
		}
		if len(evs) > 0 && rt.proc != nil { // not started: Start scans the inbox
			rt.proc.scanSoon()
		}
		return len(evs), err
	}
	if _, err := rt.dest(id); err != nil {
		return 0, fmt.Errorf("%w (nor a transform)", err)
	}
	evs, err := rt.st.ReplayDead(id, id, ids...)
	for _, ev := range evs {
		rt.opts.Recorder.Replayed(id, ev, "dead letter replayed")
	}
	return len(evs), err
}

// ReplayHistory re-sends the events delivered to a destination between
// from and to (delivery time); the destination must keep a history.
func (rt *Runtime) ReplayHistory(id string, from, to time.Time) (int, error) {
	n, err := rt.dest(id)
	if err != nil {
		return 0, err
	}
	if n.dcfg.History.Keep <= 0 {
		return 0, fmt.Errorf("destination %q keeps no history: set delivery.history.keep", id)
	}
	evs, err := rt.st.ReplayHistory(id, from, to)
	for _, ev := range evs {
		rt.opts.Recorder.Replayed(id, ev, "replayed from history")
	}
	return len(evs), err
}

// DestinationStatus is what an operator sees of one destination.
type DestinationStatus struct {
	ID          string         `json:"id"`
	Kind        string         `json:"kind"`
	State       delivery.State `json:"state"`
	Queued      int64          `json:"queued"`
	OldestAge   float64        `json:"oldest_age_seconds"`
	Rate        float64        `json:"rate_per_second"`
	Delivered   int64          `json:"delivered"`
	DeadLetters int64          `json:"dead_letters"`
	Consecutive int            `json:"consecutive_failures"`
	LastError   string         `json:"last_error,omitempty"`
	LastErrorAt time.Time      `json:"last_error_at,omitzero"`
	InWindow    bool           `json:"in_window"`
	WindowEnds  time.Time      `json:"window_ends,omitzero"`
	NextWindow  time.Time      `json:"next_window,omitzero"`
}

// Status is the operator's view of a running flow.
type Status struct {
	Flow         string              `json:"flow"`
	Ready        bool                `json:"ready"`
	Addr         string              `json:"addr"`
	Destinations []DestinationStatus `json:"destinations"`
	Nodes        []NodeStats         `json:"nodes"`
	// Orphans are queues that hold events for a destination the flow no
	// longer has (its id was renamed or the node removed): kept on disk,
	// delivered when a destination with that id comes back.
	Orphans []OrphanQueue `json:"orphans,omitempty"`
}

// OrphanQueue is a queue whose destination is not in the flow.
type OrphanQueue struct {
	ID     string `json:"id"`
	Queued int64  `json:"queued"`
}

// Status returns every destination's state.
func (rt *Runtime) Status() Status {
	s := Status{Flow: rt.doc.Name, Ready: rt.ready.Load(), Addr: rt.Addr(), Nodes: rt.Stats().Nodes}
	now := time.Now()
	for _, n := range rt.order {
		if n.cat != component.CategoryDestination || n.wk == nil {
			continue
		}
		ws := n.wk.Stats()
		d := DestinationStatus{ID: n.id, Kind: n.kind, State: ws.State, Queued: rt.st.QueueDepth(n.id),
			Rate: ws.Rate, Delivered: n.count.delivered.Load(), DeadLetters: rt.st.DeadCount(n.id),
			Consecutive: ws.Consecutive, LastError: ws.LastError, LastErrorAt: ws.LastErrorAt,
			InWindow: ws.InWindow, WindowEnds: ws.WindowEnds, NextWindow: ws.NextWindow}
		if !ws.Oldest.IsZero() && d.Queued > 0 {
			d.OldestAge = now.Sub(ws.Oldest).Seconds()
		}
		s.Destinations = append(s.Destinations, d)
	}
	s.Orphans = rt.orphans()
	return s
}

// Mount serves h for every admin path under prefix (e.g. "/admin/v1/trace/"
// or "/metrics"), behind the same token check.
func (rt *Runtime) Mount(prefix string, h http.Handler) { rt.extra.Store(prefix, h) }

// AdminToken returns the token the admin API requires ("" when none).
func (rt *Runtime) AdminToken() string { return rt.opts.AdminToken }

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrNoDestination), errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, errBadRequest):
		status = http.StatusBadRequest
	}
	writeJSON(w, status, apiError{err.Error()})
}

var errBadRequest = errors.New("bad request")

// newAdmin builds the admin API. Webhooks never go through it; it answers
// only with the token when one is set (always when the listener is not on
// loopback).
func (rt *Runtime) newAdmin() http.Handler {
	if rt.opts.AdminToken == "" && !isLoopback(rt.Addr()) {
		rt.opts.AdminToken = newToken()
		rt.log.Warn("the admin API is reachable beyond loopback: it requires this token (set --admin-token to choose one)",
			"admin_token", rt.opts.AdminToken)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/v1/status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, rt.Status())
	})
	mux.HandleFunc("POST /admin/v1/destinations/{id}/pause", func(w http.ResponseWriter, r *http.Request) {
		if err := rt.Pause(r.PathValue("id")); err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, 200, map[string]string{"state": "paused", "destination": r.PathValue("id")})
	})
	mux.HandleFunc("POST /admin/v1/destinations/{id}/resume", func(w http.ResponseWriter, r *http.Request) {
		if err := rt.Resume(r.PathValue("id")); err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, 200, map[string]string{"state": "running", "destination": r.PathValue("id")})
	})
	mux.HandleFunc("POST /admin/v1/destinations/{id}/replay", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ From, To time.Time }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.From.IsZero() || req.To.IsZero() {
			fail(w, fmt.Errorf("%w: send {\"from\": RFC 3339 time, \"to\": RFC 3339 time}", errBadRequest))
			return
		}
		n, err := rt.ReplayHistory(r.PathValue("id"), req.From, req.To)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, 200, map[string]int{"replayed": n})
	})
	mux.HandleFunc("GET /admin/v1/nodes/{id}/dead-letters", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if rt.nodes[id] == nil {
			fail(w, fmt.Errorf("%w: no node %q", store.ErrNotFound, id))
			return
		}
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		dl, err := rt.st.DeadLetters(id, 0, limit)
		if err != nil {
			fail(w, err)
			return
		}
		if dl == nil {
			dl = []*store.DeadLetter{}
		}
		writeJSON(w, 200, dl)
	})
	mux.HandleFunc("GET /admin/v1/nodes/{id}/dead-letters/{event}", func(w http.ResponseWriter, r *http.Request) {
		d, err := rt.st.DeadLetter(r.PathValue("id"), r.PathValue("event"))
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, 200, d)
	})
	ids := func(r *http.Request) ([]string, error) {
		var req struct {
			IDs []string `json:"ids"`
		}
		if r.ContentLength == 0 {
			return nil, nil
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			return nil, fmt.Errorf("%w: send {\"ids\": [...]} or nothing for all", errBadRequest)
		}
		return req.IDs, nil
	}
	mux.HandleFunc("POST /admin/v1/nodes/{id}/dead-letters/replay", func(w http.ResponseWriter, r *http.Request) {
		list, err := ids(r)
		if err != nil {
			fail(w, err)
			return
		}
		n, err := rt.ReplayDead(r.PathValue("id"), list...)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, 200, map[string]int{"replayed": n})
	})
	mux.HandleFunc("POST /admin/v1/nodes/{id}/dead-letters/purge", func(w http.ResponseWriter, r *http.Request) {
		list, err := ids(r)
		if err != nil {
			fail(w, err)
			return
		}
		if rt.nodes[r.PathValue("id")] == nil {
			fail(w, fmt.Errorf("%w: no node %q", store.ErrNotFound, r.PathValue("id")))
			return
		}
		n, err := rt.st.PurgeDead(r.PathValue("id"), list...)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, 200, map[string]int{"purged": n})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := rt.opts.AdminToken; tok != "" {
			got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
				w.Header().Set("WWW-Authenticate", "Bearer")
				writeJSON(w, http.StatusUnauthorized, apiError{"the admin API needs its token: Authorization: Bearer <token>"})
				return
			}
		}
		var mounted http.Handler
		rt.extra.Range(func(k, v any) bool {
			if strings.HasPrefix(r.URL.Path, k.(string)) {
				mounted = v.(http.Handler)
				return false
			}
			return true
		})
		if mounted != nil {
			mounted.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// alertLoop watches the destinations that have an alert section and sends
// one alert event per incident to the alert target, and one recovery
// notice when the incident clears.
func (rt *Runtime) alertLoop() {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-rt.quit:
			return
		case <-t.C:
		}
		for _, n := range rt.order {
			if n.cat == component.CategoryDestination && n.dcfg.Alert != nil && n.wk != nil {
				rt.checkAlert(n)
			}
		}
	}
}

const alertKey = "alert"

func (rt *Runtime) checkAlert(n *node) {
	a := n.dcfg.Alert
	ws := n.wk.Stats()
	queued := rt.st.QueueDepth(n.id)
	dead := rt.st.DeadCount(n.id)
	var reasons []string
	if a.AfterFailures > 0 && ws.Consecutive >= a.AfterFailures {
		reasons = append(reasons, fmt.Sprintf("%d consecutive failed attempts", ws.Consecutive))
	}
	age := time.Duration(0)
	if !ws.Oldest.IsZero() && queued > 0 {
		age = time.Since(ws.Oldest)
	}
	if a.OldestAge > 0 && age >= a.OldestAge.D() {
		reasons = append(reasons, fmt.Sprintf("oldest queued event is %s old", age.Round(time.Second)))
	}
	if a.OnDeadLetter && dead > 0 {
		reasons = append(reasons, fmt.Sprintf("%d dead letter(s)", dead))
	}
	st := rt.st.State(n.id)
	open, _, _ := st.Get(alertKey)
	isOpen := string(open) == "open"
	switch {
	case len(reasons) > 0 && !isOpen:
		if rt.sendAlert(n, "destination_failing", strings.Join(reasons, "; "), ws, queued, dead, age) {
			st.Set(alertKey, []byte("open"))
		}
	case len(reasons) == 0 && isOpen:
		if rt.sendAlert(n, "destination_recovered", "", ws, queued, dead, age) {
			st.Delete(alertKey)
		}
	}
}

func (rt *Runtime) sendAlert(n *node, kind, reason string, ws delivery.Stats, queued, dead int64, age time.Duration) bool {
	body := map[string]any{
		"alert": kind, "flow": rt.doc.Name, "destination": n.id, "at": time.Now().UTC().Format(time.RFC3339Nano),
		"queued": queued, "dead_letters": dead, "consecutive_failures": ws.Consecutive,
		"oldest_age_seconds": age.Seconds(), "state": ws.State,
	}
	if reason != "" {
		body["reason"] = reason
	}
	if ws.LastError != "" {
		body["last_error"] = ws.LastError
	}
	level := rt.log.Warn
	if kind == "destination_recovered" {
		level = rt.log.Info
	}
	level("alert", "node", n.id, "alert", kind, "reason", reason)
	target := rt.nodes[n.dcfg.Alert.To]
	if target == nil || target.cat != component.CategoryDestination {
		return true // logged only; validation warned about the target
	}
	b, _ := json.Marshal(body)
	// The alert enters the target's queue like any event, durably.
	ev := []component.Item{{Event: newAlertEvent(rt, n.id, b)}}
	if err := rt.st.Ingest(context.Background(), ev, []string{target.id}); err != nil {
		n.log.Error("send alert", "err", err)
		return false
	}
	target.count.received.Add(1)
	rt.opts.Recorder.Enqueued(target.id, ev[0].Event)
	return true
}
