package console

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The console's message catalogue (src/messages/en.ts and zh.ts) against
// the codes the server sends: every application error code (the E*
// constants of error.go) needs "error.<code>" and every rule problem code
// (Problem.Code in rules/) "problem.<code>", in both languages; and both
// languages hold the same keys. A code added on the server without its
// messages fails here.

// catalogueKey matches one entry of a messages file: `  'kpi.gmv': '…',`.
var catalogueKey = regexp.MustCompile(`(?m)^\s*'([^']+)':`)

func catalogue(t *testing.T, lang string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("src", "messages", lang+".ts"))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range catalogueKey.FindAllSubmatch(b, -1) {
		keys = append(keys, string(m[1]))
	}
	if len(keys) < 100 {
		t.Fatalf("%s.ts: only %d keys read; has the file's layout changed?", lang, len(keys))
	}
	return keys
}

// errorCodes are the values of the package livedeck constants named E… in
// ../error.go.
func errorCodes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "error.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, n := range v.Names {
				if !regexp.MustCompile(`^E[A-Z]+$`).MatchString(n.Name) || i >= len(v.Values) {
					continue
				}
				if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					codes = append(codes, s)
				}
			}
		}
	}
	return codes
}

// problemCodes are the rule problem codes written in ../rules: string
// literals given as `Code: "…"` in a composite literal, or as the argument
// of a helper's parameter named code (band.go's bad(field, code, …)).
func problemCodes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "rules", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	lit := func(e ast.Expr) {
		if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
			if s, _ := strconv.Unquote(b.Value); s != "" { // "": a problem without a code
				seen[s] = true
			}
		}
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Helpers of this file with a parameter named code: name → its position.
		helpers := map[string]int{}
		ast.Inspect(f, func(n ast.Node) bool {
			var name string
			var ft *ast.FuncType
			switch x := n.(type) {
			case *ast.FuncDecl:
				name, ft = x.Name.Name, x.Type
			case *ast.AssignStmt:
				if id, ok := x.Lhs[0].(*ast.Ident); ok && len(x.Rhs) == 1 {
					if fl, ok := x.Rhs[0].(*ast.FuncLit); ok {
						name, ft = id.Name, fl.Type
					}
				}
			}
			if ft != nil {
				i := 0
				for _, field := range ft.Params.List {
					for _, pn := range field.Names {
						if pn.Name == "code" {
							helpers[name] = i
						}
						i++
					}
				}
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Code" {
					lit(x.Value)
				}
			case *ast.CallExpr:
				if fn, ok := x.Fun.(*ast.Ident); ok {
					if i, ok := helpers[fn.Name]; ok && i < len(x.Args) {
						lit(x.Args[i])
					}
				}
			}
			return true
		})
	}
	codes := make([]string, 0, len(seen))
	for c := range seen {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// missing lists the codes without a prefix+code key in keys.
func missing(prefix string, codes, keys []string) []string {
	var out []string
	for _, c := range codes {
		if !slices.Contains(keys, prefix+c) {
			out = append(out, prefix+c)
		}
	}
	return out
}

func TestMissingFindsCodesWithoutMessage(t *testing.T) {
	cases := []struct {
		name  string
		codes []string
		keys  []string
		want  []string
	}{
		{"all present", []string{"invalid", "conflict"}, []string{"error.invalid", "error.conflict", "x"}, nil},
		{"one lacks", []string{"invalid", "gone"}, []string{"error.invalid"}, []string{"error.gone"}},
		{"other prefix does not count", []string{"invalid"}, []string{"problem.invalid"}, []string{"error.invalid"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := missing("error.", tc.codes, tc.keys); !slices.Equal(got, tc.want) {
				t.Fatalf("missing = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCatalogueCoversServerCodes(t *testing.T) {
	errs, probs := errorCodes(t), problemCodes(t)
	if len(errs) < 9 || !slices.Contains(errs, "invalid") || !slices.Contains(errs, "forbidden") {
		t.Fatalf("error codes read from error.go: %v", errs)
	}
	if len(probs) < 5 || !slices.Contains(probs, "band_flaps") || !slices.Contains(probs, "banned_term") {
		t.Fatalf("problem codes read from rules/: %v", probs)
	}
	en, zh := catalogue(t, "en"), catalogue(t, "zh")
	for _, c := range []struct {
		lang string
		keys []string
	}{{"en", en}, {"zh", zh}} {
		if m := append(missing("error.", errs, c.keys), missing("problem.", probs, c.keys)...); len(m) > 0 {
			t.Errorf("%s.ts has no message for server codes %v", c.lang, m)
		}
	}
	if m := missing("", en, zh); len(m) > 0 {
		t.Errorf("zh.ts lacks keys of en.ts: %v", m)
	}
	if m := missing("", zh, en); len(m) > 0 {
		t.Errorf("en.ts lacks keys of zh.ts: %v", m)
	}
	t.Logf("%d keys in each language; error codes %v; problem codes %v", len(en), errs, probs)
}
