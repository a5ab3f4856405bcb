// Package pyrt hosts user Python on gpython (github.com/go-python/gpython,
// a Python 3.4 interpreter in Go) safely and close to CPython 3.11.
//
// # Isolation
//
// gpython cannot be interrupted (while True: pass never returns), dies with
// a fatal Go error on deep recursion or huge allocations (which cannot be
// recovered), and a context must not be shared between goroutines. So user
// code never runs in the engine's process: a Pool starts worker processes
// of the same binary (the binary re-executed with SLUICE_PYWORKER=1; its
// main must call MaybeRunWorker first), sends them batches of events over
// pipes and reads one result per event as they come. A worker that passes
// the per-event timeout is killed and replaced, its event fails with a
// timeout error and the rest of the batch goes to the new worker; a worker
// that dies (stack limit, memory limit) fails only the event in progress.
// Workers limit their stack (debug.SetMaxStack), their heap (a watchdog)
// and, outside race builds, their address space (setrlimit).
//
// # Sandbox and fidelity
//
// An Interp is one interpreter with the code loaded, used inside a worker.
// Its context imports only embedded modules from an allow list (no file,
// OS, process or network access; open, input and friends are removed) and
// print() writes to the event's log. Python newer than 3.4 is rewritten
// before compiling (Rewrite: f-strings, %, +, :=, {**a}, dict key order), gpython's
// types get the methods they lack through their public Dict, and json, re,
// datetime, time, zoneinfo, hashlib, hmac, base64, uuid, random,
// collections and string are implemented in Go. docs/python.md says what a
// transform may use; the corpus and transforms tests compare with CPython.
//
// # Entry points
//
//   - NewPool and Pool.Run: what the python node runs on (Config, Item,
//     Result).
//   - Test: the live test of the designer and of `sluice test`: compile
//     errors and per-event results as data (TestRequest, TestReport).
//   - CheckSyntax: a fast compile for validation.
//   - Error: every failure of user code, with line, column and source line.
package pyrt
