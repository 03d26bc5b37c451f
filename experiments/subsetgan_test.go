package experiments_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"subsetscan/experiments"
	"subsetscan/nn"
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
