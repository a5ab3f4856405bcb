package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/engine/delivery"
	"github.com/sluice-etl/sluice/engine/runtime"
)

func cmdRun(args []string) int {
	fs := newFlags("run", "run FLOW [--data DIR] [--listen ADDR] [--log-format text|json]")
	data := fs.String("data", "", "data directory (default: ~/.local/share/sluice/FLOW-NAME)")
	listen := fs.String("listen", "127.0.0.1:8080", "address of the HTTP listener (webhooks, /healthz)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "", "log level: debug, info, warn, error (default: the flow's log_level, or info)")
	stopTimeout := fs.Duration("stop-timeout", 0, "how long a graceful stop may take (default 10s)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file (for performance work)")
	memProfile := fs.String("memprofile", "", "write a heap profile to this file when stopping (for performance work)")
	noTraces := fs.Bool("no-traces", false, "keep no per-event traces (DATA/traces)")
	adminToken := fs.String("admin-token", os.Getenv("SLUICE_ADMIN_TOKEN"), "token the admin API requires (env SLUICE_ADMIN_TOKEN; generated when the listener is not on loopback)")
	pos, err := parse(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) != 1 {
		return usageError(fs, "give exactly one flow file")
	}
	doc, ok := loadFlow(pos[0], os.Stderr)
	if !ok {
		return 1
	}
	level := *logLevel
	if level == "" {
		level = doc.LogLevel
	}
	if level == "" {
		level = "info"
	}
	log, err := newLogger(os.Stderr, *logFormat, level)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice run:", err)
		return 2
	}
	rt, err := runtime.New(doc, component.Default, runtime.Options{DataDir: *data, Listen: *listen, Logger: log, StopTimeout: *stopTimeout, AdminToken: *adminToken, NoTraces: *noTraces})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice run:", err)
		return 1
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sluice run:", err)
		return 1
	}
	defer stopProfile()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rt.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sluice run:", err)
		return 1
	}
	for _, n := range doc.Nodes {
		if n.Kind == "webhook" {
			if p, ok := n.Config["path"].(string); ok {
				log.Info("webhook ready", "node", n.ID, "url", "http://"+rt.Addr()+p)
			}
		}
	}
	<-ctx.Done()
	stop()
	log.Info("stopping: finishing deliveries in flight (send the signal again to force)")
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		fmt.Fprintln(os.Stderr, "sluice run: forced exit")
		os.Exit(130)
	}()
	if *memProfile != "" {
		if f, err := os.Create(*memProfile); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	if err := rt.Stop(context.Background()); err != nil {
		log.Error("stop", "err", err)
		return 1
	}
	return 0
}

func cmdValidate(args []string) int {
	fs := newFlags("validate", "validate FLOW...")
	asJSON := fs.Bool("json", false, "print the problems as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(pos) == 0 {
		return usageError(fs, "give a flow file")
	}
	code := 0
	for _, path := range pos {
		if *asJSON {
			if !validateJSON(path) {
				code = 1
			}
			continue
		}
		if _, ok := loadFlow(path, os.Stdout); !ok {
			code = 1
			continue
		}
		fmt.Printf("%s: ok\n", path)
	}
	return code
}

func cmdKinds(args []string) int {
	fs := newFlags("kinds", "kinds [--json]")
	asJSON := fs.Bool("json", false, "print every kind with its config schema as JSON")
	markdown := fs.Bool("markdown", false, "print the reference of every kind as Markdown (docs/nodes.md)")
	if _, err := parse(fs, args); err != nil {
		return flagError(err)
	}
	specs := component.Default.Specs()
	if *asJSON {
		return printJSON(map[string]any{"kinds": specs, "delivery": delivery.Schema})
	}
	if *markdown {
		writeNodeDocs(os.Stdout, component.Default)
		return 0
	}
	for _, s := range specs {
		fmt.Printf("%-12s %-12s %s\n", s.Kind, s.Category, s.Summary)
	}
	return 0
}

// startCPUProfile writes a CPU profile to path (none when path is empty)
// until the returned function is called.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
