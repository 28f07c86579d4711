package browsertest

import (
	"regexp"
	"strings"
	"testing"
)

// SignIn fills in the inbox's sign-in form at base and sends it, choosing
// the UI language first when lang is set. It does not wait for the page
// that follows: the caller knows where the agent lands.
func (b *Tab) SignIn(base, id, password, lang string) {
	b.t.Helper()
	b.Navigate(base + "/inbox")
	b.WaitPage("/inbox/login")
	if lang != "" {
		b.Select(`[data-testid=lang-select]`, lang)
	}
	b.Type(`[data-testid=login-id]`, id)
	b.Type(`[data-testid=login-password]`, password)
	b.Click(`[data-testid=login-submit]`)
}

// RawStrings are internal strings no agent screen may show, in any
// language: trigger evidence, outcomes and statuses as stored, the old
// placeholder conventions, locale message ids and a missing value.
var RawStrings = []string{"handoff:request", "no L1 remedy", "in_transit", "verification locked", "backend unavailable",
	"not helpful", "approved at L1", "[sticker]", "[image]", "priority P1", "[handoff_", "[inbox_", "[order_",
	"undefined", "NaN", "[object Object]"}

// rawPatterns are the shapes of strings no agent screen may show: a
// message id the locale lacks (rendered "[inbox_queue_title]") and a
// placeholder left unfilled ("{Count}").
var rawPatterns = []*regexp.Regexp{regexp.MustCompile(`\[[a-z]+(_[a-z0-9]+)+\]`), regexp.MustCompile(`\{[A-Z][A-Za-z]*\}`)}

// NoRaw fails t for each of RawStrings and rawPatterns that text (an agent
// page's text, where names it) contains.
func NoRaw(t testing.TB, where, text string) {
	t.Helper()
	for _, r := range RawStrings {
		if strings.Contains(text, r) {
			t.Errorf("%s shows %q:\n%s", where, r, text)
		}
	}
	for _, p := range rawPatterns {
		if m := p.FindString(text); m != "" {
			t.Errorf("%s shows %q:\n%s", where, m, text)
		}
	}
}
