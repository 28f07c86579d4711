package handoff

import (
	"context"
	"errors"
	"testing"

	"github.com/warmline/warmline/handoff/escalation"
)

func TestAppendBotTurnAndTypedCustomerTurns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	c := f.open(t, "U1", human)

	if err := f.svc.AppendBotTurn(ctx, c.ID, Turn{Text: "收到，專員會在 14:00 前回覆", Notice: NoticeAck}); err != nil {
		t.Fatalf("AppendBotTurn: %v", err)
	}
	st := &Sticker{PackageID: "11537", StickerID: "52002734", Keywords: []string{"Thanks"}}
	if err := f.svc.AppendCustomerTurn(ctx, c.ID, Turn{Kind: TurnSticker, Sticker: st}); err != nil {
		t.Fatalf("AppendCustomerTurn(sticker): %v", err)
	}
	md := &Media{Type: MediaImage, ID: "blob-1", ContentType: "image/jpeg", Size: 1234}
	if err := f.svc.AppendCustomerTurn(ctx, c.ID, Turn{Kind: TurnMedia, Media: md}); err != nil {
		t.Fatalf("AppendCustomerTurn(media): %v", err)
	}
	if err := f.svc.AppendCustomerTurn(ctx, c.ID, Turn{Kind: TurnSticker}); !errors.Is(err, ErrInvalid) {
		t.Errorf("sticker turn without sticker: err = %v, want ErrInvalid", err)
	}
	if err := f.svc.AppendBotTurn(ctx, "CS-nope", Turn{Text: "x"}); !errors.Is(err, ErrNoCase) {
		t.Errorf("AppendBotTurn(no case): err = %v, want ErrNoCase", err)
	}

	got, err := f.svc.Get(ctx, lead, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	tr := got.Transcript[len(got.Transcript)-3:]
	if b := tr[0]; b.From != FromBot || b.Kind != TurnText || b.Notice != NoticeAck || !b.At.Equal(f.clock.Now()) {
		t.Errorf("bot turn = %+v, want from bot, kind text, notice ack, at now", b)
	}
	if s := tr[1]; s.From != FromCustomer || s.Kind != TurnSticker || s.Sticker == nil || s.Sticker.StickerID != "52002734" || s.Text != "" {
		t.Errorf("sticker turn = %+v, want a customer sticker turn with its ids and no text", s)
	}
	if m := tr[2]; m.Kind != TurnMedia || m.Media == nil || m.Media.Type != MediaImage || m.Media.ID != "blob-1" {
		t.Errorf("media turn = %+v, want an image turn with its id", m)
	}

	// A closed case still takes bot turns (the apology after a low rating).
	if _, err := f.svc.Resolve(ctx, lead, c.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AppendBotTurn(ctx, c.ID, Turn{Text: "很抱歉這次沒讓您滿意"}); err != nil {
		t.Errorf("AppendBotTurn(closed): %v", err)
	}
	if err := f.svc.AppendCustomerMessage(ctx, c.ID, "還是不行"); !errors.Is(err, ErrClosed) {
		t.Errorf("AppendCustomerMessage(closed): err = %v, want ErrClosed", err)
	}
}

// TestOldCasesReadInTheNewShape: a case stored before turns and attempts
// were typed is migrated as it is read.
func TestOldCasesReadInTheNewShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	old := `{"id":"CS-20261120-0001","user_id":"U9","lang":"zh-TW","category":"consultation","tier":"L2","priority":"P2",
	"status":"queued","triggers":[{"Kind":"security","Message":"有人盜用我的帳號","Evidence":"盜用"}],
	"tried":[{"kind":"order","ref":"WL****1110","summary":"in_transit","at":"2026-11-20T02:00:00Z"}],
	"transcript":[{"from":"customer","text":"[sticker]","at":"2026-11-20T02:00:00Z"},
	{"from":"customer","text":"[image]","at":"2026-11-20T02:00:01Z"},
	{"from":"system","text":"assigned","at":"2026-11-20T02:01:00Z","agent_id":"a-l2"},
	{"from":"system","text":"priority P1","at":"2026-11-20T02:02:00Z","agent_id":"a-lead"},
	{"from":"system","text":"cancelled","at":"2026-11-20T02:03:00Z"},
	{"from":"agent","text":"您好","at":"2026-11-20T02:04:00Z","agent_id":"a-l2","id":"m-1","status":"sent"}],
	"created_at":"2026-11-20T02:00:00Z","first_response_due":"2026-11-20T03:00:00Z","resolution_due":"2026-11-21T02:00:00Z"}`
	if err := f.svc.rdb.Set(ctx, f.svc.caseKey("CS-20261120-0001"), old, 0).Err(); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Get(ctx, lead, "CS-20261120-0001")
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Transcript
	checks := []struct {
		name string
		ok   bool
	}{
		{"sticker", tr[0].Kind == TurnSticker && tr[0].Sticker != nil && tr[0].Text == ""},
		{"image", tr[1].Kind == TurnMedia && tr[1].Media != nil && tr[1].Media.Type == MediaImage && tr[1].Text == ""},
		{"assigned", tr[2].Kind == TurnEvent && tr[2].Event != nil && tr[2].Event.Type == SysAssigned && tr[2].AgentID == "a-l2"},
		{"priority", tr[3].Kind == TurnEvent && tr[3].Event != nil && tr[3].Event.Type == SysPriority && tr[3].Event.Priority == "P1"},
		{"cancelled", tr[4].Kind == TurnEvent && tr[4].Event != nil && tr[4].Event.Type == SysCancelled},
		{"agent reply", tr[5].Kind == TurnText && tr[5].Text == "您好"},
		{"order outcome", c.Tried[0].Outcome == OutcomeStatusShown && c.Tried[0].OrderStatus == "in_transit"},
		{"security is a fault", c.Category == CategoryFault},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s not migrated: %+v / %+v", ch.name, tr, c.Tried)
		}
	}
}

// TestSystemTurnsAreTyped: assignments, priority changes and cancellations
// are stored as events with fields, not text.
func TestSystemTurnsAreTyped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	c := f.open(t, "U1", human)
	if _, err := f.svc.Assign(ctx, lead, c.ID, l2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetPriority(ctx, lead, c.ID, "P2"); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Get(ctx, lead, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := len(got.Transcript)
	as, pr := got.Transcript[n-2], got.Transcript[n-1]
	if as.Kind != TurnEvent || as.Event == nil || as.Event.Type != SysAssigned || as.AgentID != l2.ID || as.Text != "" {
		t.Errorf("assign turn = %+v, want an assigned event naming %s", as, l2.ID)
	}
	if pr.Kind != TurnEvent || pr.Event == nil || *pr.Event != (SystemEvent{Type: SysPriority, Priority: "P2", OldPriority: "P3"}) || pr.Text != "" {
		t.Errorf("priority turn = %+v, want a priority event P3 → P2", pr)
	}
}

// TestRequestLineIsTheIssue: the brief's request is the message that fired
// the trigger or opened the issue, fixed when the case opens; later
// messages ("ok thanks, here's the photo") do not replace it.
func TestRequestLineIsTheIssue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	c, err := f.svc.Open(ctx, Opening{UserID: "U1", Lang: "zh-TW", Category: "consultation", Triggers: []escalation.Trigger{security},
		Transcript: []Turn{{From: FromCustomer, Text: "我的帳號被盜了，有人改了我的密碼", At: f.clock.Now()},
			{From: FromCustomer, Text: "my account was hacked", At: f.clock.Now()}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AppendCustomerMessage(ctx, c.ID, "好的謝謝，照片在這"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Get(ctx, lead, c.ID)
	brief := f.svc.Brief(got, "en")
	if want := "Wants (Safety / security): “my account was hacked”"; brief[1] != want {
		t.Errorf("request line = %q, want %q", brief[1], want)
	}
	if got.Category != CategoryFault {
		t.Errorf("category = %q, want fault (an account takeover is not a consultation)", got.Category)
	}
	// The bot may name the request itself.
	c2, err := f.svc.Open(ctx, Opening{UserID: "U2", Lang: "zh-TW", Request: "杯子寄來就破了", Triggers: []escalation.Trigger{human},
		Transcript: []Turn{{From: FromCustomer, Text: "杯子寄來就破了", At: f.clock.Now()}, {From: FromCustomer, Text: "好的謝謝", At: f.clock.Now()}}})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Request != "杯子寄來就破了" {
		t.Errorf("Request = %q, want the bot's", c2.Request)
	}
}

func TestAppendCustomerMessagePlaceholderBecomesASticker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	c := f.open(t, "U1", human)
	if err := f.svc.AppendCustomerMessage(ctx, c.ID, "[sticker]"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Get(ctx, lead, c.ID)
	if last := got.Transcript[len(got.Transcript)-1]; last.Kind != TurnSticker || last.Text != "" || last.Sticker == nil {
		t.Errorf("last turn = %+v, want a sticker turn, not the [sticker] text", last)
	}
}
