package runtime_test

import (
	"os"
	"testing"

	"github.com/sluice-etl/sluice/engine/pyrt"
)

// TestMain lets this test binary serve as a python worker process too.
func TestMain(m *testing.M) {
	pyrt.MaybeRunWorker()
	os.Exit(m.Run())
}
