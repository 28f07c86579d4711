package bot

import (
	"context"
	"errors"
	"slices"

	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge/orders"
)

// itemKinds are the kinds of goods a damaged-item report may name; each
// has its words in every language (bot_kw_item_<kind>) and the name the
// bot says back (bot_item_<kind>).
var itemKinds = []string{"cup", "dripper", "candle", "bedding", "blanket", "tableware", "bottle", "towel", "soap", "tablecloth", "diffuser", "jar", "cushion", "aroma_stone"}

// itemKeywordIDs are the keyword lists of itemKinds (built once with the others).
func itemKeywordIDs() []string {
	out := make([]string, 0, len(itemKinds))
	for _, k := range itemKinds {
		out = append(out, "bot_kw_item_"+k)
	}
	return out
}

// reportedItems are the kinds of goods text names, in itemKinds order.
func (e *Engine) reportedItems(text string) []string {
	var out []string
	for _, k := range itemKinds {
		if e.mentions(text, "bot_kw_item_"+k) {
			out = append(out, k)
		}
	}
	return out
}

// holdsAny reports whether one of o's items, by any of its names, is of
// one of kinds.
func (e *Engine) holdsAny(o orders.Order, kinds []string) bool {
	for _, it := range o.Items {
		names := []string{it.Name}
		for _, n := range it.Names {
			names = append(names, n)
		}
		for _, k := range kinds {
			if slices.ContainsFunc(names, func(n string) bool { return e.mentions(n, "bot_kw_item_"+k) }) {
				return true
			}
		}
	}
	return false
}

// itemNotInOrder checks the goods a damaged-item story names against the
// items of the order it is told for, when that order was shown to the
// customer after the phone check in this issue (LastOrder). It returns the
// kind to ask about when the story names goods and that order holds none
// of them; "" when the order is not one shown to the customer (nothing of
// it is disclosed: the case opens with it unverified), the story names no
// goods we know, the backend lists no items or cannot answer (nothing to
// check against: the person checks), or the story is of a wrong item (it
// names what came, not what was ordered).
func (e *Engine) itemNotInOrder(ctx context.Context, t *turn, order, story string, log *zap.Logger) string {
	if t.st.EvidenceEntry == wrongItem {
		return "" // a wrong item names what came, not what was ordered
	}
	kinds := e.reportedItems(story)
	if order == "" || len(kinds) == 0 {
		return ""
	}
	if order != t.st.LastOrder {
		// Only an order shown to its owner in this issue is checked:
		// "which order held the mug?" for a stranger's order number would
		// tell whoever typed it what that order holds. The case opens with
		// the order unverified and the person checks it.
		return ""
	}
	o, err := e.fetchOrder(ctx, t, order)
	switch {
	case errors.Is(err, orders.ErrNotFound):
		return kinds[0]
	case err != nil:
		log.Warn("order backend unavailable, damaged item not checked against the order", zap.String("order", orders.Mask(order)), zap.Error(err))
		return ""
	case len(o.Items) == 0 || e.holdsAny(o, kinds):
		return ""
	}
	return kinds[0]
}

// askOrderOfItem asks which order the reported item was in, the one told
// not holding it: the damaged-item case is not opened against it.
func (e *Engine) askOrderOfItem(t *turn, order, kind string) {
	lang := t.lang()
	t.st.EvidenceOrder = ""
	t.say(e.text(t, e.tr.T(lang, "bot_evidence_order_no_item", map[string]any{
		"Order": order, "Item": e.tr.T(lang, "bot_item_"+kind, nil),
	}), e.personReply(t)))
}
