// Package app holds the designer's services: flows (new, open, save,
// validate, export), kinds, live tests of transforms and runs of a flow on
// the embedded engine. Methods return (T, error) so that the desktop app can
// bind them with Wails and `sluice serve` can offer them as HTTP JSON; this
// package imports nothing of Wails or of the frontend.
package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/sluice-etl/sluice/engine/component"
)

// Options configure the services.
type Options struct {
	// Registry holds the node kinds; nil means component.Default.
	Registry *component.Registry
	// DataDir is where runs keep their durable state; empty means the
	// user's data directory (see DefaultDataDir).
	DataDir string
	// ConfigDir holds the designer's own small files (recent flows);
	// empty means the user's config directory.
	ConfigDir string
	// Listen is the address a run's sources listen on; empty means
	// 127.0.0.1:8080, where `sluice run` listens too. Port 0 takes any
	// free port.
	Listen string
	// Logger receives the engine's logs; nil discards them.
	Logger *slog.Logger
}

// App is the set of services the frontend talks to.
type App struct {
	Kinds  *Kinds
	Flows  *Flows
	Tester *Tester
	Runs   *Runs
}

// New returns the services. It acquires nothing: runs start on demand.
func New(opts Options) *App {
	if opts.Registry == nil {
		opts.Registry = component.Default
	}
	if opts.DataDir == "" {
		opts.DataDir = DefaultDataDir()
	}
	if opts.ConfigDir == "" {
		opts.ConfigDir = defaultConfigDir()
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:8080"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &App{
		Kinds:  &Kinds{reg: opts.Registry},
		Flows:  &Flows{reg: opts.Registry, recent: recentFile(opts.ConfigDir)},
		Tester: &Tester{reg: opts.Registry},
		Runs:   newRuns(opts),
	}
}

// Services returns the services by the name the frontend calls them with;
// the HTTP handler and the desktop bindings both use it.
func (a *App) Services() map[string]any {
	return map[string]any{"Kinds": a.Kinds, "Flows": a.Flows, "Tester": a.Tester, "Runs": a.Runs}
}

// Close stops a running flow gracefully.
func (a *App) Close(ctx context.Context) error { return a.Runs.shutdown(ctx) }

// DefaultDataDir is where the designer keeps run data: the user's data
// directory (XDG_DATA_HOME or ~/.local/share) under "sluice".
func DefaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "sluice")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "sluice")
	}
	return filepath.Join(os.TempDir(), "sluice-data")
}

func defaultConfigDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "sluice")
	}
	return filepath.Join(os.TempDir(), "sluice-config")
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
