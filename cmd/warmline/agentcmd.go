package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/warmline/warmline/handoff/inbox"
	"github.com/warmline/warmline/locales"
)

// agentCmd manages inbox agent accounts (args start after "agent"):
//
//	add --id ID --name NAME --role L2|L3|lead [--lang zh-TW|zh-CN|en] [--languages zh-TW,en] [--password-stdin] [--file agents.yaml]
//	list [--file agents.yaml]
//
// --file defaults to $WARMLINE_AGENTS_FILE. Without --password-stdin a
// random password is generated and printed once. Output is in
// $WARMLINE_LANG (en when unset).
func agentCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	return agentCmdCost(ctx, bcrypt.DefaultCost, args, getenv, stdin, stdout)
}

// agentCmdCost is agentCmd hashing passwords at bcrypt cost: production
// uses bcrypt.DefaultCost; tests pass bcrypt.MinCost (a hash at the default
// cost takes over a second under -race).
func agentCmdCost(ctx context.Context, cost int, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("agent: want a subcommand: add, list (see warmline agent add -h)")
	}
	switch args[0] {
	case "add":
		return agentAdd(args[1:], cost, getenv, stdin, stdout)
	case "list":
		return agentList(args[1:], getenv, stdout)
	case "help", "-h", "--help":
		fs := agentAddFlags(io.Discard, new(agentAddOpts))
		fs.SetOutput(stdout)
		fs.Usage()
		return nil
	}
	return fmt.Errorf("agent: unknown subcommand %q (want add or list)", args[0])
}

type agentAddOpts struct {
	id, name, role, lang, file string
	languages                  string
	passwordStdin              bool
}

func agentAddFlags(out io.Writer, o *agentAddOpts) *flag.FlagSet {
	fs := flag.NewFlagSet("warmline agent add", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.id, "id", "", "account id used to sign in (lower case, e.g. mei)")
	fs.StringVar(&o.name, "name", "", "display name shown to colleagues and customers")
	fs.StringVar(&o.role, "role", "", "L2, L3 or lead")
	fs.StringVar(&o.lang, "lang", "", "default UI language: zh-TW, zh-CN or en")
	fs.StringVar(&o.languages, "languages", "", "customer languages the agent works in, comma-separated (zh-TW,zh-CN,en); the queue offers them those cases first (default: all)")
	fs.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from the first line of stdin (otherwise one is generated)")
	fs.StringVar(&o.file, "file", "", "accounts file (default $WARMLINE_AGENTS_FILE)")
	return fs
}

// agentAdd creates or updates one account in the accounts file.
func agentAdd(args []string, cost int, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	var o agentAddOpts
	fs := agentAddFlags(stdout, &o)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("agent add: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("agent add: unexpected argument %q", fs.Arg(0))
	}
	if o.file == "" {
		o.file = getenv("WARMLINE_AGENTS_FILE")
	}
	var errs []error
	if o.file == "" {
		errs = append(errs, errors.New("--file or WARMLINE_AGENTS_FILE is required"))
	}
	if o.id == "" {
		errs = append(errs, errors.New("--id is required"))
	}
	if o.role == "" {
		errs = append(errs, errors.New("--role is required (L2, L3 or lead)"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("agent add: %w", errors.Join(errs...))
	}
	password, generated := "", false
	if o.passwordStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("agent add: read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password, generated = inbox.NewPassword(), true
	}
	var languages []string
	for _, l := range strings.Split(o.languages, ",") {
		if l = strings.TrimSpace(l); l != "" {
			languages = append(languages, l)
		}
	}
	existed, err := inbox.SaveAccount(o.file, inbox.Account{ID: o.id, Name: o.name, Role: o.role, Lang: o.lang, Languages: languages}, password, cost)
	if err != nil {
		return fmt.Errorf("agent add: %w", err)
	}
	tr, err := locales.New()
	if err != nil {
		return err
	}
	lang := cliLang(getenv)
	id := "inbox_cli_added"
	if existed {
		id = "inbox_cli_updated"
	}
	fmt.Fprintln(stdout, tr.T(lang, id, map[string]any{"ID": o.id, "Role": o.role, "File": o.file}))
	if generated {
		fmt.Fprintln(stdout, tr.T(lang, "inbox_cli_password", map[string]any{"Password": password}))
	}
	return nil
}

// agentList prints the accounts in the accounts file, one a line.
func agentList(args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("warmline agent list", flag.ContinueOnError)
	fs.SetOutput(stdout)
	file := fs.String("file", getenv("WARMLINE_AGENTS_FILE"), "accounts file (default $WARMLINE_AGENTS_FILE)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("agent list: %w", err)
	}
	if *file == "" {
		return errors.New("agent list: --file or WARMLINE_AGENTS_FILE is required")
	}
	accs, err := inbox.LoadAgentsFile(*file)
	if err != nil {
		return fmt.Errorf("agent list: %w", err)
	}
	for _, a := range accs.Agents() {
		works := strings.Join(a.Languages, ",")
		if works == "" {
			works = "*"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.Role, a.Lang, works, a.Name)
	}
	return nil
}

// cliLang is the language of the command's output: $WARMLINE_LANG, else en.
func cliLang(getenv func(string) string) string {
	if l := getenv("WARMLINE_LANG"); locales.IsSupported(l) {
		return l
	}
	return locales.EN
}
