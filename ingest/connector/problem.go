package connector

import (
	"fmt"
	"strings"
)

// Problem is one fault in a connector's settings, located well enough to
// fix: the path of the setting (mapping.rules[0].fields.amount) and, for
// an expression, the column within it.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	Column  int    `json:"column,omitempty"` // 1-based, within the expression at Path
}

func (p Problem) String() string {
	if p.Column > 0 {
		return fmt.Sprintf("%s (column %d): %s", p.Path, p.Column, p.Message)
	}
	return p.Path + ": " + p.Message
}

// Problems are every fault found in one set of settings. As an error it
// names them all.
type Problems []Problem

func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

func (ps *Problems) add(path string, column int, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Column: column, Message: fmt.Sprintf(format, args...)})
}
