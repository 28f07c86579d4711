package semantic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// StaticModel is a Model2Vec static embedding model loaded from a
// directory: model.safetensors (tensor "embeddings" [vocab, dim] in F32,
// F16, BF16 or F64; optional "weights" [vocab] and "mapping" [vocab] of
// newer, vocabulary-quantised models), tokenizer.json and optionally
// config.json ({"normalize": true}). A text's vector is the mean of its
// tokens' vectors (unknown tokens dropped, at most 512 tokens), scaled to
// unit length when config says normalize. Pure Go, no network; safe for
// concurrent use.
type StaticModel struct {
	name      string
	tok       *tokenizer
	emb       []float32 // rows × dim
	dim       int
	rows      int
	weights   []float32 // per token id, or nil
	mapping   []int64   // token id → row, or nil
	normalize bool
}

const maxModelTokens = 512

// LoadStaticModel loads a Model2Vec model directory.
func LoadStaticModel(dir string) (*StaticModel, error) {
	tok, err := loadTokenizer(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, fmt.Errorf("load model2vec %s: %w", dir, err)
	}
	m := &StaticModel{name: "model2vec:" + filepath.Base(filepath.Clean(dir)), tok: tok}
	if err := m.loadTensors(filepath.Join(dir, "model.safetensors")); err != nil {
		return nil, fmt.Errorf("load model2vec %s: %w", dir, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "config.json")); err == nil {
		var cfg struct {
			Normalize bool `json:"normalize"`
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("load model2vec %s: config.json: %w", dir, err)
		}
		m.normalize = cfg.Normalize
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("load model2vec %s: %w", dir, err)
	}
	ids := tok.vocabSize
	if m.mapping != nil {
		if len(m.mapping) < ids {
			return nil, fmt.Errorf("load model2vec %s: mapping has %d ids, tokenizer %d", dir, len(m.mapping), ids)
		}
		for id, row := range m.mapping {
			if row < 0 || row >= int64(m.rows) {
				return nil, fmt.Errorf("load model2vec %s: mapping[%d] = %d, embeddings have %d rows", dir, id, row, m.rows)
			}
		}
	} else if m.rows < ids {
		return nil, fmt.Errorf("load model2vec %s: %d embedding rows for a vocabulary of %d", dir, m.rows, ids)
	}
	if m.weights != nil && len(m.weights) < ids {
		return nil, fmt.Errorf("load model2vec %s: %d weights for a vocabulary of %d", dir, len(m.weights), ids)
	}
	return m, nil
}

func (m *StaticModel) loadTensors(path string) error {
	st, err := openSafetensors(path)
	if err != nil {
		return err
	}
	defer st.Close()
	name := "embeddings"
	if _, ok := st.tensors[name]; !ok {
		name = "embedding.weight" // sentence-transformers' StaticEmbedding layout
	}
	emb, shape, err := st.floats(name)
	if err != nil {
		return fmt.Errorf("%s (has %v): %w", path, st.names(), err)
	}
	if len(shape) != 2 || shape[0] <= 0 || shape[1] <= 0 {
		return fmt.Errorf("%s: %s has shape %v, want [vocab, dim]", path, name, shape)
	}
	m.emb, m.rows, m.dim = emb, int(shape[0]), int(shape[1])
	if w, _, err := st.floats("weights"); err == nil {
		m.weights = w
	} else if !errors.Is(err, errNoTensor) {
		return fmt.Errorf("%s: %w", path, err)
	}
	if mp, _, err := st.ints("mapping"); err == nil {
		m.mapping = mp
	} else if !errors.Is(err, errNoTensor) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Name returns "model2vec:<directory name>".
func (m *StaticModel) Name() string { return m.name }

// Dim is the vectors' dimension.
func (m *StaticModel) Dim() int { return m.dim }

// Embed returns one vector per text; a text with no known token gets a
// zero vector (which matches nothing).
func (m *StaticModel) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, s := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i] = m.embed(s)
	}
	return out, nil
}

func (m *StaticModel) embed(s string) []float32 {
	v := make([]float32, m.dim)
	ids := m.tok.encode(s)
	if len(ids) > maxModelTokens {
		ids = ids[:maxModelTokens]
	}
	n := 0
	for _, id := range ids {
		if id < 0 || id >= m.tok.vocabSize {
			continue
		}
		row := id
		if m.mapping != nil {
			row = int(m.mapping[id])
		}
		w := float32(1)
		if m.weights != nil {
			w = m.weights[id]
		}
		r := m.emb[row*m.dim : (row+1)*m.dim]
		for k := range v {
			v[k] += w * r[k]
		}
		n++
	}
	if n == 0 {
		return v
	}
	for k := range v {
		v[k] /= float32(n)
	}
	if m.normalize {
		normalize(v)
	}
	return v
}
