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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand of subsetscan.
type command struct {
	Name  string // name on the command line
	Short string // one-line description for the command list
	Usage string // argument synopsis, after the command name
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

// run executes the command line args and returns the exit code: 0 on
// success or -h, 1 on failure, 2 on a usage error.
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
		fmt.Fprintf(fs.Output(), "usage: subsetscan %s %s\n\n%s\n\nflags:\n", c.Name, c.Usage, c.Short)
		fs.PrintDefaults()
	}
	err := c.Run(ctx, fs, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "subsetscan %s: %v\n", c.Name, err)
	var ue usageError
	if errors.As(err, &ue) || isFlagError(err) {
		return 2
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
