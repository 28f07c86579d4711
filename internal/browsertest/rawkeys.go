package browsertest

import (
	"strings"
	"testing"
)

// NoRawKeys fails t for each of keys (internal ids: KB entry ids, flow
// and topic keys such as order_status or refund, trigger kinds) that text
// contains as a whole word: not inside a longer run of letters, digits,
// '_' or '-'. Case matters: "Refund request" does not contain the key
// "refund". Callers pick the keys a screen must never show; an English
// page may use some single words (complaint, security) as words.
func NoRawKeys(t testing.TB, where, text string, keys []string) {
	t.Helper()
	for _, k := range keys {
		if k != "" && hasWord(text, k) {
			t.Errorf("%s shows the raw key %q:\n%s", where, k, text)
		}
	}
}

// hasWord reports whether w occurs in s with no key character either side.
func hasWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !keyByte(s[j-1])) && (end == len(s) || !keyByte(s[end])) {
			return true
		}
		i = j + 1
	}
}

func keyByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
