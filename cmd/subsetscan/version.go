package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
)

// revision is set by the Makefile with -ldflags "-X main.revision=...".
var revision = "unknown"

func init() {
	register(&command{
		Name:  "version",
		Short: "print the version of subsetscan and of Go",
		Run: func(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
			if err := parse(fs, args); err != nil {
				return err
			}
			_, err := fmt.Fprintf(stdout, "subsetscan %s (%s)\n", revision, runtime.Version())
			return err
		},
	})
}
