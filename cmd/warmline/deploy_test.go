package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"go.uber.org/zap/zaptest"
	"go.yaml.in/yaml/v3"

	"github.com/warmline/warmline/knowledge"
)

// The deploy files cannot be run here (no Docker engine, no cluster): these
// tests parse them and check what they promise.

const deployDir = "../../deploy"

// envExample reads deploy/warmline.env.example as NAME → value.
func envExample(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(deployDir, "warmline.env.example"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("warmline.env.example:%d: not NAME=value: %q", n, line)
		}
		env[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return env
}

func settingNamed(name string) (setting, bool) {
	i := slices.IndexFunc(settings, func(s setting) bool { return s.name == name })
	if i < 0 {
		return setting{}, false
	}
	return settings[i], true
}

// TestEnvExampleUsesRealSettings: every variable of the example env file is
// one warmline reads (a typo would stop the start), and every value parses,
// apart from paths that exist only in the container.
func TestEnvExampleUsesRealSettings(t *testing.T) {
	t.Parallel()
	env := envExample(t)
	for _, must := range []string{"LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "REDIS_URL", "WARMLINE_KB_DIR", "WARMLINE_AGENTS_FILE", "WARMLINE_PUBLIC_URL"} {
		if _, ok := env[must]; !ok {
			t.Errorf("warmline.env.example lacks %s", must)
		}
	}
	for name, v := range env {
		s, ok := settingNamed(name)
		if !ok {
			t.Errorf("warmline.env.example sets %s, which is not a setting (cmd/warmline/config.go)", name)
			continue
		}
		var problems []string
		var c Config
		s.set(&c, value{name: name, s: v, fail: func(format string, a ...any) {
			problems = append(problems, format)
		}})
		for _, p := range problems {
			if !strings.Contains(p, "not a readable") { // container paths
				t.Errorf("warmline.env.example: %s=%q does not parse", name, v)
			}
		}
	}
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Restart     string            `yaml:"restart"`
	Command     []string          `yaml:"command"`
	EnvFile     []composeEnvFile  `yaml:"env_file"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []yaml.Node       `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	DependsOn   yaml.Node         `yaml:"depends_on"`
	Healthcheck *struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

type composeEnvFile struct {
	Path     string `yaml:"path"`
	Required bool   `yaml:"required"`
}

type composeBind struct {
	Type     string `yaml:"type"`
	Source   string `yaml:"source"`
	Target   string `yaml:"target"`
	ReadOnly bool   `yaml:"read_only"`
	Bind     struct {
		CreateHostPath *bool `yaml:"create_host_path"`
	} `yaml:"bind"`
}

// pinned reports whether an image reference names a version: a digest, or
// a tag other than latest with a digit in it.
func pinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return false
	}
	tag := image[i+1:]
	return tag != "latest" && strings.ContainsAny(tag, "0123456789")
}

func TestComposeFile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(deployDir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(data, &cf); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	env := envExample(t)
	var replicas []string
	for name, s := range cf.Services {
		if !pinned(s.Image) {
			t.Errorf("service %s: image %q is not pinned to a version", name, s.Image)
		}
		if !slices.Contains([]string{"always", "unless-stopped", "on-failure"}, s.Restart) {
			t.Errorf("service %s: restart %q, want a restart policy", name, s.Restart)
		}
		var binds []composeBind
		for _, v := range s.Volumes {
			var b composeBind
			if v.Kind == yaml.MappingNode {
				if err := v.Decode(&b); err != nil {
					t.Fatalf("service %s volume: %v", name, err)
				}
			}
			if b.Type != "bind" {
				continue // named volumes
			}
			binds = append(binds, b)
			if !b.ReadOnly || b.Bind.CreateHostPath == nil || *b.Bind.CreateHostPath {
				t.Errorf("service %s: bind %s must be read_only with create_host_path: false (compose then refuses to start without it)", name, b.Source)
			}
		}
		if s.Build == nil {
			continue
		}
		replicas = append(replicas, name)
		if len(s.EnvFile) != 1 || s.EnvFile[0].Path != "warmline.env" || !s.EnvFile[0].Required {
			t.Errorf("service %s: env_file %+v, want warmline.env, required", name, s.EnvFile)
		} else if _, err := os.Stat(filepath.Join(deployDir, s.EnvFile[0].Path+".example")); err != nil {
			t.Errorf("service %s: env file %s has no example to copy: %v", name, s.EnvFile[0].Path, err)
		}
		for _, want := range []struct{ variable, source string }{{"WARMLINE_KB_DIR", "./kb"}, {"WARMLINE_AGENTS_FILE", "./agents.yaml"}} {
			if !slices.ContainsFunc(binds, func(b composeBind) bool { return b.Source == want.source && b.Target == env[want.variable] }) {
				t.Errorf("service %s: no bind of %s at %s=%q (binds %+v)", name, want.source, want.variable, env[want.variable], binds)
			}
		}
		var deps map[string]struct {
			Condition string `yaml:"condition"`
		}
		if err := s.DependsOn.Decode(&deps); err != nil || deps["redis"].Condition != "service_healthy" {
			t.Errorf("service %s: depends_on %v, want redis with condition service_healthy", name, deps)
		}
		if id := s.Environment["WARMLINE_REPLICA_ID"]; id != name {
			t.Errorf("service %s: WARMLINE_REPLICA_ID %q, want the service name", name, id)
		}
		for k := range s.Environment {
			if _, ok := settingNamed(k); !ok {
				t.Errorf("service %s: environment sets %s, which is not a setting", name, k)
			}
		}
	}
	if len(replicas) < 2 {
		t.Errorf("compose runs %d warmline replicas, want 2", len(replicas))
	}

	redis, ok := cf.Services["redis"]
	if !ok {
		t.Fatal("compose.yaml has no redis service")
	}
	if cmd := strings.Join(redis.Command, " "); !strings.Contains(cmd, "--appendonly yes") || !strings.Contains(cmd, "--appendfsync everysec") {
		t.Errorf("redis command %q: want AOF on (--appendonly yes --appendfsync everysec)", cmd)
	}
	if redis.Healthcheck == nil || !slices.Contains(redis.Healthcheck.Test, "ping") {
		t.Errorf("redis has no redis-cli ping health check")
	}
	if !slices.ContainsFunc(redis.Volumes, func(n yaml.Node) bool { return strings.HasSuffix(n.Value, ":/data") }) {
		t.Errorf("redis keeps /data on no volume: the AOF file would be lost with the container")
	}

	caddy, ok := cf.Services["caddy"]
	if !ok {
		t.Fatal("compose.yaml has no caddy service (TLS in front)")
	}
	if !slices.Contains(caddy.Ports, "443:443") {
		t.Errorf("caddy ports %v, want 443", caddy.Ports)
	}
	caddyfile, err := os.ReadFile(filepath.Join(deployDir, "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range replicas {
		if !bytes.Contains(caddyfile, []byte(r+":8080")) {
			t.Errorf("Caddyfile does not proxy to %s:8080", r)
		}
	}
	for _, want := range []string{"{$DOMAIN}", "health_uri /readyz", "flush_interval -1", "Strict-Transport-Security"} {
		if !bytes.Contains(caddyfile, []byte(want)) {
			t.Errorf("Caddyfile lacks %q", want)
		}
	}
	if bytes.Contains(caddyfile, []byte("tls internal")) || bytes.Contains(caddyfile, []byte("http://")) {
		t.Errorf("Caddyfile turns off automatic HTTPS")
	}
}

// k8sObject is the part of a Kubernetes object the checks read.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Template struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
		Selector map[string]any `yaml:"selector"`
		TLS      []struct {
			Hosts      []string `yaml:"hosts"`
			SecretName string   `yaml:"secretName"`
		} `yaml:"tls"`
		Rules []struct {
			Host string `yaml:"host"`
			HTTP struct {
				Paths []struct {
					Backend struct {
						Service struct {
							Name string `yaml:"name"`
						} `yaml:"service"`
					} `yaml:"backend"`
				} `yaml:"paths"`
			} `yaml:"http"`
		} `yaml:"rules"`
		VolumeClaimTemplates []any `yaml:"volumeClaimTemplates"`
	} `yaml:"spec"`
}

type podSpec struct {
	Containers []struct {
		Name  string   `yaml:"name"`
		Image string   `yaml:"image"`
		Args  []string `yaml:"args"`
		Env   []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"env"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
			SubPath   string `yaml:"subPath"`
		} `yaml:"volumeMounts"`
		ReadinessProbe *probe `yaml:"readinessProbe"`
		LivenessProbe  *probe `yaml:"livenessProbe"`
	} `yaml:"containers"`
	Volumes []struct {
		Name      string `yaml:"name"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
	} `yaml:"volumes"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
	} `yaml:"httpGet"`
	Exec *struct {
		Command []string `yaml:"command"`
	} `yaml:"exec"`
}

func k8sObjects(t *testing.T) map[string]k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Kubernetes manifests: %v", err)
	}
	objs := map[string]k8sObject{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var o k8sObject
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind == "" || o.Metadata.Name == "" {
				t.Fatalf("%s: an object without kind or name", f)
			}
			objs[o.Kind+"/"+o.Metadata.Name] = o
		}
	}
	return objs
}

func TestKubernetesManifests(t *testing.T) {
	t.Parallel()
	objs := k8sObjects(t)
	get := func(key string) k8sObject {
		o, ok := objs[key]
		if !ok {
			t.Fatalf("no %s in deploy/k8s", key)
		}
		return o
	}
	for key, o := range objs {
		for _, c := range o.Spec.Template.Spec.Containers {
			if !pinned(c.Image) {
				t.Errorf("%s: container %s image %q is not pinned to a version", key, c.Name, c.Image)
			}
		}
	}

	dep := get("Deployment/warmline")
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("Deployment/warmline: %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Errorf("warmline readiness probe %+v, want GET /readyz", c.ReadinessProbe)
	}
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("warmline liveness probe %+v, want GET /healthz", c.LivenessProbe)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if _, ok := settingNamed(e.Name); !ok {
			t.Errorf("Deployment/warmline sets %s, which is not a setting", e.Name)
		}
	}
	kbVolume := ""
	for _, v := range pod.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == "warmline-kb" {
			kbVolume = v.Name
		}
	}
	mounted := false
	for _, m := range c.VolumeMounts {
		if m.Name == kbVolume {
			mounted = m.MountPath == env["WARMLINE_KB_DIR"]
			if m.SubPath != "" {
				t.Errorf("the KB ConfigMap is mounted with subPath %q: kubelet never updates a subPath mount", m.SubPath)
			}
		}
	}
	if kbVolume == "" || !mounted {
		t.Errorf("the ConfigMap warmline-kb is not mounted at WARMLINE_KB_DIR=%q", env["WARMLINE_KB_DIR"])
	}
	if env["WARMLINE_KB_WATCH"] == "false" {
		t.Errorf("WARMLINE_KB_WATCH=false: ConfigMap updates would not be reloaded")
	}

	// The example KB ConfigMap is a valid KB.
	cm := get("ConfigMap/warmline-kb")
	fsys := fstest.MapFS{}
	for name, body := range cm.Data {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	if _, err := knowledge.Load(context.Background(), fsys); err != nil {
		t.Errorf("ConfigMap/warmline-kb is not a valid KB: %v", err)
	}

	svc := get("Service/warmline")
	if svc.Spec.Selector["app"] != "warmline" {
		t.Errorf("Service/warmline selects %v", svc.Spec.Selector)
	}
	ing := get("Ingress/warmline")
	if len(ing.Spec.TLS) == 0 || ing.Spec.TLS[0].SecretName == "" {
		t.Fatalf("Ingress/warmline has no TLS section with a secret")
	}
	for _, r := range ing.Spec.Rules {
		if !slices.ContainsFunc(ing.Spec.TLS, func(tls struct {
			Hosts      []string `yaml:"hosts"`
			SecretName string   `yaml:"secretName"`
		}) bool {
			return slices.Contains(tls.Hosts, r.Host)
		}) {
			t.Errorf("Ingress host %q is served without TLS", r.Host)
		}
		for _, p := range r.HTTP.Paths {
			if _, ok := objs["Service/"+p.Backend.Service.Name]; !ok {
				t.Errorf("Ingress routes to Service %q, which deploy/k8s does not define", p.Backend.Service.Name)
			}
		}
	}

	redis := get("StatefulSet/warmline-redis")
	rc := redis.Spec.Template.Spec.Containers
	if len(rc) != 1 {
		t.Fatalf("StatefulSet/warmline-redis: %d containers", len(rc))
	}
	if args := strings.Join(rc[0].Args, " "); !strings.Contains(args, "--appendonly yes") || !strings.Contains(args, "--appendfsync everysec") {
		t.Errorf("Redis args %q: want AOF on (--appendonly yes --appendfsync everysec)", args)
	}
	if rc[0].ReadinessProbe == nil || rc[0].ReadinessProbe.Exec == nil || !slices.Contains(rc[0].ReadinessProbe.Exec.Command, "ping") {
		t.Errorf("Redis has no redis-cli ping readiness probe")
	}
	if len(redis.Spec.VolumeClaimTemplates) == 0 {
		t.Errorf("Redis keeps its AOF on no persistent volume")
	}
	get("Service/warmline-redis")
}

// TestKBConfigMapUpdateReloads replays how kubelet updates a mounted
// ConfigMap (files in a hidden timestamped directory, the ..data symlink
// swapped to a new one, each key a symlink through ..data) on a directory
// the KB watcher watches, and waits until the new KB is served.
func TestKBConfigMapUpdateReloads(t *testing.T) {
	t.Parallel()
	objs := k8sObjects(t)
	cm, ok := objs["ConfigMap/warmline-kb"]
	if !ok {
		t.Fatal("no ConfigMap/warmline-kb in deploy/k8s")
	}
	dir := t.TempDir()
	write := func(version string, files map[string]string) {
		t.Helper()
		ts := filepath.Join(dir, "..2026_12_01_10_00_00."+version)
		if err := os.Mkdir(ts, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(ts, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		tmp := filepath.Join(dir, "..data_tmp")
		if err := os.Symlink(filepath.Base(ts), tmp); err != nil {
			t.Fatal(err)
		}
		old, _ := os.Readlink(filepath.Join(dir, "..data"))
		if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
		for name := range files {
			link := filepath.Join(dir, name)
			if _, err := os.Lstat(link); err != nil {
				if err := os.Symlink(filepath.Join("..data", name), link); err != nil {
					t.Fatal(err)
				}
			}
		}
		if old != "" {
			if err := os.RemoveAll(filepath.Join(dir, old)); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("1", cm.Data)

	ctx, cancel := context.WithCancel(context.Background())
	store, err := knowledge.OpenStore(ctx, zaptest.NewLogger(t), dir, knowledge.LoadOptions{})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	store.Debounce = 50 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- store.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	if _, ok := store.Current().Entry("shipping-fee"); !ok {
		t.Fatal("the ConfigMap's KB has no shipping-fee entry")
	}

	// The watcher may not be watching yet when the first update lands:
	// repeat the update (a new version each time, as kubelet would) until
	// the new KB is served.
	updated := map[string]string{}
	for k, v := range cm.Data {
		updated[k] = v
	}
	updated["shop.yaml"] = strings.Replace(cm.Data["shop.yaml"], "id: shipping-fee", "id: delivery-fee", 1)
	updated["more.yaml"] = "add_examples:\n  - entry: delivery-fee\n    examples:\n      zh-TW: [\"寄到金門要多少運費\"]\n"
	deadline := time.Now().Add(20 * time.Second)
	for v := 2; ; v++ {
		write(strings.Repeat("v", v), updated)
		wait := time.Now().Add(2 * time.Second)
		for time.Now().Before(wait) {
			if e, ok := store.Current().Entry("delivery-fee"); ok && slices.Contains(e.Examples[knowledge.ZhTW], "寄到金門要多少運費") {
				if _, still := store.Current().Entry("shipping-fee"); still {
					t.Fatal("the old entry is still served next to the new one")
				}
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the KB was not reloaded after a ConfigMap update within 20s (status %+v)", store.Status())
		}
	}
}

// TestDockerfile: base images pinned, and the image tag the Dockerfile
// documents is the one compose and Kubernetes run.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(deployDir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var tag string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "FROM" {
			if !pinned(f[1]) && !strings.HasSuffix(f[1], ":nonroot") { // distroless tags name the variant
				t.Errorf("Dockerfile: %s is not pinned to a version", line)
			}
		}
		if _, after, ok := strings.Cut(line, " -t "); ok && strings.HasPrefix(line, "# Build:") {
			tag = strings.Fields(after)[0]
		}
	}
	compose, _ := os.ReadFile(filepath.Join(deployDir, "compose.yaml"))
	k8s, _ := os.ReadFile(filepath.Join(deployDir, "k8s", "warmline.yaml"))
	if tag == "" || !bytes.Contains(compose, []byte("image: "+tag)) || !bytes.Contains(k8s, []byte("image: "+tag)) {
		t.Errorf("the Dockerfile builds %q; compose.yaml and k8s/warmline.yaml must run that tag", tag)
	}
}
