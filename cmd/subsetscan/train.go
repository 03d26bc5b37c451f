package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"subsetscan/data"
	"subsetscan/nn"
)

func init() {
	register(&command{
		Name:  "train",
		Short: "train the autoencoder or the classifier on MNIST and write its weights (.npz)",
		Usage: "-arch autoencoder|classifier -o OUT.npz [flags]",
		Run:   runTrain,
	})
}

func runTrain(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	archName := fs.String("arch", "", "architecture to train: autoencoder (Adadelta, binary cross-entropy) or classifier (Adam, categorical cross-entropy)")
	epochs := fs.Int("epochs", 0, "epochs (0 = the architecture's default: 50 for the autoencoder, 12 for the classifier)")
	batch := fs.Int("batch", 128, "mini-batch size")
	seed := fs.Uint64("seed", 1, "seed of the initialisation and of the shuffling")
	out := fs.String("o", "", "output weights file (.npz, written atomically)")
	workers := fs.Int("workers", 0, "goroutines to use (0 = all cores); the weights do not depend on it")
	nTrain := fs.Int("train-n", 0, "train on the first N MNIST training images only (0 = all 60000)")
	nTest := fs.Int("test-n", 0, "evaluate on the first N MNIST test images only (0 = all 10000)")
	digits := fs.String("digits", "", "train and test on these MNIST digits only, comma-separated, labelled 0…k−1 in this order (the architecture's k classes; e.g. 0,1,2,3,4,5 for classifier6)")
	var thin inkThin
	fs.IntVar(&thin.Groups, "ink-groups", 4, "with -thin-group: the number of ink-mass subgroups (quantile bins of the ink mass, the sum of the pixel values, of the training images kept by -digits), as kind ood's fairness breakdown defines them")
	fs.IntVar(&thin.Group, "thin-group", 0, "keep only the fraction -thin-keep of the training images of this ink-mass subgroup, 1 (lightest) to -ink-groups, drawn at random from -seed (0 = keep all)")
	fs.Float64Var(&thin.Keep, "thin-keep", 0.05, "with -thin-group: the fraction of that subgroup's training images kept")
	checkpoints := fs.String("checkpoints", "", "directory to write the weights after every epoch (<arch>-epoch<N>.npz) and print the test metric of each epoch; training N epochs gives the same weights as the first N epochs of a longer run")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	recipe, err := nn.RecipeFor(*archName)
	if err != nil {
		return usagef("-arch %q: want autoencoder or classifier", *archName)
	}
	arch, err := nn.ArchByName(*archName)
	if err != nil {
		return usagef("%v", err)
	}
	switch {
	case *out == "":
		return usagef("-o OUT.npz is required")
	case *epochs < 0:
		return usagef("-epochs %d must be ≥ 0", *epochs)
	case *batch < 1:
		return usagef("-batch %d must be ≥ 1", *batch)
	case *workers < 0:
		return usagef("-workers %d must be ≥ 0", *workers)
	case *nTrain < 0 || *nTest < 0:
		return usagef("-train-n and -test-n must be ≥ 0")
	}
	if *epochs == 0 {
		*epochs = recipe.Epochs
	}
	// Fail before training, not after, when the output cannot be written.
	for _, d := range []string{filepath.Dir(*out), *checkpoints} {
		if d == "" {
			continue
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("output %s: %w", *out, err)
		}
	}

	keep, err := parseDigits(*digits, recipe.Classes)
	if err != nil {
		return usagef("-digits %q: %v", *digits, err)
	}
	if err := thin.check(); err != nil {
		return usagef("%v", err)
	}
	thin.Seed = *seed
	xTrain, yTrain, xTest, yTest, testLabels, err := trainData(recipe, *nTrain, *nTest, keep, &thin)
	if err != nil {
		return err
	}
	if thin.Group > 0 {
		fmt.Fprintf(stdout, "ink subgroup %d/%d thinned: %d of its %d training images kept (fraction %g)\n",
			thin.Group, thin.Groups, thin.after, thin.before, thin.Keep)
	}
	m, err := nn.New(arch)
	if err != nil {
		return err
	}
	m.InitGlorot(*seed)
	fmt.Fprintf(stdout, "training %s on %d MNIST images: %v, %d epochs, batch %d, seed %d\n",
		*archName, xTrain.Len(), recipe.Loss, *epochs, *batch, *seed)

	// evaluate prints the test metric: the loss, and the accuracy of a
	// classifier.
	evaluate := func(prefix string) error {
		loss, err := m.Evaluate(xTest, yTest, recipe.Loss, *workers)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%stest %v on %d images: %.6f\n", prefix, recipe.Loss, xTest.Len(), loss)
		if testLabels != nil {
			acc, err := m.Accuracy(xTest, testLabels, *workers)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%stest accuracy on %d images: %.4f\n", prefix, xTest.Len(), acc)
		}
		return nil
	}
	var cbErr error
	prog := newTrainProgress(stderr, xTrain.Len())
	start := time.Now()
	epochStart := start
	_, err = m.Train(ctx, xTrain, yTrain, nn.TrainOptions{
		Loss: recipe.Loss, Optimizer: recipe.NewOptimizer(), Epochs: *epochs, BatchSize: *batch,
		Seed: *seed, Workers: *workers,
		Progress: func(p nn.Progress) {
			if !p.EpochDone {
				prog.batch(p)
				return
			}
			prog.done()
			now := time.Now()
			fmt.Fprintf(stdout, "epoch %d/%d: loss %.6f (%.1f s)\n", p.Epoch, p.Epochs, p.Loss, now.Sub(epochStart).Seconds())
			if *checkpoints != "" && cbErr == nil {
				path := filepath.Join(*checkpoints, fmt.Sprintf("%s-epoch%d.npz", *archName, p.Epoch))
				if cbErr = m.SaveWeights(path); cbErr == nil {
					cbErr = evaluate(fmt.Sprintf("epoch %d: ", p.Epoch))
				}
			}
			epochStart = time.Now()
		},
	})
	prog.done()
	if err != nil {
		return fmt.Errorf("training %s: %w", *archName, err)
	}
	if cbErr != nil {
		return cbErr
	}
	elapsed := time.Since(start)
	if err := m.SaveWeights(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained in %.1f s (%.1f s per epoch); weights written to %s\n", elapsed.Seconds(), elapsed.Seconds()/float64(*epochs), *out)

	return evaluate("")
}

// trainData loads the MNIST training and test images (the first nTrain and
// nTest of each when positive) with the recipe's targets: the images
// themselves for the autoencoder, one-hot labels for the classifier (whose
// test labels are returned too).
// With keep (see parseDigits), only the images of those digits are kept,
// relabelled by their position in keep, before the first nTrain and nTest;
// then thin (when its Group > 0) thins one ink-mass subgroup of the
// training images, also before the first nTrain.
func trainData(recipe nn.Recipe, nTrain, nTest int, keep []int, thin *inkThin) (xTrain, yTrain, xTest, yTest *data.Array, testLabels []int, err error) {
	xTrain, trainLabels, err := data.LoadMNIST("train")
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	xTest, testLabels, err = data.LoadMNIST("test")
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	xTrain, trainLabels = keepDigits(xTrain, trainLabels, keep)
	xTest, testLabels = keepDigits(xTest, testLabels, keep)
	if xTrain, trainLabels, err = thin.apply(xTrain, trainLabels); err != nil {
		return nil, nil, nil, nil, nil, err
	}
	if nTrain > 0 && nTrain < xTrain.Len() {
		xTrain, trainLabels = xTrain.Slice(0, nTrain), trainLabels[:nTrain]
	}
	if nTest > 0 && nTest < xTest.Len() {
		xTest, testLabels = xTest.Slice(0, nTest), testLabels[:nTest]
	}
	if yTrain, err = recipe.Targets(xTrain, trainLabels); err != nil {
		return nil, nil, nil, nil, nil, fmt.Errorf("MNIST training labels: %w", err)
	}
	if yTest, err = recipe.Targets(xTest, testLabels); err != nil {
		return nil, nil, nil, nil, nil, fmt.Errorf("MNIST test labels: %w", err)
	}
	if recipe.Classes == 0 {
		testLabels = nil
	}
	return xTrain, yTrain, xTest, yTest, testLabels, nil
}

// inkThin is the thinning of one ink-mass subgroup of the training images
// (flags -ink-groups, -thin-group, -thin-keep): the subgroups are those of
// data.ThinInkGroup, the quantile bins of the training images' own ink
// mass (kind ood's fairness breakdown cuts the same bins at the quantiles
// of its background images).
type inkThin struct {
	Groups, Group int     // Group is 1-based; 0 keeps every image
	Keep          float64 // the fraction of subgroup Group kept
	Seed          uint64

	before, after int // the subgroup's images before and after thinning
}

func (t *inkThin) check() error {
	switch {
	case t.Group == 0:
		return nil
	case t.Groups < 2:
		return fmt.Errorf("-ink-groups %d must be ≥ 2", t.Groups)
	case t.Group < 0 || t.Group > t.Groups:
		return fmt.Errorf("-thin-group %d must be 1 to -ink-groups %d (or 0)", t.Group, t.Groups)
	case t.Keep < 0 || t.Keep > 1:
		return fmt.Errorf("-thin-keep %g must be in [0, 1]", t.Keep)
	}
	return nil
}

// apply returns x and labels without the dropped images of subgroup Group.
func (t *inkThin) apply(x *data.Array, labels []int) (*data.Array, []int, error) {
	if t == nil || t.Group == 0 {
		return x, labels, nil
	}
	idx, before, after, err := data.ThinInkGroup(x, t.Groups, t.Group-1, t.Keep, t.Seed)
	if err != nil {
		return nil, nil, err
	}
	t.before, t.after = before, after
	kept := make([]int, len(idx))
	for j, i := range idx {
		kept[j] = labels[i]
	}
	return x.Gather(idx), kept, nil
}

// parseDigits parses the -digits flag: distinct digits 0–9, comma-separated,
// as many as the architecture's classes. "" (all digits) gives nil.
func parseDigits(s string, classes int) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var keep []int
	for _, f := range strings.Split(s, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || d < 0 || d > 9 || slices.Contains(keep, d) {
			return nil, fmt.Errorf("%q is not a new digit 0–9", f)
		}
		keep = append(keep, d)
	}
	if len(keep) != classes {
		return nil, fmt.Errorf("%d digits for an architecture of %d classes", len(keep), classes)
	}
	return keep, nil
}

// keepDigits returns the images of x whose labels are in keep, in order,
// labelled by the label's position in keep; nil keep returns x and labels.
func keepDigits(x *data.Array, labels, keep []int) (*data.Array, []int) {
	if keep == nil {
		return x, labels
	}
	var idx, kept []int
	for i, l := range labels {
		if j := slices.Index(keep, l); j >= 0 {
			idx, kept = append(idx, i), append(kept, j)
		}
	}
	return x.Gather(idx), kept
}

// trainProgress shows the progress of an epoch on w: a progress bar when
// w is a terminal, otherwise a plain log line every tenth of an epoch.
type trainProgress struct {
	w     io.Writer
	n     int
	isTTY bool
	bar   *progressbar.ProgressBar
}

func newTrainProgress(w io.Writer, n int) *trainProgress {
	p := &trainProgress{w: w, n: n}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.isTTY = true
	}
	return p
}

func (p *trainProgress) batch(pr nn.Progress) {
	if !p.isTTY {
		if every := max(1, pr.Batches/10); pr.Batch%every == 0 && pr.Batch < pr.Batches {
			fmt.Fprintf(p.w, "epoch %d/%d: batch %d/%d, loss %.6f\n", pr.Epoch, pr.Epochs, pr.Batch, pr.Batches, pr.Loss)
		}
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(p.n,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	p.bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f", pr.Epoch, pr.Epochs, pr.Loss))
	p.bar.Set(pr.Samples)
}

func (p *trainProgress) done() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}
