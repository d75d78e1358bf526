package rules

import (
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// allFields is the dependency of a condition that must run every
// evaluation: one that reads the clock (now(), date(...)), or the whole
// environment ($env), or uses something this file does not know.
const allFields = ^uint64(0)

// pureFuncs are expr's built-in functions whose result depends on their
// arguments alone. Not here: now, date and timezone, which read the
// clock (date("now")) or the zone database.
var pureFuncs = map[string]bool{
	"all": true, "none": true, "any": true, "one": true, "filter": true, "map": true, "find": true,
	"findIndex": true, "findLast": true, "findLastIndex": true, "count": true, "sum": true,
	"groupBy": true, "sortBy": true, "reduce": true, "len": true, "type": true, "abs": true,
	"ceil": true, "floor": true, "round": true, "int": true, "float": true, "string": true,
	"trim": true, "trimPrefix": true, "trimSuffix": true, "upper": true, "lower": true,
	"split": true, "splitAfter": true, "replace": true, "repeat": true, "join": true,
	"indexOf": true, "lastIndexOf": true, "hasPrefix": true, "hasSuffix": true, "max": true,
	"min": true, "mean": true, "median": true, "toJSON": true, "fromJSON": true,
	"toBase64": true, "fromBase64": true, "duration": true, "first": true, "last": true,
	"get": true, "take": true, "keys": true, "values": true, "toPairs": true, "fromPairs": true,
	"reverse": true, "uniq": true, "concat": true, "flatten": true, "sort": true, "bitnot": true,
	"bitand": true, "bitor": true, "bitxor": true, "bitnand": true, "bitshl": true,
	"bitshr": true, "bitushr": true,
}

// dependsOn is the set of Env fields (bits of envFields) a compiled
// condition reads. A condition is a pure function of them: while none of
// them changes, it gives the same result (or error) again.
func dependsOn(p *vm.Program) (deps uint64) {
	if p == nil {
		return 0
	}
	defer func() {
		if recover() != nil { // a node type ast.Walk does not know
			deps = allFields
		}
	}()
	v := &depVisitor{}
	n := p.Node()
	ast.Walk(&n, v)
	return v.deps
}

type depVisitor struct{ deps uint64 }

func (v *depVisitor) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if n.Value == "$env" {
			v.deps = allFields
		}
		v.deps |= envFields[n.Value] // other names are variables (let) or functions
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); !ok || !pureFuncs[id.Value] {
			v.deps = allFields
		}
	case *ast.BuiltinNode:
		if !pureFuncs[n.Name] {
			v.deps = allFields
		}
		if n.Map != nil { // folded in by the optimizer; ast.Walk does not visit it
			ast.Walk(&n.Map, v)
		}
	}
}
