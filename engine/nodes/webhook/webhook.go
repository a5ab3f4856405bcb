// Package webhook is the webhook source: events arrive as HTTP POST or PUT
// requests on a path of the runner's listener, in the sender's own format,
// and are acknowledged with 202 only once they are on disk.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/event"
)

func init() { component.Default.MustRegister(Spec) }

// Spec is the webhook kind.
var Spec = component.Spec{
	Kind:     "webhook",
	Category: component.CategorySource,
	Title:    "Webhook",
	Summary:  "Receive events as HTTP POST/PUT requests (JSON, NDJSON, form, XML, text).",
	Doc: "Replies `202 {\"id\": \"...\"}` once the event is synced to disk (`{\"ids\": [...]}` when the body " +
		"held several events). Bad input gets a 4xx JSON error and nothing is stored: 400 malformed body, " +
		"401 missing/bad token or signature, 405 wrong method, 413 body too large, 415 unsupported content type. " +
		"503 means the store cannot accept right now; retry later. Headers (except Authorization) and the query " +
		"string go into the event's meta. Text bodies become `{\"text\": ...}`; XML becomes an object keyed by the " +
		"root element, with `@attr` attributes and `#text` text.",
	Config: component.Object(
		component.Field{Name: "path", Required: true, Schema: &component.Schema{Type: "string", Pattern: "^/[A-Za-z0-9/_.~-]*$",
			Examples: []any{"/hooks/orders"}, Description: "Path on the runner's listener that receives the requests (not /healthz, /metrics or /admin/...)."}},
		component.Field{Name: "methods", Schema: &component.Schema{Type: "array", Default: []any{"POST", "PUT"},
			Items:       &component.Schema{Type: "string", Enum: []any{"POST", "PUT"}},
			Description: "HTTP methods accepted."}},
		component.Field{Name: "split", Schema: &component.Schema{Type: "boolean", Default: false,
			Description: "A JSON array body becomes one event per element (NDJSON bodies always give one event per line)."}},
		component.Field{Name: "max_body_bytes", Schema: &component.Schema{Type: "integer", Default: 1048576, Minimum: component.Float(1),
			Maximum: component.Float(64 << 20), Description: "Largest body accepted; larger requests get 413."}},
		component.Field{Name: "secret", Schema: &component.Schema{Type: "string", Secret: true, Examples: []any{"${env:ORDERS_HMAC}"},
			Description: "HMAC-SHA256 key: when set, every request must carry a valid signature of its body."}},
		component.Field{Name: "signature_header", Schema: &component.Schema{Type: "string", Default: "X-Hub-Signature-256",
			Description: "Header that carries the signature."}},
		component.Field{Name: "signature_prefix", Schema: &component.Schema{Type: "string", Default: "sha256=",
			Description: "Text before the signature in the header (GitHub: sha256=)."}},
		component.Field{Name: "signature_encoding", Schema: &component.Schema{Type: "string", Enum: []any{"hex", "base64"}, Default: "hex",
			Description: "How the signature is encoded."}},
		component.Field{Name: "token", Schema: &component.Schema{Type: "string", Secret: true, Examples: []any{"${env:HOOK_TOKEN}"},
			Description: "When set, requests must send Authorization: Bearer <token>."}},
	),
	Check: func(cfg map[string]any) []component.Problem {
		p, _ := cfg["path"].(string)
		if p == "/healthz" || p == "/metrics" || strings.HasPrefix(p, "/admin/") || p == "/admin" {
			return []component.Problem{{Field: "path", Message: p + " is reserved for the runner; choose another path"}}
		}
		return nil
	},
	NewSource: New,
}

// Config is the webhook's config.
type Config struct {
	Path              string   `json:"path"`
	Methods           []string `json:"methods"`
	Split             bool     `json:"split"`
	MaxBodyBytes      int64    `json:"max_body_bytes"`
	Secret            string   `json:"secret"`
	SignatureHeader   string   `json:"signature_header"`
	SignaturePrefix   string   `json:"signature_prefix"`
	SignatureEncoding string   `json:"signature_encoding"`
	Token             string   `json:"token"`
}

type source struct {
	id   string
	cfg  Config
	host component.SourceHost
}

var _ component.Source = (*source)(nil)

// New builds a webhook source.
func New(p component.Params) (component.Source, error) {
	var c Config
	if err := p.Decode(&c); err != nil {
		return nil, err
	}
	return &source{id: p.NodeID, cfg: c}, nil
}

func (s *source) Open(_ context.Context, host component.SourceHost) error {
	s.host = host
	return host.Handle(s.cfg.Path, s)
}

func (s *source) Close(context.Context) error { return nil }

type httpError struct {
	status int
	msg    string
}

func fail(w http.ResponseWriter, node string, status int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": fmt.Sprintf(format, args...), "node": node})
}

func (s *source) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.methodAllowed(r.Method) {
		w.Header().Set("Allow", strings.Join(s.cfg.Methods, ", "))
		fail(w, s.id, http.StatusMethodNotAllowed, "method %s not allowed; use %s", r.Method, strings.Join(s.cfg.Methods, " or "))
		return
	}
	if s.cfg.Token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			fail(w, s.id, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		fail(w, s.id, http.StatusRequestEntityTooLarge, "body of %d bytes is larger than the limit of %d bytes", r.ContentLength, s.cfg.MaxBodyBytes)
		return
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes), r.ContentLength)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(w, s.id, http.StatusRequestEntityTooLarge, "body is larger than the limit of %d bytes", s.cfg.MaxBodyBytes)
			return
		}
		fail(w, s.id, http.StatusBadRequest, "read body: %v", err)
		return
	}
	if s.cfg.Secret != "" {
		if he := s.checkSignature(r, body); he != nil {
			fail(w, s.id, he.status, "%s", he.msg)
			return
		}
	}
	bodies, err := Decode(r.Header.Get("Content-Type"), body, s.cfg.Split)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrUnsupportedType) {
			status = http.StatusUnsupportedMediaType
		}
		fail(w, s.id, status, "%v", err)
		return
	}
	meta := s.meta(r)
	items := make([]component.Item, len(bodies))
	for i, b := range bodies {
		items[i].Event = &event.Event{Meta: meta, Body: b}
	}
	if err := s.host.Ingest(r.Context(), items); err != nil {
		if errors.Is(err, component.ErrUnavailable) {
			w.Header().Set("Retry-After", "1")
			fail(w, s.id, http.StatusServiceUnavailable, "cannot accept events right now; retry later")
			return
		}
		fail(w, s.id, http.StatusServiceUnavailable, "cannot accept events: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	if len(items) == 1 {
		fmt.Fprintf(w, `{"id":%q}`+"\n", items[0].Event.ID)
		return
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.Event.ID
	}
	json.NewEncoder(w).Encode(map[string][]string{"ids": ids})
}

// readBody reads the whole body into one buffer of the announced length
// (io.ReadAll starts at 512 bytes and grows, copying, for every request).
// Only up to 64 KiB: a request that announces more gets memory as its
// bytes arrive, not up front.
func readBody(r io.Reader, length int64) ([]byte, error) {
	if length <= 0 || length > 64<<10 {
		return io.ReadAll(r)
	}
	buf := make([]byte, length+1) // one byte more, to see the end
	n, err := io.ReadFull(r, buf)
	switch {
	case (err == io.ErrUnexpectedEOF || err == io.EOF) && int64(n) == length:
		return buf[:n], nil
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return nil, fmt.Errorf("the body ended after %d of the %d bytes announced", n, length)
	case err != nil:
		return nil, err
	}
	// More than announced (the server stops a request at its
	// Content-Length, so only a reader that does not): read on.
	rest, err := io.ReadAll(r)
	return append(buf, rest...), err
}

func (s *source) methodAllowed(m string) bool {
	for _, a := range s.cfg.Methods {
		if a == m {
			return true
		}
	}
	return false
}

func (s *source) checkSignature(r *http.Request, body []byte) *httpError {
	h := r.Header.Get(s.cfg.SignatureHeader)
	if h == "" {
		return &httpError{http.StatusUnauthorized, fmt.Sprintf("missing signature header %s", s.cfg.SignatureHeader)}
	}
	sig, ok := strings.CutPrefix(h, s.cfg.SignaturePrefix)
	if !ok {
		return &httpError{http.StatusUnauthorized, fmt.Sprintf("signature header %s must start with %q", s.cfg.SignatureHeader, s.cfg.SignaturePrefix)}
	}
	var got []byte
	var err error
	if s.cfg.SignatureEncoding == "base64" {
		got, err = base64.StdEncoding.DecodeString(sig)
	} else {
		got, err = hex.DecodeString(sig)
	}
	if err != nil {
		return &httpError{http.StatusUnauthorized, fmt.Sprintf("signature in %s is not valid %s", s.cfg.SignatureHeader, s.cfg.SignatureEncoding)}
	}
	mac := hmac.New(sha256.New, []byte(s.cfg.Secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return &httpError{http.StatusUnauthorized, "signature does not match the body"}
	}
	return nil
}

func (s *source) meta(r *http.Request) event.Meta {
	m := event.Meta{Path: r.URL.Path, Remote: r.RemoteAddr}
	if len(r.Header) > 0 {
		m.Headers = make(map[string]string, len(r.Header))
		for k, v := range r.Header {
			if k == "Authorization" || len(v) == 0 {
				continue
			}
			m.Headers[k] = v[0]
		}
	}
	if q := r.URL.Query(); len(q) > 0 {
		m.Query = make(map[string]string, len(q))
		for k, v := range q {
			m.Query[k] = v[0]
		}
	}
	return m
}
