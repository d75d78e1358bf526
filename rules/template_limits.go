package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
)

// Cue and alert texts are text/template, limited to what a cue needs:
// fields, if/with and formatting. Without loops or template calls a text
// runs in time linear in its length, and these limits bound the rest.
const (
	maxTextOutput = 4 << 10 // bytes a rendered text may have
	maxPrintfSize = 64      // largest width or precision in a printf verb
)

// textFuncs replace the built-ins that could allocate without bound.
var textFuncs = template.FuncMap{"printf": boundedPrintf, "pct": pct}

// parseText parses a cue or alert text and refuses what it may not do,
// naming where.
func parseText(name, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(textFuncs).Parse(text)
	if err != nil {
		return nil, err
	}
	if len(t.Templates()) > 1 {
		return nil, errors.New("{{define}} is not allowed in cue texts")
	}
	if err := checkNodes(t, t.Tree.Root); err != nil {
		return nil, err
	}
	return t, nil
}

func checkNodes(t *template.Template, n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkNodes(t, c); err != nil {
				return err
			}
		}
	case *parse.RangeNode:
		return refuse(t, n, "{{range}}: loops are not allowed in cue texts (fields, if/with and printf are)")
	case *parse.TemplateNode:
		return refuse(t, n, "{{template}}: calling templates is not allowed in cue texts")
	case *parse.IfNode:
		return checkBranch(t, n.List, n.ElseList)
	case *parse.WithNode:
		return checkBranch(t, n.List, n.ElseList)
	}
	return nil
}

func checkBranch(t *template.Template, list, elseList *parse.ListNode) error {
	if err := checkNodes(t, list); err != nil {
		return err
	}
	return checkNodes(t, elseList)
}

func refuse(t *template.Template, n parse.Node, msg string) error {
	loc, _ := t.ErrorContext(n)
	return fmt.Errorf("%s: %s", loc, msg)
}

// boundedPrintf is fmt.Sprintf refusing widths and precisions that would
// build a huge string ("%01000000000d").
func boundedPrintf(format string, args ...any) (string, error) {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0", format[j]) >= 0 {
			j++
		}
		for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '.' || format[j] == '*' || format[j] == '[' || format[j] == ']') {
			if format[j] == '*' || format[j] == '[' {
				return "", errors.New("printf: '*' and argument indexes are not allowed in cue texts")
			}
			j++
		}
		for _, num := range strings.Split(format[i+1:j], ".") {
			num = strings.TrimLeft(num, "+-# 0")
			if n, err := strconv.Atoi(num); num != "" && (err != nil || n > maxPrintfSize) {
				return "", fmt.Errorf("printf: width or precision above %d in %q", maxPrintfSize, format)
			}
		}
		i = j
	}
	return fmt.Sprintf(format, args...), nil
}

// boundedWriter keeps at most maxTextOutput bytes and then fails, which
// stops the template.
type boundedWriter struct{ b strings.Builder }

var errTextTooLong = fmt.Errorf("the text renders to more than %d bytes", maxTextOutput)

func (w *boundedWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > maxTextOutput {
		return 0, errTextTooLong
	}
	return w.b.Write(p)
}
