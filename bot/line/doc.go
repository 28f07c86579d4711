// Package line is the LINE adapter: it turns LINE webhooks into bot.Events
// and bot.Messages into Messaging API calls. No LINE SDK type leaves it.
//
// The path of one event, from POST /webhook to the reply:
//
//	NewWebhookHandler  verify X-Line-Signature, Queue.Enqueue the raw events
//	                   (deduplicated by webhookEventId), answer 200 only once
//	                   Redis has them (503 otherwise, so LINE redelivers)
//	Consumer           per replica: a loop per shard, woken when Enqueue
//	                   signals it, leases the shard while it has work and
//	                   reads its stream in order into per-user lanes: one
//	                   user's events one at a time, in order, different
//	                   users' at once (ConsumerConfig.Workers events in
//	                   processing per replica); a failing event is retried
//	                   with back-off, then acked (fenced by the lease) or
//	                   dead-lettered
//	Respond            the Process the Consumer runs: decode into a
//	                   bot.Event, skip standby/group/room events, mark read,
//	                   call the Handler (bot.Engine), Sender.Reply
//	Sender             reads the send's delivery record (Redis), records the
//	                   attempt, reply token first (free), push with a retry
//	                   key derived from the webhookEventId as fallback (a
//	                   repeated push is delivered once), 429/5xx/network
//	                   errors retried with back-off or Retry-After, the
//	                   outcome recorded, final failures recorded
//
// Exactly once towards the customer: a replica killed or stopped after LINE
// took the answer and before the ack leaves the event pending with its
// delivery record (the answer, "reply tried at T"). The next holder resumes
// it without running the Handler again: "Invalid reply token" after an
// attempt in the reply window means delivered (nothing pushed), a push is
// repeated with the same X-Line-Retry-Key (LINE answers 409). Two holders
// of one event at once (a worker frozen past its shard lease while the
// next holder took the event over) cannot both believe they used the
// token: a reply attempt is recorded only if the record is unchanged since
// it was read (else it is read again), and a holder whose token is refused
// within the reply window while the record shows the other holder's
// attempt or "done" counts it delivered instead of pushing. A send that
// cannot be recorded first is not made (ErrUnrecorded; retried). On
// shutdown the events in flight get ConsumerConfig.DrainTimeout (10 s) to
// finish, then are cut short and stay pending.
//
// For metrics: Sender.Stats counts replies, pushes, deduplicated pushes,
// spent tokens after an attempt, fallbacks, skipped, failed and interrupted
// sends; Consumer.Stats acked, retried, dead-lettered and left-pending
// events (both per process); Queue.Stats reads each shard's depth, oldest
// stored event and dead letters from Redis, Sender.FailedSendsLen the kept
// failed sends.
//
// Photos, videos, voice messages and files become a bot.Event with an
// Attachment (message id, file name and size, duration), stickers one with
// a bot.Sticker (package, sticker id, keywords, text). ContentFetcher is
// the engine's bot.Contents: GET /v2/bot/message/{id}/content through the
// SDK's blob API (api-data.line.me), at most the limit the engine passes
// (bot.ErrContentTooLarge beyond it), within ContentConfig.Timeout (20 s),
// waiting for content/transcoding when LINE is still preparing a video or
// voice message.
//
// A user's events always land in the same shard, a shard is read by one
// lease holder at a time across all replicas, and within the holder each
// user's entries run in stream order in that user's lane, so each user's
// order is kept while a slow event (a hung order backend) holds only its
// own user. Entries are acked one by one after processing (XACK is per
// id), so a crash loses nothing: the lease is let go only once every lane
// is done, and the next holder takes the pending entries over first, in
// stream order, into the same per-user lanes. An entry that stays pending
// (lease lost, Redis trouble, shutdown) stops its lane and the lease, so a
// user's later entries never run before it. A lane only keeps the order:
// each attempt is processed on one of ConsumerConfig.Workers goroutines
// that live as long as the consumer (they keep the stack the processing
// grew; a goroutine per lane grew it again for nearly every event).
//
// Backpressure: WebhookConfig.HighWater (depth and oldest-event age across
// shards, read at most every 250 ms) makes the webhook answer 503 past it,
// so LINE redelivers later instead of the answers waiting past their reply
// tokens; Queue.Backlog reads the same figures, Queue.Shed counts refused
// events.
//
// # Redis keys
//
// P is the configured prefix (e.g. "wl:"); S is a shard number 0..Shards-1.
// All keys of a shard share the hash tag {P line:shard:S}, so each shard's
// scripts run in one Redis Cluster slot.
//
//	{Pline:shard:S}:stream        stream of stored, not yet processed events
//	                              (fields id = webhookEventId, ev = raw JSON,
//	                              r = routing key: user, group or room id);
//	                              consumer group "workers". An entry is
//	                              XACKed and XDELed once processed or
//	                              dead-lettered, so the stream holds only the
//	                              backlog. The key itself is permanent
//	                              (Shards keys).
//	{Pline:shard:S}:seen:<id>     "1": webhookEventId already stored. TTL
//	                              QueueConfig.DedupeTTL (default 7 days).
//	{Pline:shard:S}:lease         token of the replica working the shard.
//	                              TTL ConsumerConfig.LeaseTTL (default 3 s),
//	                              renewed every TTL/3 while held, deleted on
//	                              release or by the ack that leaves the
//	                              stream empty (one round trip less).
//	{Pline:shard:S}:attempts      hash entry id -> processing attempts started (the first counted as the entry is read);
//	                              field deleted on ack/dead-letter; key TTL
//	                              DedupeTTL, refreshed on each attempt.
//	{Pline:shard:S}:dead          dead-letter stream (fields id, ev, error,
//	                              attempts, at = unix ms); capped at about
//	                              QueueConfig.DeadLetterMax entries per shard
//	                              (default 10000), no TTL. Read with
//	                              Queue.DeadLetters.
//	Pline:stored                  Pub/Sub channel (not a key): Enqueue
//	                              publishes the shard number after storing
//	                              events; idle consumers subscribe.
//	P{u:<id>}:line:send:<key>     hash: delivery record of one send to user <id>
//	                              (under the user's hash tag: the bot's state
//	                              save and the reply's "try" mark share one
//	                              MULTI; before 2026-12-01 Pline:send:<key>,
//	                              still read on a resumed send) (key =
//	                              webhookEventId, or a push's key such as the
//	                              agent message id). Fields: answer (JSON
//	                              bot messages), token (the reply token),
//	                              reply and push:<part> = "try:<unix ms>"
//	                              (reply: "try:<unix ms>:<attempt id>",
//	                              written only if the reply field is
//	                              unchanged since read; call started,
//	                              outcome unknown) | "done"
//	                              (LINE took it) | "invalid" (token refused:
//	                              pushed instead). Read by every replica
//	                              before sending; "try" written before the
//	                              reply call, the outcome after it. TTL
//	                              SenderConfig.DeliveryTTL (default 24 h),
//	                              refreshed on each write.
//	Pline:failed_sends            list of JSON FailedSend records, newest
//	                              first; capped at SenderConfig.FailedSendsMax
//	                              (default 1000), TTL 30 days refreshed on each
//	                              write. Read with Sender.FailedSends.
package line
