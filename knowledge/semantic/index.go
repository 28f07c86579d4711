package semantic

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.uber.org/zap"
)

// Options tune a Tier. Zero values take the defaults in brackets.
type Options struct {
	// QueryTimeout bounds embedding one question [400ms]. Past it Search
	// says ok=false and the caller answers lexically.
	QueryTimeout time.Duration
	// BreakerFailures consecutive query failures open the breaker [3];
	// for BreakerCooldown [30s] Search then says ok=false without calling
	// the embedder, after which one question probes it again.
	BreakerFailures int
	BreakerCooldown time.Duration
	// BuildBatch is the most texts per Embed call while building [64].
	BuildBatch int
	// BuildTries is the most attempts per batch while building [4], with
	// exponential backoff from BuildBackoff [500ms], giving up after
	// BuildMaxElapsed [1m] per batch. Only temporary errors (network,
	// timeout, 408, 429, 5xx) are retried.
	BuildTries      uint
	BuildBackoff    time.Duration
	BuildMaxElapsed time.Duration
	// Log receives breaker changes (warn/info) and query failures (debug,
	// never the question) [no logging].
	Log *zap.Logger
}

func (o Options) withDefaults() Options {
	if o.QueryTimeout <= 0 {
		o.QueryTimeout = 400 * time.Millisecond
	}
	if o.BreakerFailures <= 0 {
		o.BreakerFailures = 3
	}
	if o.BreakerCooldown <= 0 {
		o.BreakerCooldown = 30 * time.Second
	}
	if o.BuildBatch <= 0 {
		o.BuildBatch = 64
	}
	if o.BuildTries == 0 {
		o.BuildTries = 4
	}
	if o.BuildBackoff <= 0 {
		o.BuildBackoff = 500 * time.Millisecond
	}
	if o.BuildMaxElapsed <= 0 {
		o.BuildMaxElapsed = time.Minute
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	return o
}

// Tier is the semantic tier for one embedder: it builds indexes (one per
// KB load) and owns what outlives them, the breaker and the vectors of
// the last build's texts, so a rebuild on reload embeds only new texts.
// Safe for concurrent use.
type Tier struct {
	emb  Embedder
	opts Options
	brk  *breaker
	log  *zap.Logger

	mu    sync.Mutex
	cache map[string][]float32 // text → unit vector, from the last Build
}

// NewTier returns a tier over emb.
func NewTier(emb Embedder, opts Options) *Tier {
	opts = opts.withDefaults()
	log := opts.Log.With(zap.String("embedder", emb.Name()))
	return &Tier{
		emb:   emb,
		opts:  opts,
		brk:   newBreaker(opts.BreakerFailures, opts.BreakerCooldown, log),
		log:   log,
		cache: map[string][]float32{},
	}
}

// Doc is one text that stands for a KB entry: an example question, a
// title. An entry may have many; it scores by its nearest one.
type Doc struct {
	ID   string
	Text string
}

// Result is an entry and its cosine similarity to the question (-1..1,
// higher is closer; the scale depends on the model).
type Result struct {
	ID    string
	Score float32
}

// Index holds the unit vectors of a KB's docs. It is immutable once
// built and safe for concurrent Search.
type Index struct {
	tier  *Tier
	ids   []string  // distinct entry IDs, in first-seen order
	owner []int32   // per vector, its entry's position in ids
	vecs  []float32 // len(owner) × dim, each row unit length
	dim   int
}

// Build embeds docs (empty texts skipped, duplicates embedded once, texts
// of the previous Build reused) and returns their index. Temporary errors
// are retried with backoff; a failed Build returns an error and the
// caller goes on lexically (or keeps its previous index).
func (t *Tier) Build(ctx context.Context, docs []Doc) (*Index, error) {
	texts := make([]string, 0, len(docs))
	seen := make(map[string]bool, len(docs))
	for _, d := range docs {
		s := strings.TrimSpace(d.Text)
		if s != "" && !seen[s] {
			seen[s] = true
			texts = append(texts, s)
		}
	}
	t.mu.Lock()
	vec := make(map[string][]float32, len(texts))
	var missing []string
	for _, s := range texts {
		if v, ok := t.cache[s]; ok {
			vec[s] = v
		} else {
			missing = append(missing, s)
		}
	}
	t.mu.Unlock()

	for start := 0; start < len(missing); start += t.opts.BuildBatch {
		batch := missing[start:min(start+t.opts.BuildBatch, len(missing))]
		vs, err := t.embedWithRetry(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("build semantic index (%s), texts %d-%d of %d new: %w", t.emb.Name(), start, start+len(batch)-1, len(missing), err)
		}
		for i, s := range batch {
			vec[s] = vs[i]
		}
	}

	ix := &Index{tier: t}
	pos := map[string]int32{}
	type pair struct{ id, text string }
	added := map[pair]bool{}
	for _, d := range docs {
		s := strings.TrimSpace(d.Text)
		v, ok := vec[s]
		if !ok || added[pair{d.ID, s}] {
			continue
		}
		added[pair{d.ID, s}] = true
		if ix.dim == 0 {
			ix.dim = len(v)
		} else if len(v) != ix.dim {
			return nil, fmt.Errorf("build semantic index (%s): dimension %d, earlier %d: %w", t.emb.Name(), len(v), ix.dim, ErrBadResponse)
		}
		p, ok := pos[d.ID]
		if !ok {
			p = int32(len(ix.ids))
			pos[d.ID] = p
			ix.ids = append(ix.ids, d.ID)
		}
		ix.owner = append(ix.owner, p)
		ix.vecs = append(ix.vecs, v...)
	}

	t.mu.Lock()
	t.cache = vec
	t.mu.Unlock()
	return ix, nil
}

// embedWithRetry embeds one batch and returns unit vectors.
func (t *Tier) embedWithRetry(ctx context.Context, batch []string) ([][]float32, error) {
	eb := backoff.NewExponentialBackOff()
	eb.InitialInterval = t.opts.BuildBackoff
	return backoff.Retry(ctx, func() ([][]float32, error) {
		vs, err := t.emb.Embed(ctx, batch)
		if err == nil {
			err = checkVectors(vs, len(batch))
		}
		if err != nil {
			if ctx.Err() != nil || !temporary(err) {
				return nil, backoff.Permanent(err)
			}
			return nil, err
		}
		for _, v := range vs {
			normalize(v)
		}
		return vs, nil
	}, backoff.WithBackOff(eb), backoff.WithMaxTries(t.opts.BuildTries), backoff.WithMaxElapsedTime(t.opts.BuildMaxElapsed))
}

func checkVectors(vs [][]float32, n int) error {
	if len(vs) != n {
		return fmt.Errorf("%d vectors for %d texts: %w", len(vs), n, ErrBadResponse)
	}
	for _, v := range vs {
		if len(v) == 0 || len(v) != len(vs[0]) {
			return fmt.Errorf("vector dimensions %d and %d: %w", len(vs[0]), len(v), ErrBadResponse)
		}
	}
	return nil
}

// Len is the number of vectors (distinct docs, counted per entry).
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.owner)
}

// Dim is the vectors' dimension (0 for an empty index).
func (ix *Index) Dim() int {
	if ix == nil {
		return 0
	}
	return ix.dim
}

// Search embeds question within the tier's QueryTimeout (never retried)
// and returns up to k entries by their nearest doc's cosine, best first.
// ok is false, with no results, when there is nothing to search, the
// breaker is open, or the embedder failed or was too slow: the caller
// then answers from the lexical matcher alone. A nil Index is valid and
// always says ok=false.
func (ix *Index) Search(ctx context.Context, question string, k int) ([]Result, bool) {
	question = strings.TrimSpace(question)
	if ix == nil || len(ix.owner) == 0 || question == "" || k <= 0 {
		return nil, false
	}
	t := ix.tier
	done, ok := t.brk.allow()
	if !ok {
		return nil, false
	}
	qctx, cancel := context.WithTimeout(ctx, t.opts.QueryTimeout)
	vs, err := t.emb.Embed(qctx, []string{question})
	cancel()
	if err == nil {
		err = checkVectors(vs, 1)
	}
	if err == nil && len(vs[0]) != ix.dim {
		err = fmt.Errorf("question vector has dimension %d, index %d: %w", len(vs[0]), ix.dim, ErrBadResponse)
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The caller gave up (request cancelled): not the embedder's fault.
			done(errCallerGone)
			return nil, false
		}
		t.log.Debug("semantic query failed", zap.Error(err))
		done(err)
		return nil, false
	}
	done(nil)
	q := vs[0]
	normalize(q)
	return ix.nearest(q, k), true
}

// nearest scores every vector against the unit vector q (brute force) and
// returns the k best entries by their best vector.
func (ix *Index) nearest(q []float32, k int) []Result {
	best := make([]float32, len(ix.ids))
	for i := range best {
		best[i] = -2
	}
	for r, p := range ix.owner {
		s := dot(q, ix.vecs[r*ix.dim:(r+1)*ix.dim])
		if s > best[p] {
			best[p] = s
		}
	}
	res := make([]Result, 0, min(k, len(ix.ids)))
	for p, s := range best {
		if len(res) < k {
			res = append(res, Result{ID: ix.ids[p], Score: s})
			if len(res) == k {
				slices.SortFunc(res, byScore)
			}
			continue
		}
		if s > res[k-1].Score {
			i, _ := slices.BinarySearchFunc(res, s, func(r Result, s float32) int { return cmp.Compare(s, r.Score) })
			copy(res[i+1:], res[i:k-1])
			res[i] = Result{ID: ix.ids[p], Score: s}
		}
	}
	slices.SortStableFunc(res, byScore)
	return res
}

func byScore(a, b Result) int { return cmp.Compare(b.Score, a.Score) }

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// normalize scales v to unit length in place (a zero vector stays zero).
func normalize(v []float32) {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(n))
	for i := range v {
		v[i] *= inv
	}
}
