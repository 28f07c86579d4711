// Package semantic is warmline's optional semantic tier: it embeds a
// knowledge base's texts into vectors at load and, per question, finds
// the entries whose texts are nearest by cosine similarity. It sits
// behind the lexical matcher in package knowledge, which imports it; it
// imports no warmline package.
//
// Two Embedders are provided:
//   - Client, an OpenAI-compatible POST /v1/embeddings client (Ollama,
//     Hugging Face TEI, vLLM, OpenAI), configured by cmd from
//     WARMLINE_EMBED_URL, WARMLINE_EMBED_MODEL and WARMLINE_EMBED_API_KEY.
//     Requests are batched (32 texts by default) and bounded by a
//     per-request timeout; errors carry the status and the start of the
//     body, never the API key.
//   - StaticModel, a pure-Go loader for a Model2Vec directory
//     (model.safetensors + tokenizer.json + config.json): a text's vector
//     is the mean of its tokens' vectors. The tokenizer covers what
//     Model2Vec models declare (WordPiece or Unigram vocabularies, Bert,
//     Metaspace and Unicode normalisers and pre-tokenizers);
//     SentencePiece's Precompiled charsmap is approximated by NFKC.
//
// A Tier owns one embedder, a circuit breaker and the vectors of its last
// build. Tier.Build embeds (entry ID, text) docs, retrying temporary
// failures with exponential backoff, and reuses the vectors of texts it
// embedded last time, so rebuilding on every KB reload is cheap.
// Index.Search embeds the question once within QueryTimeout (400ms by
// default), with no retry, and says ok=false when the embedder is slow,
// failing, or the breaker is open (3 consecutive failures open it for
// 30s, then one question probes), so the caller answers lexically and a
// down endpoint costs questions nothing. Search is brute force over unit
// vectors: 5,000 vectors of dimension 256 take about 0.3 ms on the
// development machine (BenchmarkSearch).
//
// Accuracy with a real model was not measured here: no model weights are
// available offline, so the tests use a fake embeddings server and a tiny
// generated Model2Vec fixture (25 tokens, dimension 8). They show the
// plumbing is right (tokenisation, mean, cosine ranking, timeouts,
// breaker), not that any model answers a shop's questions well. Cosine
// thresholds for confidence must be chosen on the dev split for the model
// a shop actually runs.
package semantic
