package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/cmd/warmline-load/load"
	"github.com/warmline/warmline/internal/redistest"
)

func TestReportMemoryGroupsKeysByPattern(t *testing.T) {
	rdb, prefix := redistest.New(t)
	ctx := context.Background()
	for i := range 3 {
		u := load.UserID(i)
		if err := rdb.HSet(ctx, prefix+"{u:"+u+"}:conv", "lang", "en").Err(); err != nil {
			t.Fatal(err)
		}
		if err := rdb.Set(ctx, "{"+prefix+"line:shard:"+string(rune('0'+i))+"}:seen:01JZ8K3W5QF6T9YV2XH4MBN7RC", "1", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rdb.Set(ctx, prefix+"{handoff}:case:CS-20261201-0001", `{"id":"CS-20261201-0001"}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rdb.Del(context.Background(), "{"+prefix+"line:shard:0}:seen:01JZ8K3W5QF6T9YV2XH4MBN7RC", "{"+prefix+"line:shard:1}:seen:01JZ8K3W5QF6T9YV2XH4MBN7RC", "{"+prefix+"line:shard:2}:seen:01JZ8K3W5QF6T9YV2XH4MBN7RC")
	})
	var out bytes.Buffer
	if err := reportMemory(ctx, redistest.URL(t), prefix, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"3 keys", "{u:<user>}:conv", "{line:shard:S}:seen:<id>", "{handoff}:case:CS-<id>-<id>",
		"(3 users)", "(1 cases)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
