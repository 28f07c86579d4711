package orders

import "testing"

const alice = "U0000000000000000000000000000a11c"

func TestOwnedBy(t *testing.T) {
	tests := []struct {
		name  string
		order string
		user  string
		want  bool
	}{
		{"same user", alice, alice, true},
		{"other user", alice, "U0000000000000000000000000000b0b0", false},
		{"unlinked order", "", alice, false},
		{"empty user", alice, "", false},
		{"both empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OwnedBy(Order{Number: "WL20261101", LineUserID: tt.order}, tt.user); got != tt.want {
				t.Fatalf("OwnedBy(%q, %q) = %v, want %v", tt.order, tt.user, got, tt.want)
			}
		})
	}
}

func TestPhoneLast4Matches(t *testing.T) {
	tests := []struct {
		name   string
		phone  string
		digits string
		want   bool
	}{
		{"dashed phone", "0912-345-678", "5678", true},
		{"plain phone", "0912345678", "5678", true},
		{"international phone", "+886 912 345 678", "5678", true},
		{"full-width input", "0912-345-678", "５６７８", true},
		{"spaced input", "0912-345-678", " 56 78 ", true},
		{"ideographic space", "0912-345-678", "５６\u3000７８", true},
		{"full-width phone", "０９１２－３４５－６７８", "5678", true},
		{"wrong digits", "0912-345-678", "5679", false},
		{"other part of the phone", "0912-345-678", "0912", false},
		{"three digits", "0912-345-678", "678", false},
		{"five digits", "0912-345-678", "45678", false},
		{"dash in input", "0912-345-678", "56-78", false},
		{"letters", "0912-345-678", "56a8", false},
		{"empty input", "0912-345-678", "", false},
		{"no phone", "", "5678", false},
		{"no phone, empty input", "", "", false},
		{"phone without enough digits", "ext 78", "0078", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PhoneLast4Matches(Order{Phone: tt.phone}, tt.digits); got != tt.want {
				t.Fatalf("PhoneLast4Matches(%q, %q) = %v, want %v", tt.phone, tt.digits, got, tt.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"WL20261101", "WL****1101"},
		{"WL12345678", "WL****5678"},
		{"ABC-123456", "AB****3456"},
		{"1234567890", "****7890"},
		{"WL1234", "WL****"},
		{"12", "****"},
		{" WL20261101 ", "WL****1101"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Mask(tt.in); got != tt.want {
				t.Fatalf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
