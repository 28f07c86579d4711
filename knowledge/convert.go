package knowledge

import (
	"fmt"
	"sync"

	"github.com/longbridgeapp/opencc"
)

// Converter converts between Taiwan Traditional and Simplified Chinese with
// OpenCC, idioms included (軟體 <-> 软件). Building one parses OpenCC's
// dictionaries (tens of milliseconds), so build it once and share it; it is
// safe for concurrent use.
type Converter struct {
	toSimplified  *opencc.OpenCC // tw2sp: Taiwan Traditional -> Simplified, mainland idioms
	toTraditional *opencc.OpenCC // s2twp: Simplified -> Taiwan Traditional, Taiwan idioms
}

// NewConverter builds a Converter.
func NewConverter() (*Converter, error) {
	s, err := opencc.New("tw2sp")
	if err != nil {
		return nil, fmt.Errorf("opencc tw2sp: %w", err)
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

// ToSimplified converts Taiwan Traditional Chinese to Simplified Chinese.
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
