// Package escalation owns the escalation rules: the documented YAML file of
// trigger phrases, thresholds and routes (defaults from the SOP, embedded),
// and the analysis of a customer message that says which triggers fire,
// whether it is a complaint, and what refund amount it asks for.
package escalation
