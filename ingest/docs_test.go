package ingest

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docExample is one JSON block of docs/events.md and the schema definition
// its annotation names.
type docExample struct {
	def, json string
}

var exampleRE = regexp.MustCompile("(?s)(?:<!-- schema: ([a-z_]+) -->\\s*)?```json\n(.*?)```")

func docExamples(t *testing.T) []docExample {
	t.Helper()
	md, err := os.ReadFile("../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []docExample
	for _, m := range exampleRE.FindAllStringSubmatch(string(md), -1) {
		if m[1] == "" {
			t.Errorf("json block without a <!-- schema: … --> annotation:\n%s", m[2])
			continue
		}
		out = append(out, docExample{m[1], m[2]})
	}
	if len(out) < 12 {
		t.Fatalf("found %d examples in docs/events.md", len(out))
	}
	return out
}

func compileSchema(t *testing.T, def string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("../docs/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("events.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("events.schema.json#/$defs/" + def)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validJSON(s *jsonschema.Schema, text string) error {
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// TestDocsExamples validates every example of docs/events.md against the
// schema, and feeds the event examples to the decoder: the documentation,
// the schema and the code must agree.
func TestDocsExamples(t *testing.T) {
	for i, ex := range docExamples(t) {
		if err := validJSON(compileSchema(t, ex.def), ex.json); err != nil {
			t.Errorf("example %d (%s) does not match the schema: %v\n%s", i, ex.def, err, ex.json)
		}
		if ex.def != "event" && ex.def != "batch" {
			continue
		}
		var b batch
		if err := decodeEvents([]byte(ex.json), 10_000, &b); err != nil || len(b.rejected) > 0 || len(b.events) == 0 {
			t.Errorf("example %d: decoder says %v %+v\n%s", i, err, b.rejected, ex.json)
		}
	}
}

// TestSchemaRefuses checks the schema is not vacuous: what the decoder
// rejects, the schema rejects too.
func TestSchemaRefuses(t *testing.T) {
	s := compileSchema(t, "event")
	for _, bad := range []string{
		`{"id":"a","type":"order","ts":1732280000000,"user_id":"u","order_id":"o","sku":"A","qty":1,"amount":199.5,"status":"paid"}`,
		`{"id":"a","type":"stock","ts":1732280000000,"sku":"A","stock":1}`,
		`{"id":"a","type":"comment","ts":1732280000000,"user_id":"u"}`,
		`{"id":"a","type":"like","ts":1732280000}`,
		`{"id":"a","type":"enter","ts":"yesterday","user_id":"u"}`,
		`{"type":"like","ts":1732280000000}`,
		`{"id":"a","type":"ad_spend","ts":1732280000000,"amount":100}`,
		`{"id":"a","type":"ad_spend","ts":1732280000000,"channel":"qianchuan","amount":-5}`,
		`{"id":"a","type":"cart_add","ts":1732280000000,"sku":"A","qty":1}`,
	} {
		if validJSON(s, bad) == nil {
			t.Errorf("schema accepts %s", bad)
		}
		var b batch
		if err := decodeEvents([]byte(bad), 10, &b); err != nil || len(b.rejected) != 1 {
			t.Errorf("decoder accepts %s", bad)
		}
	}
}
