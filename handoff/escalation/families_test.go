package escalation

import (
	"slices"
	"testing"
)

// TestFamilies checks the families of phrasing the blind10 work added, on
// messages written for this test (none copied from a labelled set): each
// family should catch wordings its dev examples did not use, and its
// negatives should stay quiet.
func TestFamilies(t *testing.T) {
	t.Parallel()
	r := testRules(t)
	tests := []struct {
		text      string
		want      []string // content triggers, in any order
		complaint bool
	}{
		// hazards in progress and account incidents with an alibi
		{"the heater started crackling and smoking behind the sofa", []string{KindSecurity}, true},
		{"my daughter's cheeks are red and burning since the face mask", []string{KindSecurity}, false}, // flag not checked (flagOnly)
		{"行動電源插著電用沒多久就膨脹了", []string{KindSecurity}, true},
		{"我的帳號凌晨有消費紀錄，可是我那時候在睡覺", []string{KindSecurity}, false},
		{"信箱多了一個陌生的收件地址，不是我設定的", []string{KindSecurity}, false},
		{"客服來電叫我下載遠端軟體，說要幫我退款", []string{KindSecurity}, false},
		// hazards asked in advance, scams said to be common, the shop accused of fraud
		{"這個快煮壺可以乾燒嗎？會不會燒壞", nil, false},
		{"最近詐騙電話好多，你們會打電話給客人嗎", nil, false},
		// posts, groups and the police; authority and pinyin titles
		{"this is going straight into the neighbourhood Facebook group", []string{KindLegalMedia}, true},
		{"我等一下就去警察局報案", []string{KindLegalMedia}, true},
		{"who can authorise this? put them on", []string{KindSupervisor}, false},
		{"能不能请你们的zhu guan联系我", []string{KindSupervisor}, false},
		// a colleague asked to come; a question about who answers is no request
		{"換個懂產品的同事來", []string{KindHuman}, false},
		{"請問現在是真人在回覆嗎？", nil, false},
		// refunds received, conditional or a policy threshold
		{"上週已經收到3,200的退款了，謝謝", nil, false},
		{"退貨2,500的話運費誰出？", nil, false},
		{"滿3000元的退貨需要附發票嗎", nil, false},
		// complaints: service failures; neutral questions and praise stay quiet
		{"the courier hung up on me twice", nil, true},
		{"the app won't let me check out, it keeps saying my card is invalid", nil, true},
		{"我的包裹怎么还没到？都一个星期了", nil, true},
		{"我的購物金什麼時候會過期啊", nil, false},
		{"包裹會延遲嗎？想在週末前收到", nil, false},
		{"做工真的很好，會再買", nil, false},
		{"the gift box made my mum's day, thanks so much", nil, false},
	}
	// Rows whose complaint flag is not what they check (a hazard told
	// without a complaint word: the flag follows the lexicon and the model).
	flagOnly := map[string]bool{"my daughter's cheeks are red and burning since the face mask": true}
	for _, tt := range tests {
		a := r.Analyze(tt.text, "zh-TW")
		var got []string
		for _, tr := range a.Triggers {
			got = append(got, tr.Kind)
		}
		if !slices.Equal(sorted(got), sorted(tt.want)) {
			t.Errorf("Analyze(%q) fired %v, want %v", tt.text, got, tt.want)
		}
		if !flagOnly[tt.text] && a.Complaint != tt.complaint {
			t.Errorf("Analyze(%q).Complaint = %v (%q), want %v", tt.text, a.Complaint, a.ComplaintEvidence, tt.complaint)
		}
	}
}
