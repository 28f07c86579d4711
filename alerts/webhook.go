package alerts

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/warmline/warmline/locales"
)

// Format is the payload shape a webhook receives.
type Format string

// Webhook formats.
const (
	// FormatGeneric is a JSON POST signed with HMAC-SHA256 (sign.go).
	FormatGeneric Format = "generic"
	// FormatSlack is a Slack incoming webhook's {"text", "blocks"}.
	FormatSlack Format = "slack"
	// FormatTeams is a Microsoft Teams incoming webhook (or Workflows
	// "post to a channel when a webhook request is received") message
	// carrying an Adaptive Card.
	FormatTeams Format = "teams"
)

// Webhook is one outgoing webhook the operator configured.
type Webhook struct {
	// Name identifies the webhook in logs and failure records (its URL is a
	// secret for Slack and Teams and is never logged). Unique.
	Name   string
	URL    string
	Format Format
	// Kinds are the alert kinds it gets; empty: all.
	Kinds []Kind
	// Secret is the HMAC-SHA256 key of the signature headers; required for
	// the generic format, optional (still sent) for the others.
	Secret string
	// Lang is the language of its texts; empty: the Alerter's.
	Lang string
}

// Wants reports whether the webhook gets alerts of kind k.
func (w Webhook) Wants(k Kind) bool { return len(w.Kinds) == 0 || slices.Contains(w.Kinds, k) }

var webhookName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Validate reports every problem of the webhook at once.
func (w Webhook) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !webhookName.MatchString(w.Name) {
		bad("name %q: want 1-64 letters, digits, '.', '_' or '-'", w.Name)
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("webhook %s: url: want an http(s) URL (value hidden)", w.Name)
	}
	switch w.Format {
	case FormatGeneric:
		if w.Secret == "" {
			bad("webhook %s: the generic format is signed: a secret is required", w.Name)
		}
	case FormatSlack, FormatTeams:
	default:
		bad("webhook %s: format %q: want generic, slack or teams", w.Name, w.Format)
	}
	for _, k := range w.Kinds {
		if !k.Valid() {
			bad("webhook %s: kind %q: want %s", w.Name, k, kindList())
		}
	}
	if w.Lang != "" && !locales.IsSupported(w.Lang) {
		bad("webhook %s: lang %q: want %s", w.Name, w.Lang, strings.Join(locales.Supported, ", "))
	}
	return errors.Join(errs...)
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// ParseKinds reads a comma-separated list of kinds ("" = all).
func ParseKinds(s string) ([]Kind, error) {
	var out []Kind
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k := Kind(strings.ToLower(f))
		if !k.Valid() {
			return nil, fmt.Errorf("kind %q: want %s", f, kindList())
		}
		out = append(out, k)
	}
	return out, nil
}

type webhooksFile struct {
	Webhooks []struct {
		Name       string   `yaml:"name"`
		URL        string   `yaml:"url"`
		Format     string   `yaml:"format"`
		Kinds      []string `yaml:"kinds"`
		Secret     string   `yaml:"secret"`
		SecretFile string   `yaml:"secret_file"`
		Lang       string   `yaml:"lang"`
	} `yaml:"webhooks"`
}

// LoadWebhooks reads the webhooks file (YAML):
//
//	webhooks:
//	  - name: legal-slack            # unique; shown in logs and failures
//	    url: https://hooks.slack.com/services/T000/B000/XXXX
//	    format: slack                # generic | slack | teams (default generic)
//	    kinds: [notify, p1]          # default: all (notify, p1, sla_warning, sla_breach)
//	    lang: en                     # default: the operator's language
//	  - name: ops
//	    url: https://ops.example.com/hooks/warmline
//	    secret_file: /run/secrets/warmline-hook   # or secret: ...; required for generic
//
// A relative secret_file is read relative to the webhooks file. Every
// problem is reported at once.
func LoadWebhooks(fsys fs.FS, name string) ([]Webhook, error) {
	buf, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read webhooks: %w", err)
	}
	var f webhooksFile
	dec := yaml.NewDecoder(strings.NewReader(string(buf)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse webhooks %s: %w", name, err)
	}
	var errs []error
	var out []Webhook
	seen := map[string]bool{}
	for i, h := range f.Webhooks {
		w := Webhook{Name: h.Name, URL: strings.TrimSpace(h.URL), Format: Format(strings.ToLower(h.Format)), Secret: h.Secret, Lang: h.Lang}
		if w.Format == "" {
			w.Format = FormatGeneric
		}
		if w.Name == "" {
			w.Name = fmt.Sprintf("webhook-%d", i+1)
		}
		if seen[w.Name] {
			errs = append(errs, fmt.Errorf("webhooks[%d]: name %q used twice", i, w.Name))
		}
		seen[w.Name] = true
		for _, k := range h.Kinds {
			w.Kinds = append(w.Kinds, Kind(strings.ToLower(strings.TrimSpace(k))))
		}
		if h.SecretFile != "" {
			if h.Secret != "" {
				errs = append(errs, fmt.Errorf("webhook %s: secret and secret_file are both set: use one", w.Name))
			}
			s, err := readSecret(fsys, h.SecretFile)
			if err != nil {
				errs = append(errs, fmt.Errorf("webhook %s: secret_file: %w", w.Name, err))
			}
			w.Secret = s
		}
		if err := w.Validate(); err != nil {
			errs = append(errs, err)
		}
		out = append(out, w)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("webhooks %s: %w", name, errors.Join(errs...))
	}
	return out, nil
}

func readSecret(fsys fs.FS, name string) (string, error) {
	var b []byte
	var err error
	if strings.HasPrefix(name, "/") {
		b, err = os.ReadFile(name)
	} else {
		b, err = fs.ReadFile(fsys, name)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}
