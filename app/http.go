package app

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"reflect"
	"strings"
)

// maxBody bounds one API request (flows and sample events are small).
const maxBody = 16 << 20

// NewHTTPHandler serves the services as HTTP JSON under /api/ and the
// built frontend from static (nil: none) everywhere else.
//
// A call is POST /api/SERVICE/METHOD with a JSON array of the method's
// arguments; the answer is the method's result as JSON, or, when the method
// returns an error, status 422 with {"error": "..."} — the same contract as
// the Wails bindings, whose rejected promise carries the error.
//
// With a token, every API call must carry it ("Authorization: Bearer
// TOKEN" or "X-Sluice-Token"). Without one, API calls are accepted only
// with a loopback Host header (so a web page elsewhere cannot reach the API
// through DNS rebinding); every call must be JSON, which browsers do not
// send across origins without asking.
func NewHTTPHandler(a *App, token string, static fs.FS) http.Handler {
	mux := http.NewServeMux()
	api := &apiHandler{services: a.Services(), token: token}
	mux.Handle("/api/", api)
	if static != nil {
		mux.Handle("/", staticHandler(static))
	}
	return securityHeaders(mux)
}

// NewToken returns a random access token.
func NewToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	return hex.EncodeToString(b)
}

type apiHandler struct {
	services map[string]any
	token    string
}

var errorType = reflect.TypeFor[error]()

func (h *apiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		writeError(w, http.StatusUnauthorized, errors.New("missing or wrong access token"))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, errors.New("use POST"))
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, errors.New("send application/json"))
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
	if len(parts) != 2 {
		writeError(w, http.StatusNotFound, errors.New("call /api/SERVICE/METHOD"))
		return
	}
	svc, ok := h.services[parts[0]]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no service %q", parts[0]))
		return
	}
	m := reflect.ValueOf(svc).MethodByName(parts[1])
	if !m.IsValid() {
		writeError(w, http.StatusNotFound, fmt.Errorf("no method %s.%s", parts[0], parts[1]))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("read request: %w", err))
		return
	}
	if len(body) > maxBody {
		writeError(w, http.StatusRequestEntityTooLarge, errors.New("request too large"))
		return
	}
	args, err := decodeArgs(m.Type(), body)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("%s.%s: %w", parts[0], parts[1], err))
		return
	}
	out := m.Call(args)
	if n := len(out); n > 0 && m.Type().Out(n-1) == errorType {
		if e, _ := out[n-1].Interface().(error); e != nil {
			writeError(w, http.StatusUnprocessableEntity, e)
			return
		}
		out = out[:n-1]
	}
	var result any
	if len(out) > 0 {
		result = out[0].Interface()
	}
	writeJSON(w, http.StatusOK, result)
}

func (h *apiHandler) allowed(r *http.Request) bool {
	if h.token == "" {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if host == "localhost" {
			return true
		}
		ip := net.ParseIP(strings.Trim(host, "[]"))
		return ip != nil && ip.IsLoopback()
	}
	got := r.Header.Get("X-Sluice-Token")
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		got = strings.TrimPrefix(a, "Bearer ")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(h.token)) == 1
}

// decodeArgs decodes a JSON array into the method's parameters; missing
// trailing arguments get their zero value, like a JavaScript call.
func decodeArgs(t reflect.Type, body []byte) ([]reflect.Value, error) {
	var raw []json.RawMessage
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, errors.New("the body must be a JSON array of arguments")
		}
	}
	if len(raw) > t.NumIn() {
		return nil, fmt.Errorf("takes %d arguments, got %d", t.NumIn(), len(raw))
	}
	args := make([]reflect.Value, t.NumIn())
	for i := range args {
		p := reflect.New(t.In(i))
		if i < len(raw) {
			if err := json.Unmarshal(raw[i], p.Interface()); err != nil {
				return nil, fmt.Errorf("argument %d: %w", i+1, err)
			}
		}
		args[i] = p.Elem()
	}
	return args, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Sluice</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>Sluice</h1><p>The designer's frontend is not built into this binary.
Build it with <code>scripts/test-frontend.sh</code> (or <code>npm --prefix frontend ci &amp;&amp;
npm --prefix frontend run build</code>) and rebuild <code>sluice</code>.
The API is served under <code>/api/</code>.</p></body>`

// staticHandler serves the built frontend; unknown paths get index.html.
func staticHandler(static fs.FS) http.Handler {
	files := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := fs.Stat(static, "index.html"); err != nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, notBuilt)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name != "" {
			if _, err := fs.Stat(static, name); err != nil {
				r.URL.Path = "/"
			}
		}
		files.ServeHTTP(w, r)
	})
}
