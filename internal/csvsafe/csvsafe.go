// Package csvsafe keeps CSV exports from running as spreadsheet formulas.
package csvsafe

import "strings"

// Cell keeps a spreadsheet from reading text as a formula: texts in an
// export may come from viewers or integrators, and a cell starting with
// = + - @ (or a tab or carriage return) runs as one when the CSV is opened.
// Such a cell is prefixed with an apostrophe, which spreadsheets show as
// text.
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
