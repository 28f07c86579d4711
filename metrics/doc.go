// Package metrics owns warmline's Prometheus registry and its GET /metrics
// handler. For now it exports the webhook pipeline (package bot/line):
// what this replica sent (replies, pushes, pushes LINE deduplicated, spent
// reply tokens counted delivered, fallbacks, failures, interrupted sends,
// LINE API errors by status),
// what its workers did with events (acked, retried, dead-lettered, left
// pending) and how long an acked event took from receipt, the events its
// webhook stored by LINE event type, and, read from Redis at each scrape and the same on every
// replica, each queue shard's depth, oldest event age and dead letters, and
// the failed sends kept for a resend.
//
// The support lead's metrics (lead.go, AddLead): handoffs by trigger, tier
// and priority and alerts by kind as the Alerter counted them (each event
// and alert is handled by one replica: sum over replicas), the open and
// overdue cases and the case ledger's archive lag, read at each scrape.
// deploy/grafana/warmline-dashboard.json charts them.
//
// The bot's knowledge-base matches by confidence (match.go, AddMatches):
// Matches.Observe is the engine's EngineConfig.Matched.
//
// The registry is its own (not Prometheus' global default); other packages
// add their collectors through Registry. The handler answers only a
// request carrying "Authorization: Bearer <token>".
package metrics
