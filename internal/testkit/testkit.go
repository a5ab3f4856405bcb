// Package testkit holds what tests across Sluice share: a real HTTP sink on
// 127.0.0.1 that records every delivery, and a poll helper instead of
// sleeps.
package testkit

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"
)

// CheckFor calls fn every interval until it returns nil or timeout passes;
// then the test fails with fn's last error.
func CheckFor(t testing.TB, timeout, interval time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for {
		if err = fn(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", timeout, err)
		}
		time.Sleep(interval)
	}
}

// Delivery is one request the sink received.
type Delivery struct {
	ID     string
	At     time.Time
	Body   []byte
	Header http.Header
	Status int
}

// Sink is an HTTP server on 127.0.0.1 that records every request. Status,
// when set, picks the response status of each request (e.g. 503 while a
// test simulates downtime).
type Sink struct {
	*httptest.Server
	mu       sync.Mutex
	all      []Delivery
	statusFn func(r *http.Request, n int) int
}

// NewSink starts a sink; it is closed when the test ends.
func NewSink(t testing.TB) *Sink {
	s := &Sink{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// SetStatus sets the function that picks each response's status; n is the
// number of requests seen before for the same event id.
func (s *Sink) SetStatus(fn func(r *http.Request, n int) int) {
	s.mu.Lock()
	s.statusFn = fn
	s.mu.Unlock()
}

func (s *Sink) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get("Sluice-Event-Id")
	s.mu.Lock()
	n := 0
	for _, d := range s.all {
		if d.ID == id {
			n++
		}
	}
	status := http.StatusOK
	if s.statusFn != nil {
		status = s.statusFn(r, n)
	}
	s.all = append(s.all, Delivery{ID: id, At: time.Now(), Body: body, Header: r.Header.Clone(), Status: status})
	s.mu.Unlock()
	w.WriteHeader(status)
}

// Requests returns every request received so far.
func (s *Sink) Requests() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.all...)
}

// Delivered returns how many times each event id was accepted (2xx).
func (s *Sink) Delivered() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, d := range s.all {
		if d.Status >= 200 && d.Status < 300 {
			out[d.ID]++
		}
	}
	return out
}

// Attempts returns the times of every request for one event id.
func (s *Sink) Attempts(id string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for _, d := range s.all {
		if d.ID == id {
			out = append(out, d.At)
		}
	}
	return out
}

// Service returns addr when a TCP service listens there. When it does not,
// the test is skipped with a loud message, or fails when
// SLUICE_REQUIRE_SERVICES=1 (as in CI).
func Service(t testing.TB, name, addr string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		c.Close()
		return addr
	}
	msg := fmt.Sprintf("%s is not reachable at %s (%v)", name, addr, err)
	if os.Getenv("SLUICE_REQUIRE_SERVICES") == "1" {
		t.Fatalf("%s; SLUICE_REQUIRE_SERVICES=1 makes this a failure", msg)
	}
	t.Skipf("SKIPPING: %s; start it to run this test", msg)
	return ""
}
