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
// Simplified -> Traditional uses s2twp (Taiwan characters and idioms:
// 软件 -> 軟體). Traditional -> Simplified uses plain t2s: the Taiwan
// variants (tw2s, tw2sp) of this OpenCC port turn 抬頭 into 擡头, and
// tw2sp's idioms turn 個人資料 into 个人数据; t2s gives 抬头 and 个人资料,
// and matched the dev set as well as tw2sp.
type Converter struct {
	toSimplified  *opencc.OpenCC // t2s
	toTraditional *opencc.OpenCC // s2twp
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
	return &Converter{toSimplified: s, toTraditional: t}, nil
}

// defaultConverter is shared by every Load that is not given a Converter: it
// is immutable once built, so sharing it is safe and saves the dictionary
// parsing on each reload.
var defaultConverter = sync.OnceValues(NewConverter)

// ToSimplified converts Traditional Chinese to Simplified Chinese.
// Text that is already Simplified, or not Chinese, comes back unchanged.
func (c *Converter) ToSimplified(s string) string { return convert(c.toSimplified, s) }

// ToTraditional converts Simplified Chinese to Taiwan Traditional Chinese.
func (c *Converter) ToTraditional(s string) string { return convert(c.toTraditional, s) }

// Convert converts s into lang (zh-TW or zh-CN); other languages return s.
func (c *Converter) Convert(s, lang string) string {
	switch lang {
	case ZhTW:
		return c.ToTraditional(s)
	case ZhCN:
		return c.ToSimplified(s)
	}
	return s
}

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
