package semantic

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// tensor is one tensor for writeSafetensors: dtype F32, F16 or I64.
type tensor struct {
	dtype string
	shape []int64
	f     []float32
	i     []int64
}

func (t tensor) bytes() []byte {
	var b []byte
	switch t.dtype {
	case "F32":
		for _, x := range t.f {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	case "F16":
		for _, x := range t.f {
			b = binary.LittleEndian.AppendUint16(b, float32ToHalf(x))
		}
	case "I64":
		for _, x := range t.i {
			b = binary.LittleEndian.AppendUint64(b, uint64(x))
		}
	}
	return b
}

// float32ToHalf converts normal, in-range values (all a fixture needs).
func float32ToHalf(f float32) uint16 {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	if f == 0 {
		return sign
	}
	exp := int((bits>>23)&0xff) - 127 + 15
	frac := uint16((bits >> 13) & 0x3ff)
	return sign | uint16(exp)<<10 | frac
}

// writeSafetensors writes tensors in the safetensors format.
func writeSafetensors(tb testing.TB, path string, tensors map[string]tensor) {
	tb.Helper()
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var data []byte
	for _, n := range names {
		b := tensors[n].bytes()
		header[n] = map[string]any{"dtype": tensors[n].dtype, "shape": tensors[n].shape, "data_offsets": []int{len(data), len(data) + len(b)}}
		data = append(data, b...)
	}
	h, err := json.Marshal(header)
	if err != nil {
		tb.Fatal(err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(append(out, h...), data...)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		tb.Fatal(err)
	}
}

const fixtureDim = 8

// Axes of the fixture's toy meaning space.
const (
	axisOrder = iota
	axisRefund
	axisShipping
	axisFiller = 7
)

// fixtureToken is a vocabulary entry of a fixture model and its vector.
type fixtureToken struct {
	piece string
	score float64 // unigram log probability
	axis  int     // -1: no direction (special tokens)
	scale float32
}

func (ft fixtureToken) vector() []float32 {
	v := make([]float32, fixtureDim)
	if ft.axis >= 0 {
		v[ft.axis] = ft.scale
		v[(ft.axis+3)%fixtureDim] = 0.1 * ft.scale // a little off-axis, so vectors are not one-hot
	}
	return v
}

// unigramFixture is shaped like a multilingual Model2Vec model:
// Precompiled + punctuation Replace + whitespace folding + Strip
// normalizer, Metaspace (split false) pre-tokenizer, Unigram vocabulary.
var unigramFixture = []fixtureToken{
	{"<unk>", 0, -1, 0},
	{"<pad>", 0, -1, 0},
	{"▁", -3, axisFiller, 0.1},
	{"▁where", -5, axisOrder, 1},
	{"▁is", -3, axisFiller, 0.2},
	{"▁my", -3, axisFiller, 0.2},
	{"▁order", -5, axisOrder, 1},
	{"▁refund", -6, axisRefund, 1},
	{"▁money", -6, axisRefund, 0.8},
	{"▁back", -5, axisRefund, 0.5},
	{"▁ship", -6, axisShipping, 0.6},
	{"ping", -6, axisShipping, 0.4},
	{"▁shipping", -7, axisShipping, 1},
	{"▁how", -3, axisFiller, 0.2},
	{"▁long", -4, axisShipping, 0.3},
	{"▁?", -3, axisFiller, 0.1},
	{"?", -3, axisFiller, 0.1},
	{"▁訂單", -6, axisOrder, 1},
	{"訂單", -6, axisOrder, 1},
	{"在哪", -5, axisOrder, 0.6},
	{"退款", -6, axisRefund, 1},
	{"▁退款", -6, axisRefund, 1},
	{"運費", -6, axisShipping, 1},
	{"▁我的", -4, axisFiller, 0.2},
	{"我的", -4, axisFiller, 0.2},
}

// wordPieceFixture is shaped like an English (bert-uncased) Model2Vec
// model: BertNormalizer, BertPreTokenizer, WordPiece.
var wordPieceFixture = []fixtureToken{
	{"[PAD]", 0, -1, 0},
	{"[UNK]", 0, -1, 0},
	{"where", 0, axisOrder, 1},
	{"is", 0, axisFiller, 0.2},
	{"my", 0, axisFiller, 0.2},
	{"order", 0, axisOrder, 1},
	{"refund", 0, axisRefund, 1},
	{"ship", 0, axisShipping, 0.6},
	{"##ping", 0, axisShipping, 0.4},
	{"?", 0, axisFiller, 0.1},
	{"退", 0, axisRefund, 0.5},
	{"款", 0, axisRefund, 0.5},
	{"cafe", 0, axisFiller, 0.3},
}

func fixtureIDs(toks []fixtureToken) map[string]int {
	ids := map[string]int{}
	for i, t := range toks {
		ids[t.piece] = i
	}
	return ids
}

// writeFixtureModel writes a Model2Vec model directory in a fresh temp
// dir: kind "unigram" or "wordpiece", embeddings in dtype (F32 or F16).
func writeFixtureModel(tb testing.TB, kind, dtype string, normalize bool) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "potion-fixture-"+kind)
	if err := os.Mkdir(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	var toks []fixtureToken
	var tj map[string]any
	switch kind {
	case "unigram":
		toks = unigramFixture
		vocab := make([][]any, len(toks))
		for i, t := range toks {
			vocab[i] = []any{t.piece, t.score}
		}
		var norms []any
		norms = append(norms, map[string]any{"type": "Precompiled", "precompiled_charsmap": "AAAA"}, map[string]any{"type": "Lowercase"})
		for _, p := range []string{"?", "!", ","} {
			norms = append(norms, map[string]any{"type": "Replace", "pattern": map[string]any{"String": p}, "content": " " + p + " "})
		}
		norms = append(norms,
			map[string]any{"type": "Replace", "pattern": map[string]any{"Regex": `\s+`}, "content": " "},
			map[string]any{"type": "Strip", "strip_left": false, "strip_right": true})
		tj = map[string]any{
			"version":        "1.0",
			"added_tokens":   []any{map[string]any{"id": 0, "content": "<unk>", "special": true}},
			"normalizer":     map[string]any{"type": "Sequence", "normalizers": norms},
			"pre_tokenizer":  map[string]any{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": false},
			"post_processor": nil,
			"decoder":        map[string]any{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": false},
			"model":          map[string]any{"type": "Unigram", "unk_id": 0, "vocab": vocab, "byte_fallback": false},
		}
	case "wordpiece":
		toks = wordPieceFixture
		tj = map[string]any{
			"version":       "1.0",
			"normalizer":    map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": nil, "lowercase": true},
			"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
			"model":         map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": fixtureIDs(toks)},
		}
	default:
		tb.Fatalf("unknown fixture kind %q", kind)
	}
	b, err := json.Marshal(tj)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), b, 0o600); err != nil {
		tb.Fatal(err)
	}
	var flat []float32
	for _, t := range toks {
		flat = append(flat, t.vector()...)
	}
	writeSafetensors(tb, filepath.Join(dir, "model.safetensors"), map[string]tensor{
		"embeddings": {dtype: dtype, shape: []int64{int64(len(toks)), fixtureDim}, f: flat},
	})
	cfg, _ := json.Marshal(map[string]any{"model_type": "model2vec", "normalize": normalize, "hidden_dim": fixtureDim})
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o600); err != nil {
		tb.Fatal(err)
	}
	return dir
}
