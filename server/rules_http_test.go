package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/rules"
)

// rulesFixture calls the rules API of a full server on a real Redis as an
// admin, and drives the room's engine as the live processor would.
type rulesFixture struct {
	*authFixture
	t   *testing.T
	now int64
}

func newRulesFixture(t *testing.T) *rulesFixture {
	return &rulesFixture{authFixture: newAuthFixture(t, auth.Config{Limits: roomyLimits}, Config{}), t: t, now: time.Now().UnixMilli()}
}

func (f *rulesFixture) call(method, path, ctype, body string, extra ...string) (int, string) {
	f.t.Helper()
	h := bearer(f.admin)
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	rec := f.do(request{method: method, path: path, body: body, header: h})
	return rec.Code, rec.Body.String()
}

// observe hands the engine one update of room "a", a second after the last.
func (f *rulesFixture) observe(online int64, orders ...livedeck.OrderChange) {
	f.now += 1000
	f.srv.deps.Rules.Engine.Observe(context.Background(), livedeck.Update{Room: "a", Now: f.now,
		Snapshot: livedeck.Snapshot{Room: "a", Online: online}, Orders: orders})
}

func (f *rulesFixture) history() []livedeck.Signal {
	f.t.Helper()
	code, body := f.call("GET", "/api/v1/rooms/a/rules/history", "", "")
	var h []livedeck.Signal
	if code != http.StatusOK || json.Unmarshal([]byte(body), &h) != nil {
		f.t.Fatalf("history: %d %s", code, body)
	}
	return h
}

func (f *rulesFixture) cues() []string {
	var out []string
	for _, s := range f.history() {
		if s.Cue != nil {
			out = append(out, s.Cue.Text)
		}
	}
	return out
}

const rulesPlanYAML = `# the show's playbook
rules:
  - name: big-crowd
    when: online >= 1000
    actions:
      - cue: {text: "在线{{.Online}}人，上福利", ttl: 30s}
  - name: tier-500
    when: online >= 500
    clear: online < 450
    actions:
      - tier: {name: tier-500, coupon: 满199减20, threshold: 19900, discount: 2000}
  - name: sample
    when: "true"
    actions:
      - gift: {quota: free-sample, limit: 2}
`

// TestRulesAPILiveChange: a threshold changed through the API mid-stream
// is used by the next evaluation; an invalid set is refused with the rule,
// field and position and the running one keeps running; a stale edit is
// refused; versions, diff and rollback.
func TestRulesAPILiveChange(t *testing.T) {
	f := newRulesFixture(t)
	if code, body := f.call("PUT", "/api/v1/rooms/a/rules", "application/yaml", rulesPlanYAML); code != 200 || !strings.Contains(body, `"version":1`) {
		t.Fatalf("put: %d %s", code, body)
	}
	f.observe(800)
	if got := f.cues(); len(got) != 0 {
		t.Fatalf("cues %v below the threshold", got)
	}

	// A typo: refused, located, and version 1 keeps running.
	bad := strings.Replace(rulesPlanYAML, "online >= 1000", "onlne >= 700", 1)
	code, body := f.call("PUT", "/api/v1/rooms/a/rules", "application/yaml", bad)
	var refused struct {
		Problems []rules.Problem `json:"problems"`
	}
	decodeJSONTest(t, []byte(body), &refused)
	if code != http.StatusUnprocessableEntity || len(refused.Problems) != 1 {
		t.Fatalf("invalid set: %d %s", code, body)
	}
	if p := refused.Problems[0]; p.Rule != "big-crowd" || p.Field != "when" || p.Line != 1 || p.Column != 1 || p.Source != 4 || !strings.Contains(p.Message, "onlne") {
		t.Fatalf("problem %+v, want rule big-crowd, when, line 1 column 1, file line 4, naming onlne", p)
	}
	f.observe(1200)
	if got := f.cues(); len(got) != 1 || got[0] != "在线1200人，上福利" {
		t.Fatalf("cues %v: the running set should still fire at 1000", got)
	}
	f.observe(800) // resolves

	// The threshold lowered, sent as JSON against version 1: the very next
	// evaluation uses it.
	lowered := yamlToJSON(t, strings.Replace(rulesPlanYAML, "online >= 1000", "online >= 700", 1))
	code, body = f.call("PUT", "/api/v1/rooms/a/rules", "application/json", lowered, "If-Match", `"1"`)
	if code != 200 || !strings.Contains(body, `"version":2`) {
		t.Fatalf("put v2: %d %s", code, body)
	}
	f.observe(800)
	if got := f.cues(); len(got) != 2 || got[0] != "在线800人，上福利" {
		t.Fatalf("cues %v, want the next evaluation to fire at 800 under the new threshold", got)
	}
	// Another editor still on version 1 is refused.
	if code, body := f.call("PUT", "/api/v1/rooms/a/rules", "application/yaml", rulesPlanYAML, "If-Match", `"1"`); code != http.StatusConflict || !strings.Contains(body, "version 2") {
		t.Fatalf("stale edit: %d %s", code, body)
	}

	// Versions with their diff; rollback is a new version.
	code, body = f.call("GET", "/api/v1/rooms/a/rules/versions", "", "")
	var vs []rules.Version
	decodeJSONTest(t, []byte(body), &vs)
	if code != 200 || len(vs) != 2 || vs[0].Version != 2 || strings.Join(vs[0].Diff, ";") != "~ big-crowd: when" || vs[0].Author == "" {
		t.Fatalf("versions: %d %+v", code, vs)
	}
	code, body = f.call("POST", "/api/v1/rooms/a/rules/rollback", "application/json", `{"version":1}`)
	if code != 200 || !strings.Contains(body, `"version":3`) {
		t.Fatalf("rollback: %d %s", code, body)
	}
	code, body = f.call("GET", "/api/v1/rooms/a/rules", "", "", "Accept", "application/yaml")
	if code != 200 || !strings.Contains(body, "online >= 1000") || !strings.HasPrefix(body, "# the show's playbook") {
		t.Fatalf("rules as YAML after rollback: %d %s", code, body)
	}
	code, body = f.call("GET", "/api/v1/rooms/a/rules", "", "")
	if code != 200 || !strings.Contains(body, `"version":3`) || !strings.Contains(body, `"rule":"tier-500","state":"firing"`) {
		t.Fatalf("rules with states: %d %s", code, body)
	}
}

// TestRulesAPIPricingGiftsAndDryRun: the active tier for the storefront,
// gift winners as JSON and CSV, validation warnings, a dry run that
// changes nothing, and the templates.
func TestRulesAPIPricingGiftsAndDryRun(t *testing.T) {
	f := newRulesFixture(t)
	if code, body := f.call("PUT", "/api/v1/rooms/a/rules", "application/yaml", rulesPlanYAML); code != 200 {
		t.Fatalf("put: %d %s", code, body)
	}
	paid := func(id string) livedeck.OrderChange {
		return livedeck.OrderChange{OrderID: id, UserID: "u-" + id, SKU: "s1", Qty: 1, Amount: 100, To: livedeck.OrderPaid}
	}
	f.observe(600, paid("o1"), paid("o2"), paid("o1"), paid("o3"))
	code, body := f.call("GET", "/api/v1/rooms/a/pricing", "", "")
	if code != 200 || !strings.Contains(body, `"coupon":"满199减20"`) {
		t.Fatalf("pricing: %d %s", code, body)
	}
	code, body = f.call("GET", "/api/v1/rooms/a/gifts", "", "")
	var gifts []livedeck.Gift
	decodeJSONTest(t, []byte(body), &gifts)
	if code != 200 || len(gifts) != 2 || gifts[0].OrderID != "o1" || gifts[1].OrderID != "o2" || gifts[1].N != 2 {
		t.Fatalf("gifts: %d %s", code, body)
	}
	code, body = f.call("GET", "/api/v1/rooms/a/gifts?quota=free-sample&format=csv", "", "")
	if code != 200 || body != "quota,n,order_id,user_id,sku,status,refunded_at,replaces\nfree-sample,1,o1,u-o1,s1,won,,\nfree-sample,2,o2,u-o2,s1,won,,\n" {
		t.Fatalf("gifts csv: %d %q", code, body)
	}

	// Validate: a banned advertising word is a warning, not a refusal.
	code, body = f.call("POST", "/api/v1/rooms/a/rules/validate", "application/yaml",
		"rules:\n- {name: best, when: online > 1, actions: [{cue: {text: 全网最低价}}]}\n")
	if code != 200 || !strings.Contains(body, `"warning":true`) || !strings.Contains(body, "最") {
		t.Fatalf("validate: %d %s", code, body)
	}

	// Dry run against the live snapshot: an answer, and nothing written.
	before := len(f.history())
	snap, _ := json.Marshal(livedeck.Snapshot{Room: "a", Online: 1500})
	if err := f.rdb.Set(context.Background(), "ld:{a}:snapshot", snap, 0).Err(); err != nil {
		t.Fatal(err)
	}
	code, body = f.call("POST", "/api/v1/rooms/a/rules/dry-run", "application/yaml", rulesPlanYAML)
	if code != 200 || !strings.Contains(body, `"rule":"big-crowd","matched":true,"would_fire":true`) || !strings.Contains(body, "在线1500人，上福利") {
		t.Fatalf("dry run: %d %s", code, body)
	}
	if after := len(f.history()); after != before {
		t.Fatalf("dry run wrote %d signals", after-before)
	}
	if _, body := f.call("GET", "/api/v1/rooms/a/rules/versions", "", ""); strings.Count(body, `"version":`) != 1 {
		t.Fatalf("dry run saved a version: %s", body)
	}

	// Templates: the playbook as YAML, or one rule each as JSON.
	if code, body := f.call("GET", "/api/v1/rules/templates", "", ""); code != 200 || !strings.Contains(body, "满199减50") {
		t.Fatalf("templates: %d", code)
	}
	code, body = f.call("GET", "/api/v1/rules/templates", "", "", "Accept", "application/json")
	var tpl struct {
		Templates []rules.Template `json:"templates"`
	}
	decodeJSONTest(t, []byte(body), &tpl)
	if code != 200 || len(tpl.Templates) < 10 || tpl.Templates[0].YAML == "" {
		t.Fatalf("templates as JSON: %d %s", code, body)
	}
}

func yamlToJSON(t *testing.T, src string) string {
	t.Helper()
	rs, err := rules.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
