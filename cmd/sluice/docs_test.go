package main

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/sluice-etl/sluice/engine/component"
)

var update = flag.Bool("update", false, "rewrite generated files")

// TestNodeDocsUpToDate fails when docs/nodes.md no longer matches the
// registry; run `go test ./cmd/sluice -run NodeDocs -update` to refresh it.
func TestNodeDocsUpToDate(t *testing.T) {
	var buf bytes.Buffer
	writeNodeDocs(&buf, component.Default)
	const path = "../../docs/nodes.md"
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(have, buf.Bytes()) {
		t.Fatal("docs/nodes.md is stale: run `go test ./cmd/sluice -run NodeDocs -update` and commit it")
	}
}
