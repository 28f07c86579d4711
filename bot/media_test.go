package bot

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"strings"
	"sync"
	"testing"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/media"
)

// fakeContents stands for LINE's content API: content by message id, and
// failures to hand out first.
type fakeContents struct {
	mu    sync.Mutex
	byID  map[string][]byte
	fails int
	calls int
}

func (f *fakeContents) Content(_ context.Context, id string, limit int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fails > 0 {
		f.fails--
		return nil, errors.New("content api: 500")
	}
	b, ok := f.byID[id]
	if !ok {
		return nil, errors.New("content api: 404")
	}
	if int64(len(b)) > limit {
		return nil, ErrContentTooLarge
	}
	return b, nil
}

func testPNG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type mediaHarness struct {
	*harness
	contents *fakeContents
	store    *media.Store
}

func newMediaHarness(t *testing.T) *mediaHarness {
	t.Helper()
	fc := &fakeContents{byID: map[string][]byte{}}
	var store *media.Store
	h := newHarnessWith(t, func(c *EngineConfig) {
		store = media.New(c.Redis, c.Prefix, media.Config{MaxFileBytes: 2048})
		c.Contents, c.Media, c.PhotoTopics = fc, store, []string{"damaged-item"}
	})
	return &mediaHarness{harness: h, contents: fc, store: store}
}

func (h *mediaHarness) photo(user, msgID string, data []byte) []Message {
	h.t.Helper()
	h.contents.mu.Lock()
	h.contents.byID[msgID] = data
	h.contents.mu.Unlock()
	return h.handle(Event{ID: "ev-" + msgID, Kind: KindMedia, MediaType: "image", UserID: user,
		Attachment: &Attachment{MessageID: msgID}})
}

func mediaTurns(c *handoff.Case) []handoff.Turn {
	var out []handoff.Turn
	for _, tu := range c.Transcript {
		if tu.Kind == handoff.TurnMedia {
			out = append(out, tu)
		}
	}
	return out
}

// The damaged-item flow: complaint, remedy asking for photos, the photo,
// the order number: the case opens with the order and the photo, and the
// request is the complaint.
func TestDamagedItemPhotoOpensCaseWithOrderAndPhoto(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newMediaHarness(t)
			h.profiles.byID["U1"] = Profile{Language: lang}
			story := map[string]string{"zh-TW": "收到的商品破損", "zh-CN": "收到的商品破损", "en": "my item arrived damaged"}[lang]
			h.text("U1", story)
			h.postback("U1", "last:done")
			msgs := h.photo("U1", "1001", testPNG(t))
			mustContain(t, all(msgs), h.T(lang, "bot_media_received_image", nil))
			mustContain(t, all(msgs), h.T(lang, "bot_evidence_need_order", nil))
			mustNotContain(t, all(msgs), h.T(lang, "bot_media", nil))
			if c := h.activeCase("U1"); c != nil {
				t.Fatalf("case %s opened before the order number", c.ID)
			}
			msgs = h.text("U1", "WL20260001")
			mustContain(t, all(msgs), h.tr.N(lang, "bot_evidence_forwarded", 1, nil))
			c := h.activeCase("U1")
			if c == nil {
				t.Fatalf("no case after photo and order number; replies:\n%s", all(msgs))
			}
			mustContain(t, all(msgs), c.ID)
			if c.Topic != "damaged-item" || c.Request != story {
				t.Errorf("case topic %q request %q, want damaged-item and the complaint %q", c.Topic, c.Request, story)
			}
			orderSeen := false
			for _, a := range c.Tried {
				if a.Kind == handoff.AttemptOrder && a.OrderNumber == "WL20260001" {
					orderSeen = true
				}
			}
			if !orderSeen {
				t.Errorf("case tried %+v, want the order WL20260001", c.Tried)
			}
			ms := mediaTurns(c)
			if len(ms) != 1 || ms[0].Media.ID == "" || ms[0].Media.ContentType != "image/png" {
				t.Fatalf("case media turns %+v, want the stored png", ms)
			}
			if _, data, err := h.store.Get(context.Background(), "U1", ms[0].Media.ID); err != nil || !bytes.Equal(data, testPNG(t)) {
				t.Fatalf("stored photo: err %v, %d bytes", err, len(data))
			}
		})
	}
}

// Order number first, then the photo.
func TestDamagedItemOrderThenPhoto(t *testing.T) {
	t.Parallel()
	h := newMediaHarness(t)
	h.text("U1", "收到的商品破損")
	h.postback("U1", "last:done")
	msgs := h.text("U1", "訂單是 WL20260001")
	mustContain(t, all(msgs), h.T("zh-TW", "bot_evidence_need_photo", nil))
	h.photo("U1", "2001", testPNG(t))
	c := h.activeCase("U1")
	if c == nil || len(mediaTurns(c)) != 1 {
		t.Fatalf("case %+v, want one with the photo", c)
	}
}

func TestPhotoDuringHandoffGoesToCase(t *testing.T) {
	t.Parallel()
	h := newMediaHarness(t)
	h.text("U1", "我要找真人客服")
	c := h.activeCase("U1")
	if c == nil {
		t.Fatal("no case")
	}
	msgs := h.photo("U1", "3001", testPNG(t))
	mustContain(t, all(msgs), h.T("zh-TW", "bot_handoff_ack_media", map[string]any{"CaseID": c.ID}))
	if msgs := h.photo("U1", "3002", testPNG(t)); len(msgs) != 0 {
		t.Errorf("second photo within the ack window answered: %s", all(msgs))
	}
	c = h.activeCase("U1")
	if n := len(mediaTurns(c)); n != 2 {
		t.Fatalf("case has %d media turns, want 2", n)
	}
	// A sticker is a sticker turn with its keywords, not "[sticker]".
	h.handle(Event{Kind: KindMedia, MediaType: "sticker", UserID: "U1",
		Sticker: &Sticker{PackageID: "446", StickerID: "1988", Keywords: []string{"thanks"}}})
	c = h.activeCase("U1")
	last := c.Transcript[len(c.Transcript)-1]
	if last.Kind != handoff.TurnSticker || last.Sticker == nil || last.Sticker.StickerID != "1988" || last.Text != "" {
		t.Fatalf("last turn %+v, want the sticker", last)
	}
}

func TestMediaProblemsAreSaidAndRecorded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    []byte
		fails   int
		problem handoff.MediaProblem
	}{
		{"too large", append(testPNG(t), make([]byte, 4096)...), 0, handoff.MediaTooLarge},
		{"not allowed", []byte("<html><body>hi</body></html>"), 0, handoff.MediaTypeNotAllowed},
		{"unavailable twice", testPNG(t), 2, handoff.MediaUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newMediaHarness(t)
			h.contents.fails = tt.fails
			msgs := h.photo("U1", "4001", tt.data)
			want := h.T("zh-TW", "bot_media_problem_"+string(tt.problem), map[string]any{"LimitMB": int64(1)})
			mustContain(t, all(msgs), want)
			mustNotContain(t, all(msgs), h.T("zh-TW", "bot_media_received_image", nil))
			// The turn is recorded with its problem: a case opened next has it.
			h.text("U1", "我要找真人客服")
			c := h.activeCase("U1")
			ms := mediaTurns(c)
			if len(ms) != 1 || ms[0].Media.Problem != tt.problem || ms[0].Media.ID != "" {
				t.Fatalf("media turns %+v, want one with problem %s", ms, tt.problem)
			}
		})
	}
	t.Run("retried once", func(t *testing.T) {
		h := newMediaHarness(t)
		h.contents.fails = 1
		msgs := h.photo("U1", "5001", testPNG(t))
		mustContain(t, all(msgs), h.T("zh-TW", "bot_media_received_image", nil))
		if h.contents.calls != 2 {
			t.Errorf("content fetched %d times, want 2 (one retry)", h.contents.calls)
		}
	})
}

// Photos sent before the case opened go with it, even when the transcript
// has moved on past them.
func TestPhotosBeforeHandoffGoWithTheCase(t *testing.T) {
	t.Parallel()
	h := newMediaHarness(t)
	h.photo("U1", "6001", testPNG(t))
	for i := range 12 {
		h.text("U1", strings.Repeat("嗨", i+1)+"請問運送要多久")
	}
	h.text("U1", "我要找真人客服")
	c := h.activeCase("U1")
	if c == nil || len(mediaTurns(c)) != 1 {
		t.Fatalf("case %+v, want it to carry the photo", c)
	}
}
