package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/handoff"
)

// redisDump returns every key of prefix (including those whose hash tag
// starts with it) with a printable copy of its value.
func redisDump(t *testing.T, rdb *redis.Client, prefix string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	iter := rdb.Scan(ctx, 0, "*"+globEscape(prefix)+"*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		typ, err := rdb.Type(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		switch typ {
		case "string":
			v, err = rdb.Get(ctx, k).Result()
		case "hash":
			v, err = rdb.HGetAll(ctx, k).Result()
		case "list":
			v, err = rdb.LRange(ctx, k, 0, -1).Result()
		case "set":
			v, err = rdb.SMembers(ctx, k).Result()
		case "zset":
			v, err = rdb.ZRange(ctx, k, 0, -1).Result()
		case "stream":
			v, err = rdb.XRange(ctx, k, "-", "+").Result()
		default:
			continue // expired since the scan
		}
		if err != nil && !errors.Is(err, redis.Nil) {
			t.Fatal(err)
		}
		out[k] = fmt.Sprint(v)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// mentions lists the keys whose name or value contains any of words.
func mentions(dump map[string]string, words ...string) []string {
	var ks []string
	for k, v := range dump {
		for _, w := range words {
			if strings.Contains(k, w) || strings.Contains(v, w) {
				ks = append(ks, k)
				break
			}
		}
	}
	return ks
}

// ledgerDump is every cell of the ledger's tables, one string per row.
func ledgerDump(t *testing.T, file string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows []string
	for _, table := range []string{"cases", "transcripts", "ratings", "outcomes"} {
		r, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			cells := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				cells[i] = cols[i] + "=" + fmt.Sprint(v)
			}
			rows = append(rows, table+": "+strings.Join(cells, " "))
		}
		r.Close()
	}
	return rows
}

func ledgerRowsWith(rows []string, words ...string) []string {
	var out []string
	for _, r := range rows {
		for _, w := range words {
			if strings.Contains(r, w) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// forgetRun runs `warmline forget args` and returns its output and exit code.
func forgetRun(h *e2e, args ...string) (string, int) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"forget"}, args...), envFrom(h.env), nil, &out, &errOut)
	code := 0
	if err != nil {
		code = 1
		if ee, ok := errors.AsType[*exitError](err); ok {
			code = ee.code
		}
		out.WriteString("error: " + err.Error())
	}
	return out.String(), code
}

// TestE2EForget: a customer seeded through the real flows (FAQ answers, an
// unanswered question, a photo, a handoff, a reply, a rating, a comment)
// is erased by `warmline forget`: no Redis key holds their id or name, the
// ledger keeps the case under a pseudonym with their words blanked, and
// another customer's data (and open case) is untouched.
func TestE2EForget(t *testing.T) {
	t.Parallel()
	o := handoffOpts()
	file := filepath.Join(t.TempDir(), "ledger.db")
	o.env["WARMLINE_LEDGER_FILE"] = file
	h := startE2E(t, o)
	request := "我要找真人客服，我的訂單 WL20261101 一直沒到"
	h.say(alice, "運費多少", 1)
	h.say(alice, "你們的倉庫養了幾隻貓咪呢", 1)
	h.say(alice, request, 1)
	c := h.caseOf(alice)
	if c == nil {
		t.Fatal("no case")
	}
	h.agentResolves(alice, c.ID, 0, "補寄")
	h.tap(alice, handoff.CSATData(c.ID, 2), 1)
	h.say(alice, "等了好久，很失望", 1)
	// Bob: a conversation and an open case of his own.
	h.say(bob, "how much is shipping", 1)
	h.say(bob, "I want to talk to a person", 1)
	bobCase := h.caseOf(bob)
	if bobCase == nil {
		t.Fatal("no case for bob")
	}

	u, err := redis.ParseURL(h.env["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(u)
	defer rdb.Close()
	prefix := h.env["WARMLINE_REDIS_PREFIX"]
	waitUntil(t, "alice's rated case in the ledger with her comment", func() bool {
		return len(ledgerRowsWith(ledgerDump(t, file), "等了好久")) > 0
	})
	aliceWords := []string{alice, "王小美", "等了好久", "WL20261101", "貓咪"}
	if got := mentions(redisDump(t, rdb, prefix), alice); len(got) < 5 {
		t.Fatalf("seeding left only %d keys about alice: %v", len(got), got)
	}
	bobBefore := mentions(redisDump(t, rdb, prefix), bob)

	// A customer with an open case is refused, and nothing changes.
	out, code := forgetRun(h, bob)
	if code != exitForgetRefused || !strings.Contains(out, bobCase.ID) {
		t.Errorf("forget bob (open case) = %d %q, want %d naming %s", code, out, exitForgetRefused, bobCase.ID)
	}
	// A dry run counts and changes nothing.
	dumpBefore := redisDump(t, rdb, prefix)
	out, code = forgetRun(h, "--dry-run", alice)
	if code != 0 || !strings.Contains(out, "dry run") || !regexp.MustCompile(`cases pseudonymised in Redis +1 `).MatchString(out) {
		t.Errorf("dry run = %d %q", code, out)
	}
	if got := len(mentions(redisDump(t, rdb, prefix), alice)); got != len(mentions(dumpBefore, alice)) {
		t.Errorf("dry run changed alice's keys: %d, was %d", got, len(mentions(dumpBefore, alice)))
	}

	out, code = forgetRun(h, alice)
	if code != 0 {
		t.Fatalf("forget alice = %d: %s", code, out)
	}
	t.Logf("warmline forget:\n%s", out)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`conversation, counters and media keys +[1-9]`),
		regexp.MustCompile(`cases pseudonymised in Redis +1 \([1-9]\d* customer turns blanked\)`),
		regexp.MustCompile(`ledger cases pseudonymised +1 \([1-9]`),
	} {
		if !want.MatchString(out) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if got := mentions(redisDump(t, rdb, prefix), aliceWords...); len(got) > 0 {
		d := redisDump(t, rdb, prefix)
		for _, k := range got {
			for _, w := range aliceWords {
				if i := strings.Index(d[k], w); i >= 0 {
					t.Errorf("after forget %s still holds %q: …%s…", k, w, d[k][max(0, i-150):min(len(d[k]), i+60)])
				}
			}
		}
	}
	// The case is kept, pseudonymised, for the SOP's records.
	var v caseView
	if st := h.api(tokBoss, "GET", "/api/cases/"+c.ID, nil, &v); st != http.StatusOK {
		t.Fatalf("GET the kept case = %d", st)
	}
	kept := v.Case
	if !strings.HasPrefix(kept.UserID, "forgotten-") || kept.Satisfaction != 2 || kept.Request != "" {
		t.Errorf("kept case %+v, want it pseudonymised with its rating", kept)
	}
	// The ledger: the archiver applies the rewritten case too; either way
	// nothing of alice remains and the case row does.
	if !waitFor(func() bool { return len(ledgerRowsWith(ledgerDump(t, file), aliceWords...)) == 0 }) {
		for _, r := range ledgerRowsWith(ledgerDump(t, file), aliceWords...) {
			t.Errorf("the ledger still holds alice's data: %.400s", r)
		}
	}
	rows := ledgerDump(t, file)
	if len(ledgerRowsWith(rows, "case_id="+c.ID+" ", "customer_id=forgotten-")) == 0 {
		t.Errorf("the ledger lost the case (it must keep it, pseudonymised): %v", rows)
	}
	if len(ledgerRowsWith(rows, "您好，今天會送達。")) == 0 {
		t.Error("the agent's reply left the ledger's transcript; only the customer's words go")
	}
	// Bob is untouched: every key of his is still there, but for those
	// that expired on their own (a rate-limit window's key lives seconds of
	// real time, and on a busy machine this test takes longer than that).
	after := map[string]bool{}
	for _, k := range mentions(redisDump(t, rdb, prefix), bob) {
		after[k] = true
	}
	for _, k := range bobBefore {
		if !after[k] && !strings.Contains(k, ":rate:") {
			t.Errorf("bob's key %s is gone; his keys were %v", k, bobBefore)
		}
	}
	if h.caseOf(bob) == nil {
		t.Error("bob's open case is gone")
	}
}

// TestForgetCoversEveryUserKey fails when docs/redis-keys.md lists a key
// scoped to a user that forget does not handle: forget deletes
// <prefix>{u:<id>}:* and handoff.ForgetCustomer the {handoff}:user:<uid>:
// links; any other key naming a user id needs a line in forget.
func TestForgetCoversEveryUserKey(t *testing.T) {
	t.Parallel()
	f, err := os.Open(repoPath(t, "docs/redis-keys.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	handled := []*regexp.Regexp{
		regexp.MustCompile(`^<prefix>\{u:<id>\}:`),
		regexp.MustCompile(`^<p>\{handoff\}:user:<uid>:(active|cases)\b`),
	}
	user := regexp.MustCompile(`\{u:<id>\}|<uid>|<user`)
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, _, _ := strings.Cut(line, " ")
		if !user.MatchString(key) {
			continue
		}
		n++
		ok := false
		for _, re := range handled {
			ok = ok || re.MatchString(key)
		}
		if !ok {
			t.Errorf("docs/redis-keys.md lists user-scoped key %q that warmline forget does not erase", key)
		}
	}
	if n < 10 {
		t.Errorf("found %d user-scoped keys in docs/redis-keys.md, want the bot's, media's and handoff's (at least 10)", n)
	}
	if got := userTag("wl:", "U1"); got != "wl:{u:U1}:" {
		t.Errorf("userTag = %q", got)
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
