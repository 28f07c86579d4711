package handoff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff/escalation"
)

// perms builds Permissions from their json names ("see claim note").
func perms(t testing.TB, names string) Permissions {
	t.Helper()
	m := map[string]bool{}
	for _, n := range strings.Fields(names) {
		m[n] = true
	}
	var p Permissions
	b, _ := json.Marshal(m)
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("perms %q: %v", names, err)
	}
	if got, _ := json.Marshal(p); strings.Count(string(got), "true") != len(m) {
		t.Fatalf("perms %q: unknown name in %s", names, got)
	}
	return p
}

// caseState makes a case for user in one state.
type caseState func(t testing.TB, f *fixture, user string) *Case

func queued(tr escalation.Trigger) caseState {
	return func(t testing.TB, f *fixture, user string) *Case { return f.open(t, user, tr) }
}

func ownedBy(tr escalation.Trigger, by Agent) caseState {
	return func(t testing.TB, f *fixture, user string) *Case {
		t.Helper()
		c := f.open(t, user, tr)
		c, err := f.svc.Assign(context.Background(), lead, c.ID, by)
		if err != nil {
			t.Fatalf("Assign: %v", err)
		}
		return c
	}
}

func resolvedBy(tr escalation.Trigger, by Agent) caseState {
	return func(t testing.TB, f *fixture, user string) *Case {
		t.Helper()
		c := ownedBy(tr, by)(t, f, user)
		c, err := f.svc.Resolve(context.Background(), by, c.ID, "")
		if err != nil {
			t.Fatalf("Resolve: %v", err)
		}
		return c
	}
}

// agentOps runs each agent operation the way the inbox does; the map key is
// the Permissions field's json name.
var agentOps = map[string]func(ctx context.Context, s *Service, a Agent, c *Case) error{
	"see": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.Get(ctx, a, c.ID)
		return err
	},
	"claim": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.Claim(ctx, a, c.ID)
		return err
	},
	"assign": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.Assign(ctx, a, c.ID, l2b)
		return err
	},
	"reply": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.Reply(ctx, a, c.ID, "hi")
		return err
	},
	"note": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.AddNote(ctx, a, c.ID, "n")
		return err
	},
	"set_priority": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		p := "P1"
		if c.Priority == p {
			p = "P4"
		}
		_, err := s.SetPriority(ctx, a, c.ID, p)
		return err
	},
	"escalate": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.Escalate(ctx, a, c.ID, "needs L3")
		return err
	},
	"release": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.Release(ctx, a, c.ID)
		return err
	},
	"resolve": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.Resolve(ctx, a, c.ID, "")
		return err
	},
	"return_to_bot": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.ReturnToBot(ctx, a, c.ID)
		return err
	},
	"complete_follow_up": func(ctx context.Context, s *Service, a Agent, c *Case) error {
		_, err := s.CompleteFollowUp(ctx, a, c.ID, "called back")
		return err
	},
}

func lowRatedBy(tr escalation.Trigger, by Agent) caseState {
	return func(t testing.TB, f *fixture, user string) *Case {
		t.Helper()
		c := resolvedBy(tr, by)(t, f, user)
		if err := f.svc.RecordSatisfaction(context.Background(), c.UserID, c.ID, 1); err != nil {
			t.Fatalf("RecordSatisfaction: %v", err)
		}
		c, err := f.svc.load(context.Background(), f.svc.rdb, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

// TestPermissionsMatchOperations checks PermissionsFor against explicit
// expectations and against the operations themselves: a permission is true
// exactly when its operation succeeds and changes the case (Get: succeeds).
func TestPermissionsMatchOperations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		agent Agent
		state caseState
		want  string
	}{
		{"L2 on a queued L2 case", l2, queued(human), "see claim note"},
		{"L2 on a queued L3 case", l2, queued(legal), ""},
		{"L3 on a queued L3 case", l3, queued(legal), "see claim note"},
		{"L3 on a queued L2 case", l3, queued(human), "see claim note"},
		{"lead on a queued L2 case", lead, queued(human), "see claim assign note set_priority escalate resolve return_to_bot"},
		{"lead on a queued L3 case", lead, queued(legal), "see claim assign note set_priority resolve return_to_bot"},
		{"owner of an L2 case", l2, ownedBy(human, l2), "see reply note set_priority escalate release resolve return_to_bot"},
		{"other L2 on a claimed case", l2b, ownedBy(human, l2), "see note"},
		{"L3 on a case L2 owns", l3, ownedBy(human, l2), "see note"},
		{"lead on a case L2 owns", lead, ownedBy(human, l2), "see assign note set_priority escalate release resolve return_to_bot"},
		{"L2 owner of an assigned L3 case", l2, ownedBy(legal, l2), "see reply note set_priority release resolve return_to_bot"},
		{"other L2 on an assigned L3 case", l2b, ownedBy(legal, l2), ""},
		{"owner of a resolved case", l2, resolvedBy(human, l2), "see note"},
		{"lead on a resolved case", lead, resolvedBy(human, l2), "see note"},
		{"owner of a low-rated case", l2, lowRatedBy(human, l2), "see note"},
		{"lead on a low-rated case", lead, lowRatedBy(human, l2), "see note complete_follow_up"},
		{"agent without id", Agent{Role: RoleLead}, queued(human), ""},
		{"unknown role", Agent{ID: "x", Role: "vip"}, queued(human), ""},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "2026-11-23 10:00")
			want := perms(t, tt.want)
			if got := PermissionsFor(tt.agent, tt.state(t, f, "U0")); got != want {
				t.Errorf("PermissionsFor = %+v, want %+v", got, want)
			}
			wantByName := map[string]bool{}
			b, _ := json.Marshal(want)
			if err := json.Unmarshal(b, &wantByName); err != nil {
				t.Fatal(err)
			}
			if len(wantByName) != len(agentOps) {
				t.Fatalf("%d permissions, %d operations tested", len(wantByName), len(agentOps))
			}
			for i, name := range slices.Sorted(maps.Keys(agentOps)) {
				c := tt.state(t, f, fmt.Sprintf("U%d", i+1))
				before, err := f.svc.load(ctx, f.svc.rdb, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				err = agentOps[name](ctx, f.svc, tt.agent, c)
				after, lerr := f.svc.load(ctx, f.svc.rdb, c.ID)
				if lerr != nil {
					t.Fatal(lerr)
				}
				did := err == nil && (name == "see" || !reflect.DeepEqual(before, after))
				if did != wantByName[name] {
					t.Errorf("%s: permitted %v, but the operation did %v (err %v)", name, wantByName[name], did, err)
				}
			}
		})
	}
}

func TestCustomerMayCancel(t *testing.T) {
	t.Parallel()
	legalL2 := escalation.Trigger{Kind: escalation.KindLegalMedia, Route: escalation.Route{Tier: "L2", Priority: "P2"}}
	securityP2 := escalation.Trigger{Kind: escalation.KindSecurity, Route: escalation.Route{Tier: "L2", Priority: "P2"}}
	ctx := context.Background()
	tests := []struct {
		name  string
		state caseState
		then  func(t testing.TB, f *fixture, c *Case)
		want  bool
	}{
		{"human request", queued(human), nil, true},
		{"supervisor request", queued(supervisor), nil, true},
		{"claimed L2 case", ownedBy(human, l2), nil, true},
		{"legal threat (L3)", queued(legal), nil, false},
		{"security (P1)", queued(security), nil, false},
		{"legal/media trigger routed to L2", queued(legalL2), nil, false},
		{"security trigger at P2", queued(securityP2), nil, false},
		{"escalated to L3 by an agent", ownedBy(human, l2), func(t testing.TB, f *fixture, c *Case) {
			if _, err := f.svc.Escalate(ctx, l2, c.ID, "billing bug"); err != nil {
				t.Fatalf("Escalate: %v", err)
			}
		}, false},
		{"set to P1 by the lead", queued(human), func(t testing.TB, f *fixture, c *Case) {
			if _, err := f.svc.SetPriority(ctx, lead, c.ID, "P1"); err != nil {
				t.Fatalf("SetPriority: %v", err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "2026-11-23 10:00")
			c := tt.state(t, f, "U1")
			if tt.then != nil {
				tt.then(t, f, c)
			}
			c, err := f.svc.load(ctx, f.svc.rdb, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := CustomerMayCancel(c); got != tt.want {
				t.Errorf("CustomerMayCancel = %v, want %v", got, tt.want)
			}
			err = f.svc.CancelByCustomer(ctx, c.ID)
			if tt.want && err != nil {
				t.Errorf("CancelByCustomer: %v, want nil", err)
			}
			if !tt.want {
				if !errors.Is(err, ErrMustStayOpen) {
					t.Errorf("CancelByCustomer: %v, want ErrMustStayOpen", err)
				}
				if a, err := f.svc.ActiveCase(ctx, "U1"); err != nil || a.ID != c.ID {
					t.Errorf("ActiveCase after a refused cancel = %v, %v; want %s still open", a, err, c.ID)
				}
				// A customer who blocked the account cannot be answered: the
				// case leaves the queue whatever its kind.
				if err := f.svc.CancelUnfollowed(ctx, c.ID); err != nil {
					t.Errorf("CancelUnfollowed: %v", err)
				}
			}
			got, err := f.svc.load(ctx, f.svc.rdb, c.ID)
			if err != nil || got.Status != StatusCancelled {
				t.Errorf("status = %v (%v), want cancelled", got.Status, err)
			}
			if _, err := f.svc.ActiveCase(ctx, "U1"); !errors.Is(err, ErrNoCase) {
				t.Errorf("ActiveCase after cancel: %v, want ErrNoCase", err)
			}
			if err := f.svc.CancelUnfollowed(ctx, c.ID); !errors.Is(err, ErrClosed) {
				t.Errorf("CancelUnfollowed on a closed case: %v, want ErrClosed", err)
			}
		})
	}
}
