// Package bot owns the conversation: an inbound event becomes the replies to
// send. It chooses the customer's language, keeps conversation state and
// repeat-contact counts in Redis, answers L1 questions (FAQ, order status),
// runs the LAST complaint dialogue, checks escalation triggers and opens warm
// handoffs through package handoff.
//
// No LINE SDK type appears here: bot/line converts at the edge.
package bot
