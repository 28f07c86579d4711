// Package pii masks personal data in free text a customer wrote (a
// question kept for the knowledge-gaps page, a case's request in a ledger
// export): e-mail addresses, LINE user ids, order numbers, phone numbers
// and any other run of 4 or more digits become placeholders.
package pii

import (
	"regexp"
	"strings"
)

// Placeholders that stand for masked personal data.
const (
	Email  = "[email]"
	Phone  = "[phone]"
	Order  = "[order]"
	Number = "[number]"
	ID     = "[id]"
)

// maskRules run in order on the width-folded text: e-mail first (its
// digits are not a phone), LINE user ids, order numbers (letters then
// digits, as the demo shop's WL20261101 or a pattern like it), phone
// numbers (Taiwan mobile and landline, international), and last any other
// run of 4 or more digits (an order number of a shop without letters, a
// card or the phone's last 4 digits).
var maskRules = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`), Email},
	{regexp.MustCompile(`\bU[0-9a-f]{32}\b`), ID},
	{regexp.MustCompile(`\b[A-Za-z]{1,4}-?\d(?:-?\d){3,}`), Order},
	{regexp.MustCompile(`\+\d{1,3}(?:[ \-]?\d){7,12}|\b09\d{2}[ \-]?\d{3}[ \-]?\d{3}\b|\(0\d{1,2}\)[ \-]?\d{3,4}[ \-]?\d{4}|\b0\d{1,2}-\d{3,4}-?\d{4}\b`), Phone},
	{regexp.MustCompile(`\d(?:[ ,.\-]?\d){3,}`), Number},
}

// Mask returns text with personal data replaced by placeholders: e-mail
// addresses, LINE user ids, order numbers, phone numbers and any run of 4
// or more digits. Full-width letters and digits are folded first, so
// "０９１２" is masked like "0912".
func Mask(text string) string {
	s := strings.Map(foldASCII, text)
	for _, r := range maskRules {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}

// foldASCII maps full-width digits and Latin letters to ASCII; other
// characters (full-width punctuation of a Chinese sentence) stay.
func foldASCII(r rune) rune {
	switch {
	case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ', r == '＠', r == '＋':
		return r - '０' + '0'
	}
	return r
}

// Placeholders matches any mask placeholder.
var Placeholders = regexp.MustCompile(`\[(?:email|phone|order|number|id)\]`)

// UserID shortens a LINE user id for logs, errors and screens that must
// not name the customer: its type letter and last four characters
// ("U…b0b0"), enough to follow one customer through a log.
func UserID(id string) string {
	if len(id) <= 5 {
		return "…"
	}
	return id[:1] + "…" + id[len(id)-4:]
}

// lineUserID matches a LINE user id in free text.
var lineUserID = regexp.MustCompile(`U[0-9a-f]{32}`)

// UserIDs shortens every LINE user id in s (UserID).
func UserIDs(s string) string { return lineUserID.ReplaceAllStringFunc(s, UserID) }
