package pyrt

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A worker busy in an endless loop dies with the process that started it.
func TestWorkerDiesWithParent(t *testing.T) {
	if os.Getenv("PYRT_ORPHAN_PARENT") == "1" {
		// The parent: start a pool on a loop, print the worker's pid, and
		// exit without closing it.
		p, err := NewPool(t.Context(), Config{Code: "def transform(e):\n    while True:\n        pass\n", Timeout: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		go p.Run(t.Context(), items(`{}`))
		time.Sleep(200 * time.Millisecond)
		p.mu.Lock()
		for w := range p.procs {
			os.Stdout.WriteString("PID " + strconv.Itoa(w.cmd.Process.Pid) + "\n")
		}
		p.mu.Unlock()
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWorkerDiesWithParent$")
	cmd.Env = append(os.Environ(), "PYRT_ORPHAN_PARENT=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("parent: %v\n%s", err, out)
	}
	var pid int
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "PID ") {
			pid, _ = strconv.Atoi(strings.TrimPrefix(l, "PID "))
		}
	}
	if pid == 0 {
		t.Fatalf("no worker pid in %q", out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); err != nil {
			return // gone
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("worker %d outlived its parent", pid)
}
