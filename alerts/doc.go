// Package alerts owns the alerts that reach people outside the inbox: a
// case that needs its notified parties (lead, legal, PR: handoff.Case.Notify),
// a P1 case, and SLA warnings and breaches, delivered to the operator's
// outgoing webhooks (generic signed JSON, Slack or Microsoft Teams incoming
// webhooks).
//
// How an alert travels (alerter.go):
//   - The Alerter reads handoff's event stream with a Redis consumer group,
//     so each event is handled by one replica; a replica that died holding
//     events has them taken over (XAUTOCLAIM) after EventClaimIdle.
//   - Every CheckEvery it also looks at every open case (each replica does),
//     which is where SLA warnings (the policy's reminder.share of the
//     clock's target) and breaches (the deadline) are found, and which
//     catches anything an event missed.
//   - Whatever finds an alert fires it with one Lua script: SET NX on the
//     alert's key (case + kind + deadline, or + parties) and, only when that
//     key was new, XADD to the outbox and LPUSH to the recent list (the
//     inbox's Alerts page for leads). An alert is queued once across all
//     replicas however many find it. The Alerter runs without webhooks too:
//     then alerts only reach the inbox.
//   - Delivery workers read the outbox with a second consumer group, send the
//     alert to each webhook that takes its kind (retried with jittered
//     exponential backoff, bounded by Retry), then XACK and XDEL it. A worker
//     that died mid-delivery has its alerts taken over after ClaimIdle; a
//     webhook that already got an alert is not sent it again.
//   - An alert a webhook refused for good (4xx) or that still failed after
//     the last attempt is recorded in the failed list (Failures) and logged
//     with its case id, kind and webhook name only.
//
// Alerts carry the case number, priority, tier, category, the deadline and
// a link to the case in the inbox; never the customer's name, phone, e-mail
// or words. Texts are locale messages (locales/alerts.*.toml) in the
// operator's language.
//
// Files: alert.go (Alert, kinds, which alerts a case is due), webhook.go
// (Webhook, the YAML file), format.go (the three payloads), sign.go (HMAC
// signature and its verification), deliver.go (one webhook, with retries),
// alerter.go (Config, Alerter, the loops and the Redis keys).
//
// # Redis keys
//
// <p> is the configured prefix. The alert keys share the hash tag {alerts}
// so the fire script (fired key + outbox + recent) runs in one Redis Cluster slot.
//
//	<p>{alerts}:outbox                 Stream of alerts to deliver (field "a" =
//	                                   JSON Alert), consumer group "deliver";
//	                                   an entry is XACKed and XDELed once every
//	                                   webhook got it or failed for good. XADD
//	                                   MAXLEN ~10000, no TTL.
//	<p>{alerts}:fired:<alert id>       "1": the alert was queued (SET NX). TTL
//	                                   90 days.
//	<p>{alerts}:recent                 LIST of JSON Alert, every alert fired
//	                                   (by the same script, so once), newest
//	                                   first, capped at 500; no TTL. Read with
//	                                   Alerter.Recent: the inbox's Alerts page
//	                                   for leads.
//	<p>{alerts}:sent:<alert id>:<hook> "1": the webhook named hook got the
//	                                   alert. TTL 7 days.
//	<p>{alerts}:failed                 LIST of JSON Failure records (alert id,
//	                                   case id, kind, webhook, attempts, error,
//	                                   at), newest first, capped at 1000; no
//	                                   TTL. Read with Alerter.Failures.
//
// It also creates the consumer group "alerts" on handoff's <p>events stream
// (handoff owns the stream).
package alerts
