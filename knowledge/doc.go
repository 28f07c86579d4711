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
// LoadOptions{Languages: []string{"en"}} loads an English-only KB.
// Store keeps the KB in use behind an atomic pointer; Reload (SIGHUP) and
// Watch (fsnotify, 300 ms debounce) replace it only when the new files load
// cleanly, otherwise the old KB keeps serving and the error is logged.
//
// # Matching
//
// One in-memory bleve (scorch) document per entry, scored with BM25, with
// four fields: the English questions (title + examples, bleve's "en"
// analyser: stop words, possessives, Porter stemming), the Chinese questions
// (both variants normalised to Simplified, CJK width folding, bigrams plus
// single characters), and the same two for the answer side (answer, quick
// replies, link labels), queried at boost 0.2. Any Han character in the
// question sends it to the Chinese fields (so zh-CN questions meet zh-TW-only
// entries, and zh-TW users typing English still match); otherwise English.
// An English word of 5+ letters that no entry uses is replaced by the known
// word one edit away that most entries use (bleve's Levenshtein automaton);
// it then counts half.
//
// Confidence comes from two explainable numbers (Base.Explain returns them):
//
//   - coverage: the share of the question's weight that the best entry's
//     questions or answer use, each term weighted by its IDF over entries
//     (a term no entry uses weighs 0.6 of the maximum IDF). Questions about
//     something the KB does not cover leave heavy terms uncovered.
//   - margin: (best - runner-up) / best BM25 score.
//
// High (answer directly): coverage >= 0.50, margin >= 0.20, and the best
// entry uses at least 2 of the question's terms or all of them. Medium
// (offer up to 3 candidates): coverage >= 0.25. Otherwise Low (candidates are
// still returned, best first, but must not be presented as answers).
//
// The thresholds were chosen on testdata/eval/dev.yaml only, trading
// confident-wrong answers and out-of-scope High answers (target <= 5%)
// against top-1. The "2 terms or all" rule was added after CLINC
// out-of-scope questions such as "how is glue made" got High on one shared
// word; it did not change dev.
//
// # Measured (demo KB of 2026-11-23 05:18; KB-content was still editing it)
//
//	dev.yaml  (125 in scope, 36 out): top-1 70.4% (en 64.3, zh-CN 80.5, zh-TW 66.7),
//	          right entry answered or offered 84.0%, confident 20.0%,
//	          confident-wrong 2.4%, out-of-scope High 2.8%
//	test.yaml (189 in scope, 48 out, held out): top-1 67.7% (en 54.0, zh-CN 78.3,
//	          zh-TW 71.2), answered or offered 82.0%, confident 33.9%,
//	          confident-wrong 6.3% (en 14.3%), out-of-scope High 2.1%
//	Bitext (4,514 English utterances, 27 intents): top-1 55.6%, confident-wrong 5.2%
//	CLINC out-of-scope (200): High 2.5% vs the demo KB, 2.0% vs the Bitext KB
//
// The top-1 target of 90% is not met: most errors are vocabulary gaps
// ("parcel" vs "package", 新加坡 in no example) that a lexical matcher
// cannot bridge. More varied examples per entry help
// most; a semantic matcher would be the next step.
//
// Match costs 30-300 µs (Chinese conversion and fuzzy correction dominate);
// loading the demo KB about 55 ms plus 35 ms for a Converter, which Load
// builds once per process and shares.
package knowledge
