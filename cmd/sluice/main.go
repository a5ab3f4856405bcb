// Command sluice is the headless runner: it validates, runs, tests and
// inspects flow files. It is pure Go (CGO_ENABLED=0) and imports no UI code.
package main

import (
	"fmt"
	"os"

	"github.com/sluice-etl/sluice/engine/pyrt"
)

const usage = `sluice — durable event-driven ETL

Usage:
  sluice run FLOW [--data DIR] [--listen ADDR] [--log-format text|json]
  sluice validate FLOW
  sluice test FLOW --node ID --events FILE [--json]   (run a python node on sample events)
  sluice kinds [--json]
  sluice dlq list|show|purge|replay FLOW --node ID [--data DIR] [--id EVENT_ID]
  sluice status [--admin ADDR]                        a running runner's destinations
  sluice pause|resume --node ID [--admin ADDR]        hold or release a destination
  sluice replay --node ID --from TIME [--to TIME]     re-send delivered events
  sluice trace EVENT_ID FLOW [--data DIR] [--json]    an event's story, step by step
  sluice events FLOW [--node ID] [--since 10m] [--status failed] [--json]   recent events
  sluice serve [--addr 127.0.0.1:7878] [--token TOKEN]   (the designer as a web console)
  sluice bench [flags]          (see sluice bench -h)
  sluice version

Run "sluice COMMAND -h" for the flags of a command.
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	pyrt.MaybeRunWorker() // a python worker process of this binary never returns here
	os.Exit(dispatch(os.Args[1:]))
}

func dispatch(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(rest)
	case "validate":
		return cmdValidate(rest)
	case "test":
		return cmdTest(rest)
	case "kinds":
		return cmdKinds(rest)
	case "serve":
		return cmdServe(rest)
	case "dlq":
		return cmdDLQ(rest)
	case "status":
		return cmdStatus(rest)
	case "pause", "resume":
		return cmdPauseResume(cmd, rest)
	case "replay":
		return cmdReplay(rest)
	case "trace":
		return cmdTrace(rest)
	case "events":
		return cmdEvents(rest)
	case "bench":
		return cmdBench(rest)
	case "version", "--version", "-v":
		fmt.Println("sluice", version)
		return 0
	case "help", "-h", "--help":
		fmt.Print(usage)
		return 0
	}
	fmt.Fprintf(os.Stderr, "sluice: unknown command %q\n\n%s", cmd, usage)
	return 2
}
