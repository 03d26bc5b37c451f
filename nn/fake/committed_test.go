package fake

import (
	"path/filepath"
	"testing"
)

// TestCommittedDetectors loads the committed detectors and scores 300
// clean real test images against 300 held-out TS fakes (split seed 1):
// the trained networks must separate them (configs/models/README.md has
// the full held-out figures: AUC 0.989 and 0.965 on 2500 of each), and
// AutoGAN its own simulator's reproductions.
func TestCommittedDetectors(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MNIST and the committed weights")
	}
	dir := "../../configs/models"
	real, err := LoadReal(SplitOptions{Seed: 1, Clean: 300})
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load("gan_g", filepath.Join(dir, "gan_g.npz"))
	if err != nil {
		t.Fatal(err)
	}
	sets, err := HeldOutSets([]Generator{GAN("TS", g)}, 1, 300, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{ResNet, ResNetFile}, {SqueezeNet, SqueezeNetFile}} {
		m, err := Load(c[0], filepath.Join(dir, c[1]))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Evaluate(Net{Label: c[0], Model: m}, real.Clean, sets, 0)
		if err != nil {
			t.Fatal(err)
		}
		if res[0].AUC < 0.95 {
			t.Errorf("%s: AUC %.4f on 300 + 300 held-out images, want ≥ 0.95", c[0], res[0].AUC)
		}
	}
	sim, err := Load(Simulator, filepath.Join(dir, SimulatorFile))
	if err != nil {
		t.Fatal(err)
	}
	cls, err := Load(SpectrumNN, filepath.Join(dir, SpectrumFile))
	if err != nil {
		t.Fatal(err)
	}
	out, err := sim.Predict(real.Eval.Slice(0, 300), 0)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Evaluate(AutoGAN{Classifier: cls}, real.Clean, []Set{{"sim", out}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].AUC < 0.9 {
		t.Errorf("AutoGAN on its simulator's held-out reproductions: AUC %.4f, want ≥ 0.9", res[0].AUC)
	}
}
