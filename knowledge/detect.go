package knowledge

import (
	"slices"
	"unicode"
)

//go:generate go run gen_script.go

// DetectLang guesses the language of text from its script: Traditional
// characters -> zh-TW, Simplified -> zh-CN, Latin letters only -> en.
// ok is false when the text does not tell (digits, emoji, characters common
// to both scripts).
//
// A character counts as Traditional (Simplified) when OpenCC's character
// table converts it and none of its conversions is itself (see
// script_tables.go). When a text mixes both, the larger count wins; a tie
// does not tell. Any Han character rules out English; so does a letter of
// another script (kana, Hangul, Cyrillic ...).
func DetectLang(text string) (lang string, ok bool) {
	var trad, simp, han, latin, other int
	for _, r := range text {
		switch {
		case isHan(r):
			han++
			if isTraditionalOnly(r) {
				trad++
			} else if isSimplifiedOnly(r) {
				simp++
			}
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.IsLetter(r):
			other++
		}
	}
	switch {
	case han > 0:
		if trad > simp {
			return ZhTW, true
		}
		if simp > trad {
			return ZhCN, true
		}
		return "", false
	case latin > 0 && other == 0:
		return EN, true
	}
	return "", false
}

func isTraditionalOnly(r rune) bool {
	_, found := slices.BinarySearch(traditionalOnly, r)
	return found
}

func isSimplifiedOnly(r rune) bool {
	_, found := slices.BinarySearch(simplifiedOnly, r)
	return found
}

// isHan reports whether r is a Han character.
func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }
