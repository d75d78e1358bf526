package deploy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/VictoriaMetrics/metricsql"

	"github.com/livedeck/livedeck/app"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/server"
)

const dashboardFile = "grafana/livedeck.json"

// dashboard is the part of a Grafana dashboard these tests read.
type dashboard struct {
	Title      string `json:"title"`
	UID        string `json:"uid"`
	Templating struct {
		List []struct {
			Type  string `json:"type"`
			Name  string `json:"name"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type panel struct {
	ID         int             `json:"id"`
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource *datasource     `json:"datasource"`
	GridPos    map[string]int  `json:"gridPos"`
	Targets    []target        `json:"targets"`
	Panels     json.RawMessage `json:"panels"` // a collapsed row's
}

type target struct {
	Datasource *datasource `json:"datasource"`
	Expr       string      `json:"expr"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

func loadDashboard(t *testing.T) ([]byte, dashboard) {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return b, d
}

// dsVar is the datasource template variable every query goes through.
const dsVar = "${DS_PROMETHEUS}"

// The dashboard imports as it is: a datasource variable rather than a
// datasource of the author's Grafana, every panel the issue names, no
// hard-coded instance or job.
func TestDashboardSanity(t *testing.T) {
	raw, d := loadDashboard(t)
	if d.Title == "" || d.UID == "" {
		t.Errorf("title %q, uid %q: both needed for import and links", d.Title, d.UID)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["DS_PROMETHEUS"] != "datasource" {
		t.Errorf("no datasource variable DS_PROMETHEUS (variables %v)", vars)
	}
	for _, v := range []string{"job", "instance"} {
		if vars[v] != "query" {
			t.Errorf("no query variable %s: instances must be chosen, not written in", v)
		}
	}

	titles, ids := map[string]bool{}, map[int]bool{}
	queries := 0
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		titles[strings.ToLower(p.Title)] = true
		if p.Datasource == nil || p.Datasource.UID != dsVar {
			t.Errorf("panel %q: datasource %+v, want uid %s", p.Title, p.Datasource, dsVar)
		}
		if p.GridPos["w"] == 0 || p.GridPos["h"] == 0 {
			t.Errorf("panel %q has no size", p.Title)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			queries++
			if tg.Datasource == nil || tg.Datasource.UID != dsVar {
				t.Errorf("panel %q: a query's datasource is %+v, want uid %s", p.Title, tg.Datasource, dsVar)
			}
			if !strings.Contains(tg.Expr, `job=~"$job"`) || !strings.Contains(tg.Expr, `instance=~"$instance"`) {
				t.Errorf("panel %q: query %q does not select by $job and $instance", p.Title, tg.Expr)
			}
		}
	}
	for _, want := range []string{"ingest rate", "rejections", "http 429 / 503", "ingest ack latency",
		"processing lag per room", "lease moves", "rules evaluation time", "rule firings",
		"websocket connections", "delivery lag", "evictions", "redis errors", "goroutines", "memory", "gc pause"} {
		if !titles[want] {
			t.Errorf("no panel %q", want)
		}
	}
	if queries < 20 {
		t.Errorf("%d queries: the dashboard lost panels", queries)
	}
	// No instance, host or author's datasource written into the file.
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`instance=~?"[^$]`), regexp.MustCompile(`job=~?"[^$]`),
		regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`), regexp.MustCompile(`localhost|:\d{4,5}\b`),
		regexp.MustCompile(`"uid": "[^$"-][^"]*"[^}]*"type": "prometheus"|"type": "prometheus",\s*"uid": "[^$]`),
	} {
		if m := re.Find(raw); m != nil {
			t.Errorf("%s has a hard-coded value: %s", dashboardFile, m)
		}
	}
}

// grafanaVars stand in for the variables Grafana fills in before a query
// reaches Prometheus.
var grafanaVars = strings.NewReplacer("$__rate_interval", "1m", "$__interval", "1m", "$job", ".*", "$instance", ".*")

// metricNames lists the metric names a PromQL query selects.
func metricNames(t *testing.T, query string) []string {
	t.Helper()
	e, err := metricsql.Parse(grafanaVars.Replace(query))
	if err != nil {
		t.Errorf("query %q does not parse: %v", query, err)
		return nil
	}
	var names []string
	metricsql.VisitAll(e, func(e metricsql.Expr) {
		me, ok := e.(*metricsql.MetricExpr)
		if !ok {
			return
		}
		for _, lfs := range me.LabelFilterss {
			for _, lf := range lfs {
				if lf.Label == "__name__" && !lf.IsRegexp && !lf.IsNegative {
					names = append(names, lf.Value)
				}
			}
		}
	})
	if len(names) == 0 {
		t.Errorf("query %q selects no metric by name", query)
	}
	return names
}

func TestMetricNamesOfQueries(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{`rate(a_total{job=~"$job"}[$__rate_interval])`, []string{"a_total"}},
		{`histogram_quantile(0.99, sum by (le) (rate(b_seconds_bucket[5m])))`, []string{"b_seconds_bucket"}},
		{`max(c) - sum by (job) (d{x="y"}) > 0 and on() e == 0`, []string{"c", "d", "e"}},
		{`rate(f_sum[1m]) / rate(f_count[1m])`, []string{"f_count", "f_sum"}},
	} {
		got := metricNames(t, tc.q)
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: names %v, want %v", tc.q, got, tc.want)
		}
	}
}

// exported reads the sample names of a live /metrics of `livedeck serve`
// (the whole app against a throwaway redis-server).
func exported(t *testing.T) map[string]bool {
	t.Helper()
	srv := redistest.Start(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := app.Config{RedisURL: srv.URL(), Instance: "t1", Server: server.Config{Addr: "127.0.0.1:0"}}
	cfg.Auth.AdminToken = "dashboard-test-admin-token-0123456789abcdef"
	a, err := app.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; a.Close() })

	get := func(path string) []byte {
		resp, err := http.Get("http://" + a.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	get("/healthz") // the HTTP metrics have a series once a request is counted
	names := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(get("/metrics")))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names[line[:i]] = true
		}
	}
	if !names["go_goroutines"] || !names["livedeck_http_requests_total"] {
		t.Fatalf("/metrics does not look like LiveDeck's: %d names", len(names))
	}
	return names
}

// Every metric a dashboard panel or an alert queries is one the server
// really exports: a renamed metric fails here, not on an operator's screen.
func TestDashboardAndAlertMetricsExported(t *testing.T) {
	names := exported(t)
	_, d := loadDashboard(t)
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, n := range metricNames(t, tg.Expr) {
				if !names[n] {
					t.Errorf("panel %q queries %s, which /metrics does not export", p.Title, n)
				}
			}
		}
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	readYAML(t, rulesFile, &rules)
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			for _, n := range metricNames(t, r.Expr) {
				if !names[n] {
					t.Errorf("alert %s queries %s, which /metrics does not export", r.Alert, n)
				}
			}
		}
	}
}
