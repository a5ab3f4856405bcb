// Package poll is the poll source: an HTTP GET on a cron schedule whose JSON
// response becomes one event, or one event per element of an array.
package poll

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
	"github.com/sluice-etl/sluice/engine/schedule"
)

func init() { component.Default.MustRegister(Spec) }

// Spec is the poll kind.
var Spec = component.Spec{
	Kind:     "poll",
	Category: component.CategorySource,
	Title:    "HTTP poller",
	Summary:  "GET a URL on a cron schedule; the JSON response, or each element of an array in it, becomes an event.",
	Doc: "`items` picks the array with a dotted path (`data.items`, `results.0.rows`); without it a top-level array " +
		"is split and anything else is one event. With `dedupe_key` (a dotted path inside each item, e.g. `id`) an " +
		"item seen before is not emitted again, also across restarts, for `dedupe_ttl`. A failed request (network " +
		"error, non-2xx, non-JSON) emits nothing and is logged; the next activation tries again.",
	Config: component.Object(
		component.Field{Name: "url", Required: true, Schema: &component.Schema{Type: "string", Format: "uri",
			Examples: []any{"https://api.example.com/orders?status=new"}, Description: "The URL to GET."}},
		component.Field{Name: "schedule", Schema: &component.Schema{Type: "string", Format: "cron", Default: "@every 1m",
			Examples: []any{"@every 30s", "*/5 * * * *", "0 */10 * * * *"}, Description: "When to poll (cron with optional seconds, or @every)."}},
		component.Field{Name: "headers", Schema: &component.Schema{Type: "object", Values: &component.Schema{Type: "string", Secret: true},
			Description: "Request headers; values may be secret references."}},
		component.Field{Name: "timeout", Schema: &component.Schema{Type: "string", Format: "duration", Default: "30s",
			Description: "Longest time one request may take."}},
		component.Field{Name: "items", Schema: &component.Schema{Type: "string", Examples: []any{"data.items"},
			Description: "Dotted path of the array whose elements become events."}},
		component.Field{Name: "dedupe_key", Schema: &component.Schema{Type: "string", Examples: []any{"id"},
			Description: "Dotted path inside each item of a value that identifies it; items seen before are skipped."}},
		component.Field{Name: "dedupe_ttl", Schema: &component.Schema{Type: "string", Format: "duration", Default: "720h",
			Description: "How long a seen item is remembered."}},
		component.Field{Name: "run_at_start", Schema: &component.Schema{Type: "boolean", Default: true,
			Description: "Poll once as soon as the flow starts."}},
	),
	NewSource: New,
}

// Config is the poll source's config.
type Config struct {
	URL        string             `json:"url"`
	Schedule   string             `json:"schedule"`
	Headers    map[string]string  `json:"headers"`
	Timeout    component.Duration `json:"timeout"`
	Items      string             `json:"items"`
	DedupeKey  string             `json:"dedupe_key"`
	DedupeTTL  component.Duration `json:"dedupe_ttl"`
	RunAtStart bool               `json:"run_at_start"`
}

type source struct {
	cfg    Config
	sched  schedule.Schedule
	client *http.Client
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ component.Source = (*source)(nil)

// New builds a poll source.
func New(p component.Params) (component.Source, error) {
	var c Config
	if err := p.Decode(&c); err != nil {
		return nil, err
	}
	s, err := schedule.Parse(c.Schedule)
	if err != nil {
		return nil, err
	}
	return &source{cfg: c, sched: s, client: &http.Client{Timeout: c.Timeout.D()}}, nil
}

func (s *source) Open(_ context.Context, host component.SourceHost) error {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		poll := func(ctx context.Context) {
			n, err := s.Poll(ctx, host)
			if err != nil {
				if ctx.Err() == nil {
					host.Logger().Warn("poll failed", "url", s.cfg.URL, "err", err)
				}
				return
			}
			host.Logger().Debug("polled", "url", s.cfg.URL, "events", n)
		}
		if s.cfg.RunAtStart {
			poll(ctx)
		}
		schedule.Run(ctx, s.sched, poll)
	}()
	return nil
}

func (s *source) Close(context.Context) error {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	return nil
}

// Poll does one request and ingests what it returned; it reports how many
// new events were emitted.
func (s *source) Poll(ctx context.Context, host component.SourceHost) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.URL, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "sluice")
	for k, v := range s.cfg.Headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return 0, fmt.Errorf("GET %s: %s", s.cfg.URL, resp.Status)
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return 0, fmt.Errorf("GET %s: response is not JSON: %v", s.cfg.URL, err)
	}
	var elems []any
	if s.cfg.Items != "" {
		v, ok := Lookup(doc, s.cfg.Items)
		if !ok {
			return 0, fmt.Errorf("GET %s: response has no %q", s.cfg.URL, s.cfg.Items)
		}
		arr, ok := v.([]any)
		if !ok {
			return 0, fmt.Errorf("GET %s: %q is not an array", s.cfg.URL, s.cfg.Items)
		}
		elems = arr
	} else if arr, ok := doc.([]any); ok {
		elems = arr
	} else {
		elems = []any{doc}
	}
	if len(elems) == 0 {
		return 0, nil
	}
	items := make([]component.Item, 0, len(elems))
	meta := event.Meta{Extra: map[string]any{"url": s.cfg.URL, "status": resp.StatusCode}}
	for i, e := range elems {
		var b json.RawMessage
		if len(elems) == 1 && s.cfg.Items == "" {
			b = body // keep the response exactly as sent
		} else if b, err = json.Marshal(e); err != nil {
			return 0, err
		}
		it := component.Item{Event: &event.Event{Meta: meta, Body: b}}
		if s.cfg.DedupeKey != "" {
			k, ok := Lookup(e, s.cfg.DedupeKey)
			if !ok || k == nil {
				host.Logger().Warn("item has no dedupe key; emitted without dedupe", "index", i, "dedupe_key", s.cfg.DedupeKey)
			} else {
				it.DedupeKey = keyString(k)
				it.DedupeTTL = s.cfg.DedupeTTL.D()
			}
		}
		items = append(items, it)
	}
	if err := host.Ingest(ctx, items); err != nil {
		return 0, err
	}
	n := 0
	for _, it := range items {
		if it.Accepted {
			n++
		}
	}
	return n, nil
}

func keyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Lookup follows a dotted path ("a.b.0.c") through decoded JSON.
func Lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
