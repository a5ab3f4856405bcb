// Package http is the http destination: it POSTs or PUTs each event as JSON
// to a URL; any 2xx response means delivered.
package http

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

func init() { component.Default.MustRegister(Spec) }

// Spec is the http destination kind.
var Spec = component.Spec{
	Kind:     "http",
	Category: component.CategoryDestination,
	Title:    "HTTP",
	Summary:  "Send each event as JSON to an HTTP endpoint (POST or PUT).",
	Doc: "Every request carries `Sluice-Event-Id` (for deduplication on the receiving side) and `Sluice-Source`. " +
		"2xx means delivered. Network errors, 5xx and 408 are retried with backoff; 429 is retried after its " +
		"`Retry-After`; any other status (other 4xx, 3xx) sends the event to dead letters at once.",
	Config: component.Object(
		component.Field{Name: "url", Required: true, Schema: &component.Schema{Type: "string", Format: "uri",
			Examples: []any{"https://crm.example.com/api/orders"}, Description: "Where to send events."}},
		component.Field{Name: "method", Schema: &component.Schema{Type: "string", Enum: []any{"POST", "PUT"}, Default: "POST",
			Description: "HTTP method."}},
		component.Field{Name: "headers", Schema: &component.Schema{Type: "object", Values: &component.Schema{Type: "string", Secret: true},
			Examples:    []any{map[string]any{"Authorization": "Bearer ${env:CRM_TOKEN}"}},
			Description: "Extra request headers; values may be secret references."}},
		component.Field{Name: "timeout", Schema: &component.Schema{Type: "string", Format: "duration", Default: "10s",
			Description: "Longest time to wait for the response."}},
		component.Field{Name: "envelope", Schema: &component.Schema{Type: "boolean", Default: false,
			Description: "Send the whole envelope (id, source, received_at, meta, body) instead of the body."}},
	),
	NewDestination: New,
}

// Config is the http destination's config.
type Config struct {
	URL      string             `json:"url"`
	Method   string             `json:"method"`
	Headers  map[string]string  `json:"headers"`
	Timeout  component.Duration `json:"timeout"`
	Envelope bool               `json:"envelope"`
}

type dest struct {
	cfg    Config
	client *http.Client
}

var _ component.Destination = (*dest)(nil)

// New builds an http destination.
func New(p component.Params) (component.Destination, error) {
	var c Config
	if err := p.Decode(&c); err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 256
	return &dest{cfg: c, client: &http.Client{Transport: tr, Timeout: c.Timeout.D()}}, nil
}

// maxExcerpt bounds the response body kept for traces and errors.
const maxExcerpt = 512

func (d *dest) Deliver(ctx context.Context, ev *event.Event) (component.Receipt, error) {
	rc := component.Receipt{Request: d.cfg.Method + " " + d.cfg.URL}
	payload, err := ev.Payload(d.cfg.Envelope)
	if err != nil {
		return rc, &component.Failure{Class: component.FailRejected, Err: fmt.Errorf("encode event: %w", err)}
	}
	req, err := http.NewRequestWithContext(ctx, d.cfg.Method, d.cfg.URL, bytes.NewReader(payload))
	if err != nil {
		return rc, &component.Failure{Class: component.FailRejected, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sluice")
	for k, v := range d.cfg.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Sluice-Event-Id", ev.ID)
	req.Header.Set("Sluice-Source", ev.Source)
	resp, err := d.client.Do(req)
	if err != nil {
		return rc, &component.Failure{Class: component.FailNetwork, Err: err}
	}
	defer resp.Body.Close()
	var excerpt []byte
	if resp.ContentLength != 0 {
		excerpt, _ = io.ReadAll(io.LimitReader(resp.Body, maxExcerpt))
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	}
	rc.Status = resp.StatusCode
	rc.Response = string(excerpt)
	return rc, classify(resp, excerpt)
}

func classify(resp *http.Response, excerpt []byte) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(excerpt)))
	switch {
	case code == http.StatusTooManyRequests:
		return &component.Failure{Class: component.FailThrottled, Status: code, RetryAfter: retryAfter(resp.Header.Get("Retry-After")), Err: err}
	case code == http.StatusRequestTimeout || code >= 500:
		return &component.Failure{Class: component.FailServer, Status: code, RetryAfter: retryAfter(resp.Header.Get("Retry-After")), Err: err}
	}
	return &component.Failure{Class: component.FailRejected, Status: code, Err: err}
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

func (d *dest) Close(context.Context) error {
	d.client.CloseIdleConnections()
	return nil
}
