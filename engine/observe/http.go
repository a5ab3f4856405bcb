package observe

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// AdminHandler answers the trace questions of the runner's admin API:
//
//	GET /admin/v1/trace/{id}                                  []Step (404 when none is kept)
//	GET /admin/v1/events?node=&since=&status=&limit=          []EventSummary
//
// since is a duration back from now ("10m") or an RFC 3339 time. Errors
// are {"error": "..."}. Authentication is the mounting runner's business.
func (t *Traces) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/v1/trace/{id}", func(w http.ResponseWriter, r *http.Request) {
		steps, err := t.Trace(r.PathValue("id"))
		switch {
		case errors.Is(err, ErrNotFound):
			writeError(w, http.StatusNotFound, err)
		case err != nil:
			writeError(w, http.StatusInternalServerError, err)
		default:
			writeJSON(w, http.StatusOK, steps)
		}
	})
	mux.HandleFunc("GET /admin/v1/events", func(w http.ResponseWriter, r *http.Request) {
		q, err := ParseQuery(r.URL.Query().Get("node"), r.URL.Query().Get("since"), r.URL.Query().Get("status"), r.URL.Query().Get("limit"), time.Now())
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		evs, err := t.Events(q)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, evs)
	})
	return mux
}

// ParseQuery builds a Query from text, as given on a command line or in
// a URL: since is a duration back from now ("10m", "2h") or an RFC 3339
// time; limit a number.
func ParseQuery(node, since, status, limit string, now time.Time) (Query, error) {
	q := Query{Node: node, Status: status}
	if since != "" {
		if d, err := time.ParseDuration(since); err == nil {
			q.Since = now.Add(-d)
		} else if ts, err := time.Parse(time.RFC3339, since); err == nil {
			q.Since = ts
		} else {
			return q, fmt.Errorf("since %q: give a duration (10m, 2h) or an RFC 3339 time", since)
		}
	}
	if status != "" {
		statusNames := []string{"failed", "dead", "delivered", "dropped", "queued", "received", "transformed", "replayed"}
		ok := false
		for _, s := range statusNames {
			ok = ok || s == status
		}
		if !ok {
			return q, fmt.Errorf("status %q: use one of %s", status, strings.Join(statusNames, ", "))
		}
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 0 {
			return q, fmt.Errorf("limit %q: give a positive number", limit)
		}
		q.Limit = n
	}
	return q, nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}
