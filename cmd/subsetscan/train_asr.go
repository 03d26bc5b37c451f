package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"subsetscan/data/fsdd"
	"subsetscan/internal/cputime"
	"subsetscan/nn"
	"subsetscan/nn/asr"
)

func init() {
	register(&command{
		Name:  "train-asr",
		Short: "train a speech recogniser (ds-fsdd, lv-fsdd) with CTC on FSDD digit strings and write its weights (.npz)",
		Usage: "-arch ds-fsdd|lv-fsdd -o OUT.npz [-data DIR] [flags]",
		Run:   runTrainASR,
	})
}

// asrFlags are the flags of train-asr.
type asrFlags struct {
	arch, data, out string
	opt             asr.TrainOptions
	testN, beam     int
}

func runTrainASR(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var f asrFlags
	fs.StringVar(&f.arch, "arch", "ds-fsdd", "architecture to train (a registered speech architecture: ds-fsdd, lv-fsdd)")
	fs.StringVar(&f.data, "data", "", "FSDD directory (a clone of the repository at v1.0.10); empty = the user's cache, downloaded if missing")
	fs.StringVar(&f.out, "o", "", "output weights file (.npz, written atomically after every epoch)")
	fs.IntVar(&f.opt.Epochs, "epochs", 40, "epochs")
	fs.IntVar(&f.opt.EpochSize, "epoch-size", 1000, "digit strings drawn per epoch")
	fs.IntVar(&f.opt.BatchSize, "batch", 32, "mini-batch size")
	lr := fs.Float64("lr", 0.002, "Adam's learning rate")
	fs.Uint64Var(&f.opt.Seed, "seed", 1, "seed of the initialisation and of the training strings")
	fs.IntVar(&f.opt.Workers, "workers", 0, "goroutines to use (0 = all cores); the weights do not depend on it")
	fs.IntVar(&f.testN, "test-n", 200, "held-out test strings to score after each epoch (greedy) and at the end (greedy and beam)")
	fs.IntVar(&f.beam, "beam", 8, "beam width of the final beam-search scores")
	if err := parse(fs, args); err != nil {
		return err
	}
	f.opt.LR = float32(*lr)
	if err := f.check(fs); err != nil {
		return err
	}
	return trainASR(ctx, f, stdout, stderr)
}

func (f *asrFlags) check(fs *flag.FlagSet) error {
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected arguments %q", fs.Args())
	case f.out == "":
		return usagef("-o OUT.npz is required")
	case f.opt.Epochs < 1:
		return usagef("-epochs %d must be ≥ 1", f.opt.Epochs)
	case f.opt.EpochSize < 1 || f.opt.BatchSize < 1:
		return usagef("-epoch-size and -batch must be ≥ 1")
	case !(f.opt.LR > 0):
		return usagef("-lr %v must be > 0", f.opt.LR)
	case f.opt.Workers < 0 || f.testN < 0:
		return usagef("-workers and -test-n must be ≥ 0")
	}
	if _, err := nn.ArchByName(f.arch); err != nil {
		return usagef("-arch: %v", err)
	}
	return nil
}

func trainASR(ctx context.Context, f asrFlags, stdout, stderr io.Writer) error {
	arch, _ := nn.ArchByName(f.arch)
	if _, err := asr.MelOf(arch); err != nil {
		return usagef("-arch %s: %v", f.arch, err)
	}
	if err := os.MkdirAll(filepath.Dir(f.out), 0o755); err != nil {
		return fmt.Errorf("output %s: %w", f.out, err)
	}
	c, pools, err := loadFSDD(ctx, f.data, f.opt.Workers)
	if err != nil {
		return err
	}
	test, dropped, err := asr.TestStrings(c, pools, f.testN, arch.Input[0], f.opt.Seed)
	if err != nil {
		return err
	}
	m, err := nn.New(arch)
	if err != nil {
		return err
	}
	m.InitGlorot(f.opt.Seed)
	fmt.Fprintf(stdout, "training %s on strings of %d recordings (pool %s): %d epochs of %d strings, batch %d, lr %g, seed %d; %d test strings (%d too long dropped)\n",
		f.arch, len(pools[asr.PoolTraining]), asr.PoolTraining, f.opt.Epochs, f.opt.EpochSize, f.opt.BatchSize, f.opt.LR, f.opt.Seed, len(test), dropped)
	var cbErr error
	f.opt.Progress = func(p asr.Progress) {
		if !p.EpochDone {
			if every := max(1, p.Batches/4); p.Batch%every == 0 {
				fmt.Fprintf(stderr, "epoch %d/%d: step %d/%d, loss %.4f (%.1f CPU-s)\n", p.Epoch, p.Epochs, p.Batch, p.Batches, p.Loss, cputime.Used().Seconds())
			}
			return
		}
		if cbErr != nil {
			return
		}
		if cbErr = m.SaveWeights(f.out); cbErr != nil {
			return
		}
		s, err := asr.Evaluate(m, test, 0, f.opt.Workers)
		cbErr = err
		fmt.Fprintf(stdout, "epoch %d/%d: loss %.4f, test greedy WER %.4f CER %.4f (%.1f CPU-s)\n", p.Epoch, p.Epochs, p.Loss, s.WER, s.CER, cputime.Used().Seconds())
	}
	if _, err := asr.Train(ctx, m, c, pools[asr.PoolTraining], f.opt); err != nil {
		return err
	}
	if cbErr != nil {
		return cbErr
	}
	for _, beam := range []int{0, f.beam} {
		s, err := asr.Evaluate(m, test, beam, f.opt.Workers)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "test (%d strings), beam %d: WER %.4f, CER %.4f\n", s.N, beam, s.WER, s.CER)
	}
	fmt.Fprintf(stdout, "weights written to %s; %.1f CPU-s in all\n", f.out, cputime.Used().Seconds())
	return nil
}

// loadFSDD locates and loads FSDD (fsdd.Locate: dir, or the user's cache)
// and deals its pools (asr.Pools).
func loadFSDD(ctx context.Context, dir string, workers int) (*fsdd.Corpus, map[string][]int, error) {
	dir, err := fsdd.Locate(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	c, err := fsdd.Load(dir, workers)
	if err != nil {
		return nil, nil, err
	}
	pools, err := asr.Pools(c.Recordings)
	return c, pools, err
}
