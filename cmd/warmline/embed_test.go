package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/semantic/semantictest"
)

func TestLoadConfigEmbed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	key := filepath.Join(dir, "key")
	if err := os.WriteFile(key, []byte("sk-test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.EmbedURL != "" || c.EmbedModelDir != "" || c.EmbedTimeout != 400*time.Millisecond {
		t.Errorf("defaults: url %q, dir %q, timeout %v; want off and 400ms", c.EmbedURL, c.EmbedModelDir, c.EmbedTimeout)
	}
	c, err = loadConfig(envFrom(map[string]string{
		"WARMLINE_EMBED_URL": "http://ollama:11434/v1/", "WARMLINE_EMBED_MODEL": "bge-m3",
		"WARMLINE_EMBED_API_KEY_FILE": key, "WARMLINE_EMBED_TIMEOUT": "250ms",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.EmbedURL != "http://ollama:11434/v1" || c.EmbedModel != "bge-m3" || c.EmbedKey != "sk-test" || c.EmbedTimeout != 250*time.Millisecond {
		t.Errorf("got url %q model %q key set %v timeout %v", c.EmbedURL, c.EmbedModel, c.EmbedKey == "sk-test", c.EmbedTimeout)
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"url needs model", map[string]string{"WARMLINE_EMBED_URL": "http://tei:8080"}, "WARMLINE_EMBED_MODEL is required"},
		{"url and dir", map[string]string{"WARMLINE_EMBED_URL": "http://tei:8080", "WARMLINE_EMBED_MODEL": "m", "WARMLINE_EMBED_MODEL_DIR": dir}, "choose one embedder"},
		{"bad url", map[string]string{"WARMLINE_EMBED_URL": "tei:8080", "WARMLINE_EMBED_MODEL": "m"}, "WARMLINE_EMBED_URL"},
		{"missing dir", map[string]string{"WARMLINE_EMBED_MODEL_DIR": filepath.Join(dir, "nope")}, "WARMLINE_EMBED_MODEL_DIR"},
		{"bad timeout", map[string]string{"WARMLINE_EMBED_TIMEOUT": "fast"}, "WARMLINE_EMBED_TIMEOUT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(envFrom(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

// TestE2ESemanticEmbedURL boots warmline with WARMLINE_EMBED_URL at a fake
// embeddings server and asks, through the webhook, paraphrases the
// lexical matcher alone only offers or misses.
func TestE2ESemanticEmbedURL(t *testing.T) {
	t.Parallel()
	srv := semantictest.New(t, semantictest.ShopConcepts...)
	h := startSemanticE2E(t, map[string]string{"WARMLINE_EMBED_URL": srv.URL, "WARMLINE_EMBED_MODEL": "fake"})
	if srv.Texts() == 0 {
		t.Fatal("the KB's texts were not embedded at start")
	}
	askParaphrases(t, h)
}

// TestE2ESemanticModelDir is the same with a local Model2Vec directory
// (a generated fixture).
func TestE2ESemanticModelDir(t *testing.T) {
	t.Parallel()
	h := startSemanticE2E(t, map[string]string{"WARMLINE_EMBED_MODEL_DIR": semantictest.WriteModel(t, semantictest.ShopConcepts...)})
	askParaphrases(t, h)
}

// startSemanticE2E boots warmline on embedKB with env's embedder settings,
// after checking what the lexical matcher alone does with the questions
// askParaphrases asks.
func startSemanticE2E(t *testing.T, env map[string]string) *e2e {
	t.Helper()
	kb := t.TempDir()
	if err := os.WriteFile(filepath.Join(kb, "faq.yaml"), []byte(semantictest.ShopKB), 0o644); err != nil {
		t.Fatal(err)
	}
	// What the lexical matcher alone does with the two questions.
	lexical, err := knowledge.Load(context.Background(), os.DirFS(kb))
	if err != nil {
		t.Fatal(err)
	}
	if m := lexical.Match(context.Background(), "can my puppy come to the store", ""); m.Confidence != knowledge.Medium {
		t.Fatalf("lexically: %s, want medium (a menu)", m.Confidence)
	}
	if m := lexical.Match(context.Background(), "are animals ok?", ""); m.Confidence != knowledge.Low {
		t.Fatalf("lexically: %s, want low", m.Confidence)
	}
	env["WARMLINE_KB_DIR"] = kb
	// A question waits 400 ms for its embedding by default, then is matched
	// lexically alone: on a loaded machine (the -race suite, parallel tests)
	// the embedding took longer and the paraphrase got the lexical menu
	// (TestE2ESemanticEmbedURL failed so at load 17). The tests ask what the
	// semantic tier answers, so they wait for it.
	env["WARMLINE_EMBED_TIMEOUT"] = "30s"
	return startE2E(t, e2eOpts{env: env})
}

func askParaphrases(t *testing.T, h *e2e) {
	t.Helper()
	// Lexically a menu; the semantic tier agrees on its first entry.
	if got := h.say(bob, "can my puppy come to the store", 1); !strings.Contains(allText(got), "Leashed dogs are welcome") {
		t.Errorf("paraphrase both tiers agree on: got %s, want the pet-policy answer", dump(got))
	}
	// Lexically nothing; the semantic tier offers the entry.
	if got := h.say(bob, "are animals ok?", 1); !strings.Contains(allText(got), "Pets in the store") || strings.Contains(allText(got), "Leashed dogs are welcome") {
		t.Errorf("paraphrase only the semantic tier finds: got %s, want Pets in the store offered, not answered", dump(got))
	}
}
