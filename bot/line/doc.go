// Package line is the LINE adapter: it turns LINE webhooks into bot.Events
// and bot.Messages into Messaging API calls. No LINE SDK type leaves it.
//
// Inbound: NewWebhookHandler verifies X-Line-Signature, stores each raw
// event in a Redis stream (deduplicated by webhookEventId, atomically with
// the store) and answers 200 only once Redis has it, 503 otherwise so LINE
// redelivers. A Consumer per replica runs workers over the shard streams: a
// user's events always land in the same shard, a shard is worked by one
// worker at a time across all replicas (a lease), and entries are acked only
// after processing, so a crash loses nothing and keeps each user's order.
// The EventProcessor decodes an event, calls the Handler (bot.Engine) and
// sends the answer.
//
// Outbound: Sender replies with the reply token first (free), falls back to
// push with a retry key derived from the webhookEventId (a repeated push is
// delivered once), retries 429/5xx/network errors with backoff, and records
// sends that finally fail.
//
// # Redis keys
//
// P is the configured prefix (e.g. "wl:"); S is a shard number 0..Shards-1.
// All keys of a shard share the hash tag {P line:shard:S}, so each shard's
// scripts run in one Redis Cluster slot.
//
//	{Pline:shard:S}:stream        stream of stored, not yet processed events
//	                              (fields id = webhookEventId, ev = raw JSON);
//	                              consumer group "workers". An entry is
//	                              XACKed and XDELed once processed or
//	                              dead-lettered, so the stream holds only the
//	                              backlog. The key itself is permanent
//	                              (Shards keys).
//	{Pline:shard:S}:seen:<id>     "1": webhookEventId already stored. TTL
//	                              QueueConfig.DedupeTTL (default 7 days).
//	{Pline:shard:S}:lease         token of the worker working the shard.
//	                              TTL ConsumerConfig.LeaseTTL (default 15 s),
//	                              renewed every TTL/3 while held, deleted on
//	                              release.
//	{Pline:shard:S}:attempts      hash entry id -> processing attempts started;
//	                              field deleted on ack/dead-letter; key TTL
//	                              DedupeTTL, refreshed on each attempt.
//	{Pline:shard:S}:dead          dead-letter stream (fields id, ev, error,
//	                              attempts, at = unix ms); capped at about
//	                              QueueConfig.DeadLetterMax entries per shard
//	                              (default 10000), no TTL. Read with
//	                              Queue.DeadLetters.
//	Pline:failed_sends            list of JSON FailedSend records, newest
//	                              first; capped at SenderConfig.FailedSendsMax
//	                              (default 1000), TTL 30 days refreshed on each
//	                              write. Read with Sender.FailedSends.
package line
