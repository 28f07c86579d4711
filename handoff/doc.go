// Package handoff owns warm handoffs to people: cases (with the facts a
// brief is made from), the SLA policy and its business-hours clocks, the
// per-tier queues ordered by SLA due time, atomic claims, the deterministic
// brief, the agent operations (claim, assign, reply, note, set priority,
// escalate, release, resolve, return to bot), the SLA reminder sweep and its
// loop (RunSweeper), and the live event stream agents watch.
//
// It owns the case rules, once each: who may do what with a case
// (PermissionsFor, the same checks the agent operations enforce, returned
// with each case so the inbox renders from them), whether the customer may
// cancel (CustomerMayCancel, enforced by CancelByCustomer), and how new
// triggers raise an open case (Raise). Escalation thresholds and routes are
// escalation.Rules'.
//
// Typed contracts, rendered from locale messages at the edge: transcript
// turns (turn.go: Kind text | sticker | media | event, with Sticker, Media,
// SystemEvent fields and the Notice kind of automatic bot messages),
// attempts (attempt.go: AttemptKind, Outcome, the full OrderNumber agents
// may see), follow-up tasks for leads (followup.go). Cases stored in an
// older shape are migrated as they are read (normalize.go).
//
// Promises (sweep.go, route.go): Case.Promise is the first-reply time the
// customer was last given; the bot says it, the brief and the inbox show
// it. The pre-breach notice goes out at reminder.share of the target, and
// never moves a keep_promise (P1) or trigger-timeline (supervisor) promise
// (the supervisor's names its unmoved time: "still by T").
// Due times never make a higher priority wait longer than a lower one.
//
// Files: service.go (Config, Service), case.go, turn.go, attempt.go,
// agent.go, errors.go, notice.go, open.go (Open and the merge into an open
// case), raise.go, route.go (tier, priority and due times from triggers),
// customer.go (what the bot does for the customer: active case, customer
// and bot turns, cancel), permissions.go, ops.go (agent operations),
// csat.go, followup.go (follow-ups, comments after the rating), brief.go,
// summary.go, policy.go, sweep.go, events.go, normalize.go, archive.go (the
// archive stream the case ledger reads: ArchiveEntry, RecordOutcome), store.go
// (Redis keys and transactions).
//
// It may use knowledge and escalation types; it never imports bot.
//
// # Redis keys
//
// <p> is the configured prefix. The case keys share the hash tag {handoff}
// so the multi-key writes run on Redis Cluster in one slot: a case update is
// one compare-and-set script (store.go: the case, its queue, the closed
// index, follow-ups, the archive entry and the user link together, written
// only if the case is unchanged since read), Open a WATCH/MULTI on the
// user's link; handoffs are a small share of traffic, one slot is enough.
// The bot's state load reads the user link in its own pipeline
// (PrefetchActive), so a message without a case costs no handoff read.
//
//	<p>{handoff}:case:<id>            string, case JSON. No TTL while open;
//	                                  EXPIRE 2 years (730 days) when closed
//	                                  (resolved/returned/cancelled): the SOP
//	                                  keeps case records at least 2 years.
//	<p>{handoff}:queue:L2|L3          ZSET of open case ids (queued and
//	                                  claimed), score = NextDue in Unix ms
//	                                  (first-response due until the first
//	                                  reply, then resolution due). Members
//	                                  leave when the case closes; no TTL.
//	<p>{handoff}:closed               ZSET of closed case ids, score = closed
//	                                  time (ms); trimmed to 2 years on every
//	                                  close; no TTL.
//	<p>{handoff}:user:<uid>:active    string, the user's open case id. No TTL;
//	                                  deleted when the case closes.
//	<p>{handoff}:user:<uid>:cases     LIST of the user's case ids, newest
//	                                  first, last 50; EXPIRE 2 years,
//	                                  refreshed on each new case.
//	<p>{handoff}:followups            ZSET of case ids with an open follow-up
//	                                  task, score = created (ms); kept in the
//	                                  same transaction as the case; no TTL.
//	<p>{handoff}:seq:<YYYYMMDD>       INCR counter of the day's case numbers
//	                                  (Taipei date); EXPIRE 48 hours.
//	<p>{handoff}:archive              Stream of archive entries for the case
//	                                  ledger (package ledger): XADD in the same
//	                                  transaction as every write of a closed
//	                                  case, and by RecordOutcome; field "e" =
//	                                  JSON handoff.ArchiveEntry {id (UUIDv7),
//	                                  kind case|outcome, at, case|outcome}.
//	                                  Consumer group "ledger"; the archiver
//	                                  XACKs and XDELs what it has stored, so it
//	                                  holds only what is not archived yet;
//	                                  MAXLEN ~100000 should no archiver run.
//	<p>events                         Stream of live events, XADD MAXLEN ~10000
//	                                  (capped, no TTL); field "e" = JSON
//	                                  {type, case_id, tier, at}; the stream id
//	                                  is the event id (SSE id).
//
// Case ids: CS-YYYYMMDD-NNNN (Taipei date, daily counter). Numbers may skip
// when a transaction retries; they never repeat within a day.
package handoff
