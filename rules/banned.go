package rules

import (
	_ "embed"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

//go:embed banned_terms.yaml
var bannedTermsFile []byte

// BannedTerms are the absolute terms (绝对化用语) a cue may not use, and
// phrases that contain one without claiming anything (第一次), as in
// banned_terms.yaml, which says on what law the list rests.
type BannedTerms struct {
	Basis string   `yaml:"basis"`
	Terms []string `yaml:"terms"`
	Allow []string `yaml:"allow"`
}

// ParseBannedTerms reads a list in the shape of banned_terms.yaml. Every
// term needs two characters or more: a single character (最) would flag
// harmless words (最后).
func ParseBannedTerms(b []byte) (BannedTerms, error) {
	var bt BannedTerms
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&bt); err != nil {
		return BannedTerms{}, fmt.Errorf("banned terms: %w", err)
	}
	if len(bt.Terms) == 0 {
		return BannedTerms{}, fmt.Errorf("banned terms: no terms")
	}
	for _, w := range append(append([]string{}, bt.Terms...), bt.Allow...) {
		if utf8.RuneCountInString(strings.TrimSpace(w)) < 2 || strings.HasPrefix(w, "!") {
			return BannedTerms{}, fmt.Errorf("banned terms: %q: terms and allowed phrases need two characters or more and no leading '!'", w)
		}
	}
	return bt, nil
}

// LoadBannedTerms reads a list from a file (--banned-terms).
func LoadBannedTerms(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bt, err := ParseBannedTerms(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return bt.List(), nil
}

// List is the list as EngineConfig.Banned and Compile take it: the terms,
// then each allowed phrase with a leading "!".
func (bt BannedTerms) List() []string {
	out := append([]string{}, bt.Terms...)
	for _, a := range bt.Allow {
		out = append(out, "!"+a)
	}
	return out
}

// DefaultBanned is the built-in list (banned_terms.yaml) in List form.
var DefaultBanned = mustBanned()

func mustBanned() []string {
	bt, err := ParseBannedTerms(bannedTermsFile)
	if err != nil {
		panic(err)
	}
	return bt.List()
}

// bannedIn lists the terms of banned (List form) that text contains, once
// each, in the list's order: allowed phrases are taken out first, letters
// compare case-insensitively, and terms shorter than two characters are
// ignored.
func bannedIn(text string, banned []string) []string {
	lower := strings.ToLower(text)
	for _, w := range banned {
		if a, ok := strings.CutPrefix(w, "!"); ok && a != "" {
			lower = strings.ReplaceAll(lower, strings.ToLower(a), "\x00")
		}
	}
	var out []string
	for _, w := range banned {
		if strings.HasPrefix(w, "!") || utf8.RuneCountInString(w) < 2 {
			continue
		}
		if strings.Contains(lower, strings.ToLower(w)) {
			out = append(out, w)
		}
	}
	return out
}
