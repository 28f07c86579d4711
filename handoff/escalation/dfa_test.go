package escalation

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// dfa decides whether a pattern matches somewhere in a text, as
// regexp.MatchString does, by simulating the pattern's compiled program (the
// one regexp.Compile builds) over sets of instructions and caching each
// transition. Under the race detector, regexp's backtracker costs microseconds
// per byte; a cached transition is one map lookup per rune.
type dfa struct {
	prog  *syntax.Prog
	ids   map[string]int // state (sorted pcs) -> id
	sets  [][]uint32     // id -> pcs waiting for a rune (and InstMatch)
	trans map[uint64]int // (state, context, next rune) -> state after it, or -1 on a match
	seen  []bool
}

func dfaKey(state int, flag syntax.EmptyOp, r rune) uint64 {
	return uint64(state)<<32 | uint64(flag)<<24 | uint64(r&0xffffff)
}

func newDFA(pattern string) (*dfa, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	d := &dfa{prog: prog, ids: map[string]int{}, trans: map[uint64]int{}, seen: make([]bool, len(prog.Inst))}
	d.state(nil)
	return d, nil
}

func (d *dfa) state(pcs []uint32) int {
	slices.Sort(pcs)
	pcs = slices.Compact(pcs)
	var b strings.Builder
	for _, pc := range pcs {
		b.WriteString(strconv.Itoa(int(pc)))
		b.WriteByte(',')
	}
	if id, ok := d.ids[b.String()]; ok {
		return id
	}
	d.ids[b.String()] = len(d.sets)
	d.sets = append(d.sets, pcs)
	return len(d.sets) - 1
}

// closure adds to out the rune and match instructions reachable from pc
// without consuming input where the empty-width context is flag.
func (d *dfa) closure(pc uint32, flag syntax.EmptyOp, seen []bool, out []uint32) []uint32 {
	if seen[pc] {
		return out
	}
	seen[pc] = true
	i := &d.prog.Inst[pc]
	switch i.Op {
	case syntax.InstAlt, syntax.InstAltMatch:
		out = d.closure(i.Out, flag, seen, out)
		return d.closure(i.Arg, flag, seen, out)
	case syntax.InstCapture, syntax.InstNop:
		return d.closure(i.Out, flag, seen, out)
	case syntax.InstEmptyWidth:
		if syntax.EmptyOp(i.Arg)&^flag == 0 {
			return d.closure(i.Out, flag, seen, out)
		}
		return out
	case syntax.InstFail:
		return out
	}
	return append(out, pc) // InstMatch, InstRune*
}

// step returns the state after r (-1 for the end of the text) where the
// context is flag, or -1 when the pattern matches before r.
func (d *dfa) step(state int, flag syntax.EmptyOp, r rune) int {
	k := dfaKey(state, flag, r)
	if next, ok := d.trans[k]; ok {
		return next
	}
	seen := d.seen
	clear(seen)
	var cur []uint32
	for _, pc := range append(slices.Clone(d.sets[state]), uint32(d.prog.Start)) { // unanchored: a match may start here
		cur = d.closure(pc, flag, seen, cur)
	}
	var next []uint32
	matched := false
	for _, pc := range cur {
		i := &d.prog.Inst[pc]
		var add bool
		switch i.Op {
		case syntax.InstMatch:
			matched = true
		case syntax.InstRune:
			add = r >= 0 && i.MatchRune(r)
		case syntax.InstRune1:
			add = r >= 0 && r == i.Rune[0]
		case syntax.InstRuneAny:
			add = r >= 0
		case syntax.InstRuneAnyNotNL:
			add = r >= 0 && r != '\n'
		}
		if add {
			next = append(next, i.Out)
		}
	}
	id := -1
	if !matched {
		id = d.state(next)
	}
	d.trans[k] = id
	return id
}

// dfaText is a text decoded once for every pattern: its runes followed by
// -1 (the end), and the empty-width context before each of them, decoded
// and computed as package regexp does.
type dfaText struct {
	runes []rune
	flags []syntax.EmptyOp
}

func newDFAText(s string) dfaText {
	var t dfaText
	prev := rune(-1)
	for pos := 0; ; {
		r, w := rune(-1), 0
		if pos < len(s) {
			r, w = utf8.DecodeRuneInString(s[pos:])
		}
		t.runes = append(t.runes, r)
		t.flags = append(t.flags, syntax.EmptyOpContext(prev, r))
		if r < 0 {
			return t
		}
		prev, pos = r, pos+w
	}
}

// match reports whether the pattern matches somewhere in t.
func (d *dfa) match(t dfaText) bool {
	state := 0
	for i, r := range t.runes {
		if state = d.step(state, t.flags[i], r); state < 0 {
			return true
		}
	}
	return false
}

// TestDFAAgreesWithRegexp: the simulation decides as regexp.MatchString on
// the constructs the rules use and on the empty-width edge cases.
func TestDFAAgreesWithRegexp(t *testing.T) {
	patterns := []string{
		`(?i)\blawyer\b`, `\bmgr\b|\bsupv\b`, `(?i)ads?\s+manager`, `^退款$`, `(?m)^ok$`, `\Bing\b`,
		`(?i)\b(supervisor|manager|boss)\b.{0,10}\b(now|please)\b`, `(主管|經理)(在不在|呢)?`, `[\d,.]+k?\s*back`,
		`x*`, `(?i)k`, `(?s)a.b`, `a.b`, `\A\z`,
	}
	texts := []string{
		"", "lawyer", "my LAWYER will call", "lawyers", "mgr", "a mgr.", "ads manager", "ad  Manager",
		"退款", "我要退款", "ok", "no\nok\nyes", "singing", "sing", "the boss, please", "boss.........., now",
		"主管呢", "經理", "1,200k back", "\u212a", "K", "a\nb", "a\xffb", "\xff", "é lawyer",
	}
	for _, p := range patterns {
		d, err := newDFA(p)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(p)
		for _, tx := range texts {
			if got, want := d.match(newDFAText(tx)), re.MatchString(tx); got != want {
				t.Errorf("simulation of %q on %q = %v, regexp %v", p, tx, got, want)
			}
		}
	}
}
