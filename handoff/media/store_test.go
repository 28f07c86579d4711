package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

func pngBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPutGetRoundTrip(t *testing.T) {
	rdb, prefix := redistest.New(t)
	clock := testclock.New()
	s := New(rdb, prefix, Config{Clock: clock.Now})
	ctx := context.Background()
	data := pngBytes(t)
	it, err := s.Put(ctx, "U1", "m1", "image", data, "")
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if it.ContentType != "image/png" || it.Size != int64(len(data)) || it.ID != ID("U1", "m1") {
		t.Fatalf("got %+v, want image/png of %d bytes", it, len(data))
	}
	got, body, err := s.Get(ctx, "U1", it.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !bytes.Equal(body, data) || got.ContentType != "image/png" || got.Type != "image" || !got.At.Equal(clock.Now().Truncate(time.Millisecond)) {
		t.Fatalf("got %+v (%d bytes), want the stored png", got, len(body))
	}
	// Another customer cannot read it by id.
	if _, _, err := s.Get(ctx, "U2", it.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get by another user: got %v, want ErrNotFound", err)
	}
	if _, _, err := s.Get(ctx, "U1", "../../etc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get bad id: got %v, want ErrNotFound", err)
	}
	ttl := rdb.PTTL(ctx, s.blobKey("U1", it.ID)).Val()
	if ttl <= 29*24*time.Hour || ttl > DefaultRetention {
		t.Fatalf("TTL %s, want the 30-day retention", ttl)
	}
}

func TestPutRefuses(t *testing.T) {
	rdb, prefix := redistest.New(t)
	s := New(rdb, prefix, Config{MaxFileBytes: 1000, MaxCustomerBytes: 2500})
	ctx := context.Background()
	tests := []struct {
		name string
		data []byte
		want error
		ct   string
	}{
		{"too large", append(pngBytes(t), make([]byte, 1000)...), ErrTooLarge, ""},
		{"html", []byte("<html><script>alert(1)</script></html>"), ErrTypeNotAllowed, "text/html"},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), ErrTypeNotAllowed, "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, err := s.Put(ctx, "U1", tt.name, "file", tt.data, "x")
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.ct != "" && it.ContentType != tt.ct {
				t.Fatalf("content type %q, want %q", it.ContentType, tt.ct)
			}
			if _, _, err := s.Get(ctx, "U1", it.ID); !errors.Is(err, ErrNotFound) {
				t.Fatalf("refused file stored: %v", err)
			}
		})
	}
}

func TestCustomerLimitConcurrentAndIdempotent(t *testing.T) {
	rdb, prefix := redistest.New(t)
	img := pngBytes(t)
	s := New(rdb, prefix, Config{MaxCustomerBytes: int64(len(img)) * 5})
	ctx := context.Background()
	// The same message stored twice (a retried event) counts once.
	for range 2 {
		if _, err := s.Put(ctx, "U1", "same", "image", img, ""); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored, refused := 0, 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Put(ctx, "U1", "m"+string(rune('a'+i)), "image", img, "")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				stored++
			case errors.Is(err, ErrQuotaExceeded):
				refused++
			default:
				t.Errorf("Put: %v", err)
			}
		}()
	}
	wg.Wait()
	if stored != 4 || refused != 16 {
		t.Fatalf("stored %d, refused %d; want 4 and 16 (limit of 5 files, one already kept)", stored, refused)
	}
	// Another customer has their own limit.
	if _, err := s.Put(ctx, "U2", "m", "image", img, ""); err != nil {
		t.Fatalf("Put for another customer: %v", err)
	}
}

func TestSniff(t *testing.T) {
	m4a := append([]byte{0, 0, 0, 0x20}, []byte("ftypM4A \x00\x00\x00\x00")...)
	tests := []struct {
		data []byte
		want string
	}{
		{[]byte("%PDF-1.7\n"), "application/pdf"},
		{m4a, "audio/mp4"},
		// A voice message as LINE's apps record it: brand M4A listing mp42
		// and isom (DetectContentType alone says video/mp4).
		{append([]byte("\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom"), make([]byte, 16)...), "audio/mp4"},
		{append([]byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"), make([]byte, 16)...), "video/mp4"},
		{[]byte("\xff\xd8\xff\xe0\x00\x10JFIF"), "image/jpeg"},
		{[]byte("<svg xmlns='http://www.w3.org/2000/svg'></svg>"), "text/plain"},
	}
	for _, tt := range tests {
		if got := Sniff(tt.data); got != tt.want {
			t.Errorf("Sniff(%q) = %q, want %q", tt.data[:8], got, tt.want)
		}
	}
	if Allowed("text/xml") || Allowed("text/html") || !Allowed("application/pdf") {
		t.Error("allow-list wrong")
	}
}
