package gaps

import "testing"

func TestClean(t *testing.T) {
	if got, want := Clean("我的訂單 [order] 到哪了"), "我的訂單 到哪了"; got != want {
		t.Errorf("Clean = %q, want %q", got, want)
	}
	if got, want := Clean("[phone]"), ""; got != want {
		t.Errorf("Clean = %q, want %q", got, want)
	}
}
