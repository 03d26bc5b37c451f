package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"subsetscan/data"
	"subsetscan/nn"
	"subsetscan/nn/gan"
)

func init() {
	register(&command{
		Name:  "eval-stargan",
		Short: "edit MNIST test digits' stroke thickness with a trained StarGAN: success by rule and by its discriminator, reconstruction, before/after PNG, report",
		Usage: "[-g G.npz] [-d D.npz] [-classifier C.npz] [-n N] [-out DIR] [flags]",
		Run:   runEvalStarGAN,
	})
}

func runEvalStarGAN(ctx context.Context, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	gPath := fs.String("g", "configs/models/stargan_g.npz", "generator weights (architecture stargan_g)")
	dPath := fs.String("d", "configs/models/stargan_d.npz", "discriminator weights (architecture stargan_d)")
	clfPath := fs.String("classifier", "configs/models/classifier.npz", "classifier weights (architecture classifier) checking that edits keep the digit (\"\" = skip)")
	n := fs.Int("n", 10000, "evaluate on the first N MNIST test images")
	out := fs.String("out", "", "write pairs.png (before/after/reconstructed) and report.md into this directory")
	workers := fs.Int("workers", 0, "goroutines to use (0 = all cores); the results do not depend on it")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected arguments %q", fs.Args())
	case *n < 2 || *n > 10000:
		return usagef("-n %d must be in [2, 10000]", *n)
	case *workers < 0:
		return usagef("-workers %d must be ≥ 0", *workers)
	}
	g, d, clf, err := loadStarGAN(*gPath, *dPath, *clfPath)
	if err != nil {
		return err
	}
	opt := gan.EditOptions{Classifier: clf, Workers: *workers}
	x, labels, err := data.LoadMNIST("test")
	if err != nil {
		return err
	}
	x, labels = x.Slice(0, *n), labels[:*n]
	opt.Labels = labels
	train, trainLabels, err := data.LoadMNIST("train")
	if err != nil {
		return err
	}
	edges, err := gan.StrokeEdges(train, trainLabels)
	if err != nil {
		return err
	}
	domains, err := data.ClassInkGroups(x, labels, edges)
	if err != nil {
		return err
	}
	rule := func(edit *data.Array) ([]int, error) { return data.ClassInkGroups(edit, labels, edges) }
	ev, err := gan.EvaluateEdits(g, d, x, domains, rule, opt)
	if err != nil {
		return err
	}
	var rep bytes.Buffer
	writeEditReport(&rep, ev, *gPath, *dPath, *clfPath)
	stdout.Write(rep.Bytes())
	if *out == "" {
		return nil
	}
	if err := mkdirs(*out); err != nil {
		return err
	}
	if err := writePairs(filepath.Join(*out, "pairs.png"), g, x, domains, *workers); err != nil {
		return err
	}
	return data.WriteFileAtomic(filepath.Join(*out, "report.md"), func(w io.Writer) error {
		_, err := w.Write(rep.Bytes())
		return err
	})
}

// loadStarGAN loads the StarGAN's generator and discriminator, and the
// classifier unless clfPath is "".
func loadStarGAN(gPath, dPath, clfPath string) (g, d, clf *nn.Model, err error) {
	if g, err = loadArch("stargan_g", gPath); err != nil {
		return nil, nil, nil, err
	}
	if d, err = loadArch("stargan_d", dPath); err != nil {
		return nil, nil, nil, err
	}
	if clfPath != "" {
		clf, err = loadArch("classifier", clfPath)
	}
	return g, d, clf, err
}

// strokeNames names the stroke-thickness domains.
var strokeNames = [gan.Domains]string{"thin", "thick"}

// writeEditReport writes ev as Markdown.
func writeEditReport(w io.Writer, ev gan.EditEvaluation, gPath, dPath, clfPath string) {
	fmt.Fprintf(w, "# StarGAN stroke-thickness editing on MNIST (issue 10, AE generator)\n\n")
	fmt.Fprintf(w, "Written by `subsetscan eval-stargan -g %s -d %s -classifier %s -n %d`.\n\n", gPath, dPath, clfPath, ev.N)
	fmt.Fprintf(w, "Domains, a rule on the image and its digit class: *thin* if its ink mass (sum of pixel values) is at most the median ink mass of the MNIST training images of its class, else *thick*. ")
	fmt.Fprintf(w, "Each of the first %d MNIST test images is edited to the other domain; the same rule, with the source image's class, scores the edit.\n\n", ev.N)
	fmt.Fprintf(w, "| edit | images | reaches the target by the rule | by D's domain classifier |\n| --- | ---: | ---: | ---: |\n")
	for c, cnt := range ev.Count {
		fmt.Fprintf(w, "| %s → %s | %d | %.1f %% | %.1f %% |\n", strokeNames[c], strokeNames[(c+1)%ev.Domains], cnt, 100*ev.ByRule[c], 100*ev.ByD[c])
	}
	fmt.Fprintf(w, "| all | %d | %.1f %% | %.1f %% |\n\n", ev.N, 100*ev.RuleAll, 100*ev.DAll)
	for c := range ev.Count {
		fmt.Fprintf(w, "- Stroke area (pixels above 0.5) of the %s images: %.1f before the edit, %.1f after.\n", strokeNames[c], ev.AreaReal[c], ev.AreaEdit[c])
	}
	fmt.Fprintf(w, "- D's domain classifier on the real images: %.1f %% right (the rule's domains).\n", 100*ev.DReal)
	fmt.Fprintf(w, "- D's mean probability that an image is real: %.3f on the edits, %.3f on the real images.\n", ev.Realness, ev.RealReal)
	fmt.Fprintf(w, "- Mean change per pixel |G(x, c) − x|: %.4f; mean reconstruction error |x − G(G(x, c), c′)|: %.4f (pixels in [0, 1]; the edits are clipped to [0, 1], which changes them by %.4f per pixel on average, before they are scored or edited back).\n", ev.Change, ev.Rec, ev.Clipped)
	if clfPath != "" {
		fmt.Fprintf(w, "- The classifier's accuracy on the real images: %.1f %%; on the edits: %.1f %% (does the edit keep the digit?).\n", 100*ev.ClassReal, 100*ev.ClassEdit)
	}
	fmt.Fprintf(w, "\n`pairs.png`: rows of three: the first (up to) %d thin test images, their edits to thick and the edits back (reconstructions); then the first (up to) %d thick ones, edited to thin and back.\n", pairCols, pairCols)
}

// pairCols is the number of images per row of pairs.png.
const pairCols = 12

// writePairs writes a PNG of the first m images of x of each domain, m
// the smaller of pairCols and the number of images of the rarest domain,
// each row of originals followed by a row of their edits towards the
// other domain and a row of the edits back. It is an error if a domain
// has no images.
func writePairs(path string, g *nn.Model, x *data.Array, domains []int, workers int) error {
	byDomain := make([][]int, gan.Domains)
	for i, c := range domains {
		byDomain[c] = append(byDomain[c], i)
	}
	m := pairCols
	for c, idx := range byDomain {
		if len(idx) == 0 {
			return fmt.Errorf("%s: no %s images to show", path, strokeNames[c])
		}
		m = min(m, len(idx))
	}
	var rows []*data.Array
	for c, idx := range byDomain {
		idx = idx[:m]
		orig := x.Gather(idx)
		src, dst := make([]int, len(idx)), make([]int, len(idx))
		for i := range idx {
			src[i], dst[i] = c, (c+1)%gan.Domains
		}
		edit, err := gan.Edit(g, orig, dst, workers)
		if err != nil {
			return err
		}
		back, err := gan.Edit(g, edit, src, workers)
		if err != nil {
			return err
		}
		rows = append(rows, orig, edit, back)
	}
	all, err := data.Concat(rows...)
	if err != nil {
		return err
	}
	return gan.WriteGrid(path, all, m)
}
