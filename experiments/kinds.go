package experiments

import (
	"context"
	"slices"

	"subsetscan/report"
)

// Env is what an experiment gets from its runner besides its config.
type Env struct {
	// Workers bounds the parallelism; 0 means all cores.
	Workers int
	// Progress receives one line per step; nil discards them.
	Progress func(format string, args ...any)
	// Dir is the experiment's results directory, where generated sets are
	// saved and reused; "" disables that.
	Dir string
}

func (e Env) logf(format string, args ...any) {
	if e.Progress != nil {
		e.Progress(format, args...)
	}
}

// Kind runs one kind of experiment.
type Kind func(ctx context.Context, cfg *Config, env Env) (*report.Results, error)

var kinds = map[string]Kind{}

// Register makes an experiment kind available to configs under name.
func Register(name string, k Kind) { kinds[name] = k }

// Lookup returns the kind called name.
func Lookup(name string) (Kind, bool) {
	k, ok := kinds[name]
	return k, ok
}

// KindNames returns the registered kind names, sorted.
func KindNames() []string {
	var names []string
	for n := range kinds {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
