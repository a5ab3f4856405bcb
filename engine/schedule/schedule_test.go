package schedule

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		spec string
		next time.Time
		err  string
	}{
		{spec: "*/5 * * * *", next: base.Add(5 * time.Minute)},
		{spec: "30 * * * * *", next: base.Add(30 * time.Second)},
		{spec: "@every 30s", next: base.Add(30 * time.Second)},
		{spec: "@hourly", next: base.Add(time.Hour)},
		{spec: "0 2 * * SUN", next: time.Date(2026, 1, 4, 2, 0, 0, 0, time.UTC)},
		{spec: "61 * * * *", err: "bad cron expression"},
		{spec: "every minute", err: "bad cron expression"},
		{spec: "", err: "empty"},
	}
	for _, c := range cases {
		s, err := Parse(c.spec)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Parse(%q) error = %v, want %q", c.spec, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.spec, err)
		}
		if got := s.Next(base); !got.Equal(c.next) {
			t.Errorf("Parse(%q).Next = %v, want %v", c.spec, got, c.next)
		}
	}
}

func TestParseInZone(t *testing.T) {
	s, err := ParseIn("0 2 * * *", "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("next = %v, want %v", got, want)
	}
	if _, err := ParseIn("0 2 * * *", "Mars/Olympus"); err == nil {
		t.Error("unknown zone accepted")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	s, _ := Parse("@every 10ms")
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int32
	done := make(chan struct{})
	go func() {
		Run(ctx, s, func(context.Context) {
			if n.Add(1) == 3 {
				cancel()
			}
		})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if n.Load() < 3 {
		t.Errorf("ran %d times", n.Load())
	}
}
