package procstat

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// The figures grow with the CPU a process burns, and a child's CPU counts
// while it runs.
func TestCPUTimes(t *testing.T) {
	me := os.Getpid()
	own0, mach0 := WithChildren(me), Machine()
	for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
	}
	if own := WithChildren(me); own <= own0 {
		t.Errorf("own CPU %v after spinning 300ms, %v before", own, own0)
	}
	if mach := Machine(); mach <= mach0 {
		t.Errorf("machine CPU %v after spinning 300ms, %v before", mach, mach0)
	}
	child := exec.Command("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 5")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for Children(me) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a child that counts to 200,000 shows no CPU time")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
