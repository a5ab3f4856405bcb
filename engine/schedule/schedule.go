// Package schedule parses cron expressions (robfig/cron/v3) and runs jobs on
// them. It is used by pollers, generators and maintenance windows.
package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// parser accepts five fields, an optional leading seconds field, and
// descriptors such as @hourly and "@every 30s". A "CRON_TZ=Europe/Berlin "
// prefix sets the time zone.
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule tells the next activation after a given time.
type Schedule interface {
	Next(time.Time) time.Time
}

// Parse parses a cron expression. Errors say what is wrong in words.
func Parse(spec string) (Schedule, error) {
	if spec == "" {
		return nil, fmt.Errorf("empty cron expression")
	}
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("bad cron expression %q: %v (use 5 fields \"m h dom mon dow\", 6 with seconds first, or @every 30s, @hourly ...)", spec, err)
	}
	return s, nil
}

// ParseIn parses spec and evaluates it in the given time zone (IANA name);
// an empty zone means the local zone.
func ParseIn(spec, zone string) (Schedule, error) {
	if zone != "" {
		if _, err := time.LoadLocation(zone); err != nil {
			return nil, fmt.Errorf("unknown time zone %q", zone)
		}
		spec = "CRON_TZ=" + zone + " " + spec
	}
	return Parse(spec)
}

// Run calls fn at every activation of s until ctx is done. Activations that
// fall while fn still runs are skipped, never queued up.
func Run(ctx context.Context, s Schedule, fn func(context.Context)) {
	for {
		now := time.Now()
		next := s.Next(now)
		if next.IsZero() {
			return
		}
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		fn(ctx)
	}
}
