package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sluice-etl/sluice/engine/runtime"
)

// adminClient talks to a running runner's admin API.
type adminClient struct {
	addr, token string
	http        *http.Client
}

func adminFlags(fs *flag.FlagSet) *adminClient {
	c := &adminClient{http: &http.Client{Timeout: 30 * time.Second}}
	fs.StringVar(&c.addr, "admin", envOr("SLUICE_ADMIN", "127.0.0.1:8080"), "address of the running runner's listener (env SLUICE_ADMIN)")
	fs.StringVar(&c.token, "token", os.Getenv("SLUICE_ADMIN_TOKEN"), "admin token, when the runner needs one (env SLUICE_ADMIN_TOKEN)")
	return c
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// do sends a request and decodes a JSON answer into out.
func (c *adminClient) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	url := c.addr
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		url = "http://" + url
	}
	req, err := http.NewRequest(method, url+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("no runner answers at %s (is it running? use --admin ADDR): %w", c.addr, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		var e struct{ Error string }
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return errors.New(e.Error)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func cmdStatus(args []string) int {
	fs := newFlags("status", "status [--admin ADDR] [--token T] [--json]")
	c := adminFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return flagError(err)
	}
	var st runtime.Status
	if err := c.do("GET", "/admin/v1/status", nil, &st); err != nil {
		fmt.Fprintln(os.Stderr, "sluice status:", err)
		return 1
	}
	if *asJSON {
		return printJSON(st)
	}
	ready := "ready"
	if !st.Ready {
		ready = "not ready"
	}
	fmt.Printf("flow %s on %s: %s\n\n", st.Flow, st.Addr, ready)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DESTINATION\tSTATE\tQUEUED\tOLDEST\tRATE/S\tDELIVERED\tDEAD\tNEXT WINDOW\tLAST ERROR")
	for _, d := range st.Destinations {
		next := "-"
		if d.InWindow {
			next = "now, until " + d.WindowEnds.Local().Format("Jan 2 15:04")
		} else if !d.NextWindow.IsZero() {
			next = d.NextWindow.Local().Format("Jan 2 15:04")
		}
		oldest := "-"
		if d.Queued > 0 {
			oldest = (time.Duration(d.OldestAge) * time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%.1f\t%d\t%d\t%s\t%s\n", d.ID, d.State, d.Queued, oldest, d.Rate, d.Delivered, d.DeadLetters, next, cut(d.LastError, 60))
	}
	tw.Flush()
	for _, o := range st.Orphans {
		fmt.Printf("\n%d event(s) wait in the queue of %q, a destination this flow no longer has: they are kept, and delivered once a destination with that id is back in the flow.\n", o.Queued, o.ID)
	}
	return 0
}

func cmdPauseResume(action string, args []string) int {
	fs := newFlags(action, action+" --node ID [--admin ADDR] [--token T]")
	c := adminFlags(fs)
	node := fs.String("node", "", "the destination")
	if _, err := parse(fs, args); err != nil {
		return flagError(err)
	}
	if *node == "" {
		return usageError(fs, "give --node")
	}
	var out map[string]string
	if err := c.do("POST", "/admin/v1/destinations/"+*node+"/"+action, nil, &out); err != nil {
		fmt.Fprintf(os.Stderr, "sluice %s: %v\n", action, err)
		return 1
	}
	fmt.Printf("%s: %s\n", *node, out["state"])
	return 0
}

func cmdReplay(args []string) int {
	fs := newFlags("replay", "replay --node ID --from TIME --to TIME [--admin ADDR] [--token T]")
	c := adminFlags(fs)
	node := fs.String("node", "", "the destination")
	from := fs.String("from", "", "start of the delivery-time range (RFC 3339, or a duration ago such as 2h)")
	to := fs.String("to", "", "end of the range (RFC 3339, or a duration ago; default now)")
	if _, err := parse(fs, args); err != nil {
		return flagError(err)
	}
	if *node == "" || *from == "" {
		return usageError(fs, "give --node and --from")
	}
	f, err := parseWhen(*from)
	if err != nil {
		return usageError(fs, err.Error())
	}
	t := time.Now()
	if *to != "" {
		if t, err = parseWhen(*to); err != nil {
			return usageError(fs, err.Error())
		}
	}
	var out map[string]int
	if err := c.do("POST", "/admin/v1/destinations/"+*node+"/replay", map[string]time.Time{"from": f, "to": t}, &out); err != nil {
		fmt.Fprintln(os.Stderr, "sluice replay:", err)
		return 1
	}
	fmt.Printf("replayed %d event(s) delivered to %s between %s and %s\n", out["replayed"], *node, f.Format(time.RFC3339), t.Format(time.RFC3339))
	return 0
}

// parseWhen reads an RFC 3339 time or a duration before now ("2h").
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration", s)
}
