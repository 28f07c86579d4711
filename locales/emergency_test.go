package locales_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestEmergencyNumberInEveryLanguage (tryout 11 #18): a message that tells
// the customer to call Taiwan's emergency number 119 in one language says
// the number in all three: the shop and its customers are in Taiwan
// whatever script they write ("请马上拨打急救电话" left a zh-CN customer
// without the number).
func TestEmergencyNumberInEveryLanguage(t *testing.T) {
	byLang := map[string]map[string]string{}
	files, err := filepath.Glob("*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no message files (%v)", err)
	}
	for _, f := range files {
		parts := strings.Split(f, ".") // name.lang.toml
		if len(parts) != 3 {
			continue
		}
		var msgs map[string]map[string]any
		if _, err := toml.DecodeFile(f, &msgs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if byLang[parts[1]] == nil {
			byLang[parts[1]] = map[string]string{}
		}
		for id, m := range msgs {
			var all []string
			for _, v := range m {
				if s, ok := v.(string); ok {
					all = append(all, s)
				}
			}
			byLang[parts[1]][id] = strings.Join(all, "\n")
		}
	}
	checked := 0
	for id, tw := range byLang["zh-TW"] {
		if !strings.Contains(tw, "119") {
			continue
		}
		checked++
		for _, lang := range []string{"zh-CN", "en"} {
			if !strings.Contains(byLang[lang][id], "119") {
				t.Errorf("%s: zh-TW says 119, %s does not: %q", id, lang, byLang[lang][id])
			}
		}
	}
	if checked == 0 {
		t.Fatal("no message mentions 119: the test checks nothing")
	}
}
