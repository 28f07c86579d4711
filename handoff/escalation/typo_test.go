package escalation

import "testing"

func TestTypos(t *testing.T) {
	r := testRules(t)
	tests := []struct {
		in, want string
	}{
		{"let me talk to your supervisr", "let me talk to your supervisor"},
		{"I want to speak to a manger", "I want to speak to a manager"},
		{"I want a refnud", "I want a refund"},                   // a swap is one edit
		{"my lawer will call", "my lawyer will call"},            // one letter left out
		{"this is unacceptible", "this is unacceptable"},         // 12 letters: one edit
		{"my acount was hackd", "my account was hacked"},         // several words
		{"REFNUD NOW", "refund NOW"},                             // case is not kept: patterns ignore it
		{"the box was packed badly", "the box was packed badly"}, // a real word (keep list)
		{"we managed to fix it", "we managed to fix it"},
		{"two managers said so", "two managers said so"}, // a trigger word with a suffix
		{"a hunan dish", "a hunan dish"},                 // a real word near human (keep list)
		{"talk to a humcan", "talk to a human"},          // five-letter words take one edit
		{"agnt please", "agent please"},                  // four letters of agent
		{"a gent in a suit", "a gent in a suit"},         // a real word near agent (keep list)
		{"get me a peron", "get me a person"},            // Perón is a name, peron a typo
		{"the heat pad bdurned my skin", "the heat pad burned my skin"},
		{"it turned off", "it turned off"},
		{"talk to a humna", "talk to a human"}, // the en table lists short words' typos
		{"connect me to an agnet", "connect me to an agent"},
		{"the battery is swolen", "the battery is swollen"}, // as far from stolen: the longer shared start wins
		{"麻煩請主館回電", "麻煩請主管回電"},
		{"經裡在嗎", "經理在嗎"},
		{"請問有貨嗎", "請問有貨嗎"},
		{"經李在嗎", "經理在嗎"}, // one character that sounds alike (zh_sounds)
		{"我要找律濕", "我要找律師"},
		{"負則人在哪", "負責人在哪"},
		{"主人公很可愛", "主人公很可愛"}, // a real word (zh_keep)
		{"這本律詩集", "這本律詩集"},
		{"收到刷卡通知", "收到刷卡通知"},   // 到 is in no group: too common
		{"這個問題告訴我", "這個問題告訴我"}, // nor 題
	}
	for _, tt := range tests {
		got, _ := r.typos.fix(tt.in)
		if got != tt.want {
			t.Errorf("fix(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A message is matched with its typos corrected only when it fires nothing
// as written, and the evidence shows what the customer wrote where the
// correction kept the length.
func TestAnalyzeTypos(t *testing.T) {
	r := testRules(t)
	tests := []struct {
		text, lang, kind, evidence string
	}{
		{"can I talk to your supervsior", "en", KindSupervisor, "your supervsior"},
		{"麻煩請主館回電", "zh-TW", KindSupervisor, "主館"},
		{"领道在不在", "zh-CN", KindSupervisor, "领道"},
		{"我要找真仁", "zh-TW", KindHuman, "真仁"},
		{"my account was hackd", "en", KindSecurity, "hacked"},
	}
	for _, tt := range tests {
		a := r.Analyze(tt.text, tt.lang)
		if len(a.Triggers) == 0 || a.Triggers[0].Kind != tt.kind || a.Triggers[0].Evidence != tt.evidence {
			t.Errorf("Analyze(%q) = %+v, want %s with evidence %q", tt.text, a.Triggers, tt.kind, tt.evidence)
		}
	}
}

// Neutral questions that name a defect, a delay or an expiry are questions,
// not complaints; the same words reported as a fact are complaints.
func TestAnalyzeQuestions(t *testing.T) {
	r := testRules(t)
	tests := []struct {
		text, lang          string
		complaint, question bool
	}{
		{"我的購物金什麼時候會過期啊", "zh-TW", false, true},
		{"这个耳机坏了保修吗", "zh-CN", false, true},
		{"如果收到的東西有瑕疵要怎麼辦", "zh-TW", false, true},
		{"does the warranty cover a leaking bottle?", "en", false, true},
		{"what if my package arrives damaged?", "en", false, true},
		{"收到的杯子破了", "zh-TW", true, false},
		{"拉鍊第一天就壞了", "zh-TW", true, false},
		{"my order arrived damaged", "en", true, false},
		{"this is the worst service ever, when will you answer?", "en", true, true}, // a strong word stays a complaint
		// a soft word in a clause of its own, next to the question, is stated
		{"包裹延遲一週了 什麼時候會到", "zh-TW", true, true},
		{"the zipper broke, can I exchange it?", "en", true, true},
		{"耳机左边没声音 能换一个吗", "zh-CN", true, true},
		{"what happens if my package is damaged?", "en", false, true},
		// refund words in the model do not veto a strong word
		{"this is terrible service, I want a refund of NT$300", "en", true, false},
	}
	for _, tt := range tests {
		a := r.Analyze(tt.text, tt.lang)
		if a.Complaint != tt.complaint || a.Question != tt.question {
			t.Errorf("Analyze(%q): complaint %v (%q), question %v; want %v, %v", tt.text, a.Complaint, a.ComplaintEvidence, a.Question, tt.complaint, tt.question)
		}
	}
}
