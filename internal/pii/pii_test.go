package pii

import "testing"

func TestMask(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain question", "運費怎麼算？", "運費怎麼算？"},
		{"small amount kept", "買 800 塊要另外付運費嗎", "買 800 塊要另外付運費嗎"},
		{"demo order number", "我的訂單 WL20261101 到哪了", "我的訂單 [order] 到哪了"},
		{"order with separators", "order wl 2026-1101 is late", "order wl [number] is late"},
		{"full-width order", "訂單ＷＬ２０２６１１０１", "訂單[order]"},
		{"digits-only order", "訂單編號 884213377 還沒出貨", "訂單編號 [number] 還沒出貨"},
		{"mobile", "請打 0912-345-678 給我", "請打 [phone] 給我"},
		{"mobile no dashes", "我的手機0912345678", "我的手機[phone]"},
		{"landline", "電話 (02)2345-6789", "電話 [phone]"},
		{"international", "call me at +886 912 345 678 please", "call me at [phone] please"},
		{"email", "my email is bob.lee+shop@example.com.tw ok", "my email is [email] ok"},
		{"line user id", "I am U4af4980629a1b2c3d4e5f6a7b8c9d0e1", "I am [id]"},
		{"last 4 digits", "末四碼 5678", "末四碼 [number]"},
		{"full-width digits", "電話０９１２３４５６７８", "電話[phone]"},
		{"card number", "card 4111 1111 1111 1111 was charged twice", "card [number] was charged twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Mask(tt.in); got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUserID(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"U0000000000000000000000000000b0b0", "U…b0b0"},
		{"Ur123", "…"},
		{"", "…"},
	} {
		if got := UserID(tt.in); got != tt.want {
			t.Errorf("UserID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := UserIDs("push to U0000000000000000000000000000b0b0 failed"), "push to U…b0b0 failed"; got != want {
		t.Errorf("UserIDs = %q, want %q", got, want)
	}
}
