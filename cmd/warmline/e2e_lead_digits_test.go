package main

import (
	"strings"
	"testing"
)

// TestE2EFourDigitNumbersDuringAHandoffAreNotPhoneChecks: while a case
// flags an order as not yet shown to be the customer's, only a message
// meant as the phone's last digits is checked (it says so, or holds little
// besides the digits). "The mug cost 1200" and "ordered in 2025" are no
// check: no "digits don't match" reply and no failed check towards the
// lock, so the right digits afterwards still verify the order (review
// finding: any message with one 4-digit run was taken as a check).
func TestE2EFourDigitNumbersDuringAHandoffAreNotPhoneChecks(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct {
		lang, complaint, wrong, verified string
		asides                           []string
		phone                            string
	}{
		{"en", "The mug arrived broken, the box was crushed", "digits don't match", "digits match",
			[]string{"the mug cost 1200 and I only used it once", "I ordered it in 2025 as a gift", "my order had 1111 stickers on it lol"}, "last 4 digits of my phone: 5678"},
		{"zh-TW", "收到的時候杯子破了，外箱也被壓爛", "對不上", "相符",
			[]string{"這個杯子要1200元耶，才用一次", "我是2025年買來送人的", "盒子上寫著編號1111的標籤"}, "手機末四碼是5678"},
	} {
		u := h.newCustomer(tt.lang)
		h.say(u, tt.complaint, 1)
		h.tap(u, "last:done", 1)
		h.say(u, "WL20261101", 1) // holds the mug (bot15 item 4), not this customer's
		h.sendPhoto(u, testPhoto(t), "CS-")
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case after the order number and the photo", tt.lang)
		}
		for _, a := range tt.asides {
			h.say(u, a, 0) // the bot may acknowledge or stay quiet: asserted below
		}
		// One user's events are handled in order: once the digits' answer
		// is in, every aside before it has been handled. An aside counted
		// as a failed check makes this wait fail (the order stays
		// unverified, or locked after three).
		before := len(h.emu.Messages(u))
		h.say(u, tt.phone, 0)
		got := h.waitText(u, before, tt.verified)
		if !strings.Contains(got, c.ID) {
			t.Errorf("%s: %q got %q, want the order verified on %s (a failed check counted for an aside?)", tt.lang, tt.phone, got, c.ID)
		}
		all := allText(h.emu.Messages(u))
		if n := strings.Count(all, tt.wrong); n != 0 {
			t.Errorf("%s: %d replies say the digits don't match (%q), want none for numbers that are no phone digits:\n%s", tt.lang, n, tt.wrong, all)
		}
	}
}
