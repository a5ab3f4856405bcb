// Command sluice-desktop is the desktop flow designer: a Wails window over
// the app services with the engine embedded. Build it with
//
//	go build -tags desktop,production -o sluice-desktop .
//
// after building the frontend (scripts/test-desktop.sh does both). Only
// builds with the desktop, production or dev tags need the GTK and WebKit
// development packages; vet and test of this package do not.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/sluice-etl/sluice/app"
	"github.com/sluice-etl/sluice/engine/component"
	_ "github.com/sluice-etl/sluice/engine/nodes/all"
	"github.com/sluice-etl/sluice/engine/pyrt"
	"github.com/sluice-etl/sluice/frontend"
)

func main() {
	pyrt.MaybeRunWorker() // a python worker process of this binary never returns here
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a := app.New(app.Options{Registry: component.Default, Logger: logger})
	// A signal (SIGTERM, Ctrl+C) quits without asking about unsaved changes.
	d := &Desktop{signals: make(chan os.Signal, 1)}
	signal.Notify(d.signals, os.Interrupt, syscall.SIGTERM)
	err := wails.Run(&options.App{
		Title:            "Sluice",
		Width:            1280,
		Height:           800,
		MinWidth:         960,
		MinHeight:        600,
		BackgroundColour: &options.RGBA{R: 246, G: 247, B: 249, A: 255},
		AssetServer:      &assetserver.Options{Assets: frontend.Dist()},
		OnStartup:        d.startup,
		OnBeforeClose:    d.beforeClose,
		// Closing the window stops a running flow gracefully.
		OnShutdown: func(ctx context.Context) {
			if err := a.Close(ctx); err != nil {
				logger.Error("stop flow", "err", err)
			}
		},
		Bind: []any{a.Kinds, a.Flows, a.Tester, a.Runs, d},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice-desktop:", err)
		os.Exit(1)
	}
}

// Desktop is what only the desktop app has: native file dialogs, the
// window title and the unsaved-changes guard on closing. The frontend
// reaches it as window.go.main.Desktop.
type Desktop struct {
	ctx     context.Context // the Wails runtime's context, set at startup
	dirty   atomic.Bool
	signals chan os.Signal
}

func (d *Desktop) startup(ctx context.Context) { d.ctx = ctx }

// beforeClose asks before a flow with unsaved changes is closed; true
// keeps the window open.
func (d *Desktop) beforeClose(ctx context.Context) bool {
	if !d.dirty.Load() {
		return false
	}
	select {
	case <-d.signals:
		return false
	case <-time.After(100 * time.Millisecond):
	}
	answer, err := wruntime.MessageDialog(ctx, wruntime.MessageDialogOptions{
		Type:    wruntime.QuestionDialog,
		Title:   "Unsaved changes",
		Message: "The flow has unsaved changes. Quit and lose them?",
	})
	return err == nil && answer != "Yes"
}

// SetDirty tells whether the open flow has unsaved changes.
func (d *Desktop) SetDirty(dirty bool) error {
	d.dirty.Store(dirty)
	return nil
}

var flowFilters = []wruntime.FileFilter{{DisplayName: "Flow files (*.yaml, *.yml, *.json)", Pattern: "*.yaml;*.yml;*.json"}}

// OpenFileDialog asks for a flow file to open; "" means cancelled.
func (d *Desktop) OpenFileDialog() (string, error) {
	return wruntime.OpenFileDialog(d.ctx, wruntime.OpenDialogOptions{Title: "Open a flow", Filters: flowFilters})
}

// SaveFileDialog asks where to save a flow; "" means cancelled.
func (d *Desktop) SaveFileDialog(name string) (string, error) {
	return wruntime.SaveFileDialog(d.ctx, wruntime.SaveDialogOptions{Title: "Save the flow", DefaultFilename: name, Filters: flowFilters})
}

// SetTitle sets the window title.
func (d *Desktop) SetTitle(title string) error {
	wruntime.WindowSetTitle(d.ctx, title)
	return nil
}
