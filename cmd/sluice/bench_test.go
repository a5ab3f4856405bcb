package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestBenchRuns runs the README's bench command, small: both the
// forwarder and the runner, two rounds, and checks that it reports every
// figure and lost nothing. The figures themselves are not judged here.
func TestBenchRuns(t *testing.T) {
	out, err := exec.Command(sluiceBin, "bench", "--events", "400", "--senders", "4", "--forwarder", "--rounds", "2").CombinedOutput()
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{"plain Go forwarder (no persistence) (round 2 of 2)", "acked events/s", "end-to-end ev/s",
		"ack latency", "peak RSS", "CPU per event", "median ratio sluice/forwarder over 2 rounds"} {
		if !strings.Contains(s, want) {
			t.Errorf("bench output lacks %q:\n%s", want, s)
		}
	}
	if !regexp.MustCompile(`lost 0  duplicated 0  failed requests 0`).MatchString(s) || strings.Count(s, "lost 0 ") != 4 {
		t.Errorf("bench lost or failed events:\n%s", s)
	}
}
