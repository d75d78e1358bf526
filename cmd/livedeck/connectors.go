package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// cmdConnectors is `livedeck connectors dead-letters`.
func cmdConnectors(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "dead-letters" {
		return fmt.Errorf("usage: livedeck connectors dead-letters --server URL --room R --token T [--source S] [--replay]")
	}
	return connectorsDeadLetters(ctx, args[1:], os.Stdout)
}

// deadLetter is one entry of GET /api/v1/rooms/{room}/dead-letters.
type deadLetter struct {
	ID         string `json:"id"`
	Source     string `json:"source"`
	Format     string `json:"format"`
	Index      int    `json:"index"`
	MessageID  string `json:"message_id"`
	Kind       string `json:"kind"`
	Reason     string `json:"reason"`
	Raw        string `json:"raw"`
	ReceivedAt int64  `json:"received_at"`
}

// connectorsDeadLetters lists a room's dead letters, or with --replay runs
// them again with each source's current settings and prints the counts.
func connectorsDeadLetters(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlagSet("connectors dead-letters", "List a room's dead letters (platform messages that failed mapping), or replay them\nwith the connectors' current settings once the mapping is fixed.")
	var server, room, token, source string
	var replay bool
	var count int
	fs.String(&server, "server", "LIVEDECK_SERVER", "http://127.0.0.1:8080", "LiveDeck server base URL")
	fs.String(&room, "room", "LIVEDECK_ROOM", "", "room id (required)")
	fs.String(&source, "source", "", "", "only this connector source; empty means every source")
	fs.Int(&count, "count", "", 100, "most dead letters to list (1..1000)")
	fs.Bool(&replay, "replay", "", false, "replay them (an editor's token: admin or producer) instead of listing")
	tokenFlag(fs, &token)
	if err := fs.parse(args); err != nil {
		return err
	}
	if room == "" {
		return fmt.Errorf("--room is required")
	}
	c := &apiCaller{base: strings.TrimSuffix(server, "/"), hc: &http.Client{Timeout: 30 * time.Second, Transport: bearer{token: token, next: http.DefaultTransport}}}
	q := url.Values{"count": {fmt.Sprint(count)}}
	if source != "" {
		q.Set("source", source)
	}
	var list []deadLetter
	if err := c.call(ctx, http.MethodGet, "/api/v1/rooms/"+url.PathEscape(room)+"/dead-letters?"+q.Encode(), nil, &list); err != nil {
		return err
	}
	if !replay {
		return printDeadLetters(out, list)
	}
	sources := map[string]bool{}
	if source != "" {
		sources[source] = true
	}
	for _, dl := range list {
		sources[dl.Source] = true
	}
	names := make([]string, 0, len(sources))
	for s := range sources {
		names = append(names, s)
	}
	sort.Strings(names)
	for _, s := range names {
		var res struct{ Replayed, Accepted, Duplicates, Failed, Remaining int }
		body, _ := json.Marshal(map[string]string{"source": s})
		if err := c.call(ctx, http.MethodPost, "/api/v1/rooms/"+url.PathEscape(room)+"/dead-letters/replay", body, &res); err != nil {
			return fmt.Errorf("replay %s: %w", s, err)
		}
		fmt.Fprintf(out, "%s: replayed %d (events accepted %d, duplicates %d), still failing %d, remaining %d\n",
			s, res.Replayed, res.Accepted, res.Duplicates, res.Failed, res.Remaining)
	}
	if len(names) == 0 {
		fmt.Fprintln(out, "no dead letters")
	}
	return nil
}

func printDeadLetters(out io.Writer, list []deadLetter) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(out, "no dead letters")
		return err
	}
	tw := tabwriter.NewWriter(out, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tSOURCE\tFORMAT\t#\tMESSAGE\tKIND\tREASON")
	for _, dl := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", dl.ID, time.UnixMilli(dl.ReceivedAt).UTC().Format(time.RFC3339),
			dl.Source, dl.Format, dl.Index, dl.MessageID, dl.Kind, oneLine(dl.Reason, 120))
	}
	return tw.Flush()
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// apiCaller calls the server's JSON API.
type apiCaller struct {
	base string
	hc   *http.Client
}

// call sends body (JSON, may be nil) and decodes a 2xx answer into out; any
// other status is an error carrying the server's message.
func (c *apiCaller) call(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code, Field, Message string }
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, e.Error.Message)
		}
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	return json.Unmarshal(b, out)
}
