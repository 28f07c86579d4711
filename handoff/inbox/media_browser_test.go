package inbox

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/handoff/media"
	"github.com/warmline/warmline/internal/browsertest"
)

// damagePhoto is a recognisable test photo: a box with a crack across it.
func damagePhoto(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for x := range 320 {
		for y := range 240 {
			c := color.RGBA{R: 196, G: 160, B: 112, A: 255} // cardboard
			if x < 20 || x > 300 || y < 20 || y > 220 {
				c = color.RGBA{R: 240, G: 240, B: 236, A: 255}
			}
			if d := x - (y*4)/3; d > -4 && d < 4 && x > 20 && x < 300 {
				c = color.RGBA{R: 60, G: 40, B: 30, A: 255} // the crack
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCaseMediaInBrowser: the case view shows a photo turn as a thumbnail
// that opens the full file, a sticker by its keywords, and a file that was
// not kept with its reason.
func TestCaseMediaInBrowser(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("browser test")
	}
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, true)
	store := media.New(rdb, prefix, media.Config{})
	mux := http.NewServeMux()
	mux.Handle(MediaRoute, e.in.MediaHandler(store))
	e.in.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := context.Background()

	photo := damagePhoto(t)
	it, err := store.Put(ctx, "U-photo", "m1", "image", photo, "")
	if err != nil {
		t.Fatal(err)
	}
	c := e.openAt(t, 3*time.Minute, handoff.Opening{UserID: "U-photo", DisplayName: "王小明", Lang: "zh-TW", Category: "fault",
		Topic: "damaged-on-arrival", Request: "收到的時候杯子破了，外箱也壓爛了",
		Triggers: trig(escalation.KindUnhelpful, "L2", "P3", "收到的時候杯子破了，外箱也壓爛了", ""),
		Transcript: []handoff.Turn{
			cust("收到的時候杯子破了，外箱也壓爛了"),
			bot("請拍下外箱、緩衝包材與損壞處的照片，連同訂單編號傳給我們。"),
			{From: handoff.FromCustomer, Kind: handoff.TurnMedia, Media: &handoff.Media{Type: handoff.MediaImage, ID: it.ID, ContentType: it.ContentType, Size: it.Size}},
			{From: handoff.FromCustomer, Kind: handoff.TurnMedia, Media: &handoff.Media{Type: handoff.MediaVideo, Problem: handoff.MediaTooLarge}},
			{From: handoff.FromCustomer, Kind: handoff.TurnSticker, Sticker: &handoff.Sticker{PackageID: "446", StickerID: "1988", Keywords: []string{"拜託", "please"}}},
			cust("WL20261101"),
		}})

	b := browsertest.Shared(t, browsertest.WindowSize(1440, 960), browsertest.Lifetime(60*time.Second))
	b.SignIn(srv.URL, "mei", DemoPassword, "")
	b.WaitPage("/inbox/queue")
	b.Navigate(srv.URL + "/inbox/cases/" + c.ID)
	b.Wait("photo thumbnail loaded", `(() => { const i = document.querySelector('[data-testid=media-thumb]'); return !!i && i.complete && i.naturalWidth === 320; })()`)
	href := b.Eval(`document.querySelector('[data-testid=media-link]').getAttribute('href')`)
	if want := "/api/cases/" + c.ID + "/media/" + it.ID; href != want {
		t.Errorf("thumbnail opens %q, want %q", href, want)
	}
	b.Wait("full file opens", `(() => { if (!window.__media) { window.__media = 'wait'; fetch(document.querySelector('[data-testid=media-link]').href).then(r => { window.__media = r.status + ' ' + r.headers.get('content-type'); }); } return window.__media === '200 image/png'; })()`)
	if got := b.Eval(`document.querySelector('[data-testid=media-problem]').textContent`); got != e.in.tr.T("zh-TW", "inbox_media_problem_too_large", nil) {
		t.Errorf("problem note = %q, want the too-large note", got)
	}
	if got := b.Eval(`[...document.querySelectorAll('[data-testid=turn]')].filter(li => li.dataset.kind === 'sticker').map(li => li.textContent).join('|')`); !bytes.Contains([]byte(got), []byte("拜託")) {
		t.Errorf("sticker turn = %q, want its keywords", got)
	}
	b.Shot("inbox-case-media.png")
	if ex := b.Exceptions(); len(ex) > 0 {
		t.Errorf("JavaScript exceptions: %v", ex)
	}
}
