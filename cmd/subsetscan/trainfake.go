package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"subsetscan/data"
	"subsetscan/internal/cputime"
	"subsetscan/nn"
	"subsetscan/nn/fake"
	"subsetscan/nn/gan"
)

func init() {
	register(&command{
		Name:  "train-fake",
		Short: "train a detector of generated MNIST digits (fake-resnet, fake-squeezenet) or AutoGAN's simulator or spectrum classifier, and write its weights (.npz)",
		Usage: "-arch fake-resnet|fake-squeezenet|autogan-sim|autogan-cls -o OUT.npz [flags]",
		Long: "fake-resnet and fake-squeezenet train on real MNIST training images (the study's split) against the training\n" +
			"pool of the generators' fakes; autogan-sim on the real training images alone (reproducing them); autogan-cls on\n" +
			"the spectra of the real training images against those of autogan-sim's reproductions (-sim), never on a GAN's\n" +
			"fakes. Each then prints its accuracy and AUC on the held-out real images (clean part) against each generator's\n" +
			"held-out fakes (or, for autogan-sim, the reconstruction loss).",
		Run: runTrainFake,
	})
	register(&command{
		Name:  "eval-fake",
		Short: "score the held-out real and generated MNIST digits with the fake detectors and the baselines (FakeSpotter, AutoGAN): AUCs with 95 % DeLong intervals",
		Usage: "[flags]",
		Run:   runEvalFake,
	})
}

// studyFlags are the flags shared by train-fake and eval-fake: the study's
// data.
type studyFlags struct {
	split           fake.SplitOptions
	nFake, nHeldOut int
	ts, ae          string
	workers         int
}

func (s *studyFlags) define(fs *flag.FlagSet) {
	fs.Uint64Var(&s.split.Seed, "split-seed", 1, "seed of the split of real images and base seed of the fakes (training pool 2·seed, held-out 2·seed+1)")
	fs.IntVar(&s.split.Train, "n-real", 10000, "real training images, from the MNIST training set")
	fs.IntVar(&s.nFake, "n-fake", 10000, "fakes in the training pool, shared evenly by the generators")
	fs.IntVar(&s.nHeldOut, "n-heldout", 2500, "held-out fakes per generator, scored against the clean real test images")
	fs.IntVar(&s.split.Clean, "n-clean", 2500, "clean real test images (the split's clean part; background 5000 and eval 2500 come before and after it)")
	fs.StringVar(&s.ts, "ts", "configs/models/gan_g.npz", "weights of the TS generator (architecture gan_g)")
	fs.StringVar(&s.ae, "ae", "configs/models/stargan_g.npz", "weights of the AE generator (architecture stargan_g), editing the stroke thickness of real training images (training pool) and of the split's eval images (held-out fakes); \"\" = TS only")
	fs.IntVar(&s.workers, "workers", 0, "goroutines to use (0 = all cores); results do not depend on it")
}

func (s *studyFlags) check() error {
	if s.split.Train < 1 || s.nFake < 1 || s.nHeldOut < 1 || s.split.Clean < 1 || s.workers < 0 {
		return usagef("-n-real, -n-fake, -n-heldout and -n-clean must be ≥ 1, -workers ≥ 0")
	}
	return nil
}

// generators returns the study's generators: TS, the GAN, and AE, the
// StarGAN editor, unless -ae is "".
func (s *studyFlags) generators(real fake.Real) ([]fake.Generator, error) {
	g, err := fake.Load("gan_g", s.ts)
	if err != nil {
		return nil, err
	}
	gens := []fake.Generator{fake.GAN("TS", g)}
	if s.ae == "" {
		return gens, nil
	}
	ae, err := aeGenerator(s.ae, real)
	if err != nil {
		return nil, err
	}
	return append(gens, ae), nil
}

// aeGenerator returns the AE generator: the StarGAN editor at path,
// editing real training images for the training pool and the split's eval
// images for the held-out sets, each to the other stroke thickness (the
// domains of data.ClassInkEdges over the MNIST training images, 2 bins,
// as train-stargan defines them), the edits clipped to [0, 1].
func aeGenerator(path string, real fake.Real) (fake.Generator, error) {
	g, err := fake.Load("stargan_g", path)
	if err != nil {
		return fake.Generator{}, err
	}
	train, labels, err := data.LoadMNIST("train")
	if err != nil {
		return fake.Generator{}, err
	}
	sources, err := fake.StrokeSources(real, train, labels)
	if err != nil {
		return fake.Generator{}, err
	}
	edit := func(x *data.Array, target []int, workers int) (*data.Array, error) {
		return gan.Edit(g, x, target, workers)
	}
	return fake.Editor("AE", gan.Domains, fake.Clipped(edit), sources), nil
}

func runTrainFake(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var st studyFlags
	st.define(fs)
	archName := fs.String("arch", "", "fake-resnet, fake-squeezenet, autogan-sim or autogan-cls")
	out := fs.String("o", "", "output weights (.npz, written atomically)")
	simPath := fs.String("sim", "configs/models/autogan-sim.npz", "autogan-cls: the simulator's weights")
	var opt fake.TrainOptions
	fs.IntVar(&opt.Epochs, "epochs", 0, "epochs (0 = the recipe's: 3 for the classifiers, 2 for the simulator)")
	fs.IntVar(&opt.BatchSize, "batch", 64, "mini-batch size")
	fs.Uint64Var(&opt.Seed, "seed", 1, "seed of the initialisation and the shuffling")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected arguments %q", fs.Args())
	case *out == "":
		return usagef("-o OUT.npz is required")
	case *archName != fake.ResNet && *archName != fake.SqueezeNet && *archName != fake.Simulator && *archName != fake.SpectrumNN:
		return usagef("-arch %q: want fake-resnet, fake-squeezenet, autogan-sim or autogan-cls", *archName)
	case opt.Epochs < 0 || opt.BatchSize < 1:
		return usagef("-epochs must be ≥ 0, -batch ≥ 1")
	}
	if err := st.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	opt.Workers = st.workers
	real, err := fake.LoadReal(st.split)
	if err != nil {
		return err
	}
	x, labels, err := trainingSet(*archName, &st, real, *simPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "training %s on %d images (split seed %d), batch %d, seed %d\n", *archName, x.Len(), st.split.Seed, opt.BatchSize, opt.Seed)
	cpu0, start := cputime.Used(), time.Now()
	opt.Progress = epochPrinter(stdout, cpu0)
	m, err := fake.Train(ctx, *archName, x, labels, opt)
	if err != nil {
		return err
	}
	if err := m.SaveWeights(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained in %.2f CPU-min (%.1f min wall); weights written to %s\n", (cputime.Used() - cpu0).Minutes(), time.Since(start).Minutes(), *out)
	return reportHeldOut(*archName, m, &st, real, stdout)
}

// trainingSet returns the images and labels that arch trains on.
func trainingSet(arch string, st *studyFlags, real fake.Real, simPath string) (*data.Array, []int, error) {
	switch arch {
	case fake.Simulator:
		return real.Train, nil, nil
	case fake.SpectrumNN:
		sim, err := fake.Load(fake.Simulator, simPath)
		if err != nil {
			return nil, nil, err
		}
		return fake.AutoGANSet(sim, real.Train, st.workers)
	}
	gens, err := st.generators(real)
	if err != nil {
		return nil, nil, err
	}
	pool, err := fake.Pool(gens, fake.Training, st.split.Seed, st.nFake, st.workers)
	if err != nil {
		return nil, nil, err
	}
	return fake.Labelled(real.Train, pool)
}

// epochPrinter returns a progress callback printing each epoch's loss and
// the CPU time since cpu0.
func epochPrinter(w io.Writer, cpu0 time.Duration) func(nn.Progress) {
	return func(p nn.Progress) {
		if p.EpochDone {
			fmt.Fprintf(w, "epoch %d/%d: loss %.6f (%.2f CPU-min so far)\n", p.Epoch, p.Epochs, p.Loss, (cputime.Used() - cpu0).Minutes())
		}
	}
}

// reportHeldOut prints the trained model's held-out figures: for the
// simulator, its binary cross-entropy on the clean real images; for a
// classifier, its accuracy and AUC against each generator's held-out fakes.
func reportHeldOut(arch string, m *nn.Model, st *studyFlags, real fake.Real, w io.Writer) error {
	if arch == fake.Simulator {
		loss, err := m.Evaluate(real.Clean, real.Clean, nn.BinaryCrossEntropy, st.workers)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "held-out reconstruction (binary cross-entropy) on %d clean real test images: %.6f\n", real.Clean.Len(), loss)
		return nil
	}
	gens, err := st.generators(real)
	if err != nil {
		return err
	}
	sets, err := fake.HeldOutSets(gens, st.split.Seed, st.nHeldOut, st.workers)
	if err != nil {
		return err
	}
	var d fake.Detector = fake.Net{Label: arch, Model: m}
	if arch == fake.SpectrumNN {
		d = fake.AutoGAN{Classifier: m}
	}
	res, err := fake.Evaluate(d, real.Clean, sets, st.workers)
	if err != nil {
		return err
	}
	printResults(w, res)
	return nil
}

// printResults prints a line per result.
func printResults(w io.Writer, res []fake.Result) {
	for _, r := range res {
		fmt.Fprintf(w, "%-16s %d clean real vs %d held-out %s: AUC %.4f [%.4f, %.4f], accuracy %.4f\n",
			r.Detector, len(r.Clean), len(r.Fake), r.Set, r.AUC, r.CI[0], r.CI[1], r.Accuracy)
	}
}

func runEvalFake(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var st studyFlags
	st.define(fs)
	models := fs.String("models", "configs/models", "directory of fake-resnet.npz, fake-squeezenet.npz, autogan-cls.npz and classifier.npz (FakeSpotter's recogniser)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if err := st.check(); err != nil {
		return err
	}
	real, err := fake.LoadReal(st.split)
	if err != nil {
		return err
	}
	gens, err := st.generators(real)
	if err != nil {
		return err
	}
	dets, err := loadDetectors(*models, &st, gens, real, stdout)
	if err != nil {
		return err
	}
	sets, err := fake.HeldOutSets(gens, st.split.Seed, st.nHeldOut, st.workers)
	if err != nil {
		return err
	}
	for _, d := range dets {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := fake.Evaluate(d, real.Clean, sets, st.workers)
		if err != nil {
			return err
		}
		printResults(stdout, res)
	}
	return simulatorCheck(*models, &st, real, stdout)
}

// simulatorCheck prints AutoGAN's AUC on what it was trained to detect:
// autogan-sim's reproductions of the eval part of the real test images,
// which neither model saw.
func simulatorCheck(dir string, st *studyFlags, real fake.Real, w io.Writer) error {
	sim, err := fake.Load(fake.Simulator, filepath.Join(dir, fake.SimulatorFile))
	if err != nil {
		return err
	}
	cls, err := fake.Load(fake.SpectrumNN, filepath.Join(dir, fake.SpectrumFile))
	if err != nil {
		return err
	}
	out, err := sim.Predict(real.Eval, st.workers)
	if err != nil {
		return err
	}
	res, err := fake.Evaluate(fake.AutoGAN{Classifier: cls}, real.Clean, []fake.Set{{Name: "autogan-sim(eval)", Images: out}}, st.workers)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "check: AutoGAN on autogan-sim's reproductions of the %d eval real test images (its training kind of fake, held out):\n", real.Eval.Len())
	printResults(w, res)
	return nil
}

// loadDetectors loads the trained detectors from dir and fits FakeSpotter
// on the training pool, saying what each was trained on.
func loadDetectors(dir string, st *studyFlags, gens []fake.Generator, real fake.Real, w io.Writer) ([]fake.Detector, error) {
	rec, err := fake.Load("classifier", filepath.Join(dir, "classifier.npz"))
	if err != nil {
		return nil, err
	}
	pool, err := fake.Pool(gens, fake.Training, st.split.Seed, st.nFake, st.workers)
	if err != nil {
		return nil, err
	}
	dets, err := fake.Detectors(dir, rec, real.Train, pool, st.workers)
	if err != nil {
		return nil, err
	}
	for _, d := range dets {
		if fsp, ok := d.(*fake.FakeSpotter); ok {
			fmt.Fprintf(w, "trained on %d real MNIST training images and %d training fakes (%s): fake-resnet, fake-squeezenet, FakeSpotter (logistic regression on the neuron coverage of the classifier's %v; thresholds %.4g)\n",
				real.Train.Len(), pool.Len(), genNames(gens), fsp.Layers, fsp.Thresholds)
		}
	}
	fmt.Fprintf(w, "AutoGAN: trained on the spectra of the %d real training images and of autogan-sim's reproductions of them; no GAN fakes\n", real.Train.Len())
	return dets, nil
}

// genNames returns the generators' names, comma-separated.
func genNames(gens []fake.Generator) string {
	s := ""
	for i, g := range gens {
		if i > 0 {
			s += ", "
		}
		s += g.Name
	}
	return s
}
