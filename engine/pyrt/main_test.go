package pyrt

import (
	"os"
	"testing"
)

// TestMain lets this test binary serve as a python worker: pools re-run
// it with SLUICE_PYWORKER=1.
func TestMain(m *testing.M) {
	MaybeRunWorker()
	os.Exit(m.Run())
}
