package handoff

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/redistest"
)

// onCallPolicy is the embedded policy with an on-call rota answering P1
// within 30 minutes outside business hours.
func onCallPolicy(t testing.TB) *Policy {
	t.Helper()
	file := strings.Replace(string(defaultPolicy), "\non_call: {}\n", "\non_call: {P1: 30m}\n", 1)
	p, err := LoadPolicy(fstest.MapFS{"p.yaml": {Data: []byte(file)}}, "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAfterHoursPromiseFollowsThePolicy is a property over the policy
// (bot15 item 9): for random moments across two years (nights, weekends,
// holidays), a P1 case's first-response promise follows the after-hours
// policy. Without an on-call rota (the embedded policy) it is never a time
// when nobody works: outside business hours it is the opening plus the
// 15-minute target and the case says when the team is back, and in
// business hours 15 minutes of the team's time (17:58 is due 09:13 the
// next working day); with a rota (on_call: {P1: 30m}) it is the rota's
// target from now after hours, the case worked at once, and 15 minutes in
// hours. A P1 is never promised later than a P2 opened at the same moment. The case
// carries the one time the customer and the agent are both shown.
func TestAfterHoursPromiseFollowsThePolicy(t *testing.T) {
	t.Parallel()
	plain, onCall := DefaultPolicy(), onCallPolicy(t)
	if plain.RoundTheClock("P1") || !onCall.RoundTheClock("P1") || onCall.RoundTheClock("P2") {
		t.Fatalf("round the clock: embedded %v, with a rota %v (P2 %v), want false, true, false",
			plain.RoundTheClock("P1"), onCall.RoundTheClock("P1"), onCall.RoundTheClock("P2"))
	}
	r := rand.New(rand.NewPCG(15, 9))
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, plain.Location)
	for i := 0; i < 5000; i++ {
		start := from.Add(time.Duration(r.Int64N(int64(2 * 365 * 24 * time.Hour)))).Truncate(time.Minute)
		open := plain.TeamOpen(start)
		for _, p := range []*Policy{plain, onCall} {
			due := p.FirstResponseDue(start, "P1")
			switch {
			case open && p == onCall:
				if want := start.Add(15 * time.Minute); !due.Equal(want) {
					t.Fatalf("in hours %s with a rota: P1 due %s, want %s", start, due, want)
				}
			case open:
				// 15 minutes of the team's time: 17:58 is due 09:13 of the
				// next working day, not 18:13 when nobody is there.
				if wt := p.WorkingTime(start, due, "P1"); wt != 15*time.Minute || !p.TeamOpen(due.Add(-time.Minute)) || !p.OpenFor("P1", start) {
					t.Fatalf("in hours %s without a rota: P1 due %s (%s of the team's time), want 15m, within business hours", start, due, wt)
				}
			case p == onCall:
				if want := start.Add(30 * time.Minute); !due.Equal(want) || !p.OpenFor("P1", start) {
					t.Fatalf("after hours %s with a rota: P1 due %s (worked now %v), want %s and worked now", start, due, p.OpenFor("P1", start), want)
				}
			default:
				back := p.NextOpen(start)
				if want := back.Add(15 * time.Minute); !due.Equal(want) || p.OpenFor("P1", start) || !p.TeamOpen(due.Add(-time.Minute)) {
					t.Fatalf("after hours %s without a rota: P1 due %s (worked now %v), want %s, 15 minutes after the team is back at %s",
						start, due, p.OpenFor("P1", start), want, back)
				}
			}
			if p2 := p.FirstResponseDue(start, "P2"); due.After(p2) {
				t.Fatalf("%s: P1 due %s after P2's %s", start, due, p2)
			}
			if res := p.ResolutionDue(start, "P1"); res.Before(due) {
				t.Fatalf("%s: P1 resolution %s before its first response %s", start, res, due)
			}
		}
	}
}

// TestAfterHoursCaseTellsOneTime (bot15 item 9): a P1 case opened on a
// Saturday night under the embedded policy (no on-call rota) is not
// worked until Monday 09:00, is due 09:15, and its brief promises 09:15
// and says when the team is back: the time the customer is told
// (Case.Promise, TeamBackAt). With a rota, the same case is worked now,
// due in 30 minutes, and the brief has no "team is back" line.
func TestAfterHoursCaseTellsOneTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "2026-11-21 23:00")
	c := f.open(t, "U1", security)
	if c.Priority != "P1" || c.TeamOpen || !c.TeamBackAt.Equal(at(t, "2026-11-23 09:00")) || !c.Promise().Equal(at(t, "2026-11-23 09:15")) {
		t.Fatalf("case %s open %v back %s promise %s, want P1 not worked until 11/23 09:00, promised 09:15",
			c.Priority, c.TeamOpen, c.TeamBackAt.In(taipei(t)), c.Promise().In(taipei(t)))
	}
	brief := strings.Join(f.svc.Brief(c, "en"), "\n")
	if !strings.Contains(brief, "2026-11-23 09:15") || !strings.Contains(brief, "the team is back at 2026-11-23 09:00") {
		t.Errorf("brief:\n%s\nwant the promise 2026-11-23 09:15 and the team back at 09:00", brief)
	}

	rdb, prefix := redistest.New(t)
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: &recorder{}, Clock: f.clock.Now, Policy: onCallPolicy(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Wait)
	c, err = svc.Open(context.Background(), Opening{UserID: "U2", Lang: "en", Triggers: []escalation.Trigger{security}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.TeamOpen || !c.Promise().Equal(at(t, "2026-11-21 23:30")) {
		t.Errorf("with a rota: case open %v promise %s, want worked now, promised 23:30", c.TeamOpen, c.Promise().In(taipei(t)))
	}
	if brief := strings.Join(svc.Brief(c, "en"), "\n"); !strings.Contains(brief, "2026-11-21 23:30") || strings.Contains(brief, "the team is back") {
		t.Errorf("with a rota, brief:\n%s\nwant the promise 23:30 and no \"team is back\"", brief)
	}
}
