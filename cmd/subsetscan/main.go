// Command subsetscan reproduces subset-scanning experiments on neural-network
// activations and scans any user's own activations.
//
// Usage:
//
//	subsetscan <command> [flags] [args]
//
// Run "subsetscan -h" for the list of commands and "subsetscan <command> -h"
// for the flags of one command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"subsetscan/runner"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first SIGINT cancels ctx: the command stops at its next
		// step, keeping what is finished; the second ends the process.
		// SIGTERM, which Slurm and Kubernetes send to stop a job, too:
		// the run releases its lock.
		<-sig
		fmt.Fprintln(os.Stderr, "subsetscan: interrupt: stopping after the current step (Ctrl-C again to quit now)")
		cancel()
		<-sig
		fmt.Fprintln(os.Stderr, "subsetscan: interrupted")
		os.Exit(exitInterrupted)
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand of subsetscan.
type command struct {
	Name  string // name on the command line
	Short string // one-line description for the command list
	Usage string // argument synopsis, after the command name
	Long  string // more for -h, after Short (exit codes); may be ""
	// Run executes the command. Flags is a fresh FlagSet whose output is
	// stderr; Run must define its flags on it and parse args.
	Run func(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error
}

// commands is filled by the init functions of the subcommand files.
var commands []*command

func register(c *command) { commands = append(commands, c) }

// errUsage marks an error as a usage error (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitError is an error with its own exit code, such as verify's "could
// not run" (exitCannotRun) or an interrupted run (exitInterrupted).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// Exit codes besides 0 (success), 1 (failure) and 2 (usage).
const (
	// exitCannotRun is verify's code when a config could not run: nothing
	// was compared.
	exitCannotRun = 3
	// exitInterrupted is the code of a run stopped by SIGINT (128 + 2, as
	// shells report it).
	exitInterrupted = 130
)

// run executes the command line args and returns the exit code: 0 on
// success or -h, 1 on failure, 2 on a usage error, or the code of an
// exitError (verify: 3 when a config could not run; 130 when interrupted).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	slices.SortFunc(commands, func(a, b *command) int { return strings.Compare(a.Name, b.Name) })
	if len(args) == 0 {
		mainUsage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		mainUsage(stdout)
		return 0
	}
	i := slices.IndexFunc(commands, func(c *command) bool { return c.Name == args[0] })
	if i < 0 {
		fmt.Fprintf(stderr, "subsetscan: unknown command %q\n", args[0])
		mainUsage(stderr)
		return 2
	}
	c := commands[i]
	fs := flag.NewFlagSet("subsetscan "+c.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: subsetscan %s %s\n\n%s\n\n", c.Name, c.Usage, c.Short)
		if c.Long != "" {
			fmt.Fprintf(fs.Output(), "%s\n\n", c.Long)
		}
		fmt.Fprintf(fs.Output(), "flags:\n")
		fs.PrintDefaults()
	}
	err := c.Run(ctx, fs, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		if !errors.Is(err, runner.ErrInterrupted) {
			err = fmt.Errorf("interrupted: %w", err)
		}
		fmt.Fprintf(stderr, "subsetscan %s: %v\n", c.Name, err)
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "subsetscan %s: %v\n", c.Name, err)
	var ue usageError
	if errors.As(err, &ue) || isFlagError(err) {
		return 2
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// isFlagError reports whether err came from FlagSet.Parse, which has already
// printed the usage.
func isFlagError(err error) bool {
	var fe flagParseError
	return errors.As(err, &fe)
}

type flagParseError struct{ err error }

func (e flagParseError) Error() string { return e.err.Error() }
func (e flagParseError) Unwrap() error { return e.err }

// parse parses args with fs and marks a failure as a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return flagParseError{err}
	}
	return nil
}

func mainUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: subsetscan <command> [flags] [args]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.Name, c.Short)
	}
	fmt.Fprintf(w, "\nRun \"subsetscan <command> -h\" for the flags of a command.\n")
}
