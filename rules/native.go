package rules

import (
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// Most conditions only compare the room's numbers with constants, joined
// by and, or and not, or do so for each product or channel inside any,
// all or none over sku_list or channel_list. Such a condition runs as Go
// closures built from its checked syntax tree instead of in expr's VM,
// which boxes every number it loads (an allocation each) and finds the
// types of each comparison at run time: several times the cost of the
// comparison itself, evaluation after evaluation in every room. Anything
// else runs in the VM.
//
// The closures follow expr's rules (vm/runtime's Less, Equal, ...): two
// integers compare as integers, a comparison with a float as float64,
// strings as strings. None of these operations can fail, so no error is
// lost and the order in which and/or look at their sides does not
// matter. TestNativeMatchesVM and FuzzNativeCond hold them to the VM.

// nativeCond is p as closures; nil when p uses anything else.
func nativeCond(p *vm.Program) func(*Env) bool {
	if p == nil {
		return nil
	}
	f, ok := envScope.boolOf(p.Node())
	if !ok {
		return nil
	}
	return f
}

// scope is what an expression over a T (an Env, a product, a channel)
// may read.
type scope[T any] struct {
	fields map[string]operand[T]
	ident  bool                                        // fields are names (of the Env), else #.field of the item at hand, written .field
	lists  func(*ast.BuiltinNode) (func(T) bool, bool) // any, all and none; nil inside their predicates
}

var (
	envScope     = scope[*Env]{fields: envOperands, ident: true, lists: envOverLists}
	skuScope     = scope[*SKU]{fields: skuOperands}
	channelScope = scope[*Channel]{fields: channelOperands}
)

// operand reads one value of a T: an integer, a float or a string.
type operand[T any] struct {
	i func(T) int64
	f func(T) float64
	s func(T) string
}

// boolOf builds n, a boolean expression.
func (sc scope[T]) boolOf(n ast.Node) (func(T) bool, bool) {
	switch n := n.(type) {
	case *ast.BoolNode:
		v := n.Value
		return func(T) bool { return v }, true
	case *ast.UnaryNode:
		if n.Operator != "!" && n.Operator != "not" {
			return nil, false
		}
		f, ok := sc.boolOf(n.Node)
		if !ok {
			return nil, false
		}
		return func(x T) bool { return !f(x) }, true
	case *ast.BinaryNode:
		switch n.Operator {
		case "&&", "and", "||", "or":
			a, okA := sc.boolOf(n.Left)
			b, okB := sc.boolOf(n.Right)
			if !okA || !okB {
				return nil, false
			}
			if n.Operator == "&&" || n.Operator == "and" {
				return func(x T) bool { return a(x) && b(x) }, true
			}
			return func(x T) bool { return a(x) || b(x) }, true
		case "==", "!=", "<", "<=", ">", ">=":
			return sc.comparison(n)
		}
	case *ast.BuiltinNode:
		if sc.lists != nil {
			return sc.lists(n)
		}
	}
	return nil, false
}

// comparison builds a comparison of two operands.
func (sc scope[T]) comparison(n *ast.BinaryNode) (func(T) bool, bool) {
	a, okA := sc.operandOf(n.Left)
	b, okB := sc.operandOf(n.Right)
	if !okA || !okB {
		return nil, false
	}
	switch {
	case a.i != nil && b.i != nil:
		return compare(n.Operator, a.i, b.i), true
	case a.s != nil && b.s != nil:
		return compare(n.Operator, a.s, b.s), true
	case a.s == nil && b.s == nil: // numbers, one of them a float
		return compare(n.Operator, a.float(), b.float()), true
	}
	return nil, false
}

// operandOf is a constant or a field.
func (sc scope[T]) operandOf(n ast.Node) (operand[T], bool) {
	switch n := n.(type) {
	case *ast.IntegerNode:
		v := int64(n.Value)
		return operand[T]{i: func(T) int64 { return v }}, true
	case *ast.FloatNode:
		v := n.Value
		return operand[T]{f: func(T) float64 { return v }}, true
	case *ast.StringNode:
		v := n.Value
		return operand[T]{s: func(T) string { return v }}, true
	case *ast.IdentifierNode:
		if sc.ident {
			o, ok := sc.fields[n.Value]
			return o, ok
		}
	case *ast.MemberNode:
		p, ok := n.Node.(*ast.PointerNode)
		prop, named := n.Property.(*ast.StringNode)
		if ok && named && !sc.ident && p.Name == "" && !n.Optional && !n.Method {
			o, ok := sc.fields[prop.Value]
			return o, ok
		}
	}
	return operand[T]{}, false
}

// float reads the operand as float64, as expr does with an integer
// compared with a float.
func (o operand[T]) float() func(T) float64 {
	if o.f != nil {
		return o.f
	}
	i := o.i
	return func(x T) float64 { return float64(i(x)) }
}

func compare[T any, V int64 | float64 | string](op string, a, b func(T) V) func(T) bool {
	switch op {
	case "==":
		return func(x T) bool { return a(x) == b(x) }
	case "!=":
		return func(x T) bool { return a(x) != b(x) }
	case "<":
		return func(x T) bool { return a(x) < b(x) }
	case "<=":
		return func(x T) bool { return a(x) <= b(x) }
	case ">":
		return func(x T) bool { return a(x) > b(x) }
	default: // ">="
		return func(x T) bool { return a(x) >= b(x) }
	}
}

// envOverLists builds any, all and none over sku_list and channel_list
// with a predicate on the item.
func envOverLists(n *ast.BuiltinNode) (func(*Env) bool, bool) {
	if n.Map != nil || n.Threshold != nil || len(n.Arguments) != 2 {
		return nil, false
	}
	list, ok := n.Arguments[0].(*ast.IdentifierNode)
	if !ok {
		return nil, false
	}
	pred, ok := n.Arguments[1].(*ast.PredicateNode)
	if !ok {
		return nil, false
	}
	switch list.Value {
	case "sku_list":
		if f, ok := skuScope.boolOf(pred.Node); ok {
			return overList(n.Name, func(e *Env) []*SKU { return e.SKUList }, f)
		}
	case "channel_list":
		if f, ok := channelScope.boolOf(pred.Node); ok {
			return overList(n.Name, func(e *Env) []*Channel { return e.ChannelList }, f)
		}
	}
	return nil, false
}

// overList is any, all or none over a list, as expr's builtins do them:
// the first item whose predicate is stop decides the result.
func overList[I any](name string, list func(*Env) []I, f func(I) bool) (func(*Env) bool, bool) {
	var stop, result bool
	switch name {
	case "any":
		stop, result = true, true
	case "all":
		stop, result = false, false
	case "none":
		stop, result = true, false
	default:
		return nil, false
	}
	return func(e *Env) bool {
		for _, x := range list(e) {
			if f(x) == stop {
				return result
			}
		}
		return !result
	}, true
}
