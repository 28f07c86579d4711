package handoff

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/warmline/warmline/handoff/escalation"
)

// TestHigherPriorityNeverLater is a property over the policy: for random
// start times across two years (weekends, nights, holidays), a higher
// priority's first-response and resolution due times are never later than
// a lower priority's, with the embedded policy and with one whose
// priorities count on different clocks.
func TestHigherPriorityNeverLater(t *testing.T) {
	t.Parallel()
	mixed := `business_hours: {days: [mon, tue, wed, thu, fri, sat], open: "10:00", close: "19:00"}
always_open: [P1, P2]
on_call: {P1: 10m, P2: 30m}
sla:
  P1: {first_response: 10m, resolution: 1h}
  P2: {first_response: 30m, resolution: 24h}
  P3: {first_response: 2h, resolution: 1wd}
  P4: {first_response: 3wd, resolution: 10wd}
holidays: [2026-12-25, 2027-01-01]
`
	custom, err := LoadPolicy(fstest.MapFS{"p.yaml": {Data: []byte(mixed)}}, "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	policies := map[string]*Policy{"embedded": DefaultPolicy(), "mixed clocks": custom}
	from := at(t, "2026-01-01 00:00")
	span := int64(2 * 365 * 24 * time.Hour)
	rng := rand.New(rand.NewPCG(11, 3))
	for _, name := range slices.Sorted(maps.Keys(policies)) { // sorted: the same starts every run
		p := policies[name]
		t.Run(name, func(t *testing.T) {
			// Each priority's due times are computed once per start and
			// compared with the next priority's.
			first := make([]time.Time, len(Priorities))
			resolution := make([]time.Time, len(Priorities))
			for range 5000 {
				start := from.Add(time.Duration(rng.Int64N(span))).Truncate(time.Minute)
				for i, pr := range Priorities {
					first[i], resolution[i] = p.FirstResponseDue(start, pr), p.ResolutionDue(start, pr)
				}
				for i := 0; i+1 < len(Priorities); i++ {
					hi, lo := Priorities[i], Priorities[i+1]
					if a, b := first[i], first[i+1]; a.After(b) {
						t.Fatalf("start %s: %s first response %s after %s's %s", start.In(p.Location), hi, a.In(p.Location), lo, b.In(p.Location))
					}
					if a, b := resolution[i], resolution[i+1]; a.After(b) {
						t.Fatalf("start %s: %s resolution %s after %s's %s", start.In(p.Location), hi, a.In(p.Location), lo, b.In(p.Location))
					}
				}
			}
		})
	}
	// The reported case: a P2 opened Monday 10:00 was due Wednesday 16:00,
	// a P3 Tuesday 10:00.
	p := DefaultPolicy()
	if a, b := p.ResolutionDue(at(t, "2026-11-23 10:00"), "P2"), p.ResolutionDue(at(t, "2026-11-23 10:00"), "P3"); a.After(b) {
		t.Errorf("P2 resolution %s after P3's %s", a.In(p.Location), b.In(p.Location))
	}
}

func TestPolicyRefusesAHigherPriorityWithALongerTarget(t *testing.T) {
	t.Parallel()
	file := `business_hours: {days: [mon, tue, wed, thu, fri], open: "09:00", close: "18:00"}
always_open: [P1]
sla:
  P1: {first_response: 15m, resolution: 2h}
  P2: {first_response: 1h, resolution: 24h}
  P3: {first_response: 4h, resolution: 1wd}
  P4: {first_response: 24h, resolution: 10wd}
reminder: {share: 90%}
`
	_, err := LoadPolicy(fstest.MapFS{"p.yaml": {Data: []byte(file)}}, "p.yaml")
	if err == nil || !strings.Contains(err.Error(), "sla.P2.resolution") {
		t.Errorf("err = %v, want sla.P2.resolution refused (24h of business time is later than P3's 1wd)", err)
	}
	_, err = LoadPolicy(fstest.MapFS{"p.yaml": {Data: []byte(strings.Replace(file, "90%", "180%", 1))}}, "p.yaml")
	if err == nil || !strings.Contains(err.Error(), "reminder.share") {
		t.Errorf("err = %v, want reminder.share refused", err)
	}
	_, err = LoadPolicy(fstest.MapFS{"p.yaml": {Data: []byte(strings.Replace(file, "share: 90%", "before: 10m", 1))}}, "p.yaml")
	if err == nil || !strings.Contains(err.Error(), "reminder.before") {
		t.Errorf("err = %v, want reminder.before refused with a hint", err)
	}
}

// TestPromisesKept: the pre-breach notice goes out at reminder.share of the
// target; a P1's promise never moves (an honest "still on it", no new time);
// a supervisor request's 5-minute promise gets "still on it, still by T" at
// 80% (4 minutes) with its own unmoved time; the others get an honest new
// time. Every notice is in the transcript, and the brief shows
// the customer's time.
func TestPromisesKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 15:00")
	p1 := f.open(t, "U-p1", security)     // P1, 24/7: due 15:15, notice at 15:12
	sup := f.open(t, "U-sup", supervisor) // P2, the supervisor rule's 5 minutes: due 15:05
	p3 := f.open(t, "U-p3", human)        // P3: due Tue 10:00 (3h today + 1h), notice at 80% = 3h12 → Tue 09:12

	sweep := func(when string) int {
		t.Helper()
		f.clock.Set(at(t, when))
		n, err := f.svc.Sweep(ctx)
		if err != nil {
			t.Fatalf("Sweep at %s: %v", when, err)
		}
		return n
	}
	pushesTo := func(user string) []Notice {
		var out []Notice
		for _, c := range f.msg.all() {
			if c.UserID == user {
				out = append(out, c.Notices...)
			}
		}
		return out
	}
	if n := sweep("2026-11-23 15:01"); n != 0 {
		t.Errorf("sweep after one minute sent %d notices, want 0 (a supervisor request got \"taking longer\" after one minute)", n)
	}
	if n := sweep("2026-11-23 15:03"); n != 0 {
		t.Errorf("sweep before 80%% of the supervisor's 5 minutes sent %d, want 0", n)
	}
	if n := sweep("2026-11-23 15:04"); n != 1 {
		t.Errorf("sweep at 80%% of the supervisor's 5 minutes sent %d, want its \"still by 15:05\"", n)
	}
	if n := sweep("2026-11-23 15:04"); n != 0 {
		t.Errorf("sweep again at 15:04 sent %d, want 0 (once per clock)", n)
	}
	// 15:11: the supervisor's 5 minutes (15:05) passed with no reply: its
	// one apology (the promise itself never moves).
	if n := sweep("2026-11-23 15:11"); n != 1 {
		t.Errorf("sweep at 15:11 sent %d, want 1 (the supervisor's apology; P1 notice at 15:12)", n)
	}
	if n := sweep("2026-11-23 15:12"); n != 1 {
		t.Errorf("sweep at 15:12 sent %d, want the P1 notice", n)
	}
	// 15:30: the P1's 15:15 passed: its apology with a new time (15:45);
	// the supervisor's renewed 15:16 passed too: its second apology, with
	// another (15:35).
	if n := sweep("2026-11-23 15:30"); n != 2 {
		t.Errorf("sweep past the dues sent %d, want 2 (the P1's apology, the supervisor's second)", n)
	}
	got := pushesTo("U-p1")
	if len(got) != 2 || !strings.Contains(got[0].Text, p1.ID) || strings.Contains(got[0].Text, "16:") || strings.Contains(got[0].Text, "15:") {
		t.Fatalf("P1 notices = %+v, want a \"still on it\" naming the case and no new time, then the apology", got)
	}
	if want := f.svc.tr.T(p1.Lang, "handoff_sla_late", map[string]any{"CaseID": p1.ID, "ETA": "15:15", "NewETA": "15:45"}); got[1].Text != want {
		t.Errorf("P1 apology = %q, want %q (the missed 15:15, the reason, the new 15:45)", got[1].Text, want)
	}
	c1, _ := f.svc.Get(ctx, lead, p1.ID)
	if !c1.Promise().Equal(at(t, "2026-11-23 15:45")) || !c1.FirstResponseDue.Equal(at(t, "2026-11-23 15:15")) {
		t.Errorf("P1 promise = %s, due %s; want the new 15:45 told, the SLA's due 15:15 kept", c1.Promise().In(taipei(t)), c1.FirstResponseDue.In(taipei(t)))
	}
	if !f.svc.Overdue(c1) {
		t.Error("the P1 told a new time after missing 15:15 is not overdue in the queue; want it overdue (the new time is a courtesy, not a new SLA)")
	}
	n := len(c1.Transcript)
	if n < 2 || c1.Transcript[n-2].From != FromBot || c1.Transcript[n-2].Notice != NoticeReminder || c1.Transcript[n-2].Text != got[0].Text ||
		c1.Transcript[n-1].Notice != NoticeLate || c1.Transcript[n-1].Text != got[1].Text {
		t.Errorf("P1 transcript ends %+v, want the notice and the apology as bot turns", c1.Transcript[max(0, n-2):])
	}
	supGot := pushesTo("U-sup")
	wantStill := f.svc.tr.T(sup.Lang, "handoff_sla_still_by_lead", map[string]any{"CaseID": sup.ID, "ETA": "15:05"})
	wantLate := []string{
		f.svc.tr.T(sup.Lang, "handoff_sla_late_lead", map[string]any{"CaseID": sup.ID, "ETA": "15:05", "NewETA": "15:16"}),
		f.svc.tr.T(sup.Lang, "handoff_sla_late_lead", map[string]any{"CaseID": sup.ID, "ETA": "15:16", "NewETA": "15:35"}),
	}
	if len(supGot) != 3 || supGot[0].Text != wantStill || supGot[1].Text != wantLate[0] || supGot[2].Text != wantLate[1] {
		t.Errorf("supervisor case got %+v, want %q at 15:04, then the apologies %q", supGot, wantStill, wantLate)
	}
	cs, _ := f.svc.Get(ctx, lead, sup.ID)
	if !cs.Promise().Equal(at(t, "2026-11-23 15:35")) {
		t.Errorf("supervisor promise = %s, want the last time told, 15:35", cs.Promise().In(taipei(t)))
	}
	if n := len(cs.Transcript); n < 3 || cs.Transcript[n-3].Notice != NoticeReminder || cs.Transcript[n-3].Text != wantStill ||
		cs.Transcript[n-2].Notice != NoticeLate || cs.Transcript[n-1].Notice != NoticeLate {
		t.Errorf("supervisor transcript ends %+v, want the notice and the two apologies as bot turns", cs.Transcript[max(0, n-3):])
	}
	// The agent's brief shows the same time the customer was last told.
	if brief := strings.Join(f.svc.Brief(cs, "en"), "\n"); !strings.Contains(brief, "2026-11-23 15:35") {
		t.Errorf("supervisor brief = %q, want the promised 2026-11-23 15:35", brief)
	}
	// Two apologies per clock: the supervisor's 15:35 and the P1's 15:45
	// pass with no third (the lead has the breach alert; the daily
	// progress update speaks next), nor a "still by" after them.
	if n := sweep("2026-11-23 15:50"); n != 1 {
		t.Errorf("sweep at 15:50 sent %d, want 1 (the P1's second apology; none for the supervisor's third miss)", n)
	}
	if n := sweep("2026-11-23 16:10"); n != 0 {
		t.Errorf("sweep at 16:10 sent %d, want 0 (two apologies per clock)", n)
	}

	// P3: at 80% of its 4 working hours, an honest new time: due + 1h.
	if n := sweep("2026-11-24 09:11"); n != 0 {
		t.Errorf("P3 notice before 80%%: %d", n)
	}
	if n := sweep("2026-11-24 09:12"); n != 1 {
		t.Errorf("P3 notice at 80%%: %d, want 1", n)
	}
	got = pushesTo("U-p3")
	if len(got) != 1 || !strings.Contains(got[0].Text, "11:00") || strings.Contains(got[0].Text, "2026-11-24") {
		t.Fatalf("P3 notices = %+v, want one with the new time 11:00 (today: no date)", got)
	}
	c3, _ := f.svc.Get(ctx, lead, p3.ID)
	if !c3.Promise().Equal(at(t, "2026-11-24 11:00")) {
		t.Errorf("P3 promise = %s, want 11:00", c3.Promise().In(taipei(t)))
	}
	// The agent's brief shows the customer's time.
	if brief := strings.Join(f.svc.Brief(c3, "en"), "\n"); !strings.Contains(brief, "2026-11-24 11:00") {
		t.Errorf("brief = %q, want the promised 2026-11-24 11:00", brief)
	}
	if last := c3.Transcript[len(c3.Transcript)-1]; last.Notice != NoticeReminder || !strings.Contains(last.Text, "11:00") {
		t.Errorf("P3 transcript ends %+v, want the notice", last)
	}
}

// TestReminderShareIsConfigurable: share: 50% sends the P3 notice at 2h of 4h.
// TestStillOnItSaysWhetherClaimed: a P1's "still on it" says a specialist
// is working on it only when one has claimed the case.
func TestStillOnItSaysWhetherClaimed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 15:00")
	open := f.open(t, "U-open", security)     // P1, notice at 15:12
	claimed := f.open(t, "U-claim", security) // the same, claimed at 15:01
	f.clock.Set(at(t, "2026-11-23 15:01"))
	if _, err := f.svc.Claim(ctx, l2, claimed.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(at(t, "2026-11-23 15:13"))
	if _, err := f.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user, caseID, msg string
	}{
		{"U-open", open.ID, "handoff_sla_still_on_it"},
		{"U-claim", claimed.ID, "handoff_sla_still_on_it_claimed"},
	} {
		var got []string
		for _, c := range f.msg.all() {
			if c.UserID == tt.user {
				for _, n := range c.Notices {
					got = append(got, n.Text)
				}
			}
		}
		want := f.svc.tr.T(open.Lang, tt.msg, map[string]any{"CaseID": tt.caseID})
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s got %q, want [%q]", tt.user, got, want)
		}
	}
}

// TestLateNoticeAfterThePromise: once the promised first-reply time passed
// with no agent reply, the customer gets one apology naming the time (in
// the transcript too); a case an agent answered in time gets none.
func TestLateNoticeAfterThePromise(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 15:00")
	late := f.open(t, "U-late", security)    // P1: due 15:15
	answered := f.open(t, "U-ans", security) // answered at 15:05
	f.clock.Set(at(t, "2026-11-23 15:05"))
	if _, err := f.svc.Claim(ctx, l2, answered.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reply(ctx, l2, answered.ID, "您好，我來處理"); err != nil {
		t.Fatal(err)
	}
	notices := func(user string) (texts []string, lateKeys int) {
		for _, c := range f.msg.all() {
			if c.UserID != user {
				continue
			}
			for _, n := range c.Notices {
				if strings.Contains(n.Key, ":reminder:") || strings.Contains(n.Key, ":late:") {
					texts = append(texts, n.Text)
				}
				if strings.Contains(n.Key, ":late:") {
					lateKeys++
				}
			}
		}
		return texts, lateKeys
	}
	for _, when := range []string{"2026-11-23 15:13", "2026-11-23 15:14"} {
		f.clock.Set(at(t, when))
		if _, err := f.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got, n := notices("U-late"); len(got) != 1 || n != 0 { // the 80% "still on it" only
		t.Fatalf("before the promise: %q, want only the pre-breach notice", got)
	}
	for _, when := range []string{"2026-11-23 15:16", "2026-11-23 15:30"} {
		f.clock.Set(at(t, when))
		if _, err := f.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// The reason and a new time, one more P1 window (15 minutes) from the
	// sweep at 15:16, as the SOP asks.
	want := f.svc.tr.T(late.Lang, "handoff_sla_late", map[string]any{"CaseID": late.ID, "ETA": "15:15", "NewETA": "15:31"})
	// A time today is told as the time alone (tryout 5 item 12).
	if got, n := notices("U-late"); len(got) != 2 || n != 1 || got[1] != want || strings.Contains(got[1], "2026-11-23") {
		t.Fatalf("after the promise: %q, want one apology %q naming 15:15", got, want)
	}
	c, err := f.svc.Get(ctx, lead, late.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last := c.Transcript[len(c.Transcript)-1]; last.Notice != NoticeLate || last.Text != want {
		t.Errorf("transcript ends %+v, want the apology as a late notice", last)
	}
	if _, n := notices("U-ans"); n != 0 {
		t.Errorf("answered case got %d apologies, want none", n)
	}
}

func TestReminderShareIsConfigurable(t *testing.T) {
	t.Parallel()
	file := strings.Replace(string(defaultPolicy), "share: 80%", "share: 50%", 1)
	p, err := LoadPolicy(fstest.MapFS{"p.yaml": {Data: []byte(file)}}, "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, "2026-11-23 10:00")
	f.svc.policy = p
	c := f.open(t, "U1", human)
	if got, want := f.svc.NoticeAt(c), at(t, "2026-11-23 12:00"); !got.Equal(want) {
		t.Errorf("NoticeAt = %s, want %s", got.In(taipei(t)), want)
	}
}

// TestRaiseMakesTheSoonerTimeThePromise: a supervisor request during a
// handoff whose promise was moved makes the supervisor's time the promise.
func TestRaiseMakesTheSoonerTimeThePromise(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	c := f.open(t, "U1", human)
	f.clock.Set(at(t, "2026-11-23 13:20"))
	if n, _ := f.svc.Sweep(ctx); n != 1 {
		t.Fatalf("reminder not sent")
	}
	f.clock.Set(at(t, "2026-11-23 13:30"))
	up, err := f.svc.Raise(ctx, c.ID, []escalation.Trigger{supervisor})
	if err != nil {
		t.Fatal(err)
	}
	// Its 5 minutes from the case's start have gone by: from now.
	if want := at(t, "2026-11-23 13:35"); !up.Promise().Equal(want) || !up.FirstResponseDue.Equal(want) {
		t.Errorf("promise after a supervisor request = %s (due %s), want %s (the sooner due)",
			up.Promise().In(taipei(t)), up.FirstResponseDue.In(taipei(t)), want)
	}

	// An overdue case keeps its breached due; the customer gets the
	// supervisor's time, never one that has gone by.
	c2 := f.open(t, "U2", human) // 13:30 → due 17:30
	f.clock.Set(at(t, "2026-11-23 18:00"))
	up, err = f.svc.Raise(ctx, c2.ID, []escalation.Trigger{supervisor})
	if err != nil {
		t.Fatal(err)
	}
	if want := at(t, "2026-11-23 17:30"); !up.FirstResponseDue.Equal(want) {
		t.Errorf("overdue due = %s, want the breached %s kept", up.FirstResponseDue.In(taipei(t)), want)
	}
	if want := at(t, "2026-11-24 09:05"); !up.Promise().Equal(want) {
		t.Errorf("overdue promise = %s, want %s (5 business minutes from now)", up.Promise().In(taipei(t)), want)
	}
}

// TestCustomerTimeIsTheTimeToday (tryout 5 item 12): a time the customer
// is told (the late apology, the pre-breach notice, an escalation) is the
// time alone when it is today in Taipei, and carries the date when it is
// not, in every language's message.
func TestCustomerTimeIsTheTimeToday(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "2026-11-23 10:00")
	tests := []struct{ now, at, want, notWant string }{
		{"2026-11-23 15:20", "2026-11-23 15:15", "15:15", "11/23"},
		{"2026-11-23 23:50", "2026-11-24 09:30", "11/24 09:30", "2026-11-24"},
		{"2026-11-24 00:10", "2026-11-23 23:55", "11/23 23:55", "2026-11-23"},
	}
	for _, tt := range tests {
		got := f.svc.customerTime(at(t, tt.now), at(t, tt.at))
		for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
			msg := f.svc.tr.T(lang, "handoff_sla_late", map[string]any{"CaseID": "CS-1", "ETA": got, "NewETA": got})
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, tt.notWant) {
				t.Errorf("at %s, %s told as %q in %s: %q; want %q", tt.now, tt.at, got, lang, msg, tt.want)
			}
		}
	}
}
