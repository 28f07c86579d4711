// Package handoff owns warm handoffs to people: cases (with the facts a
// brief is made from), the SLA policy and its business-hours clocks, the
// per-tier queues ordered by SLA due time, atomic claims, the deterministic
// brief, the agent operations (claim, reply, note, escalate, release,
// resolve, return to bot) and the live event stream agents watch.
//
// It may use knowledge and escalation types; it never imports bot.
package handoff
