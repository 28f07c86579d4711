package handoff

import (
	"context"
	"errors"
	"testing"
)

func TestAppendBotTurnAndTypedCustomerTurns(t *testing.T) {
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
