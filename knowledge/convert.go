package knowledge

import (
	"fmt"
	"sync"

	"github.com/longbridgeapp/opencc"
)

// Converter converts between Taiwan Traditional and Simplified Chinese with
// OpenCC. Building one parses OpenCC's dictionaries (tens of
// milliseconds), so build it once and share it; it is safe for concurrent
// use.
//
// Two paths lead to Simplified. Text the matcher compares (questions,
// examples, titles) goes through plain t2s, character by character:
// ToSimplified, Convert. Text a customer reads (answers) goes through
// Localize, which uses ToMainland: OpenCC's phrase-level Taiwan-to-mainland
// conversion (tw2sp: 軟體 -> 软件, 滑鼠 -> 鼠标, 簡訊 -> 短信) with its
// dictionaries repaired, then the shop wording of the Taiwan term list
// (twterms.txt: 超商 -> 便利店, 工作天 -> 工作日, 「」 -> “”).
//
// Simplified -> Traditional uses s2twp (Taiwan characters and idioms:
// 软件 -> 軟體) on both paths.
type Converter struct {
	toSimplified  *opencc.OpenCC // t2s
	toTraditional *opencc.OpenCC // s2twp
	toMainland    *opencc.OpenCC // tw2sp, repaired
	terms         *termTable
}

// NewConverter builds a Converter.
func NewConverter() (*Converter, error) {
	s, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("opencc t2s: %w", err)
	}
	t, err := opencc.New("s2twp")
	if err != nil {
		return nil, fmt.Errorf("opencc s2twp: %w", err)
	}
	m, err := newMainland()
	if err != nil {
		return nil, err
	}
	terms, err := parseTermTable(twTermsFile)
	if err != nil {
		return nil, fmt.Errorf("taiwan terms: %w", err)
	}
	return &Converter{toSimplified: s, toTraditional: t, toMainland: m, terms: terms}, nil
}

// defaultConverter is shared by every Load that is not given a Converter: it
// is immutable once built, so sharing it is safe and saves the dictionary
// parsing on each reload.
var defaultConverter = sync.OnceValues(NewConverter)

// ToSimplified converts Traditional Chinese to Simplified Chinese, character
// by character (the matcher's normalisation). Text that is already
// Simplified, or not Chinese, comes back unchanged.
func (c *Converter) ToSimplified(s string) string { return convert(c.toSimplified, s) }

// ToTraditional converts Simplified Chinese to Taiwan Traditional Chinese.
func (c *Converter) ToTraditional(s string) string { return convert(c.toTraditional, s) }

// ToMainland converts Taiwan Traditional Chinese to Simplified Chinese in
// mainland wording, for a zh-CN reader: 點選 -> 点击, 超商 -> 便利店. Not
// for matching: the matcher normalises with ToSimplified.
func (c *Converter) ToMainland(s string) string {
	return c.terms.replaceAuto(convert(c.toMainland, s))
}

// Convert converts s into lang (zh-TW or zh-CN) character by character,
// the way the matcher normalises; other languages return s.
func (c *Converter) Convert(s, lang string) string {
	switch lang {
	case ZhTW:
		return c.ToTraditional(s)
	case ZhCN:
		return c.ToSimplified(s)
	}
	return s
}

// Localize converts text a customer reads into lang in that region's
// wording: into zh-CN with ToMainland, into zh-TW with ToTraditional
// (s2twp already uses Taiwan phrases). Other languages return s.
func (c *Converter) Localize(s, lang string) string {
	if lang == ZhCN {
		return c.ToMainland(s)
	}
	return c.Convert(s, lang)
}

// TaiwanTerms returns the Taiwan-only wording in Simplified text s, each
// term once, in order, with the mainland wording to use instead.
func (c *Converter) TaiwanTerms(s string) []TaiwanTerm { return c.terms.find(s) }

func convert(cc *opencc.OpenCC, s string) string {
	if s == "" {
		return s
	}
	out, err := cc.Convert(s)
	if err != nil {
		// The dictionaries are embedded and validated at construction; an
		// error here is a broken dictionary trie, and the unconverted text
		// is the safest answer.
		return s
	}
	return out
}
