// Package gaps owns the knowledge-gap data: what the bot could not settle
// and what leads approve from it. It records the questions the bot could
// not answer directly, the menu taps, the "Not yet"s and the handoffs after
// an FAQ answer (Record, personal data masked first), groups them by
// similarity for the Knowledge gaps page (Groups), and turns approvals into
// KB content (Approve): more examples for an entry, or a new entry. The
// approved items are kept in Redis, the source of truth, and served to
// knowledge.Store as an overlay file (learned.yaml, Files), so every
// replica loads them whether or not replicas share a filesystem; where the
// KB directory is writable the same YAML is written there, for a manager
// to read (and copy into their own files to edit). A Pub/Sub message makes
// every replica reload at once (Run). Menu taps may be accepted
// automatically once Config.AutoAccept distinct customers picked the same
// entry for the same question group (off by default).
//
// What is stored: the masked question (Mask: e-mail addresses, LINE user
// ids, order and phone numbers, every run of 4 or more digits replaced),
// its language, the entry ids involved and the time. Never the LINE user id:
// a salted hash of it (the salt is random, kept in Redis) counts distinct
// customers for auto-accept.
//
// # Redis keys
//
// All keys share the hash tag {<p>gaps} (one slot); <p> is the prefix.
//
//	{<p>gaps}:signals   stream  one entry per signal: kind (unanswered|menu|tap|
//	                            not_yet|handoff), q (masked), lang, entry, offered
//	                            (comma-separated ids), cust (salted hash); trimmed
//	                            with MINID to Config.Retention (default 90 days)
//	                            on every write
//	{<p>gaps}:done      zset    signal ids a lead settled (approved or dismissed),
//	                            score unix ms; trimmed to Retention
//	{<p>gaps}:learned   hash    approved item id -> JSON Item (who, when, what);
//	                            no TTL: it is KB content
//	{<p>gaps}:salt      string  random salt of the customer hash; no TTL
//	{<p>gaps}:auto:<h>  string  set once a question group and entry were
//	                            auto-accepted (h: hash of both); TTL Retention
//	{<p>gaps}:lock      string  held while one approval or removal is checked and
//	                            stored (token; TTL 30 s), so replicas change the
//	                            learned items one at a time
//	{<p>gaps}:reload    Pub/Sub channel (not a key): an approval or removal
//	                            was stored; every replica reloads its KB
package gaps
