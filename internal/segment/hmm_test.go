package segment_test

import (
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/go-ego/gse/hmm"

	"github.com/livedeck/livedeck/internal/segment"
	"github.com/livedeck/livedeck/internal/segment/segmenttest"
)

// gseState is the index of each of gse's state names in segment's tables.
var gseState = map[byte]int{'B': 0, 'M': 1, 'E': 2, 'S': 3}

// gseHMM reads gse's HMM model from the source of its hmm package, with
// the compiler's arithmetic (go/constant): the tables are unexported. It
// returns the model and the states each state may follow.
func gseHMM(t *testing.T) (segment.HMM, map[byte][]byte) {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/go-ego/gse/hmm").Output()
	if err != nil {
		t.Fatalf("go list gse/hmm: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("gse/hmm source: %v", err)
	}
	num := func(e ast.Expr) float64 {
		var v constant.Value
		switch e := e.(type) {
		case *ast.BasicLit:
			v = constant.MakeFromLiteral(e.Value, e.Kind, 0)
		case *ast.UnaryExpr:
			if lit, ok := e.X.(*ast.BasicLit); ok && e.Op == token.SUB {
				v = constant.UnaryOp(token.SUB, constant.MakeFromLiteral(lit.Value, lit.Kind, 0), 0)
			}
		}
		if v == nil || v.Kind() == constant.Unknown {
			t.Fatalf("gse/hmm: %T is not a number", e)
		}
		f, _ := constant.Float64Val(v)
		return f
	}
	char := func(e ast.Expr) rune {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.CHAR {
			t.Fatalf("gse/hmm: %T is not a character", e)
		}
		c, _ := constant.Int64Val(constant.MakeFromLiteral(lit.Value, token.CHAR, 0))
		return rune(c)
	}
	pairs := func(e ast.Expr, each func(k, v ast.Expr)) {
		lit, ok := e.(*ast.CompositeLit)
		if !ok {
			t.Fatalf("gse/hmm: %T is not a composite literal", e)
		}
		for _, el := range lit.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				each(kv.Key, kv.Value)
			} else {
				each(nil, el)
			}
		}
	}
	var m segment.HMM
	floor := false
	start := map[byte]float64{}
	trans := map[byte]map[byte]float64{}
	emit := map[byte]map[rune]float64{}
	prev := map[byte][]byte{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if len(n.Names) == 1 && n.Names[0].Name == "minFloat" {
					m.Floor, floor = num(n.Values[0]), true
				}
			case *ast.AssignStmt:
				ix, ok := n.Lhs[0].(*ast.IndexExpr)
				if !ok || len(n.Lhs) != 1 {
					return true
				}
				id, ok := ix.X.(*ast.Ident)
				if !ok || !slices.Contains([]string{"probStart", "prevStatus", "probTrans", "probEmit"}, id.Name) {
					return true
				}
				y := byte(char(ix.Index))
				if _, lit := n.Rhs[0].(*ast.CompositeLit); !lit && id.Name != "probStart" {
					return true // LoadModel's own tables, given as arguments
				}
				switch id.Name {
				case "probStart":
					start[y] = num(n.Rhs[0])
				case "prevStatus":
					pairs(n.Rhs[0], func(_, v ast.Expr) { prev[y] = append(prev[y], byte(char(v))) })
				case "probTrans":
					trans[y] = map[byte]float64{}
					pairs(n.Rhs[0], func(k, v ast.Expr) { trans[y][byte(char(k))] = num(v) })
				case "probEmit":
					emit[y] = map[rune]float64{}
					pairs(n.Rhs[0], func(k, v ast.Expr) { emit[y][char(k)] = num(v) })
				}
			}
			return true
		})
	}
	if !floor || len(start) != 4 || len(trans) != 4 || len(emit) != 4 || len(prev) != 4 {
		t.Fatalf("gse/hmm: minFloat %v, %d start, %d trans, %d emit and %d prev tables; want 4 each",
			floor, len(start), len(trans), len(emit), len(prev))
	}
	m.Emit = map[rune][4]float64{}
	for name, y := range gseState {
		m.Start[y] = start[name]
		for name0, y0 := range gseState {
			m.Trans[y0][y] = m.Floor
			if p, ok := trans[name0][name]; ok {
				m.Trans[y0][y] = p
			}
		}
		for c := range emit[name] {
			if _, ok := m.Emit[c]; !ok {
				m.Emit[c] = [4]float64{m.Floor, m.Floor, m.Floor, m.Floor}
			}
		}
	}
	for c, e := range m.Emit {
		for name, y := range gseState {
			if p, ok := emit[name][c]; ok {
				e[y] = p
			}
		}
		m.Emit[c] = e
	}
	return m, prev
}

// TestHMMFile checks that the built-in HMM is gse's model, and that the
// Viterbi lets a state follow the states gse does, in gse's order (its
// ties go to the greater state name); -update rebuilds hmm.model.
func TestHMMFile(t *testing.T) {
	m, prev := gseHMM(t)
	enc := segment.EncodeHMM(m)
	if *update {
		if err := os.WriteFile("hmm.model", []byte(enc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("hmm.model: %d characters, %d bytes", len(m.Emit), len(enc))
		return
	}
	if enc != segment.HMMData {
		t.Fatalf("hmm.model (%d bytes) is not gse's model (%d bytes): go test ./internal/segment -run TestHMMFile -update", len(segment.HMMData), len(enc))
	}
	ours, names := segment.HMMPrev()
	for name, y := range gseState {
		if names[y] != name {
			t.Errorf("state %d is named %c; gse's %c", y, names[y], name)
		}
		want := prev[name]
		if len(want) != 2 || names[ours[y][0]] != want[0] || names[ours[y][1]] != want[1] {
			t.Errorf("%c follows %c and %c; in gse %q", name, names[ours[y][0]], names[ours[y][1]], want)
		}
	}
}

// hanChars returns the characters of gse's HMM model and Han characters it
// lacks: extension A and B, 〇.
func hanChars(t *testing.T) (known, unknown []rune) {
	m, _ := gseHMM(t)
	for c := range m.Emit {
		if unicode.Is(unicode.Han, c) {
			known = append(known, c)
		}
	}
	slices.Sort(known)
	for _, c := range []rune{0x3007, 0x3400, 0x4DB5, 0x9FA6, 0x9FFF, 0x20000, 0x2A6D6} {
		if _, ok := m.Emit[c]; !ok && unicode.Is(unicode.Han, c) {
			unknown = append(unknown, c)
		}
	}
	for c := rune(0x3400); c < 0x4DB5; c += 97 {
		unknown = append(unknown, c)
	}
	return known, unknown
}

// TestHMMSameAsGse cuts every character of the model alone, and thousands
// of random runs of known and unknown characters (ties between states are
// common among unknown ones), with the built-in HMM and with gse's.
func TestHMMSameAsGse(t *testing.T) {
	segmenttest.LoadHMM()
	known, unknown := hanChars(t)
	var runs []string
	for _, c := range known {
		runs = append(runs, string(c))
	}
	for _, c := range unknown {
		runs = append(runs, string(c))
	}
	rng := rand.New(rand.NewPCG(23, 31))
	for range 30000 {
		r := make([]rune, 1+rng.IntN([]int{2, 4, 8, 100}[rng.IntN(4)]))
		unknownShare := rng.IntN(4) // in quarters: all known to mostly unknown
		for i := range r {
			if rng.IntN(4) < unknownShare {
				r[i] = unknown[rng.IntN(len(unknown))]
			} else {
				r[i] = known[rng.IntN(len(known))]
			}
		}
		runs = append(runs, string(r))
	}
	diff := 0
	for _, r := range runs {
		if got, want := segment.HMMCut(r), hmm.Cut(r); !slices.Equal(got, want) {
			if diff++; diff <= 10 {
				t.Errorf("HMMCut(%q) = %q; gse gives %q", r, got, want)
			}
		}
	}
	if diff > 0 {
		t.Fatalf("%d of %d runs differ", diff, len(runs))
	}
}

// FuzzHMMSameAsGse cuts the Han runs of any text with the built-in HMM and
// with gse's.
func FuzzHMMSameAsGse(f *testing.F) {
	segmenttest.LoadHMM()
	for _, s := range []string{"次问", "的口", "一米六五", "龘𠀀想要", "〇〇〇", "能穿吗"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range hanRuns(s) {
			if got, want := segment.HMMCut(r), hmm.Cut(r); !slices.Equal(got, want) {
				t.Fatalf("HMMCut(%q) = %q; gse gives %q", r, got, want)
			}
		}
	})
}
