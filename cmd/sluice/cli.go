package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/flow"
	_ "github.com/sluice-etl/sluice/engine/nodes/all"
)

// parse parses flags that may stand before, between or after the
// positional arguments ("run flow.yaml --data d" and "run --data d
// flow.yaml" both work) and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newFlags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: sluice %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// newLogger builds the runner's logger: readable text, or JSON lines.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// loadFlow reads and validates a flow file, printing every problem.
func loadFlow(path string, stderr io.Writer) (*flow.Doc, bool) {
	doc, err := flow.Load(path)
	if err != nil {
		fmt.Fprintf(stderr, "sluice: %v\n", err)
		return nil, false
	}
	ps := flow.Validate(doc, component.Default)
	if len(ps) > 0 {
		printProblems(stderr, path, ps)
	}
	return doc, len(flow.Errors(ps)) == 0
}

func printProblems(w io.Writer, path string, ps []flow.Problem) {
	if n := len(flow.Errors(ps)); n > 0 {
		fmt.Fprintf(w, "%s: %d problem(s):\n", path, n)
	}
	for _, p := range ps {
		fmt.Fprintf(w, "  %s\n", p)
	}
}

func usageError(fs *flag.FlagSet, msg string) int {
	fmt.Fprintf(os.Stderr, "sluice %s: %s\n", fs.Name(), msg)
	fs.Usage()
	return 2
}

func flagError(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

func cut(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func defaultRegistry() *component.Registry { return component.Default }

// quietLogger logs only errors, for commands that print their own output.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// signalContext is cancelled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
