// Package escalation owns the escalation rules: the documented YAML file of
// trigger phrases, thresholds and routes (defaults from the SOP, embedded as
// default.yaml), and the analysis of a customer message that says which
// triggers fire, whether it is a complaint, and what refund amount it asks
// for. Rules is the one source of the thresholds (refund limit, repeat
// contacts, unsolved time, unhelpful answers): a threshold a rules file
// leaves out takes the SOP default from default.yaml, and callers keep no
// defaults of their own.
//
// Files: rules.go (Rules, Load, Default, Fire, RefundOverLimit), rulefile.go
// (the file format, validation with errors naming the field), trigger.go
// (kinds, Route, Trigger), analyze.go (Analysis), phrases.go (the phrase
// engine), prefilter.go (literal prefilters and the index that checks them in
// one pass), typo.go (typo correction), amount.go (the money parser),
// complaintmodel.go (the complaint model, complaint_model.json), kindmodel.go
// (the trigger model, trigger_model.json).
//
// Rules file (see default.yaml, commented for CS managers):
//
//	thresholds: refund_limit, repeat_threshold, repeat_window, unsolved_after, unhelpful_limit
//	triggers:
//	  <kind>:                      # every kind must be present
//	    route: {tier: L2|L3, priority: P1..P4, notify: [lead|legal|pr…], first_response: 5m, investigate: bool}
//	    phrases:                   # content kinds only
//	      en|zh-TW|zh-CN: {match: [regexp…], exclude: [regexp…]}
//	complaint:
//	  en|zh-TW|zh-CN: {match: [regexp…], soft: [regexp…], exclude: [regexp…]}
//	questions:                     # neutral questions: a policy, a date, a what-if
//	  en|zh-TW|zh-CN: {match: [regexp…], exclude: [regexp…]}
//	praise:                        # praise and thanks: the model alone makes no complaint of them
//	  en|zh-TW|zh-CN: {match: [regexp…], exclude: [regexp…]}
//	typos: {words: [english…], keep: [english…], en: {wrong: right}, zh: {wrong: right}, zh_words, zh_sounds, zh_keep}
//
// Patterns are case-insensitive Go regular expressions compiled once at load.
// A message is folded to half-width and matched both as written and converted
// to Taiwan Traditional (knowledge.Converter, shared with the knowledge base
// through WithConverter; converting text that is already Traditional can
// change characters, 扣款 → 釦款, hence both); zh-TW patterns are written once
// in Traditional and zh-CN patterns (Simplified-only words) are converted the
// same way at load, so every list applies to every message; a zh-TW pattern
// whose words s2twp would write otherwise (皮肤 → 面板, 回复 → 回複, 窗口 →
// 視窗) is also matched in that form. Where the
// conversion changes a Traditional message's length (s2twp turns 權限 into
// 許可權), the message is matched converted and then as written. Exclusions blank
// out the text they match (negations, product names, positive news) in both
// forms before the match patterns run. A literal prefilter derived from each
// pattern skips the regexp when the message cannot match.
//
// A message that fires nothing as written is matched once more with its
// typos corrected (typos in the file): an English word one edit from a
// trigger word of 5 to 8 letters, two from a longer one (a swap counts as
// one; real words near a trigger word are listed to be kept; of two words
// as far, the one sharing the longer start wins), a table of English typos
// of words too short for the distance (humna → human), a Chinese
// trigger word with one character replaced by one that sounds alike (經李,
// 律濕: zh_words and zh_sounds, real words such as 主人公 kept), and a table
// of other Chinese typos (主館 → 主管).
//
// Complaint words come in two strengths: match patterns make a complaint in
// any phrasing, soft ones (defects, delays, expiry) only when stated apart
// from a neutral question (in a clause of their own), so
// "我的購物金什麼時候會過期" asks, while "收到就破了" and "包裹延遲一週了
// 什麼時候會到" complain. Analysis.Question reports such a question; it
// weighs against a complaint unless a complaint word stands in a clause of
// its own (a defect reported, then a remedy asked for).
//
// The lexicon's verdict is then weighed by a complaint model (naive Bayes
// over character and word n-grams, trained from the labelled -dev and probe
// sets into complaint_model.json): a lexicon hit stands unless the rest of
// the message reads strongly neutral, and a message no phrase covers is a
// complaint when the model alone is confident, unless it praises or thanks
// (praise in the file: "質量真好", "made my day": the model's n-grams of
// such messages read like complaints). A legal or media threat is always a
// complaint.
//
// The phrases are backed by a trigger model (kindmodel.go): one logistic
// regression per kind (legal/media, security, supervisor, human) and one for
// the complaint flag, over character unigrams to trigrams and English words
// and word pairs of the converted text, trained from every labelled set but
// the held-out halves into trigger_model.json. A kind the phrases miss fires
// when its regression is confident, unless the kind's own phrases or
// exclusions matched the message and turned it down (a mention, a negation,
// curiosity); a message the lexicon and the complaint model miss is a
// complaint when the complaint regression is confident (not praise). The
// model never removes what the phrases fire.
//
// Mentions are no requests: a quoted phrase of two words or characters or
// more (a button's label, a page's text, a product), a title in 《》, what a
// button does, and a message that says it only asks out of curiosity do not
// ask for a person, a supervisor or a refund. The curiosity covers the
// message up to a "but" (但, 不過, 可是, but, however): "只是問問，但我真的
// 要找主管" asks for a supervisor after it.
//
// Ambiguous nouns do not fire on their own: 律師 / lawyer, 媒體 / media and
// court need a threat around them (找律師, my lawyer, go to the press, see you
// in court), and role nouns used as a rank, a product line or a gift
// (主管級, 送老闆的禮物, my manager) and thanks to staff are excluded.
// Unrecognised charges (a charge from a shop never bought from), account
// details changed and logins made by someone else, and physical harm are
// security; a charge taken twice is a payment error (the SOP's P2), a refund
// request when the customer asks for the money back.
//
// The package keeps no state: the bot counts repeat contacts, unhelpful
// answers and the unsolved clock, and calls Fire with the kind.
package escalation
