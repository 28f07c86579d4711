// Package bot owns the conversation: an inbound event becomes the replies to
// send. It chooses the customer's language, keeps conversation state and
// repeat-contact counts in Redis, answers L1 questions (FAQ, order status),
// runs the LAST complaint dialogue, checks escalation triggers and opens warm
// handoffs through package handoff.
//
// No LINE SDK type appears here: bot/line converts at the edge.
//
// # Entry point
//
// NewEngine(EngineConfig) builds an Engine; Engine.Handle(ctx, Event)
// returns at most MaxMessages replies (none while a person has the
// customer, none for unfollow). Events of one user must be handled in order:
// bot/line's Consumer does that and calls Handle through line.Respond.
//
// # Who decides what
//
// Thresholds (refund limit, repeat contacts, unsolved time, unhelpful
// answers) are read from escalation.Rules as they are; the numbers below are
// the SOP defaults escalation.Load fills in. A refund amount over the limit
// fires a trigger in escalation's analysis and goes to a person; the bot
// approves only what the analysis left to L1. Whether a customer may cancel
// a case is handoff's rule (handoff.CustomerMayCancel, enforced by
// CancelByCustomer); new triggers while a person has the case raise it
// (handoff.Service.Raise). EngineConfig.TopTopics must name KB entries.
//
// # Language
//
// An explicit choice (postback "lang:<lang>" or a message that is just a
// language name: "English", "英文", "中文", "繁體中文", "简体中文", "簡體" …)
// beats the LINE profile's language (fetched once per user), which beats the
// script of the message (knowledge.DetectLang); the default is zh-TW. Every
// string comes from locales/bot.<lang>.toml.
//
// # Postback data
//
//	lang:<zh-TW|zh-CN|en>   choose the language
//	faq:<entry id>          answer this KB entry (greeting topics, "did you mean")
//	fb:yes:<ref>            "Solved": the issue is resolved at L1 (ref: entry id or order_status)
//	fb:no:<ref>             "Not yet": next best candidate, else a person; the 2nd in a row fires unhelpful
//	handoff:request         open a case (with the offered trigger, else "human")
//	handoff:cancel          cancel the open case, back to the bot (also the words in bot_kw_cancel)
//	                        (bare greetings, thanks and goodbyes, bot_kw_hello / bot_kw_thanks / bot_kw_bye, get a short warm answer)
//	last:done               the complaint story is complete (also the words in bot_kw_done)
//	order:retry             retry the order lookup kept after a backend failure
//	handoff.CSATData(...)   satisfaction answer for a resolved case (≤ 2: apology and a lead's follow-up offered)
//	followup:<case id>      a lead follows up a low-rated case (a follow-up task on the case)
//
// # Modes (hash field "mode")
//
//	""                       free conversation
//	awaiting_order_number    asked for an order number (pending_order set after a backend failure)
//	awaiting_verification    asked for the phone's last 4 digits of pending_order
//	awaiting_refund_order    a refund request (refund_amount, refund_text) waits for its order number
//	listening                LAST: collecting the complaint; a question asked on the way (an
//	                         order number, a FAQ) is answered, then the bot listens on (after a
//	                         single message that only sounded like a complaint, the question
//	                         simply gets its answer)
//
// # During a handoff
//
// The customer's messages go to the case; each gets a short acknowledgement
// (case number, who answers by when: the case's own Promise) at most once
// per EngineConfig.HandoffAckEvery (5 min), recorded in the case with
// Cases.AppendBotTurn (notice "ack"). A message that raises the case (a
// supervisor request, a legal threat) is acknowledged at once with the new
// target (after a legal threat or press mention soberly, no thanks; an
// account takeover reported while waiting gets the account steps first); that
// raise notice is not the acknowledgement of the messages
// after it. A supervisor asked for after the customer has waited (the case
// open HandoffAckEvery or past its promise, no reply yet) is answered with
// an apology for the wait, once per case (field wait_sorry_case). A question about the wait (bot_kw_wait anywhere, a whole
// bot_kw_wait_only, a bare greeting, only question marks) gets the case
// number, whether a colleague has taken it, and the reply-by time, even
// within HandoffAckEvery, at most once per HandoffWaitEvery (1 min); a
// direct question whether anyone is there (bot_kw_presence: "有人在嗎",
// "anyone there?") asked within that minute gets a short "I'm here" with
// the case number (bot_handoff_here), one per question, until the case
// has 3 acknowledgements in HandoffAckEvery (counted from its transcript);
// a
// question how long (bot_kw_wait_howlong) right after a ping ("有人嗎",
// "hello?") is answered at once, only the same kind again waits.
// After the due time the customer hears an apology, not a past time.
//
// # Refunds, tone, orders, language
//
// A refund request with an amount outside a complaint has its own path:
// which order (unless named, or just looked up), the policy (the KB entry the question
// matched, else EngineConfig.RefundPolicyEntry), then within the rules'
// RefundLimit it is recorded on the conversation (field refunds) for a
// colleague to process in RefundDays working days (the order backend is
// read-only, and the customer is told so), unless the order's record
// answers it: a refund already registered here on the order (its day and
// due day are told, nothing recorded twice), an order returned or
// cancelled (refunded with it, on refunded_at when the backend gives it).
// A settled refund leaves the topics, so asking it again counts as
// another contact (repeat_contact at the 3rd); above it a person reviews it
// (refund_over_limit with the amount, the order captured as an attempt).
// A security report gets the safety steps first: a product hazard or an
// injury an apology and concern, then steps that fit (a burn, smoke or
// sparks, anything else; safety.go), the case's topic product_safety; an
// account takeover or a fraud the account steps, order look-ups paused for
// SecurityLock, topic account_security. A legal threat or press mention
// gets a sober acknowledgement, no thanks, also when it raises an open case;
// when it also tells of a product problem, a sober apology for the
// inconvenience (bot_legal_sorry) beside it, admitting nothing.
// A complaint whose first message tells it in full (what went wrong, the
// order and detail: toldInFull) goes straight to Apologize and Solve, not
// "tell me what happened". A question that tells of trouble gets an
// opener that fits (bot_ack_trouble_*), never "Good question!". Two
// questions in one message (split at question marks, new lines or a comma
// before a connector) get two answers, or one answer and the other's
// "did you mean" menu (or a word that it was not understood), never one
// dropped.
// A refund over the limit is reviewed by a person: no policy FAQ before
// it, no promise of approval, an apology first for a reported defect, and
// no order the customer did not name for it. A quote back is the first
// short clause after a lead-in ("我要投訴") that holds no insult or
// profanity (bot_kw_insult: never said back), else nothing. Apologies never paste a KB title or
// quote a message cut mid-word, and thank for the detail only after
// several points (two lines with a point each, or three distinct clauses
// that say something; one long line is one point). A late order (past its ETA, or still prepared
// PreparingLate after it was placed) gets an apology, a person and
// LateOrderTopics offered; order labels come from the backend's localised
// names. A message clearly in another language than a chosen or profile
// language gets a quick reply to switch (once), never a switch by itself.
// A message within CommentWindow after a rating is a comment on the rated
// case (Cases.AttachComment), not a new complaint. KB links are sent as buttons on
// small cards, never as raw URLs.
//
// # Photos, files and stickers
//
// With EngineConfig.Contents and Media set, a photo, video, voice message
// or file is fetched (retried once), kept in package handoff/media and
// recorded as a typed media turn (handoff.Media with the stored id) in the
// conversation and the open case; a sticker as a sticker turn. The
// customer hears "got your photo" in their language (during a handoff, the
// usual acknowledgement rules). A file too large, of a type not allowed,
// over the customer's limit or that LINE did not deliver is recorded with
// its handoff.MediaProblem and the customer is told plainly what to do.
// The files of an issue (field media) go with the case opened next. After
// a remedy that asks for photos and the order number (PhotoTopics), both
// are collected and the case opens with them (the request is the
// complaint, the order an attempt), so the agent need not ask. What the
// customer already gave is never asked for again: the remedy's sentences
// asking for photos (bot_kw_photo) are left out once photos or the order
// are in (in Chinese only the clauses that ask), and only the missing one
// is asked for (remedyFor); a remedy asking for the order number of a late
// parcel is followed by the order itself once it was told. A damaged item
// whose story plainly names goods (the words before the damage: "杯子" in
// "收到的時候杯子破了", "mug" in "my mug arrived broken") is checked
// against the item names the order backend lists for the order told, if
// it was shown to the customer after the phone check (item.go: Chinese by
// character pairs and the name's last character in Simplified script,
// English by word stems; no list of one shop's goods): an order holding
// none of them, or an unknown one (the same words), is asked about again
// in the customer's word, and no case opens against it. A stain or a
// fault from manufacture gets the defective item's remedy and a crack or
// a crushed box the damaged one (bot_kw_defect_made,
// bot_kw_damage_transit; EngineConfig.DefectiveEntry, DamagedEntry),
// whichever of the two the KB matched (fault.go).
//
// # Phone checks
//
// An order not linked to the customer's LINE user is shown after the last
// 4 digits of its phone. Failed checks count per (user, order) in
// VerifyWindow (24 h): VerifyAttempts (3) lock that order for the user for
// VerifyOrderLock (24 h); and per user: VerifyUserAttempts (5) in the
// window lock every check for VerifyLock (15 min), and each further
// failure in the window locks again. A success resets nothing. Every
// check, failed or not, counts towards VerifyRate (10) per VerifyRateWindow
// (1 h). Unknown orders count like known ones and every answer is the
// same for both (no match, or paused for so long), so the bot never tells
// whether an order exists. One Lua script records a check (verify.go).
// During a handoff the digits for the order the brief flags are marked
// Turn.OwnerCheck, matched or not: a verification step, not something the
// customer added. A how-to about an order (its invoice) is answered
// without a check and does not make the order the customer's; asked with
// where the order is, the status takes the phone check.
//
// # Rate limit
//
// EngineConfig.RateLimit messages (texts, taps, files; default 20) per
// RateWindow (10 s, fixed windows by when the customer sent each message:
// LINE's event timestamp, so a backlog does not bunch a normal pace) from one user are
// handled; the first past the limit gets one polite notice (during a
// handoff recorded in the case, notice "rate_limited"), the rest of the
// window gets no reply and no processing. During a handoff every message
// still goes to the case (texts, stickers, files), so nothing is lost
// from it; outside one they are dropped unanswered. A text that fires an
// escalation trigger (a legal threat, a safety report, a request for a
// person) is never silenced: it is handled as if within the limit, so it
// opens or raises the case and gets its answer.
//
// # The case a handoff opens
//
// Opening.Request is the customer's issue in their words: the complaint
// the photos are for, the message that fired a trigger naming the issue
// (security, legal or press, a refund over the limit), the message that
// opened the complaint, the first message of the issue that says something
// (field issue_text), else a bare request for a person; never the latest
// "ok thanks". A security report with no other topic has the topic
// account_security or security. A damaged, defective, wrong or missing
// item the bot hands over (the photos and order a remedy asked for, or a
// fault entry with no remedy) fires escalation.KindDefect, not unhelpful.
// The message telling the customer who has the case, its number and by
// when, and whatever the bot says after it in the same event, go to the
// case's transcript too (notice "handoff").
//
// # Issues and stateful triggers
//
// An issue starts when something to solve comes up (a topic: KB entry,
// order status, complaint; or a "did you mean" offer), not on a greeting, a
// thanks or an unanswerable message. It ends when resolved ("Solved"),
// handed over, or abandoned (no message for EngineConfig.ConversationIdle,
// default 2 h). A message arriving
// UnsolvedAfter (15 min) or more after the issue began fires
// unsolved_timeout only where L1 is stuck (no answer, "Not yet", a complaint
// still being told): a question the KB answers is answered. After an L1
// settlement (an FAQ answered, an order shown) the clock starts again with
// the next topic: answered FAQs never make a broken mug reported later
// "unsolved for 15 minutes"; only "Not yet" on the answer keeps its clock. A topic (KB entry id, "order_status" or "complaint") is
// counted as a contact the first time it comes up in an issue; the
// RepeatThreshold-th (3rd) contact in RepeatWindow (7 days) fires
// repeat_contact. UnhelpfulLimit (2) "Not yet" answers or unanswerable
// messages (low confidence, media) in a row fire unhelpful: a person is
// offered and the case opens when the customer taps it. A complaint with no
// KB remedy and no refund within the L1 limit is handed over with the
// unhelpful trigger (evidence "no L1 remedy for complaint").
//
// # Conversation outcomes (first-contact resolution)
//
// A conversation (field conv_id, a UUIDv7) starts with the first thing the
// bot does about an issue: an answer, an order status, a menu, an
// unanswered question, a complaint. conv_end keeps how it stands, which is
// how it ended if the customer leaves now: "l1" after an L1 settlement (an
// FAQ answer, an order status shown, a refund within the limit recorded,
// a complaint's remedy), "menu" after a "did you mean" menu, "open" when
// the bot has not settled it ("Not yet", no answer, waiting for an order
// number, digits or photos, the complaint dialogue); conv_topic is the KB
// entry id or flow name (order_status, refund, complaint; after a menu its
// likeliest entry), conv_trigger a
// trigger whose person was offered and not taken. Exactly one outcome is
// recorded per conversation (Cases.RecordOutcome: handoff's archive stream,
// stored by the case ledger), when it ends:
//
//   - "Solved": AnsweredL1, the tapped entry as the topic;
//   - a thanks (bot_kw_thanks) right after an L1 settlement: AnsweredL1;
//   - a goodbye (bot_kw_bye: "bye", 掰掰, 再見, 拜拜 …): as it stands (AnsweredL1
//     after a settlement, a menu, or open);
//   - ConversationIdle (2 h) without an event: the idle sweep
//     (Engine.SweepIdle, every minute on every replica via RunIdleSweeper)
//     or, if it has not run, the customer's next event or an unfollow end
//     it as it stood, at its last activity (a "Solved" tapped on an old
//     answer after that records nothing more);
//   - a handoff: no outcome from the bot; the case's ledger row is the
//     conversation's, marked as a handoff (report: escalation, not FCR).
//
// report.Compute counts AnsweredL1 without a handoff as first-contact
// resolution and handoffs as escalations; menu and open conversations count
// as conversations only. The outcome carries the conversation id and the
// ledger stores one row per id ("conv:<id>"): an event redelivered after
// its state was saved finds the conversation gone, one redelivered after a
// crash between the outcome and the state, or handled on two replicas,
// records the same id again and the ledger keeps one row; so does the
// sweep racing a worker or another replica's sweep. No extra Redis trip
// per message: the conversation fields ride on the state write, the idle
// set's ZADD GT on the state's load pipeline; a conversation's end costs
// one XADD.
//
// # Redis keys
//
// All keys carry the hash tag {u:<userID>} so one user's keys share a slot
// (MULTI across them works on Redis Cluster).
//
//	<prefix>{u:<id>}:conv              hash   conversation state            TTL StateTTL (30 days), refreshed on every event
//	  fields: lang, lang_source (choice|profile|detected|default), profile_fetched, display_name,
//	  mode, last_activity_at, issue_started_at (unix ms), issue_topics, issue_text, unanswered, unhelpful,
//	  last_topic, last_category, shown, candidates, question, pending_order,
//	  complaint, complaint_msgs, complaint_entry, complaint_order, complaint_quote,
//	  refund_amount, offer, offer_evidence, tried (JSON []handoff.Attempt, last 10),
//	  refund_order, refund_policy, refund_text, refunds (JSON, last 10 recorded at L1),
//	  handoff_ack_at, handoff_wait_at, wait_sorry_case, lang_offered, rated_case, rated_at (unix ms), rated_low, last_order,
//	  media (JSON []handoff.Turn: kept files of the issue, last 10), evidence_entry, evidence_order, evidence_text, carrier_check
//	  conv_id, conv_started_at (unix ms), conv_end (""|open|l1|menu), conv_topic, conv_trigger
//	<prefix>conv_idle                  zset   user id -> unix ms their conversation goes idle (last event + ConversationIdle), idle sweep
//	<prefix>{u:<id>}:transcript        list   JSON handoff.Turn, last TranscriptTurns (20) lines   TTL StateTTL
//	<prefix>{u:<id>}:verify_lock       string all phone checks locked: VerifyUserAttempts (5) failures TTL VerifyLock (15 min)
//	                                          in VerifyWindow, or an account-takeover report       TTL SecurityLock (24 h)
//	<prefix>{u:<id>}:verify_checks     zset   every phone check (score unix ms), rate limit        TTL VerifyRateWindow (1 h)
//	<prefix>{u:<id>}:verify_fails      zset   failed checks, member "<order>|<nonce>" (score ms)    TTL VerifyWindow (24 h)
//	<prefix>{u:<id>}:verify_order_locks zset  order -> locked until (unix ms) after VerifyAttempts (3) failures on it   TTL VerifyOrderLock (24 h)
//	<prefix>{u:<id>}:rate:<window>    string messages in the RateWindow (10 s) numbered <window> (unix ms / RateWindow), rate limit   TTL 2 × RateWindow
//	<prefix>{u:<id>}:repeat:<topic>    zset   contact times (score unix ms)                      TTL RepeatWindow + 1 day
//	<prefix>{u:<id>}:topics            set    topics with a repeat key (for unfollow)            TTL max(RepeatWindow + 1 day, StateTTL)
//
// "question" is the customer's question behind the last answer, menu or
// no-match: with EngineConfig.Gaps set, a menu, no match, a tap on an entry,
// "Not yet" and a handoff after an FAQ answer are recorded against it
// (package knowledge/gaps masks and stores them).
//
// Unfollow deletes all of them. The conversation hash and transcript are
// written together in one MULTI per event.
package bot
