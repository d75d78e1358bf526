// Package rules is the show's playbook engine. A producer writes rules
// (YAML or JSON): a condition over the room's live numbers, how long it must
// hold, hysteresis, cooldown and limits, and actions — set a pricing tier,
// cue the host, alert operators, give gifts from a quota, call a webhook.
//
// Rules behave like Prometheus alerting rules: inactive → pending → firing
// → resolved, with `for` measured from the first matching evaluation;
// pending never acts. Conditions are expr-lang expressions compiled and
// type-checked against the snapshot's fields when a rule set is saved. Each
// firing is written to the room's signal stream exactly once (a dedupe key
// checked in the same Lua script), so retries, restarts and a change of the
// room's owning instance never repeat one.
package rules
