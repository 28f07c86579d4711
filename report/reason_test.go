package report

import (
	"strings"
	"testing"

	"github.com/warmline/warmline/locales"
)

// entryTitles names KB entries for reasonText.
type entryTitles map[string]string

func (e entryTitles) EntryTitle(id, _ string) string { return e[id] }

// TestReasonTextNamesTheSecurityTrigger: a security trigger's name is left
// out only where the topic is a security or safety flow that says it
// already; a KB entry whose id merely contains "security" (a deposit FAQ)
// keeps the trigger's name after its title.
func TestReasonTextNamesTheSecurityTrigger(t *testing.T) {
	tr, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	titles := entryTitles{"security-deposit": "Rental deposit"}
	trigger := tr.T(locales.EN, "inbox_trigger_security", nil)
	tests := []struct {
		topic       string
		wantTrigger bool
	}{
		{"security-deposit", true},
		{"account_security", false},
		{"product_safety", false},
		{"security", false},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			got := reasonText(tr, titles, locales.EN, tt.topic, "security")
			if has := strings.HasSuffix(got, " · "+trigger); has != tt.wantTrigger {
				t.Errorf("reasonText(%q, security) = %q, want the trigger %q named: %v", tt.topic, got, trigger, tt.wantTrigger)
			}
		})
	}
}
