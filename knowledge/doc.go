// Package knowledge owns the FAQ knowledge base: loading and validating the
// YAML files a support manager edits, Traditional/Simplified Chinese
// conversion, script-based language detection, matching a customer's question
// to entries with a confidence, reloading without a restart, and measuring
// the matching on labeled question sets. It imports no other warmline package.
//
// # KB format
//
// A KB is a directory tree of *.yaml files (the demo KB is in demo/). A file
// holds any of three top-level sections:
//
//   - entries: the FAQ entries (id, category, action, title, examples,
//     answer, quick_replies, links; see README and demo/). The missing
//     Chinese variant of a text is converted with OpenCC: an answer into
//     zh-CN in mainland wording (Converter.Localize: repaired tw2sp and the
//     Taiwan term list twterms.txt), everything the matcher reads character
//     by character (t2s). Base.CheckWording lists the Taiwan-only terms
//     left in zh-CN text for `warmline kb check`.
//   - synonyms: groups of words that mean the same to customers, per
//     language; every member is read as the group's first word, in the
//     entries and in the question alike (demo/synonyms.yaml). English
//     members are whole words or phrases with an optional plural s/es;
//     zh-TW and zh-CN groups are pooled (write a word once, in either
//     variant) and replaced wherever they appear, so avoid single
//     characters. Keep groups to true equivalents.
//   - greeting_topics: the entry ids offered as quick-reply buttons in the
//     greeting, in order, at most MaxGreetingTopics, declared once per KB
//     (demo/greeting.yaml); Base.GreetingTopics returns them.
//   - add_examples: more example questions for entries declared in any
//     file ({entry, examples}; any one language, the other Chinese variant
//     converted): the learned.yaml that package knowledge/gaps writes.
//
// Load / LoadWith check every file and return all problems at once
// (errors.Join of *Error, each naming file, line and entry id). Store keeps
// the KB in use behind an atomic pointer; Reload (SIGHUP) and Watch
// (fsnotify) replace it only when the new files load cleanly; an Overlay
// (SetOverlay) adds files kept elsewhere (the learned items in Redis) to
// every load, and Status reports the last reload's problems. Sync loads
// like Reload unless the KB in use was loaded with the overlay's current
// files: a service loads its KB once with it before serving (with the
// semantic tier and the learned items) and again only when they change.
//
// # Matching
//
// Base.Match searches two in-memory bleve indexes with BM25: one document
// per entry (its questions, and its answer side at a lower boost) and one
// per example question, blended so an entry also scores by its nearest
// example. Any Han character sends a question to the Chinese fields (both
// variants normalised to Simplified, bigrams plus single characters);
// otherwise to the English ones (stemmed, unknown long words corrected one
// edit away). A question that is exactly an entry's example gets that entry.
//
// Confidence comes from two numbers Base.Explain returns: coverage (the
// share of the question's IDF weight the best entry uses) and margin over
// the runner-up. High answers directly, Medium offers up to 3 candidates,
// Low offers nothing as an answer.
//
// # Semantic tier (optional)
//
// LoadOptions.Semantic puts a semantic.Tier (an embeddings server or a
// local Model2Vec model) behind the lexical matcher. Every load builds its
// index from the entries' titles and examples in all languages, learned
// ones included (a failed build is logged once; matching stays lexical;
// Store.Check builds nothing). A question whose lexical result is High is
// answered as before; otherwise Match asks the index for the 3 nearest
// entries within the tier's query timeout and, when it answers, combines
// (SemanticOptions): a menu is reranked by α·lexical + (1−α)·cosine and
// becomes an answer only when both tiers' first entries agree and the
// cosine clears AnswerCosine by AnswerMargin; a Low result becomes a menu
// when the cosine clears MenuCosine. The semantic tier alone never
// answers, and when it is slow or down the lexical result stands.
// Explanation.Semantic says what it did. The thresholds' defaults were not
// tuned with a real model.
//
// # Evaluation
//
// LoadEvalSet reads a labeled question set, Evaluate scores a KB on it and
// UpdateEvalDoc writes the numbers into docs/knowledge-eval.md (`warmline
// eval -doc`), which also records how the thresholds were chosen.
package knowledge
