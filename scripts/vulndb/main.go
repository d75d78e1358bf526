// Command vulndb turns the OSV reports of a golang.org/x/vulndb module
// snapshot into the database layout govulncheck reads with -db file://…,
// for machines that reach the Go module proxy but not vuln.go.dev.
//
//	go run ./scripts/vulndb -src $(go mod download -json golang.org/x/vulndb@VERSION | …Dir) -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// osv is the part of an OSV report the index needs.
type osv struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

type vulnEntry struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
	Fixed    string `json:"fixed,omitempty"`
}

type moduleEntry struct {
	Path  string      `json:"path"`
	Vulns []vulnEntry `json:"vulns"`
}

func main() {
	src := flag.String("src", "", "directory of the golang.org/x/vulndb module (its data/osv holds the reports)")
	out := flag.String("out", "", "directory to write the database to")
	flag.Parse()
	if *src == "" || *out == "" {
		log.Fatal("vulndb: -src and -out are required")
	}
	if err := build(filepath.Join(*src, "data", "osv"), *out); err != nil {
		log.Fatal(err)
	}
}

func build(osvDir, out string) error {
	files, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("vulndb: no OSV reports in %s (%v)", osvDir, err)
	}
	if err := os.MkdirAll(filepath.Join(out, "ID"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "index"), 0o755); err != nil {
		return err
	}
	// The reports in the repository carry no dates; the snapshot's own
	// time stands for all of them.
	stamp := time.Now().UTC().Format(time.RFC3339)
	modules := map[string]*moduleEntry{}
	var vulns []map[string]any
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r osv
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if r.Modified == "" || r.Modified == "0001-01-01T00:00:00Z" {
			r.Modified = stamp
		}
		if err := os.WriteFile(filepath.Join(out, "ID", r.ID+".json"), b, 0o644); err != nil {
			return err
		}
		vulns = append(vulns, map[string]any{"id": r.ID, "modified": r.Modified, "aliases": r.Aliases})
		for _, a := range r.Affected {
			m := modules[a.Package.Name]
			if m == nil {
				m = &moduleEntry{Path: a.Package.Name}
				modules[a.Package.Name] = m
			}
			e := vulnEntry{ID: r.ID, Modified: r.Modified}
			for _, rg := range a.Ranges {
				for _, ev := range rg.Events {
					if v := ev["fixed"]; v != "" {
						e.Fixed = v
					}
				}
			}
			m.Vulns = append(m.Vulns, e)
		}
	}
	list := make([]*moduleEntry, 0, len(modules))
	for _, m := range modules {
		list = append(list, m)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
	write := func(name string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, "index", name), b, 0o644)
	}
	if err := write("modules.json", list); err != nil {
		return err
	}
	if err := write("vulns.json", vulns); err != nil {
		return err
	}
	if err := write("db.json", map[string]string{"modified": stamp}); err != nil {
		return err
	}
	fmt.Printf("vulndb: %d reports, %d modules → %s\n", len(vulns), len(list), out)
	return nil
}
