package connector

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/livedeck/livedeck"
)

// Limits of a mapping. With them an expression's work grows at most in
// step with the message it reads: closures may not nest, reduce, repeat
// and replace (which can grow a string without bound) are not available,
// and expr's memory budget bounds ranges and built arrays.
const (
	mappingMaxRules     = 64
	mappingMaxExprBytes = 2000
	mappingMaxNodes     = 300
	mappingMemory       = 100_000 // expr VM memory budget per evaluation
)

// mappingEnv is what an expression sees.
type mappingEnv struct {
	Msg      any               `expr:"msg"`      // the message, decoded JSON
	Header   map[string]string `expr:"header"`   // the delivery's headers, canonical names
	Source   string            `expr:"source"`   // the connector's source name
	Currency string            `expr:"currency"` // the settings' currency (the room's when unset)
}

// mappingFields are the LiveDeck fields a rule may set, by event type, and
// which of them it must set. ts may always be set; it defaults to the
// delivery's arrival.
var mappingFields = map[livedeck.EventType]struct{ allowed, required []string }{
	livedeck.EventViewers:         {[]string{"online"}, []string{"online"}},
	livedeck.EventEnter:           {[]string{"user_id"}, []string{"user_id"}},
	livedeck.EventLeave:           {[]string{"user_id"}, []string{"user_id"}},
	livedeck.EventFollow:          {[]string{"user_id"}, []string{"user_id"}},
	livedeck.EventShare:           {[]string{"user_id"}, []string{"user_id"}},
	livedeck.EventComment:         {[]string{"user_id", "nickname", "text"}, []string{"user_id", "text"}},
	livedeck.EventLike:            {[]string{"user_id", "count"}, nil},
	livedeck.EventGift:            {[]string{"user_id", "gift", "value"}, []string{"user_id", "gift", "value"}},
	livedeck.EventProductExposure: {[]string{"user_id", "sku"}, []string{"sku"}},
	livedeck.EventProductClick:    {[]string{"user_id", "sku"}, []string{"sku"}},
	livedeck.EventOrder:           {[]string{"user_id", "order_id", "sku", "qty", "amount", "status", "channel"}, []string{"user_id", "order_id", "sku", "qty", "amount", "status"}},
	livedeck.EventCartAdd:         {[]string{"user_id", "sku", "qty"}, []string{"user_id", "sku"}},
	livedeck.EventAdSpend:         {[]string{"channel", "campaign", "period", "amount"}, []string{"channel", "amount"}},
}

// compiledMapping is a MappingSpec ready to run.
type compiledMapping struct {
	messages, id, kind *vm.Program // messages and kind may be nil
	rules              []compiledRule
}

type compiledRule struct {
	when   *vm.Program // nil matches every message
	typ    livedeck.EventType
	fields []compiledField // by name, sorted
}

type compiledField struct {
	name string
	prog *vm.Program
}

// compiledCache keeps recently used mappings compiled, by the hash of
// their JSON, so a delivery does not pay for compilation.
var compiledCache, _ = lru.New[[32]byte, *compiledMapping](256)

// compiledFor returns the compiled form of spec, compiling it on first use.
func compiledFor(spec *MappingSpec) (*compiledMapping, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	key := sha256.Sum256(b)
	if cm, ok := compiledCache.Get(key); ok {
		return cm, nil
	}
	cm, ps := compileMapping(spec)
	if len(ps) > 0 {
		return nil, fmt.Errorf("mapping is invalid: %w", ps)
	}
	compiledCache.Add(key, cm)
	return cm, nil
}

// compileMapping checks and compiles a spec, reporting every problem
// located by its path in the settings.
func compileMapping(spec *MappingSpec) (*compiledMapping, Problems) {
	var ps Problems
	cm := &compiledMapping{}
	if spec.Messages != "" {
		cm.messages = compileExpr(&ps, "mapping.messages", spec.Messages)
	}
	if strings.TrimSpace(spec.ID) == "" {
		ps.add("mapping.id", 0, "required: an expression giving each message's own id (e.g. msg.id), so redeliveries count once")
	} else {
		cm.id = compileExpr(&ps, "mapping.id", spec.ID)
	}
	if spec.Kind != "" {
		cm.kind = compileExpr(&ps, "mapping.kind", spec.Kind)
	}
	switch {
	case len(spec.Rules) == 0:
		ps.add("mapping.rules", 0, "at least one rule: {\"when\": …, \"type\": …, \"fields\": {…}}")
	case len(spec.Rules) > mappingMaxRules:
		ps.add("mapping.rules", 0, "at most %d rules", mappingMaxRules)
	}
	for i, r := range spec.Rules {
		if i >= mappingMaxRules {
			break
		}
		cm.rules = append(cm.rules, compileRule(&ps, fmt.Sprintf("mapping.rules[%d]", i), r))
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return cm, nil
}

func compileRule(ps *Problems, path string, r MappingRule) compiledRule {
	cr := compiledRule{typ: livedeck.EventType(r.Type)}
	if strings.TrimSpace(r.When) != "" {
		cr.when = compileExpr(ps, path+".when", r.When, expr.AsBool())
	}
	fields, known := mappingFields[cr.typ]
	if !known {
		types := make([]string, 0, len(livedeck.PublicEventTypes))
		for _, t := range livedeck.PublicEventTypes {
			types = append(types, string(t))
		}
		ps.add(path+".type", 0, "unknown event type %q: want one of %s", r.Type, strings.Join(types, ", "))
		return cr
	}
	for _, name := range slices.Sorted(maps.Keys(r.Fields)) {
		if name != "ts" && !slices.Contains(fields.allowed, name) {
			ps.add(path+".fields."+name, 0, "%s events have no field %q (they take ts, %s)", r.Type, name, strings.Join(fields.allowed, ", "))
			continue
		}
		cr.fields = append(cr.fields, compiledField{name: name, prog: compileExpr(ps, path+".fields."+name, r.Fields[name])})
	}
	for _, name := range fields.required {
		if _, ok := r.Fields[name]; !ok {
			ps.add(path+".fields", 0, "%s events need field %q", r.Type, name)
		}
	}
	return cr
}

// compileExpr compiles one expression, adding its problems at path.
func compileExpr(ps *Problems, path, src string, opts ...expr.Option) *vm.Program {
	if len(src) > mappingMaxExprBytes {
		ps.add(path, 0, "longer than %d bytes", mappingMaxExprBytes)
		return nil
	}
	if strings.TrimSpace(src) == "" {
		ps.add(path, 0, "empty expression")
		return nil
	}
	if col, msg := nestedClosure(src); msg != "" {
		ps.add(path, col, "%s", msg)
		return nil
	}
	prog, err := expr.Compile(src, append(mappingOptions(), opts...)...)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			ps.add(path, fe.Column+1, "%s", fe.Message)
		} else {
			ps.add(path, 0, "%v", err)
		}
		return nil
	}
	return prog
}

// mappingOptions are the expr options of every mapping expression.
func mappingOptions() []expr.Option {
	return []expr.Option{
		expr.Env(mappingEnv{}),
		expr.MaxNodes(mappingMaxNodes),
		expr.DisableBuiltin("reduce"),
		expr.DisableBuiltin("repeat"),
		expr.DisableBuiltin("replace"),
		expr.DisableBuiltin("now"), // a mapping must give the same events on a redelivery
		expr.Function("minor", func(p ...any) (any, error) {
			cur, _ := p[1].(string)
			return minorOf(p[0], cur)
		}, new(func(any, string) int64)),
		expr.Function("fen", func(p ...any) (any, error) { return wholeOf(p[0]) }, new(func(any) int64)),
		expr.Function("cents", func(p ...any) (any, error) { return wholeOf(p[0]) }, new(func(any) int64)),
	}
}

// nestedClosure finds a closure inside another closure's body (map inside
// filter, …), whose work would grow with the square of a message.
func nestedClosure(src string) (column int, msg string) {
	tree, err := parser.Parse(src)
	if err != nil {
		return 0, "" // the compiler reports it, located
	}
	var preds []*ast.PredicateNode
	ast.Walk(&tree.Node, visit(func(n ast.Node) {
		if p, ok := n.(*ast.PredicateNode); ok {
			preds = append(preds, p)
		}
	}))
	for _, p := range preds {
		var inner ast.Node
		ast.Walk(&p.Node, visit(func(n ast.Node) {
			if _, ok := n.(*ast.PredicateNode); ok && inner == nil {
				inner = n
			}
		}))
		if inner != nil {
			return inner.Location().From + 1, "closures may not nest (a map/filter/all/… inside another's body): work on one list at a time"
		}
	}
	return 0, ""
}

// visit adapts a function to ast.Visitor.
type visit func(ast.Node)

func (f visit) Visit(n *ast.Node) { f(*n) }
