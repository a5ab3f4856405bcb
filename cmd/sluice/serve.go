package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/sluice-etl/sluice/app"
	"github.com/sluice-etl/sluice/engine/component"
	"github.com/sluice-etl/sluice/frontend"
)

const serveUsage = `Usage: sluice serve [--addr ADDR] [--token TOKEN] [--data DIR] [--listen ADDR] [--log-level LEVEL]

Serves the flow designer as a web console: the same frontend as the desktop
app, over HTTP JSON, with the embedded engine behind it.

On a loopback address (the default) no token is needed. Bound to any other
address every API call needs the access token (--token, or $SLUICE_TOKEN;
one is generated and printed when neither is given): the API can run code
and read events.
`

// cmdServe runs `sluice serve`.
func cmdServe(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serveUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:7878", "address of the web console")
	token := fs.String("token", os.Getenv("SLUICE_TOKEN"), "access token for API calls (default $SLUICE_TOKEN)")
	data := fs.String("data", "", "data directory of runs (default: the user's data directory)")
	listen := fs.String("listen", "127.0.0.1:8080", "address the running flow's sources (webhooks) listen on; port 0: any free port")
	logLevel := fs.String("log-level", "info", "engine log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "sluice serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "sluice serve: --log-level: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sluice serve: %v\n", err)
		return 1
	}
	if *token == "" && !serveLoopback(ln.Addr()) {
		*token = app.NewToken()
		fmt.Fprintf(os.Stderr, "sluice serve: %s is not a loopback address, so API calls need this access token:\n  %s\n", ln.Addr(), *token)
	}
	a := app.New(app.Options{Registry: component.Default, DataDir: *data, Listen: *listen, Logger: logger})
	srv := &http.Server{Handler: app.NewHTTPHandler(a, *token, frontend.Dist()), ReadHeaderTimeout: 10 * time.Second}

	host := ln.Addr().String()
	if t, ok := ln.Addr().(*net.TCPAddr); ok && t.IP.IsUnspecified() {
		// Bound to every address: 127.0.0.1 works here, this machine's
		// address from elsewhere.
		host = net.JoinHostPort("127.0.0.1", strconv.Itoa(t.Port))
	}
	url := "http://" + host + "/"
	if *token != "" {
		url += "#token=" + *token
	}
	if !frontend.Built() {
		fmt.Fprintln(os.Stderr, "sluice serve: this binary has no built frontend (run scripts/test-frontend.sh, then rebuild); serving the API only")
	}
	fmt.Fprintf(os.Stderr, "sluice serve: designer at %s\n", url)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(os.Stderr, "sluice serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	fmt.Fprintln(os.Stderr, "sluice serve: stopping")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := 0
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(os.Stderr, "sluice serve: %v\n", err)
		code = 1
	}
	if err := a.Close(sctx); err != nil {
		fmt.Fprintf(os.Stderr, "sluice serve: %v\n", err)
		code = 1
	}
	return code
}

func serveLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
