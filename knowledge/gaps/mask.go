package gaps

import (
	"strings"

	"github.com/warmline/warmline/internal/pii"
)

// Placeholders that stand for masked personal data in stored questions
// (internal/pii's). They are never learned: Clean removes them from a
// question approved as an example.
const (
	MaskEmail  = pii.Email
	MaskPhone  = pii.Phone
	MaskOrder  = pii.Order
	MaskNumber = pii.Number
	MaskID     = pii.ID
)

// Mask returns text with personal data replaced by placeholders (see
// pii.Mask): e-mail addresses, LINE user ids, order numbers, phone numbers
// and any run of 4 or more digits; surrounding space trimmed.
func Mask(text string) string { return pii.Mask(strings.TrimSpace(text)) }

// placeholders matches any mask placeholder.
var placeholders = pii.Placeholders

// Clean is a masked question as it may be learned: the placeholders
// removed and spaces collapsed.
func Clean(masked string) string {
	return strings.Join(strings.Fields(placeholders.ReplaceAllString(masked, " ")), " ")
}
