// Package procstat reads CPU times from /proc (Linux), for benchmarks that
// report CPU per event: a steadier figure than a rate on a shared machine.
package procstat

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of the CPU times in /proc (100 on Linux
// for every architecture Go supports).
const clockTick = 100

// WithChildren is the CPU time (user and system) process pid and its
// running child processes (python workers) have used so far.
func WithChildren(pid int) time.Duration {
	own, _ := stat(strconv.Itoa(pid))
	return own + Children(pid)
}

// Children is the CPU time the running child processes of pid have used
// so far.
func Children(pid int) time.Duration {
	var total time.Duration
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		if cpu, ppid := stat(d.Name()); ppid == pid {
			total += cpu
		}
	}
	return total
}

// stat reads the CPU time and the parent of process pid from
// /proc/PID/stat.
func stat(pid string) (time.Duration, int) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, 0
	}
	// The command name (field 2) may hold spaces: count from its ")".
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, 0
	}
	// ppid is field 4; utime and stime are fields 14 and 15: the 2nd,
	// 12th and 13th after ")".
	ppid, _ := strconv.Atoi(f[1])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTick, ppid
}

// Machine is the busy CPU time of the whole machine so far: all but idle
// and I/O wait.
func Machine() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTick
}
