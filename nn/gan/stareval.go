package gan

import (
	"fmt"
	"math"

	"subsetscan/data"
	"subsetscan/nn"
)

// EditOptions configures EvaluateEdits.
type EditOptions struct {
	// Classifier, if not nil, labels the real and the edited images (the
	// largest output of its last layer), to measure whether edits keep
	// the digit; Labels are then the images' true classes.
	Classifier *nn.Model
	Labels     []int
	// Workers is the number of goroutines (0 means all cores); the
	// results do not depend on it.
	Workers int
}

// EditEvaluation measures a StarGAN generator's edits of N real images,
// each towards the domain after its own, (c′+1) mod k.
type EditEvaluation struct {
	N, Domains int
	// Count[c] is the number of images of domain c.
	Count []int
	// ByRule[c] and ByD[c] are the fractions of the edits of images of
	// domain c whose domain is the target, by the rule that labelled the
	// real images and by D's domain classifier (the largest of its
	// outputs 1…k).
	ByRule, ByD []float64
	// RuleAll and DAll are the same over all N edits.
	RuleAll, DAll float64
	// DReal is the fraction of the real images whose domain D's
	// classifier gets right: how far its verdict on edits can be trusted.
	DReal float64
	// Realness is the mean σ(D_src) of the edited images, RealReal that
	// of the real ones.
	Realness, RealReal float64
	// Change is the mean |G(x, c) − x| per pixel: how much an edit
	// changes; Rec the mean |x − G(G(x, c), c′)| per pixel, the
	// reconstruction error.
	Change, Rec float64
	// AreaReal[c] and AreaEdit[c] are the mean numbers of pixels above
	// 0.5 (the stroke's area) of the images of domain c and of their
	// edits: whether an edit thickens or thins the stroke rather than
	// brightening or dimming it, which also changes the ink mass.
	AreaReal, AreaEdit []float64
	// Clipped is the mean per pixel of what clipping the edits to [0, 1]
	// removed: EvaluateEdits scores images, so the edits are clipped
	// before anything else sees them (the rule could otherwise count
	// negative ink).
	Clipped float64
	// ClassReal and ClassEdit are the classifier's accuracies on the real
	// and the edited images (NaN without a classifier).
	ClassReal, ClassEdit float64
}

// EvaluateEdits edits the real images x of the given domains (in [0, k))
// with g towards the next domain, clips the edits to [0, 1], and measures
// them: how often they
// reach the target by rule (which returns the domains of images, as it
// labelled x) and by d's classifier, how much they change the images, how
// well g reconstructs the originals from them, and, with a classifier,
// whether they keep the digit. x is not changed. It is an error if the
// models do not fit the images or each other (NewStarGAN's checks), or if
// rule fails.
func EvaluateEdits(g, d *nn.Model, x *data.Array, domains []int, rule func(*data.Array) ([]int, error), opt EditOptions) (EditEvaluation, error) {
	s, err := NewStarGAN(g, d, StarOptions{})
	if err != nil {
		return EditEvaluation{}, err
	}
	ev := EditEvaluation{N: x.Len(), Domains: s.k, ClassReal: math.NaN(), ClassEdit: math.NaN()}
	if _, err := s.checkTrain(x, domains, Options{Epochs: 1}); err != nil {
		return ev, err
	}
	target := make([]int, len(domains))
	for i, c := range domains {
		target[i] = (c + 1) % s.k
	}
	edit, err := Edit(g, x, target, opt.Workers)
	if err != nil {
		return ev, err
	}
	ev.Clipped = clip01(edit)
	rec, err := Edit(g, edit, domains, opt.Workers)
	if err != nil {
		return ev, err
	}
	ev.Change, ev.Rec = meanAbsDiff(edit, x), meanAbsDiff(rec, x)
	byRule, err := rule(edit)
	if err != nil {
		return ev, fmt.Errorf("gan: the domain rule on the edited images: %w", err)
	}
	if err := ev.scoreD(d, x, edit, domains, target, byRule, opt.Workers); err != nil {
		return ev, err
	}
	ev.AreaReal, ev.AreaEdit = meanArea(x, domains, ev.Count), meanArea(edit, domains, ev.Count)
	if opt.Classifier != nil {
		if ev.ClassReal, err = opt.Classifier.Accuracy(x, opt.Labels, opt.Workers); err != nil {
			return ev, err
		}
		if ev.ClassEdit, err = opt.Classifier.Accuracy(edit, opt.Labels, opt.Workers); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

// scoreD fills in the success rates and D's verdicts on the real and the
// edited images.
func (ev *EditEvaluation) scoreD(d *nn.Model, x, edit *data.Array, domains, target, byRule []int, workers int) error {
	outReal, err := d.Predict(x, workers)
	if err != nil {
		return err
	}
	outEdit, err := d.Predict(edit, workers)
	if err != nil {
		return err
	}
	k := ev.Domains
	ev.Count, ev.ByRule, ev.ByD = make([]int, k), make([]float64, k), make([]float64, k)
	var rightReal int
	for i, c := range domains {
		ev.Count[c]++
		if byRule[i] == target[i] {
			ev.ByRule[c]++
			ev.RuleAll++
		}
		if domainOf(outEdit.Row(i)) == target[i] {
			ev.ByD[c]++
			ev.DAll++
		}
		if domainOf(outReal.Row(i)) == c {
			rightReal++
		}
		ev.Realness += sigmoid(outEdit.Row(i)[0])
		ev.RealReal += sigmoid(outReal.Row(i)[0])
	}
	for c, n := range ev.Count {
		ev.ByRule[c] /= float64(n)
		ev.ByD[c] /= float64(n)
	}
	n := float64(ev.N)
	ev.RuleAll, ev.DAll, ev.DReal = ev.RuleAll/n, ev.DAll/n, float64(rightReal)/n
	ev.Realness, ev.RealReal = ev.Realness/n, ev.RealReal/n
	return nil
}

// domainOf returns the domain D's outputs give: the index of the largest
// of outputs 1…k, the first on ties.
func domainOf(out []float32) int {
	best := 0
	for j, v := range out[1:] {
		if v > out[1+best] {
			best = j
		}
	}
	return best
}

func sigmoid(l float32) float64 { return 1 / (1 + math.Exp(-float64(l))) }

// meanAbsDiff returns the mean |a − b| over all values.
func meanAbsDiff(a, b *data.Array) float64 {
	var sum float64
	for i, v := range a.Data {
		sum += math.Abs(float64(v) - float64(b.Data[i]))
	}
	return sum / float64(len(a.Data))
}

// clip01 clips the values of x to [0, 1] in place and returns the mean
// absolute change per value.
func clip01(x *data.Array) float64 {
	var sum float64
	for i, v := range x.Data {
		c := min(max(v, 0), 1)
		sum += math.Abs(float64(v - c))
		x.Data[i] = c
	}
	return sum / float64(len(x.Data))
}

// meanArea returns, for each domain c, the mean number of values above
// 0.5 of the images of x of domain c, of which there are count[c].
func meanArea(x *data.Array, domains, count []int) []float64 {
	area := make([]float64, len(count))
	for i, c := range domains {
		for _, v := range x.Row(i) {
			if v > 0.5 {
				area[c]++
			}
		}
	}
	for c, n := range count {
		area[c] /= float64(n)
	}
	return area
}
