package inbox

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
)

// TokenAuth authenticates requests by static bearer tokens
// ("Authorization: Bearer <token>"), each naming an agent. For the API and
// tests until the UI's session auth; tokens come from configuration.
type TokenAuth struct {
	byToken map[[32]byte]handoff.Agent
	byID    map[string]handoff.Agent
}

// NewTokenAuth builds a TokenAuth from token → agent. Every agent needs an
// id and a role of L2, L3 or lead; tokens must be at least 16 characters.
func NewTokenAuth(tokens map[string]handoff.Agent) (*TokenAuth, error) {
	t := &TokenAuth{byToken: map[[32]byte]handoff.Agent{}, byID: map[string]handoff.Agent{}}
	var errs []error
	for tok, a := range tokens {
		switch {
		case len(tok) < 16:
			errs = append(errs, fmt.Errorf("agent %q: token shorter than 16 characters", a.ID))
		case a.ID == "":
			errs = append(errs, errors.New("a token has no agent id"))
		case a.Role != handoff.RoleL2 && a.Role != handoff.RoleL3 && a.Role != handoff.RoleLead:
			errs = append(errs, fmt.Errorf("agent %q: role %q is not L2, L3 or lead", a.ID, a.Role))
		case a.Lang != "" && !locales.IsSupported(a.Lang):
			errs = append(errs, fmt.Errorf("agent %q: language %q is not supported", a.ID, a.Lang))
		}
		if a.Name == "" {
			a.Name = a.ID
		}
		t.byToken[sha256.Sum256([]byte(tok))] = a
		t.byID[a.ID] = a
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return t, nil
}

// ParseTokens parses the configuration form of agent tokens:
// "token=id:role:Display Name[:lang]" entries separated by ";", e.g.
// "s3cr3t-token-0001=a1:L2:陳小美:zh-TW;s3cr3t-token-0002=lead1:lead:Lin".
func ParseTokens(spec string) (map[string]handoff.Agent, error) {
	out := map[string]handoff.Agent{}
	var errs []error
	for i, entry := range strings.Split(spec, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		tok, rest, ok := strings.Cut(entry, "=")
		parts := strings.Split(rest, ":")
		if !ok || tok == "" || len(parts) < 3 || len(parts) > 4 {
			errs = append(errs, fmt.Errorf("agent token entry %d: want token=id:role:name[:lang]", i+1))
			continue
		}
		a := handoff.Agent{ID: parts[0], Role: parts[1], Name: parts[2]}
		if len(parts) == 4 {
			a.Lang = parts[3]
		}
		if _, dup := out[tok]; dup {
			errs = append(errs, fmt.Errorf("agent token entry %d: token used twice", i+1))
		}
		out[tok] = a
	}
	return out, errors.Join(errs...)
}

// Authenticate implements Authenticator.
func (t *TokenAuth) Authenticate(r *http.Request) (handoff.Agent, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return handoff.Agent{}, ErrUnauthenticated
	}
	a, ok := t.byToken[sha256.Sum256([]byte(strings.TrimSpace(tok)))]
	if !ok {
		return handoff.Agent{}, ErrUnauthenticated
	}
	return a, nil
}

// Agent implements Directory.
func (t *TokenAuth) Agent(id string) (handoff.Agent, bool) {
	a, ok := t.byID[id]
	return a, ok
}
