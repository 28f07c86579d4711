package knowledge

import (
	"os"
	"testing"
)

// TestEnglishVariants (WARMLINE_POOL=en) prints the dev pool (TestDevPool)
// for each English analysis setting (english.go). Dev data only.
func TestEnglishVariants(t *testing.T) {
	if os.Getenv("WARMLINE_POOL") != "en" {
		t.Skip("set WARMLINE_POOL=en")
	}
	for _, v := range []struct {
		name                      string
		lemmas, lemmasLex, filler int
		snowball                  bool
	}{
		{"porter (before)", 0, 0, 0, false},
		{"derived+chat", 6, 0, 0, false},
		{"derived+chat+greet", 6, 0, 1, false},
		{"derived+chat+greet lex chat", 6, 4, 1, false},
		{"derived+chat+greet snowball", 6, 0, 1, true},
		{"all lemmas+greet", 7, 0, 1, false},
	} {
		tu := defaultTuning
		tu.enLemmas, tu.enLemmasLex, tu.enFiller, tu.enSnowball = v.lemmas, v.lemmasLex, v.filler, v.snowball
		t.Logf("%s\n%s", v.name, devPool(t, tu))
	}
}
