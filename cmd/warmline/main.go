// Command warmline is the webhook service behind a LINE official account: an
// L1 support bot with a warm handoff to human agents. With no configuration it
// starts the demo (embedded Redis, LINE emulator, demo shop).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "warmline:", err)
		code := 1
		if ee, ok := errors.AsType[*exitError](err); ok {
			code = ee.code
		}
		os.Exit(code)
	}
}

// run dispatches subcommands; with none it serves. environ is the process
// environment ("NAME=value", as os.Environ gives it); nothing else reads it.
func run(ctx context.Context, args []string, environ []string, stdin io.Reader, stdout, stderr io.Writer) error {
	env := environment(environ)
	if len(args) == 0 {
		return serve(ctx, env, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, env, stdout, stderr)
	case "eval":
		return evalCmd(ctx, args[1:], stdout)
	case "kb":
		return kbCmd(ctx, args[1:], stdout)
	case "ledger":
		return ledgerCmd(ctx, args[1:], env, stdout, stderr)
	case "agent":
		return agentCmd(ctx, args[1:], env.get, stdin, stdout)
	case "forget":
		return forgetCmd(ctx, args[1:], env, stdout)
	case "refunds":
		return refundsCmd(ctx, args[1:], env, stdout)
	case "help", "-h", "--help":
		usage(stdout)
		return nil
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: warmline [command]

  (none), serve     run the webhook service (demo mode when unconfigured)
  eval              evaluate KB matching and trigger detection on the labeled sets
  kb check DIR      validate a knowledge-base directory, count its entries, list ambiguous examples
  agent add ...     create or update an inbox agent account (see warmline agent help)
  refunds           list the refund requests the bot recorded at L1 for a person to carry out
                    (file/demo order backends); refunds done --by NAME ID marks one done
  forget USER       erase a customer's data (PDPA); --dry-run counts only (see warmline forget -h)
  ledger export     write the case ledger's cases of a period: --from --to YYYY-MM-DD
                    [--format csv|jsonl] [--reveal-customers] (pseudonyms unless asked)
  help              this text

environment:
`)
	for _, s := range settings {
		fmt.Fprintf(w, "  %-28s %s\n", s.name, s.doc)
	}
}
