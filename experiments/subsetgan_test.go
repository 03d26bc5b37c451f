package experiments_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/experiments"
	"subsetscan/nn"
	"subsetscan/report"
	"subsetscan/runner"
)

// ganModels writes randomly initialised networks of every architecture the
// tiny subsetgan config names into a temporary directory, each as
// <arch>.npz, and returns it.
func ganModels(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for i, name := range []string{"gan_g", "gan_d", "stargan_g", "stargan_d", "fake-resnet", "fake-squeezenet", "classifier", "autogan-cls"} {
		arch, err := nn.ArchByName(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := nn.New(arch)
		if err != nil {
			t.Fatal(err)
		}
		m.InitGlorot(uint64(i + 1))
		if err := m.SaveWeights(filepath.Join(dir, name+".npz")); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSubsetGANKind runs the tiny subsetgan config end to end through
// runner.Run, twice: the same report but for the timings.
func TestSubsetGANKind(t *testing.T) {
	cfg, err := experiments.ReadConfig(filepath.Join("testdata", "subsetgan-tiny.yaml"), experiments.Vars{Models: ganModels(t)})
	if err != nil {
		t.Fatal(err)
	}
	dir, res, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir(), Revision: "test"})
	if err != nil {
		t.Fatal(err)
	}
	g := res.SubsetGAN
	// 10 published rows and 4 supervised rows of the fake classifiers; 2
	// layers of each D and 1 of each classifier, 3 sets.
	if g == nil || len(g.Rows) != 14 || len(g.Individual) != 2 || len(res.Group) != 6 {
		t.Fatalf("got %+v, %d group layers", g, len(res.Group))
	}
	for k, want := range map[string]int{"background": 30, "clean": 20, "TS": 12, "AE": 12, "AE+TS": 12} {
		if res.Samples[k] != want {
			t.Errorf("samples %s: %d, want %d", k, res.Samples[k], want)
		}
	}
	published := 0
	for _, r := range g.Rows {
		if !(r.AUC >= 0 && r.AUC <= 1) || !(r.CI[0] <= r.AUC && r.AUC <= r.CI[1]) {
			t.Errorf("row %s %s: AUC %v, CI %v", r.Method, r.Generation, r.AUC, r.CI)
		}
		if r.Published != nil {
			published++
		}
	}
	if published != 10 || res.Compared() != 10 {
		t.Errorf("%d rows with a published value, %d compared; want 10", published, res.Compared())
	}
	for _, gl := range res.Group {
		if len(gl.Points) != 2 || !strings.Contains(gl.Layer, "/") {
			t.Errorf("group layer %s: %d points", gl.Layer, len(gl.Points))
		}
	}
	checkNodes(t, res)
	md := readReport(t, dir)
	for _, want := range []string{"## The SubsetGAN table (analog)", "| FakeSpotter", "D(x) from PGGAN", "auc_layers_gan_d.png", "auc_layers_stargan_d.png",
		"samples_ts.png", "pairs_ae.png", "group_AE+TS.png", "### Individual scans of stargan_d, AE fakes", "On TS fakes the highest AUC is that of"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, f := range []string{"auc_layers_gan_d.png", "samples_ts.png", "pairs_ae.png", "group_TS.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	dir2, _, err := runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir(), Revision: "test", Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	untimed := func(s string) string { return strings.Split(s, "## Timings")[0] }
	if untimed(md) != untimed(readReport(t, dir2)) {
		t.Error("two runs of the same config (2 workers and 1) gave different reports")
	}
}

// readReport returns dir/report.md.
func readReport(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSubsetGANSection checks the bad inputs of kind subsetgan: each error
// names the YAML key (or the weights file) and the config file.
func TestSubsetGANSection(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "subsetgan-tiny.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	checkErrors(t, string(raw), "subsetgan.yaml", experiments.Vars{Models: ganModels(t)}, []errorCase{
		{"generator output vs D input", "generator: {arch: gan_g", "generator: {arch: classifier",
			"subsetgan.ts.generator.arch: classifier outputs images of shape [10], but the discriminator gan_d takes [28 28 1]"},
		{"TS generator not from noise", "generator: {arch: gan_g", "generator: {arch: autogan-sim", "subsetgan.ts.generator.arch: autogan-sim takes inputs of shape [28 28 1], not a latent vector"},
		{"AE generator without domains", "generator: {arch: stargan_g", "generator: {arch: autogan-sim", "subsetgan.ae.generator.arch: autogan-sim takes inputs of shape [28 28 1], not an MNIST image with domain planes"},
		{"proportion above 1", "proportions: [0.1, 0.5]", "proportions: [0.1, 1.5]", "subsetgan.group.proportions[1]: must be in (0, 1], got 1.5"},
		{"proportion 0", "proportions: [0.1, 0.5]", "proportions: [0, 0.5]", "subsetgan.group.proportions[0]: must be in (0, 1], got 0"},
		{"group larger than the clean images", "size: 10", "size: 30", "subsetgan.group.size: 30 exceeds the 20 clean images"},
		{"group's fakes beyond the pool", "held_out: 12", "held_out: 4", "subsetgan.group.proportions[1]: 0.5 of a group of 10 is 5 fakes, more than the 4 held-out fakes"},
		{"held-out beyond the AE sources", "held_out: 12", "held_out: 17", "subsetgan.fakes.held_out: 17 exceeds the 16 real images the AE generator edits (split.eval)"},
		{"pool beyond the training images", "pool: 40", "pool: 90", "subsetgan.fakes.pool: 90 asks for 45 AE training fakes"},
		{"split beyond the test set", "background: 30", "background: 9990", "subsetgan.split: background + clean + eval = 10026 exceeds the 10000 MNIST test images"},
		{"missing weights", "stargan_d.npz", "nowhere.npz", "subsetgan.ae.discriminator.weights: stat "},
		{"missing recogniser", "classifier.npz", "nowhere.npz", "subsetgan.baselines.recogniser.weights: stat "},
		{"wrong fake classifier", "arch: fake-resnet", "arch: fake-squeezenet", `subsetgan.resnet.arch: must be fake-resnet, got "fake-squeezenet"`},
		{"unknown layer", "layers: [block_2_add]", "layers: [block_9_add]", `subsetgan.resnet.layers[0]: fake-resnet has no layer "block_9_add"`},
		{"table proportion", "table_proportion: 0.5", "table_proportion: 0.2", "subsetgan.table_proportion: 0.2 is not one of group.proportions [0.1 0.5]"},
		{"scan mode", "mode: individual", "mode: group", "scan.mode: must be individual for kind subsetgan"},
		{"published row", "subsetgan-group: 1.0}", "subsetgan-grouped: 1.0}", `published.auc.AE: unknown layer "subsetgan-grouped"`},
		{"unknown key", "grid: 4", "grid: 4\n  grids: 4", "subsetgan.grids: unknown key"},
	})
}

// TestSubsetGANBadWeights checks that weights that do not fit their
// architecture stop the run with an error naming the key.
func TestSubsetGANBadWeights(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "subsetgan-tiny.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(raw), "${models}/stargan_d.npz", "${models}/gan_d.npz", 1)
	cfg, err := experiments.ParseConfig([]byte(bad), "", experiments.Vars{Models: ganModels(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = runner.Run(t.Context(), cfg, runner.Options{OutDir: t.TempDir()})
	if want := "subsetgan.ae.discriminator.weights: "; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want an error naming %s", err, want)
	}
}

// checkNodes checks the node maps: shares in [0, 1], and the groups
// rescanned for them are those of the group point of the same layer and
// proportion (the same recall).
func checkNodes(t *testing.T, res *report.Results) {
	t.Helper()
	if len(res.SubsetGAN.Nodes) == 0 {
		t.Fatal("no node maps")
	}
	for _, n := range res.SubsetGAN.Nodes {
		for _, v := range n.Share {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("%s %s: share %v", n.Network, n.Layer, v)
			}
		}
		found := false
		for _, gl := range res.Group {
			for _, p := range gl.Points {
				if gl.Layer == n.Network+"/"+n.Layer && p.Proportion == n.Proportion {
					found = true
					if p.Recall != n.Recall {
						t.Errorf("%s: recall %v in the node map's scans, %v in the group point", gl.Layer, n.Recall, p.Recall)
					}
				}
			}
		}
		if !found {
			t.Errorf("node map of %s %s: no group point", n.Network, n.Layer)
		}
	}
}
