package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/orders"
)

// A damaged-item story is checked against the order it is told for with
// the order backend's own item names (orders.Item.Name and its localised
// Names), so it works for any shop's goods, not a list of one shop's.
// Chinese is compared in Simplified script by character pairs (馬克杯 and
// 马克杯 share 马克, 克杯) and by the name's last character, the kind of
// thing it is (杯 of 北歐風陶瓷馬克杯, so "杯子破了" names it); English by
// word stems (mugs, mug). The check only asks the customer again when the
// story plainly names goods (namedGoods: the words before the damage,
// "杯子" in "收到的時候杯子破了", "mug" in "my mug arrived broken") and no
// item of the order is named: a story that names nothing in particular
// ("東西破了", "it arrived broken") is noted as told.

// itemNotInOrder checks the goods a damaged-item story names against the
// items of the order it is told for, when that order was shown to the
// customer after the phone check in this issue (LastOrder). It returns the
// customer's word for the goods to ask about when the story names goods
// and that order holds none of them; "" when the order is not one shown to
// the customer (nothing of it is disclosed: the case opens with it
// unverified), the story names no goods plainly, the backend lists no
// items or cannot answer (nothing to check against: the person checks),
// or the story is of a wrong item (it names what came, not what was
// ordered).
func (e *Engine) itemNotInOrder(ctx context.Context, t *turn, order, story string, log *zap.Logger) string {
	if t.st.EvidenceEntry == wrongItem {
		return "" // a wrong item names what came, not what was ordered
	}
	if order == "" {
		return ""
	}
	if order != t.st.LastOrder {
		// Only an order shown to its owner in this issue is checked:
		// "which order held the mug?" for a stranger's order number would
		// tell whoever typed it what that order holds. The case opens with
		// the order unverified and the person checks it.
		return ""
	}
	// The customer's message giving the order may name the goods too
	// ("是蠟燭那筆，WL20261102").
	if t.ev.Kind == KindText && !strings.Contains(story, t.ev.Text) {
		story = strings.TrimSpace(story + "\n" + t.ev.Text)
	}
	goods := e.namedGoods(story)
	if goods == "" {
		return ""
	}
	o, err := e.fetchOrder(ctx, t, order)
	switch {
	case errors.Is(err, orders.ErrNotFound):
		return goods
	case err != nil:
		log.Warn("order backend unavailable, damaged item not checked against the order", zap.String("order", orders.Mask(order)), zap.Error(err))
		return ""
	case len(o.Items) == 0:
		return ""
	}
	m := newItemMatcher(t.tkb.Converter())
	if slices.ContainsFunc(o.Items, func(it orders.Item) bool { return m.names(story, it) }) {
		return ""
	}
	return goods
}

// askOrderOfItem asks which order the reported goods were in, the one
// told not holding them: the damaged-item case is not opened against it.
func (e *Engine) askOrderOfItem(t *turn, order, goods string) {
	t.st.EvidenceOrder = ""
	t.say(e.text(t, e.tr.T(t.lang(), "bot_evidence_order_no_item", map[string]any{
		"Order": order, "Item": goods,
	}), e.personReply(t)))
}

// itemMatcher tells whether a customer's text names an order's item.
type itemMatcher struct {
	conv *knowledge.Converter // nil: Chinese compared as written
	stem *porter.PorterStemmer
}

func newItemMatcher(conv *knowledge.Converter) itemMatcher {
	return itemMatcher{conv: conv, stem: porter.NewPorterStemmer()}
}

// names reports whether text names item it by any of its names: a
// Chinese character pair of the name, the name's last character (the kind
// of thing: 杯, 燭), or an English word stem of three letters or more.
func (m itemMatcher) names(text string, it orders.Item) bool {
	names := []string{it.Name}
	for _, lang := range orders.NameLangs {
		if n := it.Names.In(lang); n != "" {
			names = append(names, n)
		}
	}
	han := m.simplified(text)
	words := m.stems(text)
	for _, n := range names {
		n = m.simplified(withoutBrackets(n))
		for _, run := range hanRuns(n) {
			r := []rune(run)
			for i := 0; i+1 < len(r); i++ {
				if strings.Contains(han, string(r[i:i+2])) {
					return true
				}
			}
			if h := headRune(r); h != 0 && strings.ContainsRune(han, h) {
				return true
			}
		}
		for w := range m.stems(n) {
			if words[w] {
				return true
			}
		}
	}
	return false
}

func (m itemMatcher) simplified(s string) string {
	if m.conv == nil {
		return s
	}
	return m.conv.ToSimplified(s)
}

// stems are the English word stems of s of three letters or more, lower
// case, without the words every item name may hold (itemFiller).
func (m itemMatcher) stems(s string) map[string]bool {
	var ts analysis.TokenStream
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsLetter(r) }) {
		if len(w) >= 3 && !itemFiller[w] {
			ts = append(ts, &analysis.Token{Term: []byte(w), Type: analysis.AlphaNumeric})
		}
	}
	out := map[string]bool{}
	for _, tk := range m.stem.Filter(ts) {
		out[string(tk.Term)] = true
	}
	return out
}

// itemFiller are English words of item names that say nothing of the
// kind of goods (a set, a pack, a colour's "and").
var itemFiller = map[string]bool{"the": true, "and": true, "for": true, "with": true, "set": true, "pack": true, "piece": true, "pieces": true, "pcs": true}

// setRunes end Chinese item names without being the kind of goods: 組
// (set), 套, 件, 入 (pieces), 裝 (pack), 個.
const setRunes = "组套件入装个組裝個"

// headRune is the last Han character of a name's run that is not a set
// word: the kind of thing (杯 of 馬克杯, 包 of 床包組); 0 for none.
func headRune(r []rune) rune {
	for i := len(r) - 1; i >= 0; i-- {
		if !strings.ContainsRune(setRunes, r[i]) {
			return r[i]
		}
	}
	return 0
}

// withoutBrackets is a name without what it says in brackets (a colour,
// a scent: （霧白）, (matte white)), which stories name for anything.
func withoutBrackets(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune("（(【[「", r):
			depth++
		case strings.ContainsRune("）)】]」", r):
			if depth > 0 {
				depth--
			}
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hanRuns are the runs of Han characters in s.
func hanRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Han, r) })
}

// namedGoods is the customer's word for the goods a damaged-item story
// names, "" when it names none plainly: in Chinese the words just before
// the first damage word of a clause (bot_kw_defect: 破, 碎, 污漬), after
// what sets the scene (收到的時候, 我買的) and before 有 ("毛巾有污漬");
// in English the words after a determiner before the damage word ("my mug
// arrived broken"). Words for goods in general (bot_kw_goods_generic:
// 東西, 包裹, item, package) name nothing in particular.
func (e *Engine) namedGoods(story string) string {
	for _, line := range strings.Split(story, "\n") {
		for _, c := range clauses(line) {
			w := e.goodsBeforeDamage(c)
			if w == "" || e.isKeyword(w, "bot_kw_goods_generic") || e.mentions(w, "bot_kw_goods_generic") {
				continue
			}
			return w
		}
	}
	return ""
}

// goodsBeforeDamage is namedGoods for one clause, before the generic check.
func (e *Engine) goodsBeforeDamage(c string) string {
	low := strings.ToLower(c)
	at := -1
	for k := range e.kw["bot_kw_defect"] {
		if k == "" {
			continue
		}
		i := -1
		if isASCII(k) {
			i = wordIndex(low, k)
		} else {
			i = strings.Index(low, k)
		}
		if i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at <= 0 {
		return ""
	}
	before := c[:at]
	if r, _ := utf8.DecodeLastRuneInString(strings.TrimSpace(before)); unicode.Is(unicode.Han, r) {
		return chineseGoods(before)
	}
	return englishGoods(low[:at])
}

// wordIndex is the byte index of phrase k in s as whole words, or -1.
func wordIndex(s, k string) int {
	for from := 0; from < len(s); {
		i := strings.Index(s[from:], k)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(k)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return i
		}
		from = i + 1
	}
	return -1
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// Chinese words around the goods in a story: what sets the scene before
// them (the goods follow the last one), what follows them before the
// damage word, and what opens them.
var (
	zhSceneEnds = []string{"的", "時候", "时候", "收到", "發現", "发现", "看到", "結果", "结果", "打開", "打开", "拆開", "拆开", "開箱", "开箱", "覺得", "觉得"}
	zhTails     = []string{"到貨", "到货", "送到", "寄到", "送來", "送来", "寄來", "寄来", "一到", "已經", "已经", "整個", "整个", "竟然", "居然", "直接", "全部", "裡面", "里面", "上面", "上", "都", "也", "被", "就", "全", "很", "還", "还", "是", "又", "裡", "里", "了"}
	zhHeads     = []string{"我們", "我们", "你們", "你们", "這個", "这个", "那個", "那个", "一個", "一个", "這", "这", "那", "我"}
)

// maxGoodsRunes is the longest Chinese word taken for goods: a longer one
// is a sentence the words around the goods did not cut.
const maxGoodsRunes = 6

// chineseGoods is the goods named at the end of before (the text before
// the damage word), "" when there is no plain word for them.
func chineseGoods(before string) string {
	runs := hanRuns(before)
	if len(runs) == 0 {
		return ""
	}
	w := runs[len(runs)-1]
	if i := strings.Index(w, "有"); i >= 0 {
		w = w[:i] // 毛巾有一塊污漬: the goods come before 有
	}
	cut := -1
	for _, s := range zhSceneEnds {
		if i := strings.LastIndex(w, s); i >= 0 && i+len(s) > cut {
			cut = i + len(s)
		}
	}
	if cut > 0 {
		w = w[cut:]
	}
	for trimmed := true; trimmed; {
		trimmed = false
		for _, s := range zhTails {
			if x, ok := strings.CutSuffix(w, s); ok && x != "" {
				w, trimmed = x, true
			}
		}
		for _, s := range zhHeads {
			if x, ok := strings.CutPrefix(w, s); ok && x != "" {
				w, trimmed = x, true
			}
		}
	}
	if n := utf8.RuneCountInString(w); n == 0 || n > maxGoodsRunes {
		return ""
	}
	return w
}

// English words around the goods: the determiners before them and the
// words after them that end the noun phrase.
var (
	enDeterminers = map[string]bool{"my": true, "the": true, "a": true, "an": true, "your": true, "our": true, "this": true, "that": true, "these": true, "those": true, "his": true, "her": true, "their": true}
	enPhraseEnds  = map[string]bool{"arrived": true, "came": true, "is": true, "was": true, "are": true, "were": true, "has": true, "have": true, "had": true, "got": true, "looks": true, "look": true, "seems": true, "and": true, "but": true, "with": true, "in": true, "on": true, "of": true, "that": true, "which": true, "when": true, "from": true, "i": true, "it": true, "you": true, "we": true, "just": true, "already": true, "totally": true, "completely": true, "all": true, "s": true}
)

// maxGoodsWords is the longest English noun phrase taken for goods.
const maxGoodsWords = 3

// englishGoods is the noun phrase after the first determiner of before
// (lower case), "" when there is none.
func englishGoods(before string) string {
	words := strings.FieldsFunc(before, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' })
	for i, w := range words {
		if !enDeterminers[w] {
			continue
		}
		var np []string
		for _, x := range words[i+1:] {
			if enPhraseEnds[x] || enDeterminers[x] {
				break
			}
			np = append(np, x)
		}
		if len(np) == 0 || len(np) > maxGoodsWords {
			return ""
		}
		return strings.Join(np, " ")
	}
	return ""
}
