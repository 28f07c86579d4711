package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

// testPhoto is a small real PNG.
func testPhoto(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{R: uint8(200 - y), G: uint8(120 + x), B: 90, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sendPhoto sends a photo as user and waits until the bot's messages
// contain want.
func (h *e2e) sendPhoto(user string, data []byte, want string) string {
	h.t.Helper()
	before := len(h.emu.Messages(user))
	if _, err := h.emu.SendMedia(context.Background(), user, "image", "", "image/png", data); err != nil {
		h.t.Fatalf("send photo: %v", err)
	}
	return h.waitText(user, before, want)
}

// waitText waits until the bot's messages to user after the first before
// contain want, and returns their text.
func (h *e2e) waitText(user string, before int, want string) string {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		txt := allText(h.emu.Messages(user)[before:])
		if strings.Contains(txt, want) {
			return txt
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("waiting for %q; the bot said:\n%s", want, txt)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, _ = h.emu.WaitMessages(ctx, user, len(h.emu.Messages(user))+1)
		cancel()
	}
}

// session signs an agent in to the inbox and returns their browser.
func (h *e2e) session(id string) *http.Client {
	h.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Post(h.url+"/inbox/login", "application/json",
		strings.NewReader(`{"id":"`+id+`","password":"`+e2eAgentPassword+`"}`))
	if err != nil {
		h.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("sign in %s: %d", id, res.StatusCode)
	}
	return c
}

func fetchMedia(t *testing.T, c *http.Client, url string) (*http.Response, []byte) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func mediaOf(c *handoff.Case) []handoff.Media {
	var out []handoff.Media
	for _, tu := range c.Transcript {
		if tu.Kind == handoff.TurnMedia && tu.Media != nil {
			out = append(out, *tu.Media)
		}
	}
	return out
}

// TestE2EDamagedItemPhoto: a damaged item through the webhook and the
// emulator: the complaint, the remedy asks for photos, the photo is fetched
// from LINE's content API and stored, the order number follows, the case
// opens with both; an agent with a session fetches the photo from the
// inbox API, the public cannot.
func TestE2EDamagedItemPhoto(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	photo := testPhoto(t)
	got := h.say(alice, "收到的時候東西破了，外箱也被壓爛", 1)
	if !hasQuick(got, "last:done") {
		t.Fatalf("complaint got %s, want the invitation to tell everything", dump(got))
	}
	before := len(h.emu.Messages(alice))
	if _, err := h.emu.SendPostback(context.Background(), alice, "last:done", ""); err != nil {
		t.Fatal(err)
	}
	h.waitText(alice, before, "照片")
	txt := h.sendPhoto(alice, photo, "收到您的照片了")
	if strings.Contains(txt, "只看得懂文字") || !strings.Contains(txt, "訂單編號") {
		t.Fatalf("photo got %q, want thanks and a question for the order number", txt)
	}
	before = len(h.emu.Messages(alice))
	if _, err := h.emu.SendText(context.Background(), alice, "WL20261101"); err != nil {
		t.Fatal(err)
	}
	txt = h.waitText(alice, before, "CS-")
	if !strings.Contains(txt, "照片和訂單編號都收到了") {
		t.Errorf("order number got %q, want the photo and order forwarded together", txt)
	}
	c := h.caseOf(alice)
	if c == nil {
		t.Fatal("no case")
	}
	ms := mediaOf(c)
	if len(ms) != 1 || ms[0].ID == "" || ms[0].ContentType != "image/png" || ms[0].Size != int64(len(photo)) {
		t.Fatalf("case media %+v, want the stored photo", ms)
	}
	order := false
	for _, a := range c.Tried {
		order = order || a.OrderNumber == "WL20261101"
	}
	if !order || c.Topic != "damaged-on-arrival" || !strings.Contains(c.Request, "破了") {
		t.Errorf("case topic %q request %q tried %+v, want damaged-on-arrival, the complaint and the order", c.Topic, c.Request, c.Tried)
	}

	url := h.url + "/api/cases/" + c.ID + "/media/" + ms[0].ID
	res, body := fetchMedia(t, h.session("mei"), url)
	if res.StatusCode != 200 || !bytes.Equal(body, photo) || res.Header.Get("Content-Type") != "image/png" ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline") ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("agent fetch: %d %v (%d bytes)", res.StatusCode, res.Header, len(body))
	}
	if res, _ := fetchMedia(t, http.DefaultClient, url); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("public fetch: got %d, want 401", res.StatusCode)
	}
}

// TestE2EMediaPermissionsAndLimits: a photo sent during a legal (L3) case
// reaches the case; an L2 agent may not fetch it (403), L3 may. A file over
// the limit gets the polite message and is recorded, not dropped.
func TestE2EMediaPermissionsAndLimits(t *testing.T) {
	t.Parallel()
	opts := handoffOpts()
	opts.env["WARMLINE_MEDIA_MAX_MB"] = "1"
	h := startE2E(t, opts)
	photo := testPhoto(t)
	h.say(bob, "The mug arrived broken, I'm going to sue you and call my lawyer", 1)
	c := h.caseOf(bob)
	if c == nil || c.Tier != "L3" {
		t.Fatalf("case %+v, want an L3 case", c)
	}
	h.sendPhoto(bob, photo, "added it to case "+c.ID)
	c = h.caseOf(bob)
	ms := mediaOf(c)
	if len(ms) != 1 || ms[0].ID == "" {
		t.Fatalf("case media %+v, want the photo", ms)
	}
	url := h.url + "/api/cases/" + c.ID + "/media/" + ms[0].ID
	if res, _ := fetchMedia(t, h.session("mei"), url); res.StatusCode != http.StatusForbidden {
		t.Errorf("L2 on an L3 case: got %d, want 403", res.StatusCode)
	}
	if res, body := fetchMedia(t, h.session("lee"), url); res.StatusCode != 200 || !bytes.Equal(body, photo) {
		t.Errorf("L3: got %d (%d bytes), want the photo", res.StatusCode, len(body))
	}

	big := append(append([]byte(nil), photo...), make([]byte, 1<<20)...)
	txt := h.sendPhoto(chen, big, "这个文件有点大")
	if !strings.Contains(txt, "1 MB") {
		t.Errorf("too-big file got %q, want the limit named", txt)
	}
	h.say(chen, "我要人工客服", 1)
	cc := h.caseOf(chen)
	if cc == nil {
		t.Fatal("no case for chen")
	}
	if ms := mediaOf(cc); len(ms) != 1 || ms[0].Problem != handoff.MediaTooLarge || ms[0].ID != "" {
		t.Errorf("case media %+v, want the too-large file recorded", ms)
	}
}

// waitMedia waits until user's case has n media turns and returns them.
func (h *e2e) waitMedia(user string, n int) (*handoff.Case, []handoff.Media) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c := h.caseOf(user)
		if c != nil && len(mediaOf(c)) >= n {
			return c, mediaOf(c)
		}
		if time.Now().After(deadline) {
			var got []handoff.Media
			if c != nil {
				got = mediaOf(c)
			}
			h.t.Fatalf("waiting for %d media turns on %s's case, got %+v", n, user, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestE2EMediaKindsAcrossReplicasAndRestart (issue 11, 1.1, 1.3, 1.6):
// during a handoff a photo, a video, a voice message and a PDF reach the
// case through the webhook, each with its type and sniffed content type;
// an HTML file gets the polite "can't open that kind of file" and is
// recorded on the case, not kept. Every file is served by a second replica
// and by the first after a restart (the content lives in Redis, not in a
// process), and it expires after WARMLINE_MEDIA_RETENTION (2h here), not
// the 30-day default.
func TestE2EMediaKindsAcrossReplicasAndRestart(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	clock := testclock.At(time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	emu, emuURL := startDemoEmu(t, clock.Now)
	opts := func(replica string) e2eOpts {
		o := handoffOpts()
		o.clock, o.emu, o.emuURL, o.redisPrefix = clock, emu, emuURL, prefix
		o.env["WARMLINE_REPLICA_ID"] = replica
		o.env["WARMLINE_MEDIA_RETENTION"] = "2h"
		return o
	}
	a := startE2E(t, opts("replica-a"))
	emu.SetWebhookURL(a.url + "/webhook")
	ctx := context.Background()

	a.say(alice, "我要找真人客服", 1)
	files := []struct {
		typ, name, contentType string
		data                   []byte
		want                   handoff.MediaType
	}{
		{"image", "", "image/png", testPhoto(t), handoff.MediaImage},
		{"video", "", "video/mp4", append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), make([]byte, 64)...), handoff.MediaVideo},
		{"audio", "", "audio/x-m4a", append([]byte("\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom"), make([]byte, 64)...), handoff.MediaAudio},
		{"file", "receipt.pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), handoff.MediaFile},
	}
	for _, f := range files {
		if _, err := emu.SendMedia(ctx, alice, f.typ, f.name, f.contentType, f.data); err != nil {
			t.Fatalf("send %s: %v", f.typ, err)
		}
	}
	c, ms := a.waitMedia(alice, len(files))
	byType := map[handoff.MediaType]handoff.Media{}
	for _, m := range ms {
		byType[m.Type] = m
	}
	wantCT := map[handoff.MediaType]string{handoff.MediaImage: "image/png", handoff.MediaVideo: "video/mp4", handoff.MediaAudio: "audio/mp4", handoff.MediaFile: "application/pdf"}
	for _, f := range files {
		m, ok := byType[f.want]
		if !ok || m.ID == "" || m.Problem != "" || m.ContentType != wantCT[f.want] || m.Size != int64(len(f.data)) {
			t.Errorf("%s on the case: %+v (found %v), want kept as %s, %d bytes", f.typ, m, ok, wantCT[f.want], len(f.data))
		}
	}
	if m := byType[handoff.MediaFile]; m.Name != "receipt.pdf" {
		t.Errorf("the PDF's name on the case = %q, want receipt.pdf", m.Name)
	}

	// An HTML file from another customer: refused politely, recorded on the case.
	txt := func() string {
		before := len(emu.Messages(bob))
		if _, err := emu.SendMedia(ctx, bob, "file", "invoice.html", "text/html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")); err != nil {
			t.Fatal(err)
		}
		return a.waitText(bob, before, "can't open that kind of file")
	}()
	if !strings.Contains(txt, "PDF") {
		t.Errorf("HTML file got %q, want the kinds of file we accept named", txt)
	}
	a.say(bob, "I want to talk to a real person", 1)
	_, bm := a.waitMedia(bob, 1)
	if bm[0].Problem != handoff.MediaTypeNotAllowed || bm[0].ID != "" || bm[0].ContentType != "text/html" {
		t.Errorf("the HTML file on bob's case: %+v, want recorded as type_not_allowed and not kept", bm[0])
	}

	// Retention: the stored content expires after WARMLINE_MEDIA_RETENTION.
	for _, m := range ms {
		ttl, err := rdb.PTTL(ctx, prefix+"{u:"+alice+"}:media:"+m.ID).Result()
		if err != nil || ttl <= 0 || ttl > 2*time.Hour {
			t.Errorf("%s's TTL = %v (%v), want at most WARMLINE_MEDIA_RETENTION=2h", m.Type, ttl, err)
		}
	}

	fetchAll := func(who string, h *e2e) {
		t.Helper()
		agent := h.session("mei")
		for _, f := range files {
			m := byType[f.want]
			res, body := fetchMedia(t, agent, h.url+"/api/cases/"+c.ID+"/media/"+m.ID)
			if res.StatusCode != http.StatusOK || !bytes.Equal(body, f.data) || res.Header.Get("Content-Type") != wantCT[f.want] {
				t.Errorf("%s serves the %s: %d %s (%d bytes), want 200 %s and the bytes sent", who, f.typ, res.StatusCode, res.Header.Get("Content-Type"), len(body), wantCT[f.want])
			}
		}
	}
	b := startE2E(t, opts("replica-b"))
	fetchAll("replica B", b)
	a.stop()
	a.stop = func() {}
	a = startE2E(t, opts("replica-a"))
	fetchAll("replica A after a restart", a)
}
