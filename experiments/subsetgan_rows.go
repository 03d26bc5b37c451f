package experiments

import (
	"fmt"
	"math"

	"subsetscan/report"
)

// The paper's networks, by row: the published table's network column.
var paperNetworks = map[string]string{
	rowFakeSpotter: "fake face classifier",
	rowAutoGAN:     "GAN",
	rowResNet:      "fake classifier (ResNet)",
	rowSqueezeNet:  "fake classifier (SqueezeNet)",
}

// paperD returns the paper's discriminator of a set's generator.
func paperD(set string) string {
	if set == setTS {
		return "D(x) from PGGAN"
	}
	return "D(x) from StarGAN"
}

// rows returns the comparison table's rows in the published order, then
// the fake classifiers' own supervised scores, with the published values
// of the config.
func (s *subsetGANSettings) rows(cfg *Config, base []ganBaseline, nets []*ganNetScan) []report.GANRow {
	var rows []report.GANRow
	for _, b := range base[:2] { // FakeSpotter, AutoGAN
		key := rowFakeSpotter
		if b.name == "AutoGAN" {
			key = rowAutoGAN
		}
		rows = append(rows, baselineRows(key, b, fmt.Sprintf("neuron coverage of the MNIST classifier (%s), logistic regression", s.Baselines.Recogniser.Arch))...)
	}
	rows[2].Network = fmt.Sprintf("spectrum classifier %s", s.Baselines.AutoGAN.Arch)
	rows[3].Network = rows[2].Network
	for _, n := range nets[:2] {
		rows = append(rows, bestIndividual(n))
	}
	for _, n := range nets {
		rows = append(rows, s.bestGroup(n))
	}
	for _, b := range base[2:] { // the fake classifiers' supervised scores
		for _, r := range baselineRows("", b, b.name+" (supervised score, not a scan)") {
			r.Method = b.name
			rows = append(rows, r)
		}
	}
	for i := range rows {
		rows[i].PaperNetwork = paperNetworks[rows[i].Key]
		if rows[i].Key == rowIndividual || rows[i].Key == rowGroup {
			rows[i].PaperNetwork = paperD(rows[i].Set)
		}
		if p := cfg.Published; p != nil && rows[i].Key != "" {
			if v, ok := p.AUC[rows[i].Set][rows[i].Key]; ok {
				rows[i].Published = &v
			}
		}
	}
	return rows
}

// baselineRows returns a detector's rows, one per set.
func baselineRows(key string, b ganBaseline, network string) []report.GANRow {
	var out []report.GANRow
	for _, r := range b.results {
		out = append(out, report.GANRow{Key: key, Set: r.Set, Method: b.name, Generation: r.Set, Network: network, AUC: r.AUC, CI: r.CI})
	}
	return out
}

// bestIndividual returns the individual-scan row of n: its layer of
// highest AUC (the first of equal ones).
func bestIndividual(n *ganNetScan) report.GANRow {
	best := 0
	for i, l := range n.indiv {
		if l.AUC[n.set] > n.indiv[best].AUC[n.set] {
			best = i
		}
	}
	l := n.indiv[best]
	return report.GANRow{Key: rowIndividual, Set: n.set, Method: "SubsetGAN", Generation: n.set + " (individual)",
		Network: fmt.Sprintf("D of the %s GAN (%s), layer %s", n.set, n.label, l.Layer), AUC: l.AUC[n.set], CI: l.CI[n.set]}
}

// bestGroup returns the group-scan row of n at the table's proportion:
// its layer of highest AUC (the first of equal ones).
func (s *subsetGANSettings) bestGroup(n *ganNetScan) report.GANRow {
	row := report.GANRow{Key: rowGroup, Set: n.set, Method: "SubsetGAN", Generation: n.set + " (group)", AUC: math.NaN()}
	switch n.label {
	case s.ResNet.Arch:
		row.Key, row.Generation = rowResNet, "AE & TS (group)"
	case s.SqueezeNet.Arch:
		row.Key, row.Generation = rowSqueezeNet, "AE & TS (group)"
	}
	for _, gl := range n.group {
		for _, p := range gl.Points {
			if p.Proportion != s.TableProportion || !(math.IsNaN(row.AUC) || p.AUC > row.AUC) {
				continue
			}
			row.AUC, row.Network = p.AUC, fmt.Sprintf("%s, layer %s, %g %% fakes", describeNet(n), gl.Layer[len(n.label)+1:], 100*p.Proportion)
			if p.CI != nil {
				row.CI = *p.CI
			}
		}
	}
	return row
}

// describeNet names n's network for the table.
func describeNet(n *ganNetScan) string {
	if n.individual {
		return fmt.Sprintf("D of the %s GAN (%s)", n.set, n.label)
	}
	return "fake classifier " + n.label
}
