package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/livedeck/livedeck/auth"
)

// TestRuleSecretNotShownToOperators: a webhook secret pasted into a rule
// set is refused with the rule and its line, so what an operator reads of
// the rules (current set, YAML, versions) never holds a secret's value.
func TestRuleSecretNotShownToOperators(t *testing.T) {
	f := newRulesFixture(t)
	const literal = "s3cret-literal-value-0123"
	src := "rules:\n  - name: shop\n    when: online >= 500\n    actions:\n      - webhook: {url: \"https://93.184.216.34/hook\", secret: \"" + literal + "\"}\n"
	code, body := f.call("PUT", "/api/v1/rooms/a/rules", "application/yaml", src)
	if code != http.StatusUnprocessableEntity {
		t.Errorf("a rule set holding a secret: %d %s, want 422", code, body)
	}
	var res struct {
		Problems []struct {
			Rule   string `json:"rule"`
			Field  string `json:"field"`
			Source int    `json:"source_line"`
		} `json:"problems"`
	}
	_ = json.Unmarshal([]byte(body), &res)
	if len(res.Problems) == 0 || res.Problems[0].Rule != "shop" || res.Problems[0].Source != 5 || res.Problems[0].Field != "actions[0].webhook.secret" {
		t.Errorf("problems %+v: want rule shop, line 5, the secret's field", res.Problems)
	}
	operator := bearer(f.token(t, auth.Operator, "a"))
	for _, p := range []string{"/api/v1/rooms/a/rules", "/api/v1/rooms/a/rules?format=yaml", "/api/v1/rooms/a/rules/versions"} {
		rec := f.do(request{method: "GET", path: p, header: operator})
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), literal) {
			t.Errorf("operator GET %s: %d, shows the secret: %v", p, rec.Code, strings.Contains(rec.Body.String(), literal))
		}
	}
}

// TestRuleSecretsAPI: admins of every room create, list, rotate and delete
// named secrets; no answer carries a value; each change is audited; a
// rule names the secret and operators see only the name.
func TestRuleSecretsAPI(t *testing.T) {
	f := newRulesFixture(t)
	const v1, v2 = "first-shop-hook-value-0123", "second-shop-hook-value-4567"
	admin := jsonHeader(bearer(f.admin))
	steps := []struct {
		name, method, path, body string
		header                   http.Header
		want                     int
	}{
		{"create", "POST", "/api/v1/rule-secrets", `{"name":"shop-hook","value":"` + v1 + `"}`, admin, http.StatusCreated},
		{"create again", "POST", "/api/v1/rule-secrets", `{"name":"shop-hook","value":"` + v2 + `"}`, admin, http.StatusConflict},
		{"short value", "POST", "/api/v1/rule-secrets", `{"name":"short","value":"abc"}`, admin, http.StatusBadRequest},
		{"list", "GET", "/api/v1/rule-secrets", "", admin, http.StatusOK},
		{"rotate", "PUT", "/api/v1/rule-secrets/shop-hook", `{"value":"` + v2 + `"}`, admin, http.StatusOK},
		{"rotate missing", "PUT", "/api/v1/rule-secrets/nope", `{"value":"` + v2 + `"}`, admin, http.StatusNotFound},
		{"admin of room a", "GET", "/api/v1/rule-secrets", "", jsonHeader(bearer(f.token(t, auth.Admin, "a"))), http.StatusForbidden},
		{"producer", "POST", "/api/v1/rule-secrets", `{"name":"p-hook","value":"` + v1 + `"}`, jsonHeader(bearer(f.token(t, auth.Producer, "*"))), http.StatusForbidden},
	}
	for _, s := range steps {
		rec := f.do(request{method: s.method, path: s.path, body: s.body, header: s.header})
		if rec.Code != s.want {
			t.Errorf("%s: %d %s, want %d", s.name, rec.Code, rec.Body, s.want)
		}
		if b := rec.Body.String(); strings.Contains(b, v1) || strings.Contains(b, v2) {
			t.Errorf("%s answers a secret value: %s", s.name, b)
		}
	}
	src := "rules:\n  - name: shop\n    when: online >= 500\n    actions:\n      - webhook: {url: \"https://93.184.216.34/hook\", secret: shop-hook}\n"
	if code, body := f.call("PUT", "/api/v1/rooms/a/rules", "application/yaml", src); code != http.StatusOK {
		t.Fatalf("a rule naming the secret: %d %s", code, body)
	}
	rec := f.do(request{method: "GET", path: "/api/v1/rooms/a/rules", header: bearer(f.token(t, auth.Operator, "a"))})
	if !strings.Contains(rec.Body.String(), "shop-hook") || strings.Contains(rec.Body.String(), v2) {
		t.Errorf("operator GET rules: %s", rec.Body)
	}
	if rec := f.do(request{method: "DELETE", path: "/api/v1/rule-secrets/shop-hook", header: admin}); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d %s", rec.Code, rec.Body)
	}
	audit := f.do(request{method: "GET", path: "/api/v1/audit", header: admin}).Body.String()
	for _, act := range []string{"rule_secret.create", "rule_secret.rotate", "rule_secret.delete"} {
		if !strings.Contains(audit, `"action":"`+act+`"`) {
			t.Errorf("audit log lacks %s", act)
		}
	}
	if strings.Contains(audit, v1) || strings.Contains(audit, v2) {
		t.Error("the audit log holds a secret value")
	}
}
