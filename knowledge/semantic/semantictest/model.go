package semantictest

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WriteModel writes a tiny Model2Vec directory (model.safetensors,
// tokenizer.json with a lower-casing WordPiece vocabulary, config.json)
// into a fresh temp dir and returns its path. Its vocabulary is the
// concepts' words (single English words, as a text spells them), each
// with its concept's axis plus a little deterministic noise; every other
// word is [UNK], whose vector is zero. Like New's server, it stands in for
// a model on chosen words only.
func WriteModel(tb testing.TB, concepts ...[]string) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "potion-fixture")
	if err := os.Mkdir(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	dim := len(concepts) + 4
	vocab := map[string]int{"[PAD]": 0, "[UNK]": 1}
	rows := [][]float32{make([]float32, dim), make([]float32, dim)}
	for c, words := range concepts {
		for _, w := range words {
			w = strings.ToLower(w)
			if _, dup := vocab[w]; dup || strings.ContainsAny(w, " \t") {
				continue
			}
			v := make([]float32, dim)
			v[c] = 1
			v[len(concepts)+len(rows)%4] = 0.1
			vocab[w] = len(rows)
			rows = append(rows, v)
		}
	}
	tj := map[string]any{
		"version":       "1.0",
		"normalizer":    map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": nil, "lowercase": true},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"model":         map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab},
	}
	writeJSON(tb, filepath.Join(dir, "tokenizer.json"), tj)
	writeJSON(tb, filepath.Join(dir, "config.json"), map[string]any{"model_type": "model2vec", "normalize": true, "hidden_dim": dim})

	var data []byte
	for _, r := range rows {
		for _, x := range r {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(x))
		}
	}
	h, err := json.Marshal(map[string]any{
		"__metadata__": map[string]string{"format": "pt"},
		"embeddings":   map[string]any{"dtype": "F32", "shape": []int{len(rows), dim}, "data_offsets": []int{0, len(data)}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(append(out, h...), data...)
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), out, 0o600); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func writeJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}
