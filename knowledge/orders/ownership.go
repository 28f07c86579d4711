package orders

import (
	"crypto/subtle"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// OwnedBy reports whether the order is linked to this LINE user. An order
// without a linked account is owned by nobody.
func OwnedBy(o Order, lineUserID string) bool {
	return o.LineUserID != "" && lineUserID != "" && o.LineUserID == lineUserID
}

// PhoneLast4Matches compares digits with the last 4 digits of the order's
// phone in constant time. False when the order has no phone.
//
// Only the digits of the phone count ("0912-345-678" ends in "5678"). The
// input may contain spaces and full-width digits ("５６７８", "56 78") but must
// otherwise be exactly 4 digits.
func PhoneLast4Matches(o Order, digits string) bool {
	phone := asciiDigits(width.Fold.String(o.Phone))
	if len(phone) < 4 {
		return false
	}
	in := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, width.Fold.String(digits))
	if len(in) != 4 || len(asciiDigits(in)) != 4 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(phone[len(phone)-4:]), []byte(in)) == 1
}

func asciiDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Mask shortens an order number for logs and briefs: "WL****5678". It keeps
// a leading letter prefix of up to 2 letters and the last 4 characters; a
// number too short to hide anything is masked entirely after its prefix.
func Mask(number string) string {
	r := []rune(strings.TrimSpace(number))
	if len(r) == 0 {
		return ""
	}
	p := 0
	for p < len(r) && p < 2 && isASCIILetter(r[p]) {
		p++
	}
	const stars = "****"
	if len(r)-p <= 4 {
		return string(r[:p]) + stars
	}
	return string(r[:p]) + stars + string(r[len(r)-4:])
}

func isASCIILetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
