// Package knowledge owns the FAQ knowledge base: loading and validating the
// YAML files a support manager edits, Traditional/Simplified Chinese
// conversion, script-based language detection, matching a customer's question
// to entries with a confidence, and reloading without a restart.
//
// It imports no other warmline package.
package knowledge
