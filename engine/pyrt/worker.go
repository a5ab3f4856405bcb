package pyrt

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"syscall"
	"time"
)

// Environment of a worker process.
const (
	workerEnv      = "SLUICE_PYWORKER"       // "1" makes the binary a worker
	workerMemEnv   = "SLUICE_PYWORKER_MEM"   // address-space limit in bytes
	workerStackEnv = "SLUICE_PYWORKER_STACK" // goroutine stack limit in bytes
)

// The pipes of a worker: the pool passes them as extra files, so the
// worker's own stdout (which gpython's sys module could reach) is not the
// protocol.
const (
	workerInFD  = 3
	workerOutFD = 4
)

// MaybeRunWorker turns the process into a Python worker when it was
// started as one by a Pool (environment SLUICE_PYWORKER=1), and never
// returns then. Every binary that runs python nodes must call it first
// thing in main(), and test binaries in TestMain:
//
//	func TestMain(m *testing.M) {
//		pyrt.MaybeRunWorker()
//		os.Exit(m.Run())
//	}
//
// Otherwise it returns at once.
func MaybeRunWorker() {
	if os.Getenv(workerEnv) != "1" {
		return
	}
	os.Exit(runWorker())
}

func runWorker() int {
	applyLimits()
	in := os.NewFile(workerInFD, "pyworker-in")
	out := os.NewFile(workerOutFD, "pyworker-out")
	if in == nil || out == nil {
		fmt.Fprintln(os.Stderr, "pyworker: missing protocol pipes")
		return 2
	}
	if err := serve(in, out); err != nil && err != io.EOF {
		fmt.Fprintln(os.Stderr, "pyworker:", err)
		return 1
	}
	return 0
}

// applyLimits bounds the stack, so runaway recursion dies in milliseconds
// with a Go "stack exceeds limit" fatal error instead of growing to 1 GB,
// and memory in two ways: a watchdog ends the worker when the heap passes
// the limit, and (except in race builds) the address space is capped so a
// single huge allocation fails at once (a fatal "out of memory" of this
// process only) instead of waking the kernel's OOM killer. The Go runtime
// itself needs about 1.5 GiB of address space, hence the headroom.
func applyLimits() {
	stack := int64(16 << 20)
	if v, err := strconv.ParseInt(os.Getenv(workerStackEnv), 10, 64); err == nil && v > 0 {
		stack = v
	}
	debug.SetMaxStack(int(stack))
	limit, err := strconv.ParseInt(os.Getenv(workerMemEnv), 10, 64)
	if err != nil || limit <= 0 {
		return
	}
	debug.SetMemoryLimit(limit * 3 / 4)
	if !raceEnabled {
		as := uint64(limit)*2 + 2<<30
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: as, Max: as}); err != nil {
			fmt.Fprintln(os.Stderr, "pyworker: cannot limit address space:", err)
		}
	}
	go watchHeap(uint64(limit))
}

// watchHeap ends the process when the heap grows past limit. gpython
// cannot be interrupted, but the Go scheduler still runs this goroutine.
func watchHeap(limit uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	for {
		time.Sleep(5 * time.Millisecond)
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() > limit {
			fmt.Fprintf(os.Stderr, "fatal error: out of memory: heap of %d bytes passed the limit of %d\n", s[0].Value.Uint64(), limit)
			os.Exit(3)
		}
	}
}

// serve runs the worker loop: one init, then events until EOF.
func serve(r io.Reader, w io.Writer) error {
	fr := &frameReader{r: bufio.NewReaderSize(r, 256<<10)}
	fw := &frameWriter{w: bufio.NewWriterSize(w, 64<<10)}
	t, err := fr.byte1()
	if err != nil {
		return err
	}
	if t != frameInit {
		return fmt.Errorf("%w: expected init, got %q", errProtocol, t)
	}
	b, err := fr.bytes()
	if err != nil {
		return err
	}
	var msg initMsg
	if err := json.Unmarshal(b, &msg); err != nil {
		return fmt.Errorf("decode init: %w", err)
	}
	interp, ierr := NewInterp(msg.Code, msg.Function)
	var ready []byte
	if ierr != nil {
		pe, ok := ierr.(*Error)
		if !ok {
			pe = &Error{Kind: KindException, Type: "Error", Message: ierr.Error()}
		}
		ready, _ = json.Marshal(pe)
	}
	if err := fw.byte1(frameReady); err != nil {
		return err
	}
	if err := fw.bytes(ready); err != nil {
		return err
	}
	if err := fw.w.Flush(); err != nil {
		return err
	}
	if ierr != nil {
		return nil
	}
	for {
		t, err := fr.byte1()
		if err != nil {
			return err
		}
		if t != frameEvent {
			return fmt.Errorf("%w: expected event, got %q", errProtocol, t)
		}
		seq, err := fr.u32()
		if err != nil {
			return err
		}
		mb, err := fr.bytes()
		if err != nil {
			return err
		}
		body, err := fr.bytes()
		if err != nil {
			return err
		}
		var meta *Meta
		if interp.wantsMeta && len(mb) > 0 {
			meta = &Meta{}
			if err := json.Unmarshal(mb, meta); err != nil {
				return fmt.Errorf("decode meta: %w", err)
			}
		}
		start := time.Now()
		res := interp.Run(body, meta)
		if err := fw.writeResult(seq, res, time.Since(start)); err != nil {
			return err
		}
		// Flush every result at once: the pool times each event from the
		// previous result, so a result held back in the buffer while the
		// next event loops forever would be blamed on the wrong event.
		if err := fw.w.Flush(); err != nil {
			return err
		}
	}
}
