// Package knowledge owns the FAQ knowledge base: loading and validating the
// YAML files a support manager edits, Traditional/Simplified Chinese
// conversion, script-based language detection, matching a customer's question
// to entries with a confidence, and reloading without a restart.
//
// It imports no other warmline package.
//
// # Loading
//
// Load / LoadWith read every *.yaml file of a directory tree (format in
// docs/ARCHITECTURE.md and the demo KB in demo/), check every entry and
// return all problems at once (errors.Join of *Error, each naming file,
// line and entry id). The missing Chinese variant of a text is converted
// with OpenCC (zh-TW -> zh-CN with t2s, zh-CN -> zh-TW with s2twp).
// LoadOptions{Languages: []string{"en"}} loads an English-only KB. A file
// with a "synonyms" section (see Synonyms) adds synonym groups.
// Store keeps the KB in use behind an atomic pointer; Reload (SIGHUP) and
// Watch (fsnotify, 300 ms debounce) replace it only when the new files load
// cleanly, otherwise the old KB keeps serving and the error is logged.
//
// # Matching
//
// Two in-memory bleve (scorch) indexes, scored with BM25:
//
//   - one document per entry, with four fields: the English questions
//     (title + examples, bleve's "en" analyser: stop words, possessives,
//     Porter stemming), the Chinese questions (both variants normalised to
//     Simplified, CJK width folding, bigrams plus single characters), and
//     the same two for the answer side (answer, quick replies, link
//     labels), queried at boost 0.2;
//   - one document per example question (and title), tagged with its entry,
//     so an entry also scores by its nearest example: BM25 over a whole
//     entry favours entries with few examples, the nearest example does
//     not.
//
// An entry's score is 0.7 x its entry BM25 + 0.3 x its best example's
// BM25, each divided by the best score of its kind (so the top entry
// scores about 1). Any Han character in the question sends it to the
// Chinese fields (so zh-CN questions meet zh-TW-only entries, and zh-TW
// users typing English still match); otherwise English. An English word
// of 5+ letters that no entry uses is replaced by the known word one edit
// away that most entries use (bleve's Levenshtein automaton); it then
// counts half.
//
// # Synonyms
//
// A KB file may hold a "synonyms" section instead of (or besides)
// "entries"; the demo KB keeps it in demo/synonyms.yaml:
//
//	synonyms:
//	  en:
//	    - [package, parcel, shipment]      # the first word is the group's name
//	    - [refund, money back, refunded]
//	  zh-TW:
//	    - [包裹, 快遞, 貨件]
//	    - [超商, 便利商店, 便利店, 7-11, 全家]
//	  zh-CN:
//	    - [积分, 点数]
//
// Every member of a group is read as the group's first word, in the
// entries (questions and answers) and in the customer's question alike.
// English members are whole words or phrases, case-insensitive, with an
// optional plural s/es. zh-TW and zh-CN groups are converted to Simplified
// and pooled (write a word once, in either variant); Chinese has no word
// boundaries, so a member is replaced wherever it appears: avoid single
// characters (貨 would also rewrite 退貨). Load rejects, naming file and
// line: an unknown language, a group with fewer than two different words,
// an empty word, a word already in another group. A synonyms file alone is
// not a KB (ErrEmpty). Keep groups to true equivalents: two entries that
// differ by one word (damaged vs defective) must stay apart. Groups are a
// support manager's tool against vocabulary gaps ("parcel" vs "package",
// country names for overseas shipping); they are rewritten, not expanded,
// so a group never makes a question match more entries than its words do.
//
// # Confidence
//
// Confidence comes from two explainable numbers (Base.Explain returns them):
//
//   - coverage: the share of the question's weight that the best entry's
//     questions or answer use, each term weighted by its IDF over entries
//     (a term no entry uses weighs 0.6 of the maximum IDF). Questions about
//     something the KB does not cover leave heavy terms uncovered.
//   - margin: (best - runner-up) / best score.
//
// High (answer directly): coverage >= 0.50, margin >= 0.20, and the best
// entry uses at least 2 of the question's terms or all of them. Medium
// (offer up to 3 candidates): coverage >= 0.25. Otherwise Low (candidates are
// still returned, best first, but must not be presented as answers).
//
// The thresholds were chosen on testdata/eval/dev.yaml only, trading
// confident-wrong answers and out-of-scope High answers (target <= 5%)
// against top-1; re-checked after the changes of 2026-11-23 (a lower
// Medium threshold gained one dev question but offered candidates to a
// third more out-of-scope ones, so they stayed). The "2 terms or all" rule
// was added after CLINC out-of-scope questions such as "how is glue made"
// got High on one shared word.
//
// Tried on dev and dropped (no gain): Chinese function-word and extra
// English stop words (lost 5-10 dev questions: coverage then rests on
// fewer terms), keeping question words (where/when/how) out of the stop
// list, ignoring numbers, adding coverage to the ranking score, a larger
// example share (0.5: worse).
//
// # Exact examples
//
// A question that is exactly one of an entry's example questions (after
// lower-casing and dropping punctuation; synonyms applied) is that entry's
// with High confidence, even when BM25 ranks a neighbour first: the KB
// author said so. Base.CheckExamples lists examples two entries share
// (`warmline kb check` prints them).
//
// # Measured (demo KB of 2026-11-23 06:40: 41 entries, 1,703 examples)
//
//	dev.yaml   (125 in scope, 36 out; tuned on): top-1 96.8% (en 92.9, zh-CN 100,
//	           zh-TW 97.6), confident-wrong 0.0%, out-of-scope High 0.0%
//	test.yaml  (189 in scope, 48 out; held out, never tuned on): top-1 82.5%
//	           (en 77.8, zh-CN 93.3, zh-TW 77.3), right entry answered or offered
//	           94.2%, confident-wrong 5.3% (en 11.1%), out-of-scope High 4.2%.
//	           History: 67.7% (first matcher) -> 75.7% (example scoring +
//	           synonyms) -> 82.5% (about 1,000 more examples, written without
//	           seeing this set).
//	test2.yaml (250 in scope, 39 out; written blind from titles and answers
//	           only): top-1 96.4% (en 95.1, zh-CN 96.8, zh-TW 97.6),
//	           confident-wrong 1.6%, out-of-scope High 5.1% (2 of 39). Easier
//	           than test.yaml: its questions lean on the answers' wording.
//	Bitext (4,514 English utterances, 27 intents, KB with its own
//	           synonyms.yaml): top-1 57.2% (first matcher 55.6%), confident-wrong 5.0%
//	CLINC out-of-scope (200): High 3.0% vs the demo KB, 2.0% vs the Bitext KB
//
// The top-1 target of 90% is met on test2 but not on test.yaml, whose
// English and zh-TW questions share few words with the KB: a lexical
// matcher needs an example near every phrasing. A semantic matcher
// (sentence embeddings) would be the next step.
//
// Match costs 90-400 µs (two searches; Chinese conversion and fuzzy
// correction dominate); loading the demo KB about 235 ms plus 35 ms for a
// Converter, which Load builds once per process and shares.
package knowledge
