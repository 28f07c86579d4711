package inbox

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/warmline/warmline/handoff"
)

// perms decodes the permissions object of a case in an API answer.
func perms(t *testing.T, v any) handoff.Permissions {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("permissions = %v, want an object", v)
	}
	b := func(k string) bool {
		x, ok := m[k].(bool)
		if !ok {
			t.Fatalf("permissions.%s = %v, want a bool", k, m[k])
		}
		return x
	}
	return handoff.Permissions{See: b("see"), Claim: b("claim"), Assign: b("assign"), Reply: b("reply"), Note: b("note"),
		SetPriority: b("set_priority"), Escalate: b("escalate"), Release: b("release"), Resolve: b("resolve"), ReturnToBot: b("return_to_bot")}
}

// TestAPIPermissions: every case the API returns (list, detail, the answer
// to an operation) carries what the asking agent may do with it, as
// handoff.PermissionsFor says.
func TestAPIPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c1 := e.open(t, "U1", humanT)
	base := "/api/cases/"
	none := handoff.Permissions{}
	unownedL2 := handoff.Permissions{See: true, Claim: true, Note: true}
	owner := handoff.Permissions{See: true, Reply: true, Note: true, SetPriority: true, Escalate: true, Release: true, Resolve: true, ReturnToBot: true}
	lead := handoff.Permissions{See: true, Assign: true, Note: true, SetPriority: true, Escalate: true, Release: true, Resolve: true, ReturnToBot: true}
	steps := []struct {
		name, method, path, token string
		where                     []string // path to the permissions in the answer
		want                      handoff.Permissions
	}{
		{"L2 lists an unowned L2 case", "GET", "/api/cases", tokL2, []string{"cases", "0", "permissions"}, unownedL2},
		{"L2 reads it", "GET", base + c1, tokL2, []string{"case", "permissions"}, unownedL2},
		{"L2 claims it", "POST", base + c1 + "/claim", tokL2, []string{"case", "permissions"}, owner},
		{"the owner reads it", "GET", base + c1, tokL2, []string{"case", "permissions"}, owner},
		{"another L2 reads it", "GET", base + c1, tokL2b, []string{"case", "permissions"}, handoff.Permissions{See: true, Note: true}},
		{"another L2 lists it", "GET", "/api/cases", tokL2b, []string{"cases", "0", "permissions"}, handoff.Permissions{See: true, Note: true}},
		{"the lead reads it", "GET", base + c1, tokLead, []string{"case", "permissions"}, lead},
		{"the owner escalates: the case leaves their view", "POST", base + c1 + "/escalate", tokL2, []string{"case", "permissions"}, none},
		{"L3 lists it", "GET", "/api/cases", tokL3, []string{"cases", "0", "permissions"}, unownedL2},
		{"the lead sees it, no longer escalable", "GET", base + c1, tokLead, []string{"case", "permissions"},
			handoff.Permissions{See: true, Claim: true, Assign: true, Note: true, SetPriority: true, Resolve: true, ReturnToBot: true}},
	}
	for _, st := range steps {
		body := ""
		if st.method == "POST" && st.path == base+c1+"/escalate" {
			body = `{"reason":"billing bug"}`
		}
		status, out := e.do(t, st.method, st.path, st.token, body)
		if status != 200 {
			t.Fatalf("%s: %s %s = %d %v, want 200", st.name, st.method, st.path, status, out)
		}
		var v any = out
		for _, k := range st.where {
			if k == "0" {
				list, _ := v.([]any)
				if len(list) == 0 {
					t.Fatalf("%s: empty list in %v", st.name, out)
				}
				v = list[0]
				continue
			}
			v = dig(v, k)
		}
		if diff := cmp.Diff(st.want, perms(t, v)); diff != "" {
			t.Errorf("%s: permissions (-want +got):\n%s", st.name, diff)
		}
	}
}
