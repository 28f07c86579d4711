package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunEchoPrintsTheReport(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-target", "echo", "-events", "30", "-users", "5", "-concurrency", "4"},
		func(string) string { return "" }, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v (%s)", err, errOut.String())
	}
	for _, want := range []string{"sent 30, acked 30", "answered 30", "lost 0, duplicated 0", "webhook→answer p50"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestFlagsRejectUnknownTarget(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-target", "warmline,nginx"}, "want warmline, echo"},
		{[]string{"-order-share", "2"}, "-order-share"},
		{[]string{"-replicas", "2"}, "only with -exec"},
		{[]string{"-exec", "/bin/true", "-replicas", "0"}, "-replicas"},
	}
	for _, tt := range tests {
		var errOut bytes.Buffer
		_, err := parseFlags(tt.args, &errOut)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseFlags(%q) = %v, want an error with %q", tt.args, err, tt.want)
		}
	}
}
