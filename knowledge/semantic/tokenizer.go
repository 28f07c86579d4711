package semantic

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// tokenizer is the part of a Hugging Face tokenizer.json a static model
// needs: normalizer, pre-tokenizer and a WordPiece, Unigram or WordLevel
// vocabulary, producing token ids without special tokens (Model2Vec
// encodes with add_special_tokens=False).
//
// Supported normalizers: BertNormalizer, Lowercase, NFC, NFD, NFKC, NFKD,
// StripAccents, Strip, Replace (string or regex), Prepend, Sequence, and
// Precompiled (SentencePiece's compiled charsmap), which is approximated
// by NFKC plus whitespace folding rather than decoded. Pre-tokenizers:
// BertPreTokenizer, Whitespace, WhitespaceSplit, Metaspace, Punctuation,
// Digits, Sequence. Added tokens are not split out of the text first, and
// BPE / ByteLevel models are not supported (Load says so).
type tokenizer struct {
	normalize   func(string) string
	preTokenize func([]string) []string
	model       tokenModel
	vocabSize   int
}

type tokenModel interface {
	tokenize(word string, out []int) []int
	unkID() int // -1 when the model has none
}

type tokenizerJSON struct {
	Normalizer   json.RawMessage `json:"normalizer"`
	PreTokenizer json.RawMessage `json:"pre_tokenizer"`
	Model        json.RawMessage `json:"model"`
}

func loadTokenizer(path string) (*tokenizer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tj tokenizerJSON
	if err := json.Unmarshal(b, &tj); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	t := &tokenizer{}
	if t.normalize, err = buildNormalizer(tj.Normalizer); err != nil {
		return nil, fmt.Errorf("%s normalizer: %w", path, err)
	}
	if t.preTokenize, err = buildPreTokenizer(tj.PreTokenizer); err != nil {
		return nil, fmt.Errorf("%s pre_tokenizer: %w", path, err)
	}
	if t.model, t.vocabSize, err = buildModel(tj.Model); err != nil {
		return nil, fmt.Errorf("%s model: %w", path, err)
	}
	return t, nil
}

// encode returns the token ids of text, unknown tokens dropped.
func (t *tokenizer) encode(text string) []int {
	s := t.normalize(text)
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var ids []int
	for _, w := range t.preTokenize([]string{s}) {
		if w != "" {
			ids = t.model.tokenize(w, ids)
		}
	}
	if unk := t.model.unkID(); unk >= 0 {
		kept := ids[:0]
		for _, id := range ids {
			if id != unk {
				kept = append(kept, id)
			}
		}
		ids = kept
	}
	return ids
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

type typed struct {
	Type string `json:"type"`
}

// ---- normalizers

func buildNormalizer(raw json.RawMessage) (func(string) string, error) {
	if isNull(raw) {
		return func(s string) string { return s }, nil
	}
	var h typed
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, err
	}
	switch h.Type {
	case "Sequence":
		var c struct {
			Normalizers []json.RawMessage `json:"normalizers"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		fs := make([]func(string) string, 0, len(c.Normalizers))
		for _, n := range c.Normalizers {
			f, err := buildNormalizer(n)
			if err != nil {
				return nil, err
			}
			fs = append(fs, f)
		}
		return func(s string) string {
			for _, f := range fs {
				s = f(s)
			}
			return s
		}, nil
	case "BertNormalizer":
		var c struct {
			CleanText          *bool `json:"clean_text"`
			HandleChineseChars *bool `json:"handle_chinese_chars"`
			StripAccents       *bool `json:"strip_accents"`
			Lowercase          *bool `json:"lowercase"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		on := func(p *bool, def bool) bool {
			if p == nil {
				return def
			}
			return *p
		}
		clean, chinese, lower := on(c.CleanText, true), on(c.HandleChineseChars, true), on(c.Lowercase, true)
		strip := on(c.StripAccents, lower)
		return func(s string) string {
			if clean {
				s = cleanText(s)
			}
			if chinese {
				s = padChinese(s)
			}
			if strip {
				s = stripAccents(s)
			}
			if lower {
				s = strings.ToLower(s)
			}
			return s
		}, nil
	case "Lowercase":
		return strings.ToLower, nil
	case "NFC":
		return norm.NFC.String, nil
	case "NFD":
		return norm.NFD.String, nil
	case "NFKC":
		return norm.NFKC.String, nil
	case "NFKD":
		return norm.NFKD.String, nil
	case "StripAccents":
		return stripAccents, nil
	case "Precompiled":
		// SentencePiece's nmt_nfkc charsmap is, to a close approximation,
		// NFKC with control characters dropped and whitespace folded to ' '.
		return func(s string) string { return cleanText(norm.NFKC.String(s)) }, nil
	case "Strip":
		var c struct {
			Left  *bool `json:"strip_left"`
			Right *bool `json:"strip_right"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		left, right := c.Left == nil || *c.Left, c.Right == nil || *c.Right
		return func(s string) string {
			if left {
				s = strings.TrimLeftFunc(s, unicode.IsSpace)
			}
			if right {
				s = strings.TrimRightFunc(s, unicode.IsSpace)
			}
			return s
		}, nil
	case "Prepend":
		var c struct {
			Prepend string `json:"prepend"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		return func(s string) string {
			if s == "" {
				return s
			}
			return c.Prepend + s
		}, nil
	case "Replace":
		var c struct {
			Pattern struct {
				String *string `json:"String"`
				Regex  *string `json:"Regex"`
			} `json:"pattern"`
			Content string `json:"content"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		switch {
		case c.Pattern.String != nil:
			old := *c.Pattern.String
			return func(s string) string { return strings.ReplaceAll(s, old, c.Content) }, nil
		case c.Pattern.Regex != nil:
			re, err := regexp.Compile(*c.Pattern.Regex)
			if err != nil {
				return nil, fmt.Errorf("Replace regex: %w", err)
			}
			return func(s string) string { return re.ReplaceAllLiteralString(s, c.Content) }, nil
		}
		return nil, fmt.Errorf("Replace without a pattern")
	}
	return nil, fmt.Errorf("normalizer type %q is not supported", h.Type)
}

// cleanText drops NUL, U+FFFD and control characters and turns every
// whitespace character into a plain space (BertNormalizer's clean_text).
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == 0 || r == utf8.RuneError:
		case r == '\t' || r == '\n' || r == '\r' || unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isCJK(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF ||
		r >= 0x20000 && r <= 0x2A6DF || r >= 0x2A700 && r <= 0x2B73F ||
		r >= 0x2B740 && r <= 0x2B81F || r >= 0x2B820 && r <= 0x2CEAF ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0x2F800 && r <= 0x2FA1F
}

func padChinese(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if isCJK(r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func stripAccents(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ---- pre-tokenizers

func buildPreTokenizer(raw json.RawMessage) (func([]string) []string, error) {
	if isNull(raw) {
		return func(ws []string) []string { return ws }, nil
	}
	var h typed
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, err
	}
	each := func(f func(string, int) []string) func([]string) []string {
		return func(ws []string) []string {
			var out []string
			for i, w := range ws {
				out = append(out, f(w, i)...)
			}
			return out
		}
	}
	switch h.Type {
	case "Sequence":
		var c struct {
			PreTokenizers []json.RawMessage `json:"pretokenizers"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		fs := make([]func([]string) []string, 0, len(c.PreTokenizers))
		for _, p := range c.PreTokenizers {
			f, err := buildPreTokenizer(p)
			if err != nil {
				return nil, err
			}
			fs = append(fs, f)
		}
		return func(ws []string) []string {
			for _, f := range fs {
				ws = f(ws)
			}
			return ws
		}, nil
	case "BertPreTokenizer":
		return each(func(w string, _ int) []string { return splitPunct(strings.FieldsFunc(w, unicode.IsSpace)) }), nil
	case "WhitespaceSplit":
		return each(func(w string, _ int) []string { return strings.FieldsFunc(w, unicode.IsSpace) }), nil
	case "Whitespace":
		return each(func(w string, _ int) []string { return splitWordsAndSymbols(w) }), nil
	case "Punctuation":
		return each(func(w string, _ int) []string { return splitPunct([]string{w}) }), nil
	case "Digits":
		var c struct {
			Individual bool `json:"individual_digits"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		return each(func(w string, _ int) []string { return splitDigits(w, c.Individual) }), nil
	case "Metaspace":
		var c struct {
			Replacement    string `json:"replacement"`
			PrependScheme  string `json:"prepend_scheme"`
			AddPrefixSpace *bool  `json:"add_prefix_space"`
			Split          *bool  `json:"split"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		if c.Replacement == "" {
			c.Replacement = "▁"
		}
		scheme := c.PrependScheme
		if scheme == "" {
			scheme = "always"
			if c.AddPrefixSpace != nil && !*c.AddPrefixSpace {
				scheme = "never"
			}
		}
		split := c.Split == nil || *c.Split
		rep := c.Replacement
		return each(func(w string, i int) []string {
			w = strings.ReplaceAll(w, " ", rep)
			if (scheme == "always" || scheme == "first" && i == 0) && !strings.HasPrefix(w, rep) {
				w = rep + w
			}
			if !split {
				return []string{w}
			}
			return splitBefore(w, rep)
		}), nil
	}
	return nil, fmt.Errorf("pre-tokenizer type %q is not supported", h.Type)
}

func isPunct(r rune) bool {
	return r >= 33 && r <= 47 || r >= 58 && r <= 64 || r >= 91 && r <= 96 || r >= 123 && r <= 126 || unicode.IsPunct(r)
}

// splitPunct isolates every punctuation character of each word.
func splitPunct(ws []string) []string {
	var out []string
	for _, w := range ws {
		start := 0
		for i, r := range w {
			if isPunct(r) {
				if start < i {
					out = append(out, w[start:i])
				}
				n := utf8.RuneLen(r)
				out = append(out, w[i:i+n])
				start = i + n
			}
		}
		if start < len(w) {
			out = append(out, w[start:])
		}
	}
	return out
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// splitWordsAndSymbols is the Whitespace pre-tokenizer: runs of word
// characters and runs of other non-space characters.
func splitWordsAndSymbols(w string) []string {
	var out []string
	start, kind := -1, 0 // kind 1 word, 2 symbol
	for i, r := range w {
		k := 2
		if unicode.IsSpace(r) {
			k = 0
		} else if isWordRune(r) {
			k = 1
		}
		if k != kind {
			if start >= 0 && kind != 0 {
				out = append(out, w[start:i])
			}
			start, kind = i, k
		}
	}
	if start >= 0 && kind != 0 {
		out = append(out, w[start:])
	}
	return out
}

func splitDigits(w string, individual bool) []string {
	var out []string
	start, digit := 0, false
	for i, r := range w {
		d := unicode.IsDigit(r)
		if i > start && (d != digit || d && individual) {
			out = append(out, w[start:i])
			start = i
		}
		digit = d
	}
	if start < len(w) {
		out = append(out, w[start:])
	}
	return out
}

// splitBefore splits w before each occurrence of sep (MergedWithNext).
func splitBefore(w, sep string) []string {
	var out []string
	for {
		i := strings.Index(w[min(len(sep), len(w)):], sep)
		if i < 0 {
			if w != "" {
				out = append(out, w)
			}
			return out
		}
		cut := i + min(len(sep), len(w))
		out = append(out, w[:cut])
		w = w[cut:]
	}
}

// ---- models

func buildModel(raw json.RawMessage) (tokenModel, int, error) {
	if isNull(raw) {
		return nil, 0, fmt.Errorf("missing")
	}
	var h typed
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, 0, err
	}
	switch h.Type {
	case "WordPiece", "WordLevel":
		var c struct {
			Vocab    map[string]int `json:"vocab"`
			Unk      string         `json:"unk_token"`
			Prefix   *string        `json:"continuing_subword_prefix"`
			MaxChars int            `json:"max_input_chars_per_word"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, 0, err
		}
		size := 0
		for _, id := range c.Vocab {
			size = max(size, id+1)
		}
		unk := -1
		if id, ok := c.Vocab[c.Unk]; ok {
			unk = id
		}
		if h.Type == "WordLevel" {
			return &wordLevel{vocab: c.Vocab, unk: unk}, size, nil
		}
		m := &wordPiece{vocab: c.Vocab, unk: unk, prefix: "##", maxChars: c.MaxChars}
		if c.Prefix != nil {
			m.prefix = *c.Prefix
		}
		if m.maxChars <= 0 {
			m.maxChars = 100
		}
		return m, size, nil
	case "Unigram":
		var c struct {
			Vocab [][2]json.RawMessage `json:"vocab"`
			UnkID *int                 `json:"unk_id"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, 0, err
		}
		m := &unigram{pieces: make(map[string]int, len(c.Vocab)), scores: make([]float64, len(c.Vocab)), unk: -1}
		minScore := math.Inf(1)
		for id, pair := range c.Vocab {
			var piece string
			var score float64
			if err := json.Unmarshal(pair[0], &piece); err != nil {
				return nil, 0, fmt.Errorf("unigram vocab %d: %w", id, err)
			}
			if err := json.Unmarshal(pair[1], &score); err != nil {
				return nil, 0, fmt.Errorf("unigram vocab %d: %w", id, err)
			}
			if _, dup := m.pieces[piece]; !dup {
				m.pieces[piece] = id
			}
			m.scores[id] = score
			m.maxLen = max(m.maxLen, len(piece))
			minScore = min(minScore, score)
		}
		if c.UnkID != nil {
			m.unk = *c.UnkID
		}
		m.unkScore = minScore - 10 // as Hugging Face's unigram model
		return m, len(c.Vocab), nil
	case "BPE":
		return nil, 0, fmt.Errorf("BPE tokenizers are not supported (Model2Vec's multilingual models use Unigram, its English ones WordPiece)")
	}
	return nil, 0, fmt.Errorf("model type %q is not supported", h.Type)
}

type wordLevel struct {
	vocab map[string]int
	unk   int
}

func (m *wordLevel) unkID() int { return m.unk }

func (m *wordLevel) tokenize(w string, out []int) []int {
	if id, ok := m.vocab[w]; ok {
		return append(out, id)
	}
	if m.unk >= 0 {
		return append(out, m.unk)
	}
	return out
}

type wordPiece struct {
	vocab    map[string]int
	unk      int
	prefix   string
	maxChars int
}

func (m *wordPiece) unkID() int { return m.unk }

// tokenize is greedy longest-match-first; a word with any unmatched part
// becomes one unknown token.
func (m *wordPiece) tokenize(w string, out []int) []int {
	n := len(out)
	unk := func() []int {
		out = out[:n]
		if m.unk >= 0 {
			out = append(out, m.unk)
		}
		return out
	}
	if utf8.RuneCountInString(w) > m.maxChars {
		return unk()
	}
	for start := 0; start < len(w); {
		found := -1
		end := len(w)
		for end > start {
			piece := w[start:end]
			if start > 0 {
				piece = m.prefix + piece
			}
			if id, ok := m.vocab[piece]; ok {
				found = id
				break
			}
			_, size := utf8.DecodeLastRuneInString(w[start:end])
			end -= size
		}
		if found < 0 {
			return unk()
		}
		out = append(out, found)
		start = end
	}
	return out
}

type unigram struct {
	pieces   map[string]int
	scores   []float64
	maxLen   int // longest piece, in bytes
	unk      int
	unkScore float64
}

func (m *unigram) unkID() int { return m.unk }

// tokenize finds the most probable segmentation (Viterbi over byte
// positions on rune boundaries). A character no piece covers is unknown.
func (m *unigram) tokenize(w string, out []int) []int {
	n := len(w)
	best := make([]float64, n+1)
	from := make([]int, n+1) // start of the last piece ending here
	id := make([]int, n+1)   // its id (-1 unknown)
	for i := 1; i <= n; i++ {
		best[i] = math.Inf(-1)
	}
	for i := 0; i < n; i++ {
		if math.IsInf(best[i], -1) || !utf8.RuneStart(w[i]) {
			continue
		}
		_, charLen := utf8.DecodeRuneInString(w[i:])
		covered := false
		for j := i + 1; j <= min(n, i+m.maxLen); j++ {
			if j < n && !utf8.RuneStart(w[j]) {
				continue
			}
			if p, ok := m.pieces[w[i:j]]; ok {
				if s := best[i] + m.scores[p]; s > best[j] {
					best[j], from[j], id[j] = s, i, p
				}
				if j == i+charLen {
					covered = true
				}
			}
		}
		if !covered {
			j := i + charLen
			if s := best[i] + m.unkScore; s > best[j] {
				best[j], from[j], id[j] = s, i, -1
			}
		}
	}
	var rev []int
	for j := n; j > 0; j = from[j] {
		t := id[j]
		if t < 0 {
			t = m.unk
		}
		if t >= 0 {
			rev = append(rev, t)
		}
	}
	for k := len(rev) - 1; k >= 0; k-- {
		out = append(out, rev[k])
	}
	return out
}
