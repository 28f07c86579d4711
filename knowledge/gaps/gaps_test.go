package gaps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/internal/testfs"
	"github.com/warmline/warmline/knowledge"
)

const fixture = "../testdata/fixtures/kb"

// copyFixture copies the fixture KB into a temporary directory.
func copyFixture(t *testing.T) string { return testfs.Copy(t, fixture) }

// replica is one warmline process's share: its KB store and gaps service.
type replica struct {
	store *knowledge.Store
	svc   *Service
}

// newReplica opens a store on dir ("" : the fixture as embedded files) and
// a service on rdb/prefix.
func newReplica(t *testing.T, rdb redis.UniversalClient, prefix, dir string, clock *testclock.Clock, auto int) *replica {
	t.Helper()
	ctx := context.Background()
	log := zaptest.NewLogger(t)
	var store *knowledge.Store
	if dir != "" {
		var err error
		if store, err = knowledge.OpenStore(ctx, log, dir, knowledge.LoadOptions{}); err != nil {
			t.Fatal(err)
		}
	} else {
		base, err := knowledge.Load(ctx, os.DirFS(fixture))
		if err != nil {
			t.Fatal(err)
		}
		store = knowledge.NewStoreFS(log, os.DirFS(fixture), base, knowledge.LoadOptions{})
	}
	svc, err := New(Config{Redis: rdb, Prefix: prefix, Store: store, Clock: clock.Now, Log: log, AutoAccept: auto})
	if err != nil {
		t.Fatal(err)
	}
	return &replica{store: store, svc: svc}
}

// run starts the replica's reload listener until the test ends.
func (r *replica) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func hasExample(b *knowledge.Base, entry, lang, q string) bool {
	e, ok := b.Entry(entry)
	return ok && slices.Contains(e.Examples[lang], q)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRecordMasksAndGroups(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	clock := testclock.At(time.Now())
	r := newReplica(t, rdb, prefix, "", clock, 0)
	for _, sig := range []Signal{
		{Kind: KindMenu, UserID: "U1", Question: "寄到金門要多少運費 手機0912345678", Lang: "zh-TW", Offered: []string{"shipping-fee", "return-policy"}},
		{Kind: KindTap, UserID: "U1", Question: "寄到金門要多少運費 手機0912345678", Lang: "zh-TW", Entry: "shipping-fee", Offered: []string{"shipping-fee", "return-policy"}},
		{Kind: KindUnanswered, UserID: "U2", Question: "寄到金門要多少運費呢", Lang: "zh-TW"},
		{Kind: KindNotYet, UserID: "U3", Question: "寄到金门要多少运费", Lang: "zh-CN", Entry: "return-policy"},
		{Kind: KindUnanswered, UserID: "U4", Question: "do you sell gift cards? mail me at bob@example.com", Lang: "en"},
	} {
		if err := r.svc.Record(ctx, sig); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing personal is stored.
	msgs, err := rdb.XRange(ctx, r.svc.key("signals"), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		for k, v := range m.Values {
			s, _ := v.(string)
			for _, bad := range []string{"0912345678", "bob@example.com", "U1", "U2", "U3", "U4"} {
				if strings.Contains(s, bad) {
					t.Errorf("stored field %s = %q holds %q", k, s, bad)
				}
			}
		}
	}
	groups, err := r.svc.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 {
		t.Fatalf("got %d groups, want 2: %+v", len(groups), groups)
	}
	g := groups[0]
	if g.Count != 3 || g.Langs["zh-TW"] != 2 || g.Langs["zh-CN"] != 1 {
		t.Errorf("first group: count %d langs %v, want 3 (zh-TW 2, zh-CN 1)", g.Count, g.Langs)
	}
	if g.Suggested != "shipping-fee" || len(g.Picked) != 1 || g.Picked[0].Count != 1 {
		t.Errorf("first group: suggested %q picked %v, want shipping-fee picked once", g.Suggested, g.Picked)
	}
	if len(g.Rejected) != 1 || g.Rejected[0].Entry != "return-policy" {
		t.Errorf("first group: rejected %v, want return-policy", g.Rejected)
	}
	if g.Questions[0].Text != "寄到金門要多少運費 手機[phone]" {
		t.Errorf("first question %q, want the masked text", g.Questions[0].Text)
	}
	if got := groups[1].Questions[0].Text; got != "do you sell gift cards? mail me at [email]" {
		t.Errorf("second group's question %q", got)
	}

	// Retention: 91 days later every signal is gone from the stream.
	clock.Advance(91 * 24 * time.Hour)
	if err := r.svc.Record(ctx, Signal{Kind: KindUnanswered, UserID: "U5", Question: "hello there", Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	if n := rdb.XLen(ctx, r.svc.key("signals")).Val(); n != 1 {
		t.Errorf("stream holds %d signals after the retention, want 1", n)
	}
}

func TestApproveReachesEveryReplica(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	clock := testclock.At(time.Now())
	dirA := copyFixture(t)
	a := newReplica(t, rdb, prefix, dirA, clock, 0)
	b := newReplica(t, rdb, prefix, "", clock, 0) // no shared filesystem: embedded files
	a.run(t)
	b.run(t)
	// Wait until both listen (each reloads once subscribed).
	waitFor(t, "replicas subscribed", 5*time.Second, func() bool {
		return !a.store.Status().At.IsZero() && !b.store.Status().At.IsZero()
	})

	q := "寄到金門要多少運費"
	if err := a.svc.Record(ctx, Signal{Kind: KindUnanswered, UserID: "U1", Question: q, Lang: "zh-TW"}); err != nil {
		t.Fatal(err)
	}
	groups, _ := a.svc.Groups(ctx)
	if len(groups) != 1 {
		t.Fatalf("got %d groups, want 1", len(groups))
	}
	it, err := a.svc.ApproveExamples(ctx, Approver{ID: "lead1", Name: "林主管"}, Examples{
		Entry: "shipping-fee", Questions: groups[0].Questions, Signals: groups[0].Signals})
	if err != nil {
		t.Fatal(err)
	}
	// The approving replica serves it at once, the other within a second or two.
	if !hasExample(a.store.Current(), "shipping-fee", "zh-TW", q) {
		t.Error("replica A lacks the approved example right after approving")
	}
	if !hasExample(a.store.Current(), "shipping-fee", "zh-CN", "寄到金门要多少运费") {
		t.Error("replica A lacks the converted zh-CN example")
	}
	waitFor(t, "replica B reloads", 2*time.Second, func() bool {
		return hasExample(b.store.Current(), "shipping-fee", "zh-TW", q)
	})
	// learned.yaml in A's directory, saying who approved it.
	data, err := os.ReadFile(filepath.Join(dirA, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"approved by 林主管 (lead1) on ", it.ID, "entry: shipping-fee", q} {
		if !strings.Contains(string(data), want) {
			t.Errorf("learned.yaml lacks %q:\n%s", want, data)
		}
	}
	// The file loads as a KB file by itself (a manager's copy of the KB).
	if _, err := knowledge.Load(ctx, os.DirFS(dirA)); err != nil {
		t.Errorf("KB directory with learned.yaml does not load: %v", err)
	}
	// The group is settled.
	if groups, _ := a.svc.Groups(ctx); len(groups) != 0 {
		t.Errorf("%d groups left after approving, want 0", len(groups))
	}

	// A new entry.
	_, err = a.svc.ApproveEntry(ctx, Approver{ID: "lead1", Name: "林主管"}, NewEntry{
		ID: "gift-cards", Category: knowledge.Consultation,
		Title:     map[string]string{"zh-TW": "禮物卡", "zh-CN": "礼物卡", "en": "Gift cards"},
		Answer:    map[string]string{"zh-TW": "目前沒有販售禮物卡。", "zh-CN": "目前没有销售礼物卡。", "en": "We don't sell gift cards yet."},
		Questions: []Question{{Text: "do you sell gift cards", Lang: "en"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "replica B has the new entry", 2*time.Second, func() bool {
		_, ok := b.store.Current().Entry("gift-cards")
		return ok
	})
	if m := b.store.Current().Match(ctx, "do you sell gift cards", "en"); m.Best() == nil || m.Best().ID != "gift-cards" {
		t.Errorf("replica B: %q matches %v, want gift-cards", "do you sell gift cards", m.Best())
	}
}

func TestApproveRefusesWhatTheKBWouldNotLoad(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	r := newReplica(t, rdb, prefix, copyFixture(t), testclock.At(time.Now()), 0)
	before := r.store.Current()
	_, err := r.svc.ApproveExamples(ctx, Approver{ID: "lead1"}, Examples{Entry: "no-such-entry", Questions: []Question{{Text: "hello", Lang: "en"}}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "no-such-entry") {
		t.Errorf("approve for a missing entry: %v, want ErrInvalid naming it", err)
	}
	_, err = r.svc.ApproveEntry(ctx, Approver{ID: "lead1"}, NewEntry{ID: "shipping-fee",
		Title:  map[string]string{"zh-TW": "a", "zh-CN": "a", "en": "a"},
		Answer: map[string]string{"zh-TW": "a", "zh-CN": "a", "en": "a"}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "duplicate id") {
		t.Errorf("new entry with an existing id: %v, want ErrInvalid (duplicate id)", err)
	}
	_, err = r.svc.ApproveEntry(ctx, Approver{ID: "lead1"}, NewEntry{ID: "x", Title: map[string]string{"en": "X"}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "title.zh-TW") {
		t.Errorf("new entry without Chinese: %v, want ErrInvalid naming title.zh-TW", err)
	}
	if r.store.Current() != before {
		t.Error("a refused approval replaced the KB")
	}
	if items, _ := r.svc.Items(ctx); len(items) != 0 {
		t.Errorf("%d items stored, want 0", len(items))
	}
}

// A learned item that no longer fits the KB (its entry was deleted from
// the files) must not take the KB down: the store keeps the previous KB and
// says why.
func TestBadLearnedKeepsPreviousKB(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	dir := copyFixture(t)
	r := newReplica(t, rdb, prefix, dir, testclock.At(time.Now()), 0)
	if _, err := r.svc.ApproveExamples(ctx, Approver{ID: "lead1"}, Examples{Entry: "return-policy",
		Questions: []Question{{Text: "can I send this back", Lang: "en"}}}); err != nil {
		t.Fatal(err)
	}
	good := r.store.Current()
	// The manager deletes return-policy from the files.
	shop, _ := os.ReadFile(filepath.Join(dir, "shop.yaml"))
	edited := strings.Replace(string(shop), "id: return-policy", "id: returns-renamed", 1)
	if edited == string(shop) {
		t.Fatal("fixture changed: no return-policy entry")
	}
	if err := os.WriteFile(filepath.Join(dir, "shop.yaml"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	err := r.store.Reload(ctx)
	if err == nil || !strings.Contains(err.Error(), "learned.yaml") || !strings.Contains(err.Error(), "return-policy") {
		t.Errorf("reload: %v, want an error naming learned.yaml and return-policy", err)
	}
	if r.store.Current() != good {
		t.Error("the store did not keep the previous KB")
	}
	if st := r.store.Status(); st.Err == nil {
		t.Error("Status does not report the failed reload")
	}
	// Removing the item fixes it.
	items, _ := r.svc.Items(ctx)
	if err := r.svc.Remove(ctx, items[0].ID); err != nil {
		t.Fatal(err)
	}
	if st := r.store.Status(); st.Err != nil {
		t.Errorf("after removing the item: %v", st.Err)
	}
	if _, ok := r.store.Current().Entry("return-policy"); ok {
		t.Error("return-policy still served after the reload")
	}
}

func TestAutoAccept(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	r := newReplica(t, rdb, prefix, "", testclock.At(time.Now()), 3)
	tap := func(user, q string) {
		t.Helper()
		if err := r.svc.Record(ctx, Signal{Kind: KindTap, UserID: user, Question: q, Lang: "en", Entry: "shipping-fee"}); err != nil {
			t.Fatal(err)
		}
	}
	tap("U1", "what does delivery to kinmen cost")
	tap("U1", "what does delivery to kinmen cost") // the same customer again
	tap("U2", "what does delivery to kinmen cost?")
	if items, _ := r.svc.Items(ctx); len(items) != 0 {
		t.Fatalf("accepted after 2 customers: %+v", items)
	}
	tap("U3", "what does the delivery to kinmen cost")
	items, _ := r.svc.Items(ctx)
	if len(items) != 1 || items[0].By != Auto || items[0].Customers != 3 || items[0].Entry != "shipping-fee" {
		t.Fatalf("items after 3 customers: %+v, want one by auto, 3 customers", items)
	}
	if !hasExample(r.store.Current(), "shipping-fee", "en", "what does delivery to kinmen cost") {
		t.Error("the KB lacks the auto-accepted example")
	}
	tap("U4", "what does delivery to kinmen cost")
	if items, _ := r.svc.Items(ctx); len(items) != 1 {
		t.Errorf("%d items after a 4th tap, want 1 (accepted once)", len(items))
	}
	files, _ := r.svc.Files(ctx)
	if !strings.Contains(string(files[FileName]), "auto-accept: 3 customers picked it from the menu") {
		t.Errorf("learned.yaml does not say it was auto-accepted:\n%s", files[FileName])
	}
}

// Two leads (or replicas) approving at once: the approvals are checked and
// stored one at a time, so two new entries with one id cannot both land.
func TestConcurrentApprovals(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	clock := testclock.At(time.Now())
	a := newReplica(t, rdb, prefix, "", clock, 0)
	b := newReplica(t, rdb, prefix, "", clock, 0)
	entry := NewEntry{ID: "gift-cards",
		Title:  map[string]string{"zh-TW": "禮物卡", "zh-CN": "礼物卡", "en": "Gift cards"},
		Answer: map[string]string{"zh-TW": "沒有。", "zh-CN": "没有。", "en": "No."}}
	errs := make(chan error, 8)
	for i := range 8 {
		r := a
		if i%2 == 1 {
			r = b
		}
		go func() {
			_, err := r.svc.ApproveEntry(ctx, Approver{ID: "lead" + itoa(i)}, entry)
			errs <- err
		}()
	}
	ok := 0
	for range 8 {
		switch err := <-errs; {
		case err == nil:
			ok++
		case !errors.Is(err, ErrInvalid):
			t.Errorf("approval: %v, want nil or ErrInvalid", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d approvals of the same new entry stored, want 1", ok)
	}
	if items, _ := a.svc.Items(ctx); len(items) != 1 {
		t.Errorf("%d items, want 1", len(items))
	}
	if err := a.store.Reload(ctx); err != nil {
		t.Errorf("the KB does not load with the stored items: %v", err)
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

// With nothing learned there is no learned.yaml: booting on a KB directory
// leaves it as it was, and removing the last item removes the file.
func TestNoFileWithoutItems(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	dir := copyFixture(t)
	r := newReplica(t, rdb, prefix, dir, testclock.At(time.Now()), 0)
	r.svc.sync(ctx)
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Fatalf("learned.yaml written with nothing learned: %v", err)
	}
	it, err := r.svc.ApproveExamples(ctx, Approver{ID: "lead1"}, Examples{Entry: "shipping-fee", Questions: []Question{{Text: "postage please", Lang: "en"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatalf("no learned.yaml after an approval: %v", err)
	}
	if err := r.svc.Remove(ctx, it.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Errorf("learned.yaml kept after the last item was removed: %v", err)
	}
	// A manager's own learned.yaml (no header) is never overwritten.
	writeOwn := "add_examples:\n  - entry: shipping-fee\n    examples: {en: [postage]}\n"
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(writeOwn), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.ApproveExamples(ctx, Approver{ID: "lead1"}, Examples{Entry: "shipping-fee", Questions: []Question{{Text: "stamps", Lang: "en"}}}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, FileName)); err != nil || string(b) != writeOwn {
		t.Errorf("a hand-written learned.yaml was changed: %q, %v", b, err)
	}
}
