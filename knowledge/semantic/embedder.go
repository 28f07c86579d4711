package semantic

import (
	"context"
	"errors"
)

// Embedder turns texts into vectors, one per text, in order. It must be
// safe for concurrent use. Vectors of one Embedder all have the same
// length; they need not be normalised (the Index normalises them).
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	// Name identifies the model in logs ("openai:bge-m3",
	// "model2vec:potion-multilingual-128M").
	Name() string
}

// ErrBadResponse means an embeddings server answered 2xx with a body that
// is not a usable embeddings response (wrong count, ragged vectors, ...).
var ErrBadResponse = errors.New("bad embeddings response")
