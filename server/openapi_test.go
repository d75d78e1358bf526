package server

import (
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/livedeck/livedeck/auth"
)

// pathParam is a path parameter in echo (:room, *) or OpenAPI ({room})
// form; routes are compared with every parameter written {}.
var pathParam = regexp.MustCompile(`:[A-Za-z_]+|\{[A-Za-z_]+\}|\*`)

func routeKey(method, path string) string {
	return method + " " + pathParam.ReplaceAllString(path, "{}")
}

// TestOpenAPIRoutes: every route registered in the server and every line
// of the policy table is an operation of docs/openapi.yaml and vice versa,
// and each operation's x-livedeck-roles says what the policy table does.
func TestOpenAPIRoutes(t *testing.T) {
	f := newAuthFixture(t, auth.Config{}, Config{})
	doc, _ := openAPI(t)

	inSpec := map[string]any{} // key → x-livedeck-roles
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			inSpec[routeKey(method, path)] = op.Extensions["x-livedeck-roles"]
		}
	}
	registered := map[string]bool{}
	for _, r := range f.srv.echo.Routes() {
		registered[routeKey(r.Method, r.Path)] = true
	}
	inPolicy := map[string]access{}
	for k, a := range policies {
		method, path, _ := strings.Cut(k, " ")
		inPolicy[routeKey(method, path)] = a
	}

	missing := func(what string, have map[string]bool, from string) {
		var out []string
		for k := range have {
			if _, ok := inSpec[k]; !ok {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		if len(out) > 0 {
			t.Errorf("%s not in docs/openapi.yaml (add each, in OpenAPI form {param}, with its x-livedeck-roles):\n  %s", what, strings.Join(out, "\n  "))
		}
		_ = from
	}
	policyKeys := map[string]bool{}
	for k := range inPolicy {
		policyKeys[k] = true
	}
	missing("routes registered in the server", registered, "echo")
	missing("routes of the policy table", policyKeys, "policy.go")

	var extra []string
	for k := range inSpec {
		if !registered[k] || !policyKeys[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("operations of docs/openapi.yaml the server does not register or the policy table does not list:\n  %s", strings.Join(extra, "\n  "))
	}

	for k, roles := range inSpec {
		a, ok := inPolicy[k]
		if !ok {
			continue
		}
		if got, want := specRoles(roles), policyRoles(a); got != want {
			t.Errorf("%s: x-livedeck-roles %s, the policy table says %s", k, got, want)
		}
	}
}

func specRoles(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var out []string
		for _, r := range v {
			s, _ := r.(string)
			out = append(out, s)
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	return "(none)"
}

func policyRoles(a access) string {
	if a.public {
		return "public"
	}
	var out []string
	for _, r := range a.roles {
		out = append(out, string(r))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// The description is served as it is in docs/, and it is one the
// validator accepts.
func TestOpenAPIServed(t *testing.T) {
	f := newAuthFixture(t, auth.Config{}, Config{})
	rec := f.do(request{method: http.MethodGet, path: "/api/openapi.yaml"})
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/yaml") {
		t.Fatalf("GET /api/openapi.yaml: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !strings.HasPrefix(rec.Body.String(), "openapi: 3.1") {
		t.Fatalf("not the OpenAPI 3.1 description: %.80s", rec.Body.String())
	}
}
