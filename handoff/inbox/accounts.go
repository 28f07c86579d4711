package inbox

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
)

// Account is an agent who signs in to the inbox. The password is kept only
// as a bcrypt hash.
type Account struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	Role string `yaml:"role"`           // L2 | L3 | lead
	Lang string `yaml:"lang,omitempty"` // default UI language (zh-TW when empty)
	// Languages are the customer languages the agent works in (zh-TW,
	// zh-CN, en); the queue offers them those cases first. Empty: all.
	Languages    []string `yaml:"languages,omitempty,flow"`
	PasswordHash string   `yaml:"password_hash"`
}

// Agent is the account as the handoff service sees it.
func (a Account) Agent() handoff.Agent {
	return handoff.Agent{ID: a.ID, Name: cmp.Or(a.Name, a.ID), Role: a.Role, Lang: cmp.Or(a.Lang, locales.ZhTW),
		Languages: slices.Clone(a.Languages)}
}

// MinPasswordLen is the shortest password AddAgent accepts.
const MinPasswordLen = 10

// DemoPassword is the password of every DemoAgents account. Demo mode only:
// print it at start so people can sign in.
const DemoPassword = "warmline-demo"

var accountID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func (a Account) validate() error {
	var errs []error
	if !accountID.MatchString(a.ID) {
		errs = append(errs, fmt.Errorf("agent id %q: use 1–64 lower-case letters, digits, '.', '_' or '-'", a.ID))
	}
	if a.Role != handoff.RoleL2 && a.Role != handoff.RoleL3 && a.Role != handoff.RoleLead {
		errs = append(errs, fmt.Errorf("agent %q: role %q is not L2, L3 or lead", a.ID, a.Role))
	}
	if a.Lang != "" && !locales.IsSupported(a.Lang) {
		errs = append(errs, fmt.Errorf("agent %q: language %q is not one of zh-TW, zh-CN, en", a.ID, a.Lang))
	}
	for _, l := range a.Languages {
		if !locales.IsSupported(l) {
			errs = append(errs, fmt.Errorf("agent %q: working language %q is not one of zh-TW, zh-CN, en", a.ID, l))
		}
	}
	if _, err := bcrypt.Cost([]byte(a.PasswordHash)); err != nil {
		errs = append(errs, fmt.Errorf("agent %q: password_hash is not a bcrypt hash", a.ID))
	}
	return errors.Join(errs...)
}

// Accounts is a set of agent accounts. It implements Directory. Replace
// swaps the whole set at once (the agents file was edited), safe while it
// is read.
type Accounts struct {
	set atomic.Pointer[accountSet]
	// checks counts bcrypt comparisons (tests: how many guesses got checked).
	checks atomic.Int64
}

// accountSet is one immutable version of the accounts.
type accountSet struct {
	byID map[string]Account
	list []Account
	// dummy is compared against for unknown ids so that a wrong id costs
	// as much time as a wrong password.
	dummy []byte
}

// NewAccounts validates accounts (ids unique, roles known, bcrypt hashes).
func NewAccounts(list []Account) (*Accounts, error) {
	set := &accountSet{byID: map[string]Account{}}
	var errs []error
	for _, acc := range list {
		if err := acc.validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := set.byID[acc.ID]; dup {
			errs = append(errs, fmt.Errorf("agent %q is listed twice", acc.ID))
			continue
		}
		set.byID[acc.ID] = acc
		set.list = append(set.list, acc)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(set.list) > 0 {
		set.dummy = []byte(set.list[0].PasswordHash)
	}
	a := &Accounts{}
	a.set.Store(set)
	return a, nil
}

// Replace makes a's accounts those of b, at once: a removed agent's
// sessions stop working, a changed role applies to their next request.
func (a *Accounts) Replace(b *Accounts) { a.set.Store(b.set.Load()) }

// Agent implements Directory.
func (a *Accounts) Agent(id string) (handoff.Agent, bool) {
	acc, ok := a.set.Load().byID[id]
	if !ok {
		return handoff.Agent{}, false
	}
	return acc.Agent(), true
}

// Agents lists every agent (for the lead's assign menu), in file order.
func (a *Accounts) Agents() []handoff.Agent {
	list := a.set.Load().list
	out := make([]handoff.Agent, len(list))
	for i, acc := range list {
		out[i] = acc.Agent()
	}
	return out
}

// Len is the number of accounts.
func (a *Accounts) Len() int { return len(a.set.Load().list) }

// check verifies id and password. It takes a bcrypt comparison's time
// whether or not the id exists.
func (a *Accounts) check(id, password string) (Account, bool) {
	set := a.set.Load()
	acc, ok := set.byID[id]
	hash := []byte(acc.PasswordHash)
	if !ok {
		hash = set.dummy
	}
	if hash == nil {
		return Account{}, false
	}
	a.checks.Add(1)
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	return acc, ok && err == nil
}

// agentsFile is the YAML layout of WARMLINE_AGENTS_FILE.
type agentsFile struct {
	Agents []Account `yaml:"agents"`
}

// ReadAgentsFile reads an accounts file; a file that does not exist yet
// reads as no accounts.
func ReadAgentsFile(path string) ([]Account, error) {
	buf, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read agents file: %w", err)
	}
	var f agentsFile
	if err := yaml.Unmarshal(buf, &f); err != nil {
		return nil, fmt.Errorf("parse agents file %s: %w", path, err)
	}
	return f.Agents, nil
}

// LoadAgentsFile reads and validates an accounts file (it must exist).
func LoadAgentsFile(path string) (*Accounts, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("agents file: %w", err)
	}
	list, err := ReadAgentsFile(path)
	if err != nil {
		return nil, err
	}
	accs, err := NewAccounts(list)
	if err != nil {
		return nil, fmt.Errorf("agents file %s: %w", path, err)
	}
	return accs, nil
}

// SaveAgentsFile writes accounts to path atomically (temp file + rename),
// readable by the owner only.
func SaveAgentsFile(path string, list []Account) error {
	if _, err := NewAccounts(list); err != nil {
		return fmt.Errorf("save agents file: %w", err)
	}
	buf, err := yaml.Marshal(agentsFile{Agents: list})
	if err != nil {
		return fmt.Errorf("save agents file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".agents-*.yaml")
	if err != nil {
		return fmt.Errorf("save agents file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save agents file: %w", err)
	}
	if _, err := tmp.Write(buf); err != nil {
		tmp.Close()
		return fmt.Errorf("save agents file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save agents file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save agents file: %w", err)
	}
	return nil
}

// AddAgent returns list with acc added, or replacing the account with the
// same id, its password hashed with bcrypt at cost (0: bcrypt.DefaultCost).
func AddAgent(list []Account, acc Account, password string, cost int) ([]Account, error) {
	if len([]rune(password)) < MinPasswordLen {
		return nil, fmt.Errorf("add agent %q: the password needs at least %d characters", acc.ID, MinPasswordLen)
	}
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return nil, fmt.Errorf("add agent %q: %w", acc.ID, err)
	}
	acc.PasswordHash = string(hash)
	if err := acc.validate(); err != nil {
		return nil, fmt.Errorf("add agent: %w", err)
	}
	out := slices.Clone(list)
	if i := slices.IndexFunc(out, func(a Account) bool { return a.ID == acc.ID }); i >= 0 {
		out[i] = acc
	} else {
		out = append(out, acc)
	}
	return out, nil
}

// SaveAccount adds acc to the accounts file at path (created when it does
// not exist yet), or replaces the account with the same id, its password
// hashed with bcrypt at cost (0: bcrypt.DefaultCost); existed says whether
// it replaced one.
func SaveAccount(path string, acc Account, password string, cost int) (existed bool, err error) {
	list, err := ReadAgentsFile(path)
	if err != nil {
		return false, err
	}
	existed = slices.ContainsFunc(list, func(a Account) bool { return a.ID == acc.ID })
	if list, err = AddAgent(list, acc, password, cost); err != nil {
		return false, err
	}
	if err := SaveAgentsFile(path, list); err != nil {
		return false, err
	}
	return existed, nil
}

// DemoAgents returns the demo accounts, all with DemoPassword (hashed at
// bcrypt's minimum cost: the password is public anyway):
// mei (L2, 林美玲), ken (L2, Ken Wu), lee (L3, 李律明), boss (lead, 張主管).
func DemoAgents() []Account {
	hash, err := bcrypt.GenerateFromPassword([]byte(DemoPassword), bcrypt.MinCost)
	if err != nil {
		panic(err) // only fails for passwords over 72 bytes
	}
	h := string(hash)
	return []Account{
		{ID: "mei", Name: "林美玲", Role: handoff.RoleL2, Lang: locales.ZhTW, Languages: []string{locales.ZhTW, locales.ZhCN}, PasswordHash: h},
		{ID: "ken", Name: "Ken Wu", Role: handoff.RoleL2, Lang: locales.EN, Languages: []string{locales.EN}, PasswordHash: h},
		{ID: "lee", Name: "李律明", Role: handoff.RoleL3, Lang: locales.ZhTW, Languages: []string{locales.ZhTW, locales.EN}, PasswordHash: h},
		{ID: "boss", Name: "張主管", Role: handoff.RoleLead, Lang: locales.ZhTW, PasswordHash: h},
	}
}

// ErrNoAccounts: LoadAccounts found nobody who could sign in. With API
// tokens only, build empty accounts with NewAccounts(nil) instead.
var ErrNoAccounts = errors.New("no inbox agent accounts: set WARMLINE_AGENTS_FILE (see `warmline agent add`) or use demo mode")

// LoadAccounts gives the accounts to sign in with: those in file (when
// set; it must exist), plus in demo mode the DemoAgents whose ids the file
// does not use. No accounts at all is an error: nobody could sign in.
func LoadAccounts(file string, demo bool) (*Accounts, error) {
	var list []Account
	if file != "" {
		if _, err := os.Stat(file); err != nil {
			return nil, fmt.Errorf("agents file: %w", err)
		}
		var err error
		if list, err = ReadAgentsFile(file); err != nil {
			return nil, err
		}
	}
	if demo {
		for _, d := range DemoAgents() {
			if !slices.ContainsFunc(list, func(a Account) bool { return a.ID == d.ID }) {
				list = append(list, d)
			}
		}
	}
	if len(list) == 0 {
		return nil, ErrNoAccounts
	}
	accs, err := NewAccounts(list)
	if err != nil {
		return nil, fmt.Errorf("agents file %s: %w", file, err)
	}
	return accs, nil
}

// NewPassword is a random password for a new account: 18 random bytes,
// URL-safe base64 (24 characters).
func NewPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
