package observe

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/sluice-etl/sluice/engine/component"
)

func TestAdminHandler(t *testing.T) {
	tr := openTraces(t, TraceOptions{})
	ok := newEvent(`{"ok":true}`)
	tr.Received(ok)
	tr.Enqueued("crm", ok)
	tr.Attempted("crm", ok, 1, component.Receipt{Status: 200}, nil, time.Millisecond, time.Time{})
	bad := newEvent(`{"ok":false}`)
	tr.Received(bad)
	tr.Enqueued("crm", bad)
	tr.Attempted("crm", bad, 1, component.Receipt{Status: 500}, errors.New("server"), time.Millisecond, time.Now().Add(time.Minute))
	flush(t, tr)
	srv := httptest.NewServer(tr.AdminHandler())
	defer srv.Close()

	get := func(path string, wantCode int, out any) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != wantCode {
			t.Fatalf("GET %s: %s, want %d", path, resp.Status, wantCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	var steps []Step
	get("/admin/v1/trace/"+bad.ID, 200, &steps)
	if len(steps) != 3 || steps[2].Status != StatusFailed || steps[2].Next.IsZero() {
		t.Errorf("trace: %s", dump(steps))
	}
	var e struct{ Error string }
	get("/admin/v1/trace/"+newEvent(`{}`).ID, 404, &e)
	if e.Error == "" {
		t.Error("404 without an error message")
	}
	var evs []EventSummary
	get("/admin/v1/events?"+url.Values{"node": {"crm"}, "since": {"10m"}, "status": {"failed"}}.Encode(), 200, &evs)
	if len(evs) != 1 || evs[0].ID != bad.ID {
		t.Errorf("failed events: %s", dump(evs))
	}
	get("/admin/v1/events?limit=1", 200, &evs)
	if len(evs) != 1 || evs[0].ID != bad.ID || evs[0].Status != StatusFailed {
		t.Errorf("latest event: %s", dump(evs))
	}
	get("/admin/v1/events?since="+url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), 200, &evs)
	if len(evs) != 0 {
		t.Errorf("events from the future: %s", dump(evs))
	}
	get("/admin/v1/events?since=yesterday", 400, &e)
	get("/admin/v1/events?status=weird", 400, &e)
}
