package escalation

import "testing"

// TestCuriosityIsScopedToItsClause (tryout 5 item 11): a curiosity marker
// ("只是問問", "just curious") keeps what it qualifies from being a request,
// not a demand the customer makes after "but"; ſ and the Kelvin sign, which
// (?i) matches to s and k, are not skipped by the prefilter.
func TestCuriosityIsScopedToItsClause(t *testing.T) {
	r := testRules(t)
	tests := []struct {
		text string
		kind string // "" for none
	}{
		{"只是問問，但我真的要找主管", KindSupervisor},
		{"只是问问，但是我真的要找你们主管", KindSupervisor},
		{"Just curious, but I really need to speak to a supervisor now", KindSupervisor},
		{"只是好奇，不過我現在就要找真人客服", KindHuman},
		{"只是問問，你們有主管嗎", ""},
		{"just curious, do you have a supervisor there?", ""},
		{"我不是要找主管，只是問問而已", ""},
		{"let me ſpeak to your ſupervisor", KindSupervisor},
	}
	for _, tt := range tests {
		a := r.Analyze(tt.text, "")
		got := ""
		for _, tr := range a.Triggers {
			if tr.Kind == KindSupervisor || tr.Kind == KindHuman {
				got = tr.Kind
				break
			}
		}
		if got != tt.kind {
			t.Errorf("Analyze(%q) person trigger %q, want %q (%+v)", tt.text, got, tt.kind, a.Triggers)
		}
	}
}
