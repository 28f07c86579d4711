package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envFrom(m map[string]string) environment {
	env := make(environment, 0, len(m))
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	return env
}

func TestLoadConfigDemoDefaults(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(envFrom(nil))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if !c.Demo || c.Addr != "127.0.0.1:8080" || c.RedisPrefix != "wl:" || c.LogFormat != "console" || c.Workers != 32 || c.Shards != 16 || c.SLASweepEvery != time.Minute {
		t.Fatalf("got %+v, want demo defaults", c)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "orders.json")
	if err := os.WriteFile(file, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string // every substring must appear
	}{
		{"partial production", map[string]string{"LINE_CHANNEL_SECRET": "s"}, []string{"missing LINE_CHANNEL_ACCESS_TOKEN, REDIS_URL"}},
		{"production needs kb orders agents", map[string]string{"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "REDIS_URL": "redis://x:6379"},
			[]string{"WARMLINE_KB_DIR is required", "WARMLINE_ORDERS_URL", "WARMLINE_AGENTS_FILE is required"}},
		{"bad values all reported", map[string]string{"WARMLINE_ADDR": "nope", "WARMLINE_WORKERS": "0", "WARMLINE_ORDERS_TIMEOUT": "soon", "WARMLINE_ORDER_PATTERN": "([", "WARMLINE_LOG_LEVEL": "loud"},
			[]string{"WARMLINE_ADDR", "WARMLINE_WORKERS", "WARMLINE_ORDERS_TIMEOUT", "WARMLINE_ORDER_PATTERN", "WARMLINE_LOG_LEVEL"}},
		{"two order backends", map[string]string{"WARMLINE_ORDERS_URL": "http://o", "WARMLINE_ORDERS_FILE": file}, []string{"choose one order backend"}},
		{"missing files", map[string]string{"WARMLINE_KB_DIR": filepath.Join(dir, "nope"), "WARMLINE_POLICY_FILE": filepath.Join(dir, "nope.yaml")}, []string{"WARMLINE_KB_DIR", "WARMLINE_POLICY_FILE"}},
		{"bad redis url hides value", map[string]string{"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "REDIS_URL": "http://secret@x"}, []string{"REDIS_URL: want redis://"}},
		{"llm needs model", map[string]string{"WARMLINE_LLM_URL": "http://llm"}, []string{"WARMLINE_LLM_MODEL is required"}},
		{"alert webhooks", map[string]string{"WARMLINE_ALERTS_FILE": file, "WARMLINE_ALERT_WEBHOOK_URL": "https://hooks.example.com/x",
			"WARMLINE_ALERT_KINDS": "p1,pages", "WARMLINE_ALERT_WEBHOOK_FORMAT": "discord"},
			[]string{"WARMLINE_ALERTS_FILE and WARMLINE_ALERT_WEBHOOK_URL are both set", `WARMLINE_ALERT_KINDS: kind "pages"`, `WARMLINE_ALERT_WEBHOOK_FORMAT="discord"`}},
		{"misspelled variable named", map[string]string{"WARMLINE_ADRR": ":9000"}, []string{"WARMLINE_ADRR is not a warmline setting (did you mean WARMLINE_ADDR?)"}},
		{"unknown variable named", map[string]string{"WARMLINE_COLOUR": "blue"}, []string{"WARMLINE_COLOUR is not a warmline setting"}},
		{"misspelled secret file", map[string]string{"WARMLINE_ORDERS_TOKEN_FIEL": "x"}, []string{"did you mean WARMLINE_ORDERS_TOKEN_FILE?"}},
		{"bad language", map[string]string{"WARMLINE_LANG": "fr"}, []string{`WARMLINE_LANG="fr": want en, zh-TW, zh-CN`}},
		{"two redis forms", map[string]string{"REDIS_URL": "redis://x:1", "REDIS_ADDRS": "a:1,b:2"}, []string{"REDIS_URL and REDIS_ADDRS are both set"}},
		{"bad redis addrs", map[string]string{"REDIS_ADDRS": "a:1,nope"}, []string{`REDIS_ADDRS: "nope" is not host:port`}},
		{"addrs options without addrs", map[string]string{"REDIS_URL": "redis://x:1", "REDIS_PASSWORD": "secret@x", "REDIS_MASTER_NAME": "m", "REDIS_TLS": "true"},
			[]string{"REDIS_PASSWORD is only read with REDIS_ADDRS", "REDIS_MASTER_NAME is only read", "REDIS_TLS is only read"}},
		{"secret and file", map[string]string{"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_SECRET_FILE": file}, []string{"both set"}},
		{"sla sweep too often", map[string]string{"WARMLINE_SLA_SWEEP_EVERY": "10ms"}, []string{`WARMLINE_SLA_SWEEP_EVERY="10ms": want 100ms to 1h`}},
		{"sla sweep too rare", map[string]string{"WARMLINE_SLA_SWEEP_EVERY": "2h"}, []string{`WARMLINE_SLA_SWEEP_EVERY="2h": want 100ms to 1h`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(envFrom(tt.env))
			if err == nil {
				t.Fatalf("got nil error, want one mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret@") {
				t.Errorf("error leaks a secret: %q", err)
			}
		})
	}
}

func TestLoadConfigSecretFromFile(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(f, []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(envFrom(map[string]string{"LINE_CHANNEL_SECRET_FILE": f, "LINE_CHANNEL_ACCESS_TOKEN": "t", "REDIS_URL": "redis://x:1"}))
	if c.ChannelSecret != "abc" {
		t.Fatalf("secret = %q, want abc (err %v)", c.ChannelSecret, err)
	}
}

func TestLoadConfigRedisAddrs(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(f, []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := loadConfig(envFrom(map[string]string{"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t",
		"REDIS_ADDRS": "10.0.0.1:6379, 10.0.0.2:6379 ,10.0.0.3:6379", "REDIS_PASSWORD_FILE": f, "REDIS_USERNAME": "wl", "REDIS_TLS": "true"}))
	if c.Demo || len(c.RedisAddrs) != 3 || c.RedisAddrs[1] != "10.0.0.2:6379" || c.RedisPassword != "pw" || c.RedisUsername != "wl" || !c.RedisTLS {
		t.Fatalf("got demo %v addrs %q user %q tls %v password set %v; want production on three nodes with TLS and the file's password",
			c.Demo, c.RedisAddrs, c.RedisUsername, c.RedisTLS, c.RedisPassword == "pw")
	}
}

func TestLoadConfigListenAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"demo binds loopback", nil, "127.0.0.1:8080"},
		{"demo on every interface when asked", map[string]string{"WARMLINE_ADDR": ":8080"}, ":8080"},
		{"production listens on every interface", map[string]string{"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t", "REDIS_URL": "redis://x:1"}, ":8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := loadConfig(envFrom(tt.env)) // production errors (no KB dir...) don't matter here
			if c.Addr != tt.want {
				t.Fatalf("Addr = %q, want %q", c.Addr, tt.want)
			}
		})
	}
}

func TestLoadConfigFileFlagAccepted(t *testing.T) {
	t.Parallel()
	// NAME_FILE of a secret is a known variable, never "not a setting".
	f := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(f, []byte("tok"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(envFrom(map[string]string{"WARMLINE_ORDERS_TOKEN_FILE": f}))
	if err != nil || c.OrdersToken != "tok" {
		t.Fatalf("got token %q, err %v; want tok, nil", c.OrdersToken, err)
	}
}
